//! The protocol's key stories, end to end on the simulator, with the checker on throughout.
//! Each test states what a reader of the spec would expect to see, and checks it.

use paxoscope_core::machine::{MachineId, StateId};
use paxoscope_core::protocols::ceph::declaration::{LEADER, MONITOR};
use paxoscope_core::protocols::ceph::{ClientReply, MonState, PaxosState};
use paxoscope_core::scenario::{Action, Scenario, TimedAction};
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;

fn at(ms: u64, action: Action) -> TimedAction {
    TimedAction { at_ms: ms, action }
}
fn put(node: u8, key: &str, value: &str) -> Action {
    Action::Put {
        node,
        key: key.into(),
        value: value.into(),
    }
}
fn get(node: u8, key: &str) -> Action {
    Action::Get {
        node,
        key: key.into(),
    }
}

/// Run a scenario to `until_ms` and insist that no invariant broke on the way.
fn run(actions: Vec<TimedAction>, until_ms: u64) -> Session {
    let scenario = Scenario {
        actions,
        ..Scenario::default()
    };
    let mut s = Session::new(scenario);
    s.run_until(until_ms);
    if let Some(v) = s.violation() {
        panic!("{v}");
    }
    s
}

fn role(s: &Session, r: u8) -> Option<MonState> {
    s.world().node(r).map(|m| m.state)
}
fn phase(s: &Session, r: u8) -> Option<PaxosState> {
    s.world().node(r).map(|m| m.paxos.state)
}
fn lc(s: &Session, r: u8) -> u64 {
    s.world().durable(r).last_committed
}
fn leaders(s: &Session) -> Vec<u8> {
    (0..5)
        .filter(|r| role(s, *r) == Some(MonState::Leader))
        .collect()
}
fn reply(s: &Session, req: u64) -> Option<ClientReply> {
    s.world().clients()[req as usize - 1].reply.clone()
}
fn kv(s: &Session, r: u8, key: &str) -> Option<String> {
    s.world().durable(r).kv.get(key).map(|v| v.to_string())
}
/// Did monitor `r` enter `state` of `machine` (from the trace's transitions)?
fn entered(s: &Session, r: u8, machine: MachineId, state: StateId) -> bool {
    s.trace().iter().any(|e| {
        e.node == Some(r)
            && matches!(e.kind, TraceKind::Transition(t) if t.machine == machine && t.to == state)
    })
}

#[test]
fn five_monitors_start_and_rank_0_leads_with_all_active() {
    let s = run(vec![], 1_000);
    assert_eq!(leaders(&s), vec![0]);
    for r in 1..5 {
        assert_eq!(role(&s, r), Some(MonState::Peon), "mon.{r}");
    }
    for r in 0..5 {
        assert_eq!(phase(&s, r), Some(PaxosState::Active), "mon.{r}");
        assert_eq!(lc(&s, r), 1, "the initial state is committed everywhere");
        assert_eq!(
            s.world().node(r).unwrap().epoch,
            2,
            "first boot elects at epoch 1 and wins at 2"
        );
        assert!(
            s.world().node(r).unwrap().is_readable(),
            "mon.{r} holds a lease"
        );
    }
    assert_eq!(
        s.world().durable(0).last_pn,
        100,
        "rank 0's first pn is 100"
    );
}

