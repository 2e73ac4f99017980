//! The log view's data (`view::RunView::logs`): one lane per node over a shared window of
//! slots, each slot empty, accepted, chosen or applied as the node's own state says. Checked
//! against what the trace shows happened (commit writes, BEGINs), not against the same fields
//! the view reads.

use paxoscope_core::actor::Protocol;
use paxoscope_core::presets::find;
use paxoscope_core::protocols::ceph::{Ceph, StoreWrite};
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;
use paxoscope_core::view::{Lane, Logs, NodeLog, RunView, Slot, SlotState};

fn tour(id: &str) -> Session {
    let p = find(id).unwrap_or_else(|| panic!("no preset {id}"));
    Session::new(p.scenario().unwrap_or_else(|e| panic!("{id}: {e}")))
}

/// How many commit writes node `r` has made durable, from the trace's persist entries (a full
/// sync installs a snapshot instead: its `last_committed` counts as that many).
fn commits_in_trace(s: &Session, r: u8) -> u64 {
    let mut lc = 0;
    for e in s.trace().iter().filter(|e| e.node == Some(r)) {
        if let TraceKind::Persist(writes) = &e.kind {
            for w in writes {
                match w {
                    StoreWrite::Commit(v) => {
                        assert_eq!(*v, lc + 1, "commits come in version order");
                        lc = *v;
                    }
                    StoreWrite::InstallSnapshot(snap) => lc = snap.last_committed,
                    _ => {}
                }
            }
        }
    }
    lc
}

fn count(lane: &Lane, state: SlotState) -> u64 {
    lane.log.slots.iter().filter(|s| s.state == state).count() as u64
}

fn lanes(s: &Session, shown: u64) -> Logs {
    RunView::logs(s, shown).expect("Ceph keeps a log")
}

#[test]
fn after_n_commits_each_lane_shows_n_applied_slots_in_order() {
    let mut s = tour("sync");
    s.run_until(44_000);
    assert_eq!(s.violation(), None);
    let logs = lanes(&s, 40);
    assert_eq!(
        (logs.from, logs.lanes.len()),
        (1, 5),
        "16 versions fit in 40 slots"
    );
    for (r, lane) in logs.lanes.iter().enumerate() {
        let n = commits_in_trace(&s, r as u8);
        assert_eq!(count(lane, SlotState::Applied), n, "mon.{r}");
        assert!(
            lane.log.slots[..n as usize]
                .iter()
                .all(|x| x.state == SlotState::Applied),
            "mon.{r}: applied slots are 1..={n}"
        );
        assert_eq!(lane.log.applied, n, "mon.{r}");
    }
    // The tour's own numbers: the four in quorum reached v16, mon.4 went down at v1.
    let applied: Vec<u64> = logs.lanes.iter().map(|l| l.log.applied).collect();
    assert_eq!(applied, [16, 16, 16, 16, 1]);
    assert!(!logs.lanes[4].up && logs.lanes[0].up);
}

#[test]
fn a_lagging_monitor_catches_up_in_its_lane_after_the_sync() {
    let mut s = tour("sync");
    s.run_until(60_000);
    assert_eq!(s.violation(), None);
    let logs = lanes(&s, 40);
    let lc = commits_in_trace(&s, 0);
    assert!(lc > 16, "the election after the sync commits more");
    assert_eq!(logs.lanes[4].log.applied, commits_in_trace(&s, 4));
    assert!(logs.lanes[4].log.applied + 1 >= lc, "mon.4 caught up");
}

#[test]
fn a_proposal_not_yet_committed_shows_accepted_then_chosen_at_the_leader() {
    let mut s = tour("sync");
    s.run_until(25_000);
    // Step to the first BEGIN of the put at 25 s delivered to a peon.
    let (peon, v) = loop {
        assert!(s.step(), "the run goes on");
        let begin = s.last_step().iter().find_map(|e| match &e.kind {
            TraceKind::Persist(w) => w.iter().find_map(|w| match w {
                StoreWrite::Pending { version, .. } if e.node != Some(0) => {
                    Some((e.node.unwrap(), *version))
                }
                _ => None,
            }),
            _ => None,
        });
        if let Some(b) = begin {
            break b;
        }
    };
    let logs = lanes(&s, 40);
    let lane = &logs.lanes[usize::from(peon)];
    let slot = &lane.log.slots[(v - logs.from) as usize];
    assert_eq!(slot.state, SlotState::Accepted, "mon.{peon} v{v}");
    assert_eq!(
        lane.log.first_unchosen, v,
        "α window starts at the accepted slot"
    );
    assert_eq!(lane.log.alpha, 1);
    assert_eq!(count(lane, SlotState::Applied), v - 1);

    // Every ACCEPT in, the leader's commit write is queued: the slot is chosen there.
    while !Ceph::mid_commit_write(s.world().node(0).expect("mon.0 leads")) {
        assert!(s.step(), "the run goes on");
    }
    let logs = lanes(&s, 40);
    let leader = &logs.lanes[0].log;
    assert_eq!(
        leader.slots[(v - logs.from) as usize].state,
        SlotState::Chosen
    );
    assert_eq!(leader.first_unchosen, v + 1);
    assert_eq!(leader.applied, v - 1);
}

