//! The history page's wasm as a library (issue 20, issue 17): the linearizability checker the
//! shipped page loads on demand instead of carrying it. The shipped page sends the run's client
//! history up to its playhead, as `paxoscope export --what history` writes it (JSON Lines,
//! docs/history-format.md); [`RunCheck`] reads it back into the checker's entries
//! (`verdict::exported_history`) and searches them with the family page's budget
//! (`verdict::PAGE_BUDGET_STATES`), a slice of real time per call, so the page stays
//! responsive; the answer is the family page's verdict and explanation (`verdict::explain`),
//! as a plain JS object (serde-wasm-bindgen). docs/architecture.md, "A module loaded on
//! demand", says how the page finds and starts this wasm.

use crate::components::history_check::search_for;
use paxoscope_core::check::linearizability::{HistoryEntry, LinCheck, LinReport};
use paxoscope_core::verdict::{explain, exported_history, PAGE_BUDGET_STATES};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The global a page sets to `true` before it starts this wasm as a library: `main` then
/// mounts nothing (the history page's panel would land in the playground's body).
pub const LIBRARY_FLAG: &str = "paxoscopeCheckerOnly";

/// Was this wasm started as a library (see [`LIBRARY_FLAG`])?
pub fn loaded_as_library() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(LIBRARY_FLAG))
        .is_ok_and(|v| v.is_truthy())
}

/// The verdict of a run's history as the shipped page draws it: the family page's words and
/// parts (`verdict::LinWhy`), request ids as the lanes name them.
#[derive(Serialize, Debug, PartialEq)]
pub struct RunVerdict {
    /// `linearizable`, `not-linearizable` or `undecided` (the panel's `data-lin`).
    pub verdict: &'static str,
    /// The key that has no order (empty unless not linearizable).
    pub key: String,
    pub ordered: Vec<u64>,
    pub unplaceable: Vec<u64>,
    pub wrong_read: Option<u64>,
    pub sentences: Vec<String>,
    /// Search states visited.
    pub states: u64,
}

/// The answer for a finished check.
pub fn run_verdict(report: &LinReport) -> RunVerdict {
    let why = explain(report);
    let (key, ordered, unplaceable, wrong_read, sentences) = match why {
        Some(w) => (w.key, w.ordered, w.unplaceable, w.wrong_read, w.sentences),
        None => Default::default(),
    };
    RunVerdict {
        verdict: crate::components::verdicts::verdict_name(&report.outcome),
        key,
        ordered,
        unplaceable,
        wrong_read,
        sentences,
        states: report.states_explored,
    }
}

/// The check of one run's history, between the slices the page asks for.
#[wasm_bindgen]
pub struct RunCheck {
    entries: Vec<HistoryEntry>,
    check: LinCheck,
}

#[wasm_bindgen]
impl RunCheck {
    /// Reads `history` (the run's exported client history); an error names the line and
    /// column at fault.
    #[wasm_bindgen(constructor)]
    pub fn new(history: &str) -> Result<RunCheck, JsError> {
        let entries = exported_history(history).map_err(|e| JsError::new(&e))?;
        let check = LinCheck::new(&entries, PAGE_BUDGET_STATES);
        Ok(RunCheck { entries, check })
    }

    /// Searches for about `slice_ms` of real time: `undefined` while the search goes on,
    /// then the verdict ([`RunVerdict`] as a JS object).
    pub fn step(&mut self, slice_ms: f64) -> JsValue {
        match search_for(&mut self.check, &self.entries, slice_ms) {
            None => JsValue::UNDEFINED,
            Some(report) => serde_wasm_bindgen::to_value(&run_verdict(&report))
                .unwrap_or_else(|e| JsError::new(&e.to_string()).into()),
        }
    }
}