#[test]
fn isolated_leader_is_replaced_by_rank_1_and_leads_again_after_heal() {
    let s = run(
        vec![
            at(10_000, put(2, "a", "1")),
            at(20_000, Action::Isolate(0)),
            at(36_000, put(3, "c", "3")),
            at(40_000, Action::Heal(None)),
        ],
        35_000,
    );
    // Peons notice through their lease timers (10 s after the last lease), bootstrap, and
    // elect rank 1 when its 5 s election timer expires with 4 of 5 acks.
    assert_eq!(
        leaders(&s),
        vec![1],
        "the majority side elects the lowest rank it has"
    );
    assert_eq!(
        s.world()
            .node(1)
            .unwrap()
            .quorum
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        role(&s, 0),
        Some(MonState::Probing),
        "the old leader bootstrapped on its lease-ack timeout"
    );
    assert!(
        s.world().durable(1).last_pn % 100 == 1,
        "rank 1's pn ends in 01"
    );

    let s = run(s.scenario().actions.clone(), 50_000);
    assert!(
        matches!(reply(&s, 2), Some(ClientReply::Written { .. })),
        "the majority committed the write"
    );
    assert_eq!(
        leaders(&s),
        vec![0],
        "classic election hands leadership back to rank 0"
    );
    for r in 0..5 {
        assert_eq!(lc(&s, r), lc(&s, 1), "mon.{r} caught up");
        assert_eq!(kv(&s, r, "c").as_deref(), Some("3"));
    }
    assert!(
        !entered(&s, 0, MONITOR, MonState::Synchronizing.id()),
        "within 10 versions: no sync, recovery"
    );
    let refused = s.trace().iter().any(
        |e| matches!(&e.kind, TraceKind::Note(n) if n.contains("collect again with a higher pn")),
    );
    assert!(
        refused,
        "the old leader's first collect (pn 200) is refused by peons that promised 201"
    );
}

#[test]
fn minority_cannot_commit_while_majority_does() {
    let s = run(
        vec![
            at(10_000, Action::Partition(vec![vec![0, 1], vec![2, 3, 4]])),
            at(30_000, put(0, "x", "minority")),
            at(30_000, put(3, "y", "majority")),
        ],
        45_000,
    );
    assert!(
        !matches!(reply(&s, 1), Some(ClientReply::Written { .. })),
        "the minority side committed: {:?}",
        reply(&s, 1)
    );
    assert!(
        matches!(reply(&s, 2), Some(ClientReply::Written { .. })),
        "the majority side did not commit"
    );
    assert_eq!(leaders(&s), vec![2]);
    assert!(lc(&s, 2) > lc(&s, 0) && lc(&s, 0) == lc(&s, 1));
    assert_eq!(kv(&s, 0, "x"), None);
    for r in 2..5 {
        assert_eq!(kv(&s, r, "y").as_deref(), Some("majority"));
    }
}

#[test]
fn leader_dies_mid_commit_and_the_new_leader_commits_the_uncommitted_value() {
    let s = run(
        vec![
            at(10_000, Action::CrashInCommit),
            at(10_000, put(0, "k", "v")),
        ],
        40_000,
    );
    assert!(s.world().node(0).is_none(), "mon.0 crashed mid-write");
    assert_eq!(reply(&s, 1), None, "the client never heard back");
    assert_eq!(leaders(&s), vec![1]);
    assert!(
        entered(&s, 1, LEADER, PaxosState::UpdatingPrevious.id()),
        "recovery re-proposed the old value"
    );
    for r in 1..5 {
        assert_eq!(
            kv(&s, r, "k").as_deref(),
            Some("v"),
            "mon.{r} has the recovered value"
        );
    }
    // The crashed leader's own commit write was lost: its durable lc is one behind.
    assert_eq!(
        lc(&s, 0) + 1,
        s.world().durable(0).pending_v.max(lc(&s, 0) + 1)
    );
}

#[test]
fn crashed_peon_restarts_and_catches_up() {
    let s = run(
        // While mon.3 is down, the old quorum cannot commit (every member must accept): the
        // leader's lease-ack timeout forces an election among the four that answer.
        vec![
            at(10_000, Action::Crash(3)),
            at(30_000, put(1, "a", "1")),
            at(32_000, put(2, "b", "2")),
            at(40_000, Action::Restart(3)),
        ],
        60_000,
    );
    assert!(
        matches!(reply(&s, 1), Some(ClientReply::Written { .. })),
        "{:?}",
        reply(&s, 1)
    );
    assert_eq!(phase(&s, 3), Some(PaxosState::Active));
    assert_eq!(lc(&s, 3), lc(&s, 0));
    assert_eq!(kv(&s, 3, "a").as_deref(), Some("1"));
    assert_eq!(kv(&s, 3, "b").as_deref(), Some("2"));
    assert_eq!(
        s.world().durable(3).election_epoch,
        s.world().node(0).unwrap().epoch,
        "it rejoined through an election"
    );
}

