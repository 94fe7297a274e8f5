fn main() -> std::process::ExitCode {
    no_huge_pages();
    tasklint::cli::run()
}

/// mimalloc asks the kernel for transparent huge pages, and the kernel then
/// zeroes 2 MB for every fresh page the allocator touches: 8% of the CPU of
/// a corpus run went to clearing memory a run mostly never used. (The same
/// as running with `MIMALLOC_ALLOW_THP=0`.)
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    use std::ffi::{c_int, c_ulong};
    extern "C" {
        fn prctl(option: c_int, ...) -> c_int;
    }
    const PR_SET_THP_DISABLE: c_int = 41;
    // SAFETY: PR_SET_THP_DISABLE takes one integer flag and only changes how
    // the kernel backs this process's future page faults; on failure (an old
    // kernel) nothing changes, which is fine.
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as c_ulong,
            0 as c_ulong,
            0 as c_ulong,
            0 as c_ulong,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}
