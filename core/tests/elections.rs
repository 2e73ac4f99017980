//! Ceph's election strategies end to end (ceph-elections spec, section 11): every expectation
//! the spec marks as coming from Ceph's unit tests or code, with the checker on throughout.
//! "Stable" means no monitor wins an election for the window checked; elections are counted
//! as wins (a monitor entering `leader`) in the trace.

use paxoscope_core::machine::StateId;
use paxoscope_core::protocols::ceph::declaration::MONITOR;
use paxoscope_core::protocols::ceph::MonState;
use paxoscope_core::scenario::parse;
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;

/// Parse `body` after the header, run to `until_ms`, insist no invariant broke.
fn run(body: &str, until_ms: u64) -> Session {
    let text = format!("paxoscope scenario v1\n{body}");
    let scenario = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut s = Session::new(scenario);
    s.run_until(until_ms);
    if let Some(v) = s.violation() {
        panic!("{v}");
    }
    s
}

fn n(s: &Session) -> u8 {
    s.world().n()
}

fn leaders(s: &Session) -> Vec<u8> {
    (0..n(s))
        .filter(|r| {
            s.world()
                .node(*r)
                .is_some_and(|m| m.state == MonState::Leader)
        })
        .collect()
}

fn quorum(s: &Session, r: u8) -> Vec<u8> {
    let m = s.world().node(r).expect("up");
    if matches!(m.state, MonState::Leader | MonState::Peon) {
        m.quorum.iter().copied().collect()
    } else {
        vec![]
    }
}

/// Elections won in `[from_ms, to_ms)`.
fn wins(s: &Session, from_ms: u64, to_ms: u64) -> usize {
    let leader = StateId(MonState::Leader as u8);
    s.trace()
        .iter()
        .filter(|e| (from_ms..to_ms).contains(&e.t_ms))
        .filter(|e| {
            matches!(e.kind, TraceKind::Transition(t) if t.machine == MONITOR && t.to == leader)
        })
        .count()
}

/// The first time a monitor won an election.
fn first_win_ms(s: &Session) -> u64 {
    let leader = StateId(MonState::Leader as u8);
    s.trace()
        .iter()
        .find(|e| {
            matches!(e.kind, TraceKind::Transition(t) if t.machine == MONITOR && t.to == leader)
        })
        .expect("somebody won")
        .t_ms
}

// ---- 11.1 Healthy start [src: everybody_starts_completes] ----

#[test]
fn every_strategy_starts_with_leader_0_at_once_and_no_later_election() {
    for strategy in ["classic", "disallow", "connectivity"] {
        let s = run(&format!("election {strategy}"), 60_000);
        assert_eq!(leaders(&s), vec![0], "{strategy}");
        assert_eq!(quorum(&s, 0), vec![0, 1, 2, 3, 4], "{strategy}");
        assert!(
            first_win_ms(&s) < 1_000,
            "{strategy}: every monitor acked, so victory came at once, not on the 5 s timer"
        );
        assert_eq!(wins(&s, 0, 60_000), 1, "{strategy}: one election only");
    }
}

// ---- 11.2 Disallowed leaders [src: disallowed_doesnt_win, MonmapMonitor] ----

#[test]
fn a_disallowed_monitor_never_leads_and_the_lowest_allowed_rank_does() {
    for strategy in ["disallow", "connectivity"] {
        let s = run(&format!("election {strategy}\ndisallow 0"), 30_000);
        assert_eq!(leaders(&s), vec![1], "{strategy}, disallow 0");
        assert_eq!(quorum(&s, 1), vec![0, 1, 2, 3, 4], "{strategy}");
        let s = run(&format!("election {strategy}\ndisallow 0 1 2 3"), 30_000);
        assert_eq!(leaders(&s), vec![4], "{strategy}, disallow 0 1 2 3");
        assert_eq!(quorum(&s, 4), vec![0, 1, 2, 3, 4], "{strategy}");
    }
}

#[test]
fn disallowing_the_last_allowed_monitor_is_refused() {
    let e = parse("paxoscope scenario v1\nelection disallow\ndisallow 0 1 2 3 4").unwrap_err();
    assert!(e.message.contains("no allowed leader"), "{e}");
    let e =
        parse("paxoscope scenario v1\nelection disallow\nat 9s disallow 0 1 2 3 4").unwrap_err();
    assert!(e.message.contains("no allowed leader"), "{e}");
}

#[test]
fn editing_the_list_in_a_running_cluster_bootstraps_everyone_and_elects_the_lowest_allowed() {
    for strategy in ["disallow", "connectivity"] {
        let s = run(&format!("election {strategy}\nat 20s disallow 0 1"), 60_000);
        assert_eq!(leaders(&s), vec![2], "{strategy}");
        assert_eq!(quorum(&s, 2), vec![0, 1, 2, 3, 4], "{strategy}");
        let probing_after = |r: u8| {
            s.trace().iter().any(|e| {
                e.t_ms >= 20_000
                    && e.node == Some(r)
                    && matches!(e.kind, TraceKind::Transition(t) if t.machine == MONITOR
                        && t.to == StateId(MonState::Probing as u8))
            })
        };
        assert!(
            (0..5).all(probing_after),
            "{strategy}: every monitor bootstraps"
        );
        assert!(wins(&s, 20_000, 60_000) >= 1, "{strategy}: a new election");
        assert_eq!(wins(&s, 40_000, 60_000), 0, "{strategy}: and then it holds");
    }
}

