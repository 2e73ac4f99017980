//! The runs whose trace hashes must not change when the simulator or the checker is
//! optimised: every guided tour of Ceph's, twenty faulted determinism seeds and the bench load.

use crate::measure::{trace_hash_of_seed, BENCH_SEED};
use crate::workloads::load_scenario_for_events;
use paxoscope_core::presets::PRESETS;
use paxoscope_core::scenario::ProtocolId;
use paxoscope_core::session::Session;

/// How long a tour without an `end` line is run.
const TOUR_DEFAULT_END_MS: u64 = 120_000;

/// (name, trace hash) of each reference run, in a fixed order.
pub fn reference_runs() -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for p in PRESETS {
        let scenario = p.scenario().expect("presets parse");
        if scenario.protocol != ProtocolId::Ceph {
            continue; // Ceph's tours are the pinned ones; Basic Paxos's are checked in core/tests/basic_tours.rs
        }
        let end = scenario.end_ms.unwrap_or(TOUR_DEFAULT_END_MS);
        let mut s = Session::new(scenario);
        s.run_until(end);
        out.push((format!("tour {}", p.id), s.trace_hash()));
    }
    for seed in 0..20 {
        out.push((format!("determinism seed {seed}"), trace_hash_of_seed(seed)));
    }
    let mut s = Session::new(load_scenario_for_events(BENCH_SEED, 30_000));
    while s.world().events() < 30_000 && s.step() {}
    out.push(("bench load 30000 events".into(), s.trace_hash()));
    out
}
