//! Optimisations of the simulator, the session and the checker must not change any run.
//! The reference hashes below were printed by `cargo run -p paxoscope-harness --example golden`
//! on the code before the first optimisation (commit 114bdca); seeks are compared against
//! fresh runs.

use paxoscope_core::protocol::Ceph;
use paxoscope_core::scenario::Action;
use paxoscope_core::session::Session;
use paxoscope_core::sim::rng::{SimRng, Stream};
use paxoscope_core::sim::World;
use paxoscope_harness::unchanged::reference_runs;
use paxoscope_harness::workloads::{determinism_scenario, load_scenario_for_events};

const REFERENCE: [(&str, u64); 32] = [
    ("tour startup", 0xebbbd9234159fbc1),
    ("tour leader-fails", 0x6995b742b1cd0b1a),
    ("tour minority", 0x702790201d387025),
    ("tour mid-update", 0x0fe34cff6cccc08c),
    ("tour lease", 0x2baaef7b1d0abc0c),
    ("tour sync", 0x1668cdfad827241a),
    ("tour one-way", 0xbc92923f7c72e1d1),
    ("tour no-quorum", 0x66deb841c10bd972),
    ("tour beyond-clock", 0x2198452b173d886a),
    ("tour break-majority", 0x8a5ae465e5964e1b),
    ("tour walkthrough", 0x803b5bece97545c2),
    ("determinism seed 0", 0xea42b42d0e330d64),
    ("determinism seed 1", 0x08b31263d9ec39f3),
    ("determinism seed 2", 0xc95bbe15518ce7c9),
    ("determinism seed 3", 0xe25792066e41a7ca),
    ("determinism seed 4", 0x6d34ec4ee75bec18),
    ("determinism seed 5", 0x2091940714ff2473),
    ("determinism seed 6", 0x186a38e75caf9de1),
    ("determinism seed 7", 0xb4d7618122fa675f),
    ("determinism seed 8", 0x5c614797ec540572),
    ("determinism seed 9", 0x94b572ee015c2eb8),
    ("determinism seed 10", 0x88a35a2044642724),
    ("determinism seed 11", 0x0a4b3a2aa6591bcd),
    ("determinism seed 12", 0x0055e99d237471f3),
    ("determinism seed 13", 0x20ce5acaa4c16750),
    ("determinism seed 14", 0x2ecd5c85dfc20fbc),
    ("determinism seed 15", 0x7b2b8e2023557608),
    ("determinism seed 16", 0xc710e096fa15e2ea),
    ("determinism seed 17", 0x1c53338c1bbcfc82),
    ("determinism seed 18", 0x5a7d550fe47e0884),
    ("determinism seed 19", 0x4f95b29b27ac34f5),
    ("bench load 30000 events", 0x5a924f7501fdb7dc),
];

#[test]
fn tours_seeds_and_the_bench_load_hash_as_before_the_optimisations() {
    let now = reference_runs();
    let names: Vec<&str> = now.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, REFERENCE.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    let changed: Vec<String> = now
        .iter()
        .zip(REFERENCE)
        .filter(|((_, h), (_, want))| h != want)
        .map(|((n, h), (_, want))| format!("{n}: {h:016x}, was {want:016x}"))
        .collect();
    assert!(changed.is_empty(), "runs changed:\n{}", changed.join("\n"));
}

/// Everything the UI reads from a world, as text.
fn picture(w: &World<Ceph>) -> String {
    let nodes: Vec<String> = (0..w.n())
        .map(|r| format!("{:?} {:?}", w.status(r), w.durable(r)))
        .collect();
    let flight: Vec<String> = w
        .in_flight()
        .iter()
        .map(|m| format!("{}>{} #{} {}", m.from, m.to, m.id, m.arrive_ms))
        .collect();
    format!(
        "t={} events={} next={:?}\n{nodes:#?}\n{flight:?}\n{:#?}",
        w.now_ms(),
        w.events(),
        w.next_event_ms(),
        w.clients()
    )
}

/// Seeks back and forth over a recorded run land in exactly the state a fresh run reaches.
fn seeks_match_fresh_runs(
    scenario: paxoscope_core::scenario::Scenario,
    end_ms: u64,
    snapshot_every: u64,
) {
    let mut s = Session::with_options(scenario.clone(), true, snapshot_every);
    s.run_until(end_ms);
    let hash = s.trace_hash();
    let mut rng = SimRng::new(3, Stream::Clients);
    for _ in 0..12 {
        let t = rng.below(end_ms + 1);
        s.seek(t);
        let mut fresh = Session::with_options(scenario.clone(), false, 0);
        fresh.run_until(t);
        assert_eq!(picture(s.world()), picture(fresh.world()), "seek to {t} ms");
    }
    s.seek(end_ms);
    assert_eq!(s.trace_hash(), hash, "seeking records nothing twice");
}

#[test]
fn seeks_in_faulted_runs_match_fresh_runs() {
    for seed in [0, 5, 11] {
        seeks_match_fresh_runs(determinism_scenario(seed), 30_000, 150);
    }
}

#[test]
fn seeks_in_a_long_client_load_match_fresh_runs() {
    let scenario = load_scenario_for_events(1, 20_000);
    let end = scenario.end_ms.unwrap();
    seeks_match_fresh_runs(scenario, end, 1_000);
}

#[test]
fn a_fork_after_seeks_equals_a_fresh_replay_of_its_scenario() {
    let mut s = Session::with_options(determinism_scenario(2), true, 100);
    s.run_until(30_000);
    s.seek(20_000);
    s.seek(9_000);
    s.seek(14_000);
    s.inject(Action::Put {
        node: 1,
        key: "fork".into(),
        value: "x".into(),
    })
    .unwrap();
    s.run_until(18_000);
    s.seek(16_000);
    s.run_until(22_000);
    let mut fresh = Session::with_options(s.scenario().clone(), true, 0);
    fresh.run_until(22_000);
    assert_eq!(picture(s.world()), picture(fresh.world()));
    assert_eq!(s.trace_hash(), fresh.trace_hash());
}
