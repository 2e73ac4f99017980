//! The checker re-examines only the nodes a step touched (and the versions it committed); the
//! exhaustive checker re-examines every node after every step. Both must give the same verdict
//! at the same event, and the same timing findings, on runs that break invariants (the
//! mutation canaries), on faulted runs inside Ceph's assumptions, and on runs beyond them.

use paxoscope_core::campaign::{plan, Beyond, PlanOptions};
use paxoscope_core::check::Checker;
use paxoscope_core::presets::PRESETS;
use paxoscope_core::protocols::ceph::Ceph;
use paxoscope_core::scenario::{Mutation, Scenario};
use paxoscope_core::sim::World;

/// Seeds per option set: enough for every canary to break an invariant in some of them.
const SEEDS: u64 = 40;

/// What a run ended with: (event of the first violation and the violation, findings).
type Verdict = (Option<(u64, String)>, Vec<String>);

/// Run `scenario` to its end (or its first violation) with both checkers side by side.
fn both_verdicts(scenario: &Scenario) -> (Verdict, Verdict) {
    let mut world: World<Ceph> = World::new(scenario);
    let mut checkers = [Checker::new(&world), Checker::exhaustive(&world)];
    let mut stops: [Option<(u64, String)>; 2] = [None, None];
    let end_ms = scenario.end_ms.unwrap_or(120_000);
    let mut log = std::mem::take(&mut world.step_log);
    loop {
        for (c, stop) in checkers.iter_mut().zip(&mut stops) {
            if stop.is_none() {
                if let Err(v) = c.after_step(&world, &log) {
                    *stop = Some((world.events(), v.to_string()));
                }
            }
        }
        if stops.iter().all(Option::is_some) || world.next_event_ms().is_none_or(|t| t > end_ms) {
            break;
        }
        world.step_log = log;
        world.step();
        log = std::mem::take(&mut world.step_log);
    }
    let findings = |c: &Checker| c.findings().iter().map(|f| f.to_string()).collect();
    let [a, b] = stops;
    ((a, findings(&checkers[0])), (b, findings(&checkers[1])))
}

fn assert_same_verdicts(what: &str, scenario: &Scenario) -> bool {
    let (incremental, exhaustive) = both_verdicts(scenario);
    assert_eq!(
        incremental, exhaustive,
        "{what}: incremental vs exhaustive checker"
    );
    incremental.0.is_some()
}

fn campaign_seeds(opts: &PlanOptions, label: &str) -> usize {
    (0..SEEDS)
        .filter(|seed| {
            assert_same_verdicts(
                &format!("{label} seed {seed}"),
                &plan(*seed, opts).trial.scenario,
            )
        })
        .count()
}

#[test]
fn the_mutation_canaries_break_the_same_invariant_at_the_same_event() {
    let mut caught = 0;
    for m in Mutation::ALL {
        let opts = PlanOptions {
            mutation: Some(m),
            ..PlanOptions::default()
        };
        caught += campaign_seeds(&opts, m.name());
    }
    // The comparison means something only if violations happened.
    assert!(
        caught >= Mutation::ALL.len(),
        "only {caught} violating runs"
    );
}

#[test]
fn faulted_runs_inside_and_beyond_the_assumptions_agree() {
    campaign_seeds(&PlanOptions::default(), "inside the assumptions");
    for b in Beyond::ALL {
        let opts = PlanOptions {
            beyond: [b].into(),
            ..PlanOptions::default()
        };
        campaign_seeds(&opts, b.name());
    }
}

#[test]
fn the_tours_agree() {
    // Ceph's tours (the Basic Paxos ones: core/tests/basic_tours.rs).
    for p in PRESETS.iter().filter(|p| p.protocol == "ceph") {
        assert_same_verdicts(
            &format!("tour {}", p.id),
            &p.scenario().expect("presets parse"),
        );
    }
}
