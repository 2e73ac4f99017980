//! A windowed session (`Session::windowed`, the playground's) keeps only a window of its
//! trace and re-derives the rest by replay: everything it shows or exports must equal what a
//! session keeping the whole trace recorded, through seeks back and forks.

use paxoscope_core::scenario::{parse, Action};
use paxoscope_core::session::Session;
use paxoscope_core::sim::rng::{SimRng, Stream};
use paxoscope_core::trace::TraceEvent;

/// A few faults and client requests, so the windows hold every kind of entry.
fn scenario_text(seed: u64) -> String {
    let mut text = format!("paxoscope scenario v1\nseed {seed}\nend 60s\n");
    let mut rng = SimRng::new(seed, Stream::Faults);
    for i in 0..40u64 {
        let node = rng.below(5);
        let t = 500 + i * 1_400 + rng.below(300);
        let line = match rng.below(6) {
            0 => format!("at {t}ms put {node} k{} v{i}", rng.below(3)),
            1 => format!("at {t}ms get {node} k{}", rng.below(3)),
            2 => format!("at {t}ms crash {node}\nat {}ms restart {node}", t + 900),
            3 => format!("at {t}ms isolate {node}\nat {}ms heal", t + 1_100),
            4 => format!("at {t}ms loss * 10\nat {}ms heal", t + 700),
            _ => format!("at {t}ms cas {node} k0 - w{i}"),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// Snapshots close together, so that a 60 s run trims its window many times.
const EVERY: u64 = 40;

fn sessions(seed: u64) -> (Session, Session) {
    let scenario = parse(&scenario_text(seed)).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    let whole = Session::with_options(scenario.clone(), true, EVERY);
    let windowed = Session::with_options(scenario, true, EVERY).windowed();
    (whole, windowed)
}

fn between(
    trace: &[TraceEvent<paxoscope_core::protocols::ceph::Ceph>],
    a: u64,
    b: u64,
) -> Vec<TraceEvent<paxoscope_core::protocols::ceph::Ceph>> {
    trace
        .iter()
        .filter(|e| (a..=b).contains(&e.event))
        .cloned()
        .collect()
}

#[test]
fn a_window_re_derived_by_replay_equals_the_one_recorded_live() {
    for seed in 0..12 {
        let (mut whole, mut windowed) = sessions(seed);
        whole.run_until(60_000);
        windowed.run_until(60_000);
        assert_eq!(windowed.trace_hash(), whole.trace_hash(), "seed {seed}");
        assert_eq!(windowed.trace_len(), whole.trace().len(), "seed {seed}");
        let (start, held) = windowed.resident();
        assert!(start > 0, "seed {seed}: the window was trimmed");
        assert_eq!(
            held,
            &whole.trace()[start..start + held.len()],
            "seed {seed}"
        );
        let events = whole.world().events();
        let mut rng = SimRng::new(seed, Stream::Clients);
        for _ in 0..8 {
            let a = rng.below(events + 1);
            let b = a + rng.below(3 * EVERY);
            let replayed = windowed.replay_entries(a, b);
            assert_eq!(
                replayed,
                between(whole.trace(), a, b),
                "seed {seed}: events {a}..={b}"
            );
            assert_eq!(
                windowed.now_ms(),
                60_000,
                "seed {seed}: the run stands where it stood"
            );
        }
        assert_eq!(
            windowed.replay_entries(0, events),
            whole.trace(),
            "seed {seed}: the whole trace"
        );
    }
}

#[test]
fn after_seeks_the_window_holds_the_entries_recorded_and_forks_hash_alike() {
    for seed in 0..8 {
        let (mut whole, mut windowed) = sessions(seed);
        whole.run_until(60_000);
        windowed.run_until(60_000);
        let mut rng = SimRng::new(seed, Stream::Latency);
        for _ in 0..10 {
            let t = rng.below(60_001);
            whole.seek(t);
            windowed.seek(t);
            assert_eq!(
                windowed.world().events(),
                whole.world().events(),
                "seed {seed} t {t}"
            );
            let (start, held) = windowed.resident();
            let end = windowed.trace_end_at(windowed.world().events());
            assert_eq!(
                held,
                &whole.trace()[start..start + held.len()],
                "seed {seed} t {t}"
            );
            // Events whose entries the window holds, up to the playhead.
            let history = windowed.world().events() + 1 - held.first().map_or(0, |e| e.event);
            assert!(
                start == 0 || history >= EVERY,
                "seed {seed} t {t}: at least a snapshot interval before the playhead ({history})"
            );
            assert_eq!(
                end,
                whole.trace_end_at(whole.world().events()),
                "seed {seed} t {t}"
            );
        }
        // A fork at the last playhead: both runs go on alike, with equal hashes.
        let action = Action::Crash(1);
        assert_eq!(
            windowed.inject(action.clone()),
            whole.inject(action),
            "seed {seed}"
        );
        assert_eq!(
            windowed.trace_hash(),
            whole.trace_hash(),
            "seed {seed}: fork"
        );
        whole.run_until(60_000);
        windowed.run_until(60_000);
        assert_eq!(
            windowed.trace_hash(),
            whole.trace_hash(),
            "seed {seed}: after the fork"
        );
        let events = whole.world().events();
        assert_eq!(
            windowed.replay_entries(0, events),
            whole.trace(),
            "seed {seed}"
        );
    }
}

/// Memory per event, counted (not timed): a windowed run's kept trace entries stay within
/// three snapshot intervals whatever the run's length, so its cost per event is the
/// snapshots' and the client history's, not the trace's.
#[test]
fn the_window_does_not_grow_with_the_run() {
    let scenario = parse(&scenario_text(3)).expect("parses");
    let mut s = Session::with_options(scenario, true, EVERY).windowed();
    let mut most = 0;
    while s.now_ms() < 60_000 && s.step() {
        let (_, held) = s.resident();
        let span = held.last().map_or(0, |e| e.event) - held.first().map_or(0, |e| e.event);
        most = most.max(span);
    }
    assert!(
        s.world().events() > 20 * EVERY,
        "a long run: {}",
        s.world().events()
    );
    assert!(most <= 3 * EVERY, "the window spans {most} events");
    assert!(
        s.kept().trace_entries as usize * 10 < s.trace_len(),
        "{:?}",
        s.kept()
    );
}
