//! Basic Paxos's safety rules, one pure predicate per file, each over plain facts (the
//! accepts made, the promises made, the proposals sent, the learners' decisions). The run's
//! checker (`facts.rs`, fed by the world or the test driver after every event) and the model
//! checker (`model.rs`, reading them off its message set) call the same functions.
//!
//! The rules ("Paxos Made Simple", section 2):
//! * `one_value`: at most one value is chosen (the safety requirement itself).
//! * `chosen_stable`: once (n, v) is chosen, every accepted proposal numbered above n has
//!   value v (P2a).
//! * `promise_order`: no acceptor accepts below its promise or promises below an earlier
//!   promise (P1a and the promise itself).
//! * `phase2_value`: a proposer's phase-2 value is the value of the highest-numbered accepted
//!   proposal among the promises of its majority, else any (P2c).
//! * `unique_numbers`: a proposal number belongs to one proposer and one value.
//! * `learners_agree`: every learner's decision is a chosen value, the same for all, and never
//!   changes (what a user checks first).

pub mod chosen_stable;
pub mod facts;
pub mod learners_agree;
pub mod one_value;
pub mod phase2_value;
pub mod promise_order;
pub mod unique_numbers;

use super::messages::{Pn, Value};
use crate::actor::Rank;
use crate::sorted::{SortedMap, SortedSet};

/// One acceptance: `acceptor` accepted proposal (`n`, `v`). Sets of these are the facts of
/// the chosen-value rules.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Acceptance {
    pub n: Pn,
    pub acceptor: Rank,
    pub v: Value,
}

/// The proposals accepted by a majority of acceptors: chosen, with their numbers.
pub fn chosen(accepts: &SortedSet<Acceptance>, majority: usize) -> Vec<(Pn, Value)> {
    let mut by_n: SortedMap<(Pn, &Value), SortedSet<Rank>> = SortedMap::new();
    for a in accepts {
        by_n.entry((a.n, &a.v)).or_default().insert(a.acceptor);
    }
    by_n.into_iter()
        .filter(|(_, who)| who.len() >= majority)
        .map(|((n, v), _)| (n, v.clone()))
        .collect()
}

/// A broken rule: its name and what happened, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule, self.detail)
    }
}
