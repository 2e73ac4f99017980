//! Optimisations of the simulator, the session and the checker must not change any run.
//! The reference hashes below were printed by `cargo run -p paxoscope-harness --example golden`
//! with this crate's optimisations of core/src/{sim,check,session.rs} taken out, on main at
//! fe7ec72 (regenerate them that way after an intended change of behaviour); seeks are
//! compared against fresh runs. The eleven tour entries were regenerated after the tours'
//! narration was re-timed (branch `tours`: notes are events, so moving one changes the hash);
//! with the notes left out their logs are unchanged, and the other entries still match fe7ec72.
//! All 32 were then regenerated once more when the trace hash itself changed from byte-wise
//! FNV-1a to word-at-a-time mixing (branch `perf-check`), on a tree whose runs still matched
//! every FNV-1a reference: the runs are the same, only the function that summarises them moved.

use paxoscope_core::protocol::Ceph;
use paxoscope_core::scenario::Action;
use paxoscope_core::session::Session;
use paxoscope_core::sim::rng::{SimRng, Stream};
use paxoscope_core::sim::World;
use paxoscope_harness::unchanged::reference_runs;
use paxoscope_harness::workloads::{determinism_scenario, load_scenario_for_events};

const REFERENCE: [(&str, u64); 32] = [
    ("tour startup", 0x9b2f89d2f14f6546),
    ("tour leader-fails", 0xe4ea44f37079fc6a),
    ("tour minority", 0xbe7b6a252df37392),
    ("tour mid-update", 0xcf91c10ad918f277),
    ("tour lease", 0xee86a0cb8f5db2b1),
    ("tour sync", 0x6eef4f77e875766a),
    ("tour one-way", 0x16c258449f3727f1),
    ("tour no-quorum", 0x8bfa17fb9d7573ea),
    ("tour beyond-clock", 0x3de0bd5a10dc8299),
    ("tour break-majority", 0xb31c8e293502ecf6),
    ("tour walkthrough", 0x5c8f4a98dd1cdab4),
    ("determinism seed 0", 0x85e685d9472ee501),
    ("determinism seed 1", 0xef479a5bbc194d3c),
    ("determinism seed 2", 0x659fd1f7f8538ac4),
    ("determinism seed 3", 0x986c05d52576e88a),
    ("determinism seed 4", 0x7d3a6244ae7bac32),
    ("determinism seed 5", 0x6aed7026e6da273b),
    ("determinism seed 6", 0xa0a17dadbc42b81a),
    ("determinism seed 7", 0xe933d34f2b5df176),
    ("determinism seed 8", 0x6cd659833a4ac02a),
    ("determinism seed 9", 0x60353fef453f8f3d),
    ("determinism seed 10", 0x18497296a6d50c8f),
    ("determinism seed 11", 0x61218234c40990c8),
    ("determinism seed 12", 0x55bdc43b2b344b00),
    ("determinism seed 13", 0x540d4057ebc4c1d2),
    ("determinism seed 14", 0x6808968887c3dc44),
    ("determinism seed 15", 0x8f1a796803c4af82),
    ("determinism seed 16", 0x5b27033e1102ccf0),
    ("determinism seed 17", 0x82de5a1530c03fed),
    ("determinism seed 18", 0x18c35cf620f70d12),
    ("determinism seed 19", 0xb014cd630831f8e6),
    ("bench load 30000 events", 0xe4d1cc9cfb28b0b9),
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
