//! The trace's transitions against Ceph's declaration: every one is a declared edge, each
//! leaves the state the previous ones left its machine in, and following them from the start
//! ends where the monitors really stand (`Protocol::state_of`). Over every tour and a
//! campaign's worth of faulted seeds, in release builds too (the `set_state` funnel's own
//! check is a `debug_assert!`).

use paxoscope_core::actor::Protocol;
use paxoscope_core::campaign::{plan, trial, PlanOptions};
use paxoscope_core::machine::Position;
use paxoscope_core::presets::PRESETS;
use paxoscope_core::protocols::ceph::declaration::LEADER;
use paxoscope_core::protocols::ceph::{Ceph, PaxosState};
use paxoscope_core::scenario::parse;
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;

/// Follow the trace; panics with `what` and the entry on a transition that does not fit.
/// Returns how many transitions it followed and whether a refresh was among them.
fn follow(s: &Session, what: &str) -> (usize, bool) {
    let d = Ceph::DECLARATION;
    let n = s.world().n() as usize;
    let mut positions = vec![Position::new(d); n];
    let (mut count, mut refresh) = (0, false);
    for e in s.trace() {
        let Some(r) = e.node else { continue };
        match e.kind {
            TraceKind::Transition(t) => {
                assert!(d.allows(t), "{what}: undeclared {}", e.to_text());
                assert!(
                    positions[r as usize].apply(t),
                    "{what}: {} does not leave the state mon.{r} was in ({})",
                    e.to_text(),
                    positions[r as usize].label()
                );
                count += 1;
                refresh |= t.machine == LEADER && t.to == PaxosState::Refresh.id();
            }
            TraceKind::Crash | TraceKind::Boot => positions[r as usize].reset(),
            _ => {}
        }
    }
    for (r, followed) in positions.iter().enumerate() {
        let world = s.world();
        let real = match world.node(r as u8) {
            Some(node) => Position::of(d, |m| Ceph::state_of(node, m)),
            None => Position::new(d),
        };
        assert_eq!(
            followed.label(),
            real.label(),
            "{what}: mon.{r} followed from the trace vs as it stands"
        );
    }
    (count, refresh)
}

#[test]
fn every_tour_transition_is_declared_and_ends_where_the_monitors_stand() {
    let mut refresh_seen = false;
    // Ceph's tours (the Basic Paxos ones: core/tests/basic_tours.rs).
    for preset in PRESETS.iter().filter(|p| p.protocol == "ceph") {
        let scenario = parse(preset.text).expect("tours parse");
        let end = scenario.end_ms.unwrap_or(60_000);
        let mut s = Session::new(scenario);
        s.run_until(end);
        let (count, refresh) = follow(&s, preset.id);
        assert!(count > 0, "{}: no transitions", preset.id);
        refresh_seen |= refresh;
    }
    assert!(
        refresh_seen,
        "refresh, entered and left within one input, reaches the trace"
    );
}

#[test]
fn faulted_seeds_take_only_declared_transitions() {
    for seed in 0..40 {
        let p = plan(seed, &PlanOptions::default());
        let (_, s) = trial::run(&p.trial, true);
        let (count, _) = follow(&s, &format!("seed {seed}"));
        assert!(count > 0, "seed {seed}: no transitions");
    }
}