#[test]
fn two_of_five_down_still_commits() {
    let s = run(
        vec![
            at(10_000, Action::Crash(3)),
            at(10_000, Action::Crash(4)),
            at(30_000, put(1, "k", "v")),
        ],
        45_000,
    );
    assert!(
        matches!(reply(&s, 1), Some(ClientReply::Written { .. })),
        "{:?}",
        reply(&s, 1)
    );
    for r in 0..3 {
        assert_eq!(kv(&s, r, "k").as_deref(), Some("v"));
    }
}

#[test]
fn three_of_five_down_stops_commits_and_one_restart_resumes_them() {
    let s = run(
        vec![
            at(10_000, Action::Crash(2)),
            at(10_000, Action::Crash(3)),
            at(10_000, Action::Crash(4)),
            at(30_000, put(0, "k", "before")),
            at(40_000, Action::Restart(4)),
            at(60_000, put(0, "k", "after")),
        ],
        75_000,
    );
    assert!(
        !matches!(reply(&s, 1), Some(ClientReply::Written { .. })),
        "no quorum, yet committed: {:?}",
        reply(&s, 1)
    );
    assert!(
        matches!(reply(&s, 2), Some(ClientReply::Written { .. })),
        "after the restart: {:?}",
        reply(&s, 2)
    );
    assert_eq!(kv(&s, 4, "k").as_deref(), Some("after"));
    assert_eq!(leaders(&s), vec![0]);
}

#[test]
fn reads_are_refused_after_a_peons_lease_expired() {
    let s = run(
        vec![
            at(10_000, Action::Isolate(4)),
            at(16_000, get(4, "k")),
            at(16_000, get(1, "k")),
        ],
        17_000,
    );
    match reply(&s, 1) {
        Some(ClientReply::Refused { reason }) => {
            assert!(reason.contains("lease expired"), "{reason}")
        }
        other => panic!("the isolated peon answered a read: {other:?}"),
    }
    assert!(
        matches!(reply(&s, 2), Some(ClientReply::Value { .. })),
        "a connected peon still reads: {:?}",
        reply(&s, 2)
    );
    assert_eq!(
        role(&s, 4),
        Some(MonState::Peon),
        "still a peon: its lease timer fires only 10 s after the last lease"
    );
}

#[test]
fn a_monitor_too_far_behind_syncs_before_joining() {
    let mut actions = vec![at(5_000, Action::Crash(4))];
    for i in 0..14u64 {
        actions.push(at(25_000 + i * 1_200, put(0, &format!("k{i}"), "v")));
    }
    actions.push(at(45_000, Action::Restart(4)));
    let s = run(actions, 60_000);
    assert!(
        entered(&s, 4, MONITOR, MonState::Synchronizing.id()),
        "mon.4 synced"
    );
    assert_eq!(lc(&s, 4), lc(&s, 0));
    assert_eq!(kv(&s, 4, "k13").as_deref(), Some("v"));
    assert_eq!(phase(&s, 4), Some(PaxosState::Active));
}

#[test]
fn same_scenario_same_trace() {
    let actions = vec![
        at(10_000, Action::Isolate(0)),
        at(20_000, put(2, "a", "1")),
        at(30_000, Action::Heal(None)),
    ];
    let a = run(actions.clone(), 40_000);
    let b = run(actions, 40_000);
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert_eq!(a.trace().len(), b.trace().len());
}

