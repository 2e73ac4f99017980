//! The history page's wasm as a library (issues 20 and 17): the linearizability checker the
//! shipped page loads on demand instead of carrying it (src/components/verdict_loader.rs). The
//! shipped page sends the run's client history up to its playhead, as `paxoscope export --what
//! history` writes it (JSON Lines, docs/history-format.md); [`check_start`] reads it back into
//! the checker's entries (`verdict::exported_history`) and [`check_slice`] searches them with
//! the family page's budget (`verdict::PAGE_BUDGET_STATES`), a slice of real time per call, so
//! the page stays responsive. The answer is the panel's verdict pieces as the family page
//! writes them (`verdicts::verdict_html`), one per line: the shipped page puts them in place
//! without reading them. docs/architecture.md ("Three pages, and a module loaded on demand")
//! says how the page finds and starts this wasm.

use crate::components::history_check::search_for;
use crate::components::verdicts::verdict_html;
use paxoscope_core::check::linearizability::{HistoryEntry, LinCheck};
use paxoscope_core::verdict::{exported_history, PAGE_BUDGET_STATES};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The global a page sets to `true` before it starts this wasm as a library: `main` then
/// mounts nothing (the history page's panel would land in the playground's body).
pub const LIBRARY_FLAG: &str = "paxoscopeCheckerOnly";

/// Was this wasm started as a library (see [`LIBRARY_FLAG`])?
pub fn loaded_as_library() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(LIBRARY_FLAG))
        .is_ok_and(|v| v.is_truthy())
}

thread_local! {
    /// The check under way: the history's entries and the search between slices.
    static JOB: RefCell<Option<(Vec<HistoryEntry>, LinCheck)>> = const { RefCell::new(None) };
}

/// Starts the check of `history` (a run's exported client history), dropping the one under
/// way; an empty string, or what is wrong with the text and where.
#[wasm_bindgen]
pub fn check_start(history: &str) -> String {
    let (job, error) = match exported_history(history) {
        Ok(entries) => {
            let check = LinCheck::new(&entries, PAGE_BUDGET_STATES);
            (Some((entries, check)), String::new())
        }
        Err(e) => (None, e),
    };
    JOB.with_borrow_mut(|j| *j = job);
    error
}

/// Searches for about `slice_ms` of real time: nothing while the search goes on, then the
/// panel's verdict pieces (`VerdictHtml::to_lines`).
#[wasm_bindgen]
pub fn check_slice(slice_ms: f64) -> Option<String> {
    JOB.with_borrow_mut(|job| {
        let Some((entries, check)) = job.as_mut() else {
            return Some("failed\nno check was started".to_string());
        };
        let report = search_for(check, entries, slice_ms)?;
        *job = None;
        Some(verdict_html(&report).to_lines())
    })
}
