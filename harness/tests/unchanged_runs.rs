//! Optimisations of the simulator, the session and the checker must not change any run.
//! The reference hashes below were printed by `cargo run -p paxoscope-harness --example golden`
//! with this crate's optimisations of core/src/{sim,check,session.rs} taken out, on main at
//! fe7ec72 (regenerate them that way after an intended change of behaviour); seeks are
//! compared against fresh runs. The eleven tour entries were regenerated after the tours'
//! narration was re-timed (branch `tours`: notes are events, so moving one changes the hash);
//! with the notes left out their logs are unchanged, and the other entries still match fe7ec72.

use paxoscope_core::protocol::Ceph;
use paxoscope_core::scenario::Action;
use paxoscope_core::session::Session;
use paxoscope_core::sim::rng::{SimRng, Stream};
use paxoscope_core::sim::World;
use paxoscope_harness::unchanged::reference_runs;
use paxoscope_harness::workloads::{determinism_scenario, load_scenario_for_events};

const REFERENCE: [(&str, u64); 32] = [
    ("tour startup", 0xf040fad19bf6710d),
    ("tour leader-fails", 0x29731cc73e1350e5),
    ("tour minority", 0x1515894343ed13b7),
    ("tour mid-update", 0x4cb1a2f1477042bb),
    ("tour lease", 0xe2f4424ac32daa84),
    ("tour sync", 0x7b91f6ed851546d5),
    ("tour one-way", 0x4a42191334f3ecb3),
    ("tour no-quorum", 0x6c4362785e61d2b2),
    ("tour beyond-clock", 0x4474c99878438bf9),
    ("tour break-majority", 0xc411c6a3a1f0aa54),
    ("tour walkthrough", 0x4da744b979e1f4a9),
    ("determinism seed 0", 0x878d20469a3382ae),
    ("determinism seed 1", 0x7bd389160773d4c9),
    ("determinism seed 2", 0xce25b5b697fe8ef7),
    ("determinism seed 3", 0x2b7f23cbc0384390),
    ("determinism seed 4", 0xb651e322184561cb),
    ("determinism seed 5", 0x528d47506b94de04),
    ("determinism seed 6", 0xfb9e06c98f40a1a2),
    ("determinism seed 7", 0x3413b9fb15b0908b),
    ("determinism seed 8", 0xa0bd968955a8163f),
    ("determinism seed 9", 0x37b2596621f30485),
    ("determinism seed 10", 0xd8b7ace04fa33ce0),
    ("determinism seed 11", 0x1ef0b4fe465dca1f),
    ("determinism seed 12", 0xb30a9672570d997c),
    ("determinism seed 13", 0xaae95a60d3dcafbe),
    ("determinism seed 14", 0x655ae5cb94839c2e),
    ("determinism seed 15", 0xd54583edfdf459b4),
    ("determinism seed 16", 0x22845e028fff2cc9),
    ("determinism seed 17", 0x499b280b46fb99f6),
    ("determinism seed 18", 0xa7ca693f7a198223),
    ("determinism seed 19", 0x73f6567545521c1e),
    ("bench load 30000 events", 0xee82498e820fb164),
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
