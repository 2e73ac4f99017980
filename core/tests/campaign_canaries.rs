//! Mutation canaries with a small budget: every deliberate protocol bug of `Mutation::ALL`
//! must be caught by the campaign (a safety violation, a linearizability failure, a liveness
//! failure or disagreeing service states) within the first seeds, and caught again with every
//! protocol invariant switched off (blind) by a client-facing check. `paxoscope campaign
//! --canaries [--blind]` runs the full budget of 1,000 seeds and prints the same figures.

use paxoscope_core::campaign::{canary, run_seed, PlanOptions};
use paxoscope_core::check::masked_by;
use paxoscope_core::scenario::Mutation;

/// Seeds per mutation here; every canary is caught well inside it today (see docs/campaign.md).
const BUDGET: u64 = 200;
/// The same for the blind canaries, which take more seeds (see docs/campaign.md).
const BLIND_BUDGET: u64 = 2000;

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

#[test]
fn blind_every_mutation_is_caught_by_a_client_facing_check() {
    let blind = PlanOptions {
        blind: true,
        ..PlanOptions::default()
    };
    let mut survivors = Vec::new();
    // The canaries no client can see (`masked_by`) are left to `campaign --canaries --blind`,
    // which checks that they survive its 1,000 seeds.
    for m in Mutation::ALL
        .into_iter()
        .filter(|m| masked_by(*m).is_none())
    {
        match canary(m, 0, BLIND_BUDGET, &blind) {
            Some(d) => {
                assert!(d.failure.client_facing(), "{}: {}", m.name(), d.failure);
                println!(
                    "{:<26} caught blind after {:>3} seeds (seed {}): {}",
                    m.name(),
                    d.seeds_run,
                    d.seed,
                    d.failure
                );
                // The same seed, blind and without the mutation, passes.
                let clean = run_seed(d.seed, &blind);
                assert!(
                    clean.passed(),
                    "seed {}: {:?}",
                    d.seed,
                    clean.outcome.failure
                );
            }
            None => survivors.push(m.name()),
        }
    }
    assert!(
        survivors.is_empty(),
        "mutations that survived {BLIND_BUDGET} blind seeds: {survivors:?}"
    );
}
