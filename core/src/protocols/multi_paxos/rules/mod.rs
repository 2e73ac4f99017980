//! Multi-Paxos's safety rules, one pure predicate per file over plain facts (the accepts
//! made, the values chosen per slot, the ids used, the replicas' applied sequences, the
//! client history). The run's checker (`facts.rs`, fed after every event) and the model
//! checker (`model.rs`) call the same functions.
//!
//! * `one_value`: one value per slot, ever: a majority of the slot's configuration never
//!   accepts two values, and a replica learns only the value chosen.
//! * `noop`: a no-op is never proposed over a chosen value (seed 001's hole filling).
//! * `unique_ids`: a proposal id belongs to one node, and names one value per slot.
//! * `replicas_agree`: every replica applies the same sequence, slot after slot, no gaps.
//! * `config`: which configuration is in force at a slot, and one change at a time.
//! * `linearizable`: the key-value history has a linearization (check/linearizability.rs).

pub mod config;
pub mod facts;
pub mod linearizable;
pub mod noop;
pub mod one_value;
pub mod replicas_agree;
pub mod unique_ids;

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