#[test]
fn runs_that_differ_only_in_what_was_written_hash_differently() {
    // The same kinds of message at the same times, to the same monitors, and the same answer
    // to the client (written at version 3): only the value inside the proposal and the
    // stores' writes differ.
    let with_value = |v: &str| {
        let s = run(vec![at(5_000, put(2, "k", v))], 12_000);
        let kinds: Vec<(u64, &'static str)> =
            s.trace().iter().map(|e| (e.t_ms, e.kind.name())).collect();
        (kinds, s.trace_hash())
    };
    let (kinds_a, hash_a) = with_value("a");
    let (kinds_b, hash_b) = with_value("b");
    assert_eq!(kinds_a, kinds_b, "the two runs have the same shape");
    assert_ne!(hash_a, hash_b, "the hash covers the contents");
}

#[test]
fn time_travel_shows_the_exact_earlier_state_and_returns() {
    let mut s = run(
        vec![
            at(10_000, Action::Isolate(0)),
            at(30_000, Action::Heal(None)),
        ],
        40_000,
    );
    let final_hash = s.trace_hash();
    let mut reference = run(s.scenario().actions.clone(), 25_000);
    s.seek(25_000);
    for r in 0..5 {
        assert_eq!(
            s.world().status(r),
            reference.world().status(r),
            "mon.{r} at 25 s"
        );
    }
    s.run_until(40_000);
    reference.run_until(40_000);
    assert_eq!(
        s.trace_hash(),
        final_hash,
        "replaying the known future adds nothing"
    );
    assert_eq!(s.world().status(0), reference.world().status(0));
}

#[test]
fn acting_in_the_past_forks_and_replays_exactly_from_the_new_scenario() {
    let mut s = run(vec![], 30_000);
    s.seek(12_000);
    s.inject(Action::Crash(0)).unwrap();
    s.run_until(30_000);
    let replay = run(s.scenario().actions.clone(), 30_000);
    assert_eq!(
        s.trace_hash(),
        replay.trace_hash(),
        "the forked run equals a fresh replay of its scenario"
    );
    assert_eq!(leaders(&s), vec![1]);
}

#[test]
fn an_action_added_while_running_is_met_again_after_scrubbing_back_before_it() {
    // Snapshots every 50 events: several are older than the crash.
    let mut s = Session::with_options(Scenario::default(), true, 50);
    s.run_until(12_000);
    let crash_ms = s.inject(Action::Crash(0)).unwrap();
    s.run_until(30_000);
    let recorded = s.trace_hash();
    let replay = run(s.scenario().actions.clone(), 30_000);
    for back_ms in [2_000, 11_000, 12_000] {
        s.seek(back_ms);
        assert!(s.world().node(0).is_some(), "mon.0 is up at {back_ms} ms");
        s.run_until(30_000);
        assert!(
            s.world().node(0).is_none(),
            "the crash at {crash_ms} ms happens again after scrubbing back to {back_ms} ms"
        );
        assert_eq!(s.world().status(1), replay.world().status(1));
        assert_eq!(
            s.trace_hash(),
            recorded,
            "the replay repeats the recorded run"
        );
    }
    // Acting before it forks: the crash, the user's own future, is dropped everywhere.
    s.seek(5_000);
    s.inject(Action::Crash(4)).unwrap();
    s.run_until(30_000);
    assert!(
        s.world().node(0).is_some(),
        "the dropped crash does not happen"
    );
    assert!(s.world().node(4).is_none());
    let forked = run(s.scenario().actions.clone(), 30_000);
    assert_eq!(
        s.trace_hash(),
        forked.trace_hash(),
        "the fork equals a fresh replay"
    );
    s.seek(3_000);
    s.run_until(30_000);
    assert!(
        s.world().node(0).is_some() && s.world().node(4).is_none(),
        "also after a seek"
    );
}

#[test]
fn bad_user_input_is_an_error_not_a_panic() {
    let mut s = run(vec![], 1_000);
    let err = s.inject(Action::Crash(7)).unwrap_err();
    assert!(err.contains("mon.7") && err.contains("0-4"), "{err}");
}

/// Campaign seed 1796195248, shrunk: mon.2 resumed at the very ms a BEGIN reached it, and the
/// BEGIN overtook the LEASE it had held since before; the late LEASE then made it readable at
/// an old version. What a paused node held must run first, in order: every link stays FIFO.
#[test]
fn a_resumed_monitor_takes_what_it_held_before_what_arrives_as_it_resumes() {
    let text = "paxoscope scenario v1\nseed 1796195248\nend 23s\n\
                at 18700ms put 3 k1 p12\nat 20s pause 2\nat 22024ms put 3 k1 p14\nat 22126ms resume 2\n";
    let scenario = paxoscope_core::scenario::parse(text).expect("the scenario parses");
    let mut s = Session::new(scenario);
    s.run_until(23_000);
    assert_eq!(s.violation(), None, "no invariant breaks");
    // Message ids grow with sending, so on each link the deliveries' ids must grow too.
    let mut last_id_on_link = std::collections::BTreeMap::new();
    let mut held_deliveries = 0;
    for e in s.trace() {
        if let TraceKind::Deliver { from, id, .. } = e.kind {
            let to = e.node.expect("a delivery happens at a node");
            let last = last_id_on_link.insert((from, to), id);
            assert!(
                last < Some(id),
                "mon.{from} -> mon.{to}: message {id} delivered after {last:?}"
            );
            if to == 2 && e.t_ms == 22_126 {
                held_deliveries += 1;
            }
        }
    }
    assert!(
        held_deliveries >= 2,
        "mon.2 took its held messages on resume"
    );
}

/// Honest fates (issue 21): the leader is cut off just after its BEGIN reached the peons. Out
/// of quorum for 2 × mon_lease it closes its client sessions, so the write's client is told to
/// retry; yet the new quorum found the value accepted and committed it. The run's committed
/// state says so (`RunView::committed_answer`), which is what the page's request row shows.
#[test]
fn a_write_told_to_retry_that_commits_later_is_known_to_have_committed() {
    use paxoscope_core::view::RunView;
    let text = "paxoscope scenario v1\nseed 1\nend 60s\nat 5s put 0 k v\nat 5025ms isolate 0\nat 50s heal\n";
    let mut s = Session::new(paxoscope_core::scenario::parse(text).unwrap());
    s.run_until(24_000);
    assert_eq!(
        s.world().clients()[0].reply,
        None,
        "waits while mon.0 is out"
    );
    s.run_until(26_000);
    let rec = &s.world().clients()[0];
    assert!(
        matches!(rec.reply, Some(ClientReply::Retry { .. })),
        "{:?}",
        rec.reply
    );
    assert_eq!(
        rec.complete_ms,
        Some(25_000),
        "10 s after mon.0 left its quorum"
    );
    let committed = s.committed_answer(rec.id);
    assert!(
        matches!(committed, Some(ClientReply::Written { version }) if version >= 2),
        "{committed:?}"
    );
    s.run_until(60_000);
    for r in 0..5 {
        assert_eq!(
            s.world().durable(r).kv.get("k").map(|v| v.to_string()),
            Some("v".into()),
            "mon.{r}"
        );
    }
}

#[test]
fn a_fork_keeps_the_scripts_future_and_drops_only_the_users() {
    let at = |at_ms: u64, action: Action| TimedAction { at_ms, action };
    let script = vec![
        at(20_000, Action::Crash(3)),
        at(25_000, Action::Restart(3)),
        at(25_000, Action::Crash(2)),
        at(40_000, Action::Restart(2)),
    ];
    let mut s = Session::new(Scenario {
        actions: script.clone(),
        ..Scenario::default()
    });
    s.run_until(10_000);
    s.inject(Action::Crash(4)).unwrap();
    s.run_until(25_000);
    // The user's action lands after the script's two at this millisecond, whatever the order
    // the queue ran them in.
    let user_ms = s.inject(Action::Restart(4)).unwrap();
    s.run_until(45_000);
    assert_eq!(s.scenario().actions.len(), script.len() + 2);
    s.seek(5_000);
    let fork_ms = s.inject(Action::Crash(1)).unwrap();
    let mut expected = vec![at(fork_ms, Action::Crash(1))];
    expected.extend(script.iter().cloned());
    assert_eq!(
        s.scenario().actions,
        expected,
        "the fork at {fork_ms} ms drops the user's crash at 10 s and restart at {user_ms} ms, keeps the script"
    );
    s.run_until(45_000);
    let replay = run(s.scenario().actions.clone(), 45_000);
    assert_eq!(
        s.trace_hash(),
        replay.trace_hash(),
        "the fork equals a fresh replay"
    );
}
