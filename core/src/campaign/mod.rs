//! The fault campaign: many seeds, each a random fault schedule inside Ceph's assumptions plus
//! a client workload (`generate`, `workload`), run with the checker after every event, healed,
//! then held to a liveness rule and a linearizability check of its client history (`trial`).
//! Coverage of fault classes and protocol paths is counted per seed (`coverage`, `summary`);
//! a failing schedule is shrunk to a small scenario (`shrink`); deliberate protocol bugs
//! (`Mutation::ALL`) must be caught (`canary`). See docs/campaign.md.
//!
//! Everything here is deterministic: a seed (and the options) decide the whole run, so a
//! failure is replayed from its seed alone.

pub mod classes;
pub mod coverage;
pub mod elections;
pub mod family;
pub mod generate;
pub mod probe;
pub mod shrink;
pub mod summary;
pub mod trial;
pub mod workload;

pub use classes::{Beyond, FaultClass};
pub use coverage::ProtocolPath;
pub use generate::{plan, Plan, PlanOptions, Tag};
pub use shrink::{shrink, Shrunk};
pub use summary::Summary;
pub use trial::{liveness_bound_ms, Failure, Outcome, Trial};

use crate::scenario::Mutation;
use std::collections::BTreeSet;

/// One seed's result, as the campaign reports it.
#[derive(Clone, Debug)]
pub struct SeedReport {
    pub seed: u64,
    /// Fault classes with at least one action applied before the run stopped.
    pub classes: BTreeSet<FaultClass>,
    pub heavy: bool,
    pub outcome: Outcome,
}

impl SeedReport {
    pub fn passed(&self) -> bool {
        self.outcome.failure.is_none()
    }
}

/// Plan and run one seed without recording a trace (the fast path of a campaign).
pub fn run_seed(seed: u64, opts: &PlanOptions) -> SeedReport {
    let plan = generate::plan(seed, opts);
    let (outcome, _) = trial::run(&plan.trial, false);
    SeedReport {
        seed,
        classes: plan.classes_applied_by(outcome.ended_ms),
        heavy: plan.heavy,
        outcome,
    }
}

/// The first seed of a canary run that caught its mutation.
#[derive(Clone, Debug)]
pub struct Detection {
    pub mutation: Mutation,
    pub seed: u64,
    /// Seeds run up to and including the detecting one.
    pub seeds_run: u64,
    pub failure: Failure,
}

/// Run seeds `start..start + budget` with `mutation` switched on until one fails (with
/// `base.blind`, until one fails a client-facing check: every protocol invariant is off).
pub fn canary(
    mutation: Mutation,
    start: u64,
    budget: u64,
    base: &PlanOptions,
) -> Option<Detection> {
    let opts = PlanOptions {
        mutation: Some(mutation),
        ..base.clone()
    };
    (0..budget).find_map(|i| {
        let report = run_seed(start + i, &opts);
        report.outcome.failure.map(|failure| Detection {
            mutation,
            seed: start + i,
            seeds_run: i + 1,
            failure,
        })
    })
}
