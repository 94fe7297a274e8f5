//! Coverage-guided fuzzing of the per-file pipeline: read, prefilter, mask,
//! parse, walk every rule, render every format (`tasklint::fuzzing`).
//!
//! Built without `--cfg fuzzing`, which turns off proc-macro2's span
//! locations (every finding would be at line 0):
//!
//!     cd fuzz && cargo +nightly fuzz run --no-cfg-fuzzing lint_file corpus/lint_file ../fixtures -- -max_total_time=1800
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(problem) = tasklint::fuzzing::check(data) {
        panic!("{problem}");
    }
});
