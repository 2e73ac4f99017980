//! The key-value history clients saw is linearizable: the existing history checker
//! (`check/linearizability.rs`) over the world's client records, as the Ceph campaign reads
//! them (`campaign::trial::history`). A search that runs out of budget proves nothing and is
//! not reported.

use super::Violation;
use crate::check::linearizability::{check_history_with_budget, HistoryEntry, LinOutcome};

pub const RULE: &str = "history-linearizable";

/// Configurations the search may visit per check.
pub const BUDGET: u64 = 200_000;

pub fn check(history: &[HistoryEntry]) -> Result<(), Violation> {
    let report = check_history_with_budget(history, BUDGET);
    match &report.outcome {
        LinOutcome::NotLinearizable(f) => Err(Violation {
            rule: RULE,
            detail: format!("the history of key {:?} has no linearization", f.key),
        }),
        _ => Ok(()),
    }
}
