//! Family `shutdown`: stopping tasks (or child processes) without waiting
//! for them.
//!
//! The four function-local rules share one walk of each function body
//! ([`body`]); `unjoined-handle-field` is decided crate-wide by
//! [`crate::crate_pass`] on the facts [`unjoined_handle_field::FieldFacts`]
//! collects from each file.

pub mod abort_spawn_blocking;
pub mod abort_without_await;
pub mod body;
pub mod tracker_wait_without_close;
pub mod undrained_join_set;
pub mod unjoined_handle_field;

use crate::walk::{Check, Cx, FnFrame};

/// The function-local rules: each function body is modelled once, on entry.
#[derive(Default)]
pub struct Shutdown;

impl<'a> Check<'a> for Shutdown {
    fn enter_fn(&mut self, frame: &FnFrame<'a>, cx: &Cx<'a>) {
        // `Drop::drop` cannot await: nothing it does can be waited for there.
        if frame.is_drop {
            return;
        }
        body::analyse(frame, cx);
    }
}
