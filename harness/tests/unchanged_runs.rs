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
//! And once more when cancelled and re-armed timers left the queue (they had been counted as
//! events that did nothing): the trace of every tour, of 40 determinism seeds and of a paused
//! run was compared entry by entry with the tree before, identical but for the event numbers,
//! which the hash includes.

use paxoscope_core::protocols::ceph::Ceph;
use paxoscope_core::scenario::Action;
use paxoscope_core::session::Session;
use paxoscope_core::sim::rng::{SimRng, Stream};
use paxoscope_core::sim::World;
use paxoscope_harness::unchanged::reference_runs;
use paxoscope_harness::workloads::{determinism_scenario, load_scenario_for_events};

const REFERENCE: [(&str, u64); 32] = [
    ("tour startup", 0x5c5572f6c44022f0),
    ("tour leader-fails", 0xb7906986d1fd89dc),
    ("tour minority", 0x0a187380eee00278),
    ("tour mid-update", 0x025b23f18bd7d8dc),
    ("tour lease", 0xa9dcb167edbea1a5),
    ("tour sync", 0xf5774cd6c48a7712),
    ("tour one-way", 0x81dea9d3152cdd55),
    ("tour no-quorum", 0x527f0d03a21b515d),
    ("tour beyond-clock", 0xb3adb8baba6b5a3b),
    ("tour break-majority", 0xb31c8e293502ecf6),
    ("tour walkthrough", 0x1b8982c173e11fd5),
    ("determinism seed 0", 0x29d13aa7a5a16559),
    ("determinism seed 1", 0x6d7bf803005a532f),
    ("determinism seed 2", 0xf041451dedc4d4ec),
    ("determinism seed 3", 0x2a40ebcb1f828430),
    ("determinism seed 4", 0x31a0d992fff13286),
    ("determinism seed 5", 0x2bd7529f5bab2403),
    ("determinism seed 6", 0x604c4ff2b961880d),
    ("determinism seed 7", 0x25d1e437fc9d983e),
    ("determinism seed 8", 0xf7b1eeb4b7c090f9),
    ("determinism seed 9", 0xfa912aff75f2c488),
    ("determinism seed 10", 0xcfc751ca2497d8ca),
    ("determinism seed 11", 0x96f3a641682195d6),
    ("determinism seed 12", 0x9bd3f9b8180ea9f1),
    ("determinism seed 13", 0xb76b310ef560ee68),
    ("determinism seed 14", 0xdec03e4a7c1d6ffb),
    ("determinism seed 15", 0xc38b67b4b04c662c),
    ("determinism seed 16", 0xf4ff14931a57e304),
    ("determinism seed 17", 0x8918288b3564bd20),
    ("determinism seed 18", 0x709651f5e45aa076),
    ("determinism seed 19", 0x79439f5fe18ce4be),
    ("bench load 30000 events", 0xf71c7b4cb6bfb969),
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