#[test]
fn switching_the_strategy_in_a_running_cluster_bootstraps_everyone() {
    let s = run("at 20s election connectivity\nat 20s cut 0 <-> 1", 120_000);
    for r in 0..5 {
        assert_eq!(
            s.world().node(r).unwrap().monmap.strategy.name(),
            "connectivity",
            "mon.{r}"
        );
    }
    // The classic cluster became a connectivity one and the cut no longer thrashes.
    assert_eq!(wins(&s, 60_000, 120_000), 0);
    assert_eq!(leaders(&s).len(), 1);
}

// ---- 11.3 One cut 0-1 [src: blocked_connection_continues_election / _converges_election] ----

#[test]
fn one_cut_between_ranks_0_and_1_never_settles_under_classic_or_disallow() {
    for strategy in ["classic", "disallow"] {
        let s = run(&format!("election {strategy}\nat 20s cut 0 <-> 1"), 180_000);
        let late = wins(&s, 60_000, 180_000);
        assert!(
            late >= 10,
            "{strategy}: {late} elections won in the last 2 minutes"
        );
    }
}

#[test]
fn one_cut_between_ranks_0_and_1_converges_under_connectivity_to_leader_2() {
    let s = run(
        "election connectivity\npinging boot\nat 20s cut 0 <-> 1",
        120_000,
    );
    assert_eq!(wins(&s, 20_000, 40_000), 1, "one election after the cut");
    assert_eq!(leaders(&s), vec![2]);
    assert_eq!(
        quorum(&s, 2),
        vec![0, 1, 2, 3, 4],
        "0 and 1 need no link to each other"
    );
    assert_eq!(wins(&s, 40_000, 120_000), 0, "stable");
    let m = s.world().node(2).unwrap();
    let scores: Vec<f64> = (0..5)
        .map(|r| m.tracker.total_connection_score(r).0)
        .collect();
    assert_eq!(scores, vec![3.0, 3.0, 4.0, 4.0, 4.0]);
}

// ---- 11.6 A monitor hanging off a peon [src: handles_singly_connected_peon] ----

#[test]
fn a_monitor_hanging_off_a_peon_is_ignored_under_connectivity_until_healing() {
    let cuts = "at 20s cut 4 <-> 0\nat 20s cut 4 <-> 1\nat 20s cut 4 <-> 2\nat 20s cut 3 <-> 2";
    let s = run(
        &format!("election connectivity\npinging boot\n{cuts}\nat 100s heal"),
        100_000,
    );
    assert_eq!(leaders(&s), vec![0]);
    assert_eq!(quorum(&s, 0), vec![0, 1, 2, 3]);
    assert_eq!(
        wins(&s, 40_000, 100_000),
        0,
        "3 drops 4's proposals: stable"
    );
    let e4 = s.world().node(4).unwrap().epoch;
    assert!(e4 % 2 == 1, "4 keeps electing");
    let s = run(
        &format!("election connectivity\npinging boot\n{cuts}\nat 100s heal"),
        130_000,
    );
    assert!(
        s.world().node(4).unwrap().epoch > e4,
        "4 re-proposed with a growing epoch"
    );
    assert_eq!(leaders(&s).len(), 1);
    assert_eq!(quorum(&s, leaders(&s)[0]), vec![0, 1, 2, 3, 4], "4 rejoins");
}

// ---- 11.7 Disallowed tiebreaker and split [src: netsplit_with_disallowed_tiebreaker_converges] ----

#[test]
fn a_disallowed_tiebreaker_split_converges_and_agrees_after_healing() {
    let body = "election connectivity\npinging boot\ndisallow 4\n\
                at 20s cut 0 <-> 2\nat 20s cut 0 <-> 3\nat 20s cut 1 <-> 2\nat 20s cut 1 <-> 3\n\
                at 80s isolate 4\nat 120s heal 4 <-> 2\nat 120s heal 4 <-> 3\nat 160s heal";
    let s = run(body, 80_000);
    let l = leaders(&s);
    assert_eq!(l.len(), 1, "one side holds a quorum: {l:?}");
    assert_eq!(
        quorum(&s, l[0]).len(),
        3,
        "two allowed monitors and the tiebreaker"
    );
    assert!(quorum(&s, l[0]).contains(&4));
    assert!(!l.contains(&4), "the tiebreaker never leads");
    let s = run(body, 120_000);
    assert!(leaders(&s).is_empty(), "tiebreaker isolated: no quorum");
    let s = run(body, 160_000);
    let l = leaders(&s);
    assert_eq!(
        l.len(),
        1,
        "reconnected to 2 and 3: that side forms a quorum"
    );
    let mut q = quorum(&s, l[0]);
    q.sort_unstable();
    assert_eq!(q, vec![2, 3, 4]);
    let s = run(body, 220_000);
    let l = leaders(&s);
    assert_eq!(l.len(), 1, "healed: one leader");
    assert_eq!(quorum(&s, l[0]), vec![0, 1, 2, 3, 4]);
    let epochs: Vec<u64> = (0..5).map(|r| s.world().node(r).unwrap().epoch).collect();
    assert!(
        epochs.iter().all(|e| *e == epochs[0]),
        "all epochs agree: {epochs:?}"
    );
}
