//! Mutation canaries with a small budget: every deliberate protocol bug of `Mutation::ALL`
//! must be caught by the campaign (a safety violation, a linearizability failure or a
//! liveness failure) within the first seeds. `paxoscope campaign --canaries` runs the full
//! budget of 1,000 seeds and prints the same figures.

use paxoscope_core::campaign::{canary, PlanOptions};
use paxoscope_core::scenario::Mutation;

/// Seeds per mutation here; every canary is caught well inside it today (see docs/campaign.md).
const BUDGET: u64 = 100;

#[test]
fn every_mutation_is_caught_within_the_budget() {
    let mut survivors = Vec::new();
    for m in Mutation::ALL {
        match canary(m, 0, BUDGET, &PlanOptions::default()) {
            Some(d) => println!(
                "{:<26} caught after {:>3} seeds (seed {}): {}",
                m.name(),
                d.seeds_run,
                d.seed,
                d.failure
            ),
            None => survivors.push(m.name()),
        }
    }
    assert!(
        survivors.is_empty(),
        "mutations that survived {BUDGET} seeds: {survivors:?}"
    );
}

#[test]
fn without_a_mutation_the_same_seeds_pass() {
    // The canaries are only meaningful if the unmutated protocol passes where they fail.
    for m in Mutation::ALL {
        let d = canary(m, 0, BUDGET, &PlanOptions::default()).expect("caught");
        let clean = paxoscope_core::campaign::run_seed(d.seed, &PlanOptions::default());
        assert!(
            clean.passed(),
            "seed {} fails without {}: {:?}",
            d.seed,
            m.name(),
            clean.outcome.failure
        );
    }
}