#[test]
fn a_long_log_shows_only_the_last_slots_up_to_the_frontier() {
    let mut s = tour("sync");
    s.run_until(44_000);
    let logs = lanes(&s, 5);
    // mon.0 holds v16 applied; its α window is v17: the window ends there.
    assert_eq!((logs.from, logs.to), (13, 17));
    for lane in &logs.lanes {
        assert_eq!(lane.log.slots.len(), 5);
    }
    let lead = &logs.lanes[0];
    let states: Vec<SlotState> = lead.log.slots.iter().map(|x| x.state).collect();
    use SlotState::*;
    assert_eq!(states, [Applied, Applied, Applied, Applied, Empty]);
    assert_eq!(
        count(&logs.lanes[4], Empty),
        5,
        "mon.4 holds nothing past v1"
    );
    assert_eq!(
        lead.holes(logs.from),
        Vec::<u64>::new(),
        "the next slot is no hole"
    );
}

#[test]
fn holes_are_the_empty_slots_below_the_highest_held_one() {
    let slot = |state| Slot {
        state,
        ..Slot::empty()
    };
    use SlotState::*;
    let lane = Lane {
        up: true,
        log: NodeLog {
            applied: 0,
            first_unchosen: 1,
            alpha: 3,
            highest: 5,
            slots: vec![
                slot(Empty),
                slot(Accepted),
                slot(Empty),
                slot(Empty),
                slot(Accepted),
                slot(Empty),
            ],
        },
    };
    assert_eq!(lane.holes(1), [1, 3, 4]);
    assert_eq!(lane.log.window_end(), 3);
}

#[cfg(feature = "basic-paxos-view")]
#[test]
fn basic_paxos_is_a_log_of_one_slot_chosen_at_every_learner() {
    use paxoscope_core::protocols::basic_paxos::BasicPaxos;
    let p = find("bp-one-after-other").expect("the tour");
    let mut s = Session::<BasicPaxos>::open(p.scenario().expect("it parses"));
    s.run_until(p.scenario().unwrap().end_ms.expect("an end"));
    assert_eq!(s.violation(), None);
    let logs = RunView::logs(&s, 40).expect("a log of one slot");
    assert_eq!((logs.from, logs.to), (1, 1), "one slot, the window closed");
    for (r, lane) in logs.lanes.iter().enumerate() {
        let d = s.world().durable(r as u8);
        let want = match (&d.learned, &d.accepted) {
            (Some(_), _) => SlotState::Chosen,
            (None, Some(_)) => SlotState::Accepted,
            (None, None) => SlotState::Empty,
        };
        assert_eq!(lane.log.slots[0].state, want, "node.{r}");
    }
    assert!(
        logs.lanes
            .iter()
            .any(|l| l.log.slots[0].state == SlotState::Chosen),
        "some node learned the value"
    );
}

/// Seed 001's hole (the `mp-hole` tour): node.1's lane at each moment of the story.
#[cfg(feature = "multi-paxos-view")]
#[test]
fn multi_paxos_holes_show_then_fill_with_no_ops() {
    use paxoscope_core::protocols::multi_paxos::MultiPaxos;
    let p = find("mp-hole").expect("the tour");
    let mut s = Session::<MultiPaxos>::open(p.scenario().expect("it parses"));
    let at = |s: &Session<MultiPaxos>, r: usize, slot: u64| {
        let logs = RunView::logs(s, 40).expect("Multi-Paxos keeps a log");
        let lane = logs.lanes[r].clone();
        (
            lane.log.slots[(slot - logs.from) as usize].clone(),
            lane,
            logs.from,
        )
    };
    // node.0 crashed with 135-139 proposed; only 138 and 139 reached the others.
    s.run_until(2_100);
    let (_, lane, from) = at(&s, 1, 135);
    assert_eq!(lane.log.applied, 134);
    assert_eq!(lane.log.first_unchosen, 135);
    assert_eq!(lane.holes(from), [135, 136, 137]);
    for slot in [138, 139] {
        assert_eq!(at(&s, 1, slot).0.state, SlotState::Accepted, "slot {slot}");
    }
    // The new leader fills the holes with no-ops, and in the end every replica applied them.
    s.run_until(p.scenario().unwrap().end_ms.expect("an end"));
    assert_eq!(s.violation(), None);
    for r in 0..3 {
        for slot in 135..=137 {
            let (x, lane, _) = at(&s, r, slot);
            assert!(
                x.noop && x.state == SlotState::Applied,
                "node.{r} slot {slot}: {x:?}"
            );
            assert!(lane.log.applied >= 142, "node.{r}");
        }
        assert!(!at(&s, r, 138).0.noop, "138 keeps its value");
    }
}
