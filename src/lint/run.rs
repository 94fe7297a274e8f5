//! A whole run: the inputs gathered, each file linted on a thread pool,
//! the crate pass, late suppressions, the findings sorted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::input::discover::CrateRoots;
use crate::lint::engine::FileJob;
use crate::lint::inputs::Input;
use crate::text::mask::CrateFields;

pub(crate) fn file_job<'s>(
    file: &'s Input,
    roots: &CrateRoots,
    prefilter: bool,
    handle_fields: Option<&'s CrateFields>,
) -> FileJob<'s> {
    FileJob {
        display: file.display.clone(),
        is_test_file: roots.is_test_file(&file.path),
        settings: &file.settings,
        prefilter,
        skip_generated: !file.explicit,
        handle_fields,
    }
}

/// Runs `work` on every item on the pool's threads, the heaviest first, and
/// returns the results in the items' order. In file order, a few big files
/// near the end of a run kept one thread busy while the other idled.
pub(crate) fn largest_first<T: Send, R: Send>(
    pool: &rayon::ThreadPool,
    items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    work: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let count = items.len();
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weight(&items[i])));
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    let done: Vec<Vec<(usize, R)>> = pool.broadcast(|_| {
        let mut done = Vec::new();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let item = slots[i].lock().ok().and_then(|mut slot| slot.take());
            if let Some(item) = item {
                done.push((i, work(item)));
            }
        }
        done
    });
    let mut results: Vec<Option<R>> = (0..count).map(|_| None).collect();
    for (i, result) in done.into_iter().flatten() {
        results[i] = Some(result);
    }
    results.into_iter().flatten().collect()
}

/// The worker threads for `--jobs`: none or 0 is rayon's default (one per
/// core); more than four per core (at most 256) gain nothing and cost a
/// stack each, so are capped.
pub(crate) fn threads(jobs: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    jobs.unwrap_or(0).min(cores.saturating_mul(4).min(256))
}
