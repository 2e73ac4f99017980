//! The Multi-Paxos tours (seeds 001 and 002) play as Multi-Paxos runs, without a violation,
//! and end where their last note says: the facts it states are checked against the run.

mod common;

use paxoscope_core::protocols::ceph::ClientReply;
use paxoscope_core::protocols::multi_paxos::{Members, Msg, MultiPaxos, Value};
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;
use std::collections::BTreeSet;

/// Tour `id` played to its end, and its last note.
fn play(id: &str) -> (Session<MultiPaxos>, String) {
    common::play(id)
}

/// Every replica is up and applied exactly `slots` slots.
fn all_applied(s: &Session<MultiPaxos>, slots: u64) {
    let w = s.world();
    for r in 0..w.n() {
        let n = w.node(r).unwrap_or_else(|| panic!("node.{r} is up"));
        assert_eq!(n.applied, slots, "node.{r}");
    }
}

/// The versions of the writes answered, in request order; every request answered `Written`.
fn written(s: &Session<MultiPaxos>) -> Vec<u64> {
    s.world()
        .clients()
        .iter()
        .map(|c| match c.reply {
            Some(ClientReply::Written { version }) => version,
            ref other => panic!("req {} answered {other:?}", c.id),
        })
        .collect()
}

/// The value of `slot` in node `r`'s chosen log, in words.
fn slot(s: &Session<MultiPaxos>, r: u8, slot: u64) -> String {
    s.world().durable(r).chosen[&slot].to_string()
}

#[test]
fn seed_001s_holes_are_filled_with_noops_and_138_139_reproposed() {
    let (s, last) = play("mp-hole");
    assert!(
        last.contains("all three replicas applied the same 142 slots"),
        "{last}"
    );
    all_applied(&s, 142);
    for r in 0..3 {
        for hole in 135..=137 {
            assert_eq!(slot(&s, r, hole), "no-op", "node.{r} slot {hole}");
        }
        assert_eq!(slot(&s, r, 134), "put k134=v134");
        assert_eq!(slot(&s, r, 138), "put f138=y");
        assert_eq!(slot(&s, r, 139), "put g139=y");
        let retried: Vec<String> = (140..=142).map(|x| slot(&s, r, x)).collect();
        assert_eq!(retried, ["put c135=x", "put c136=x", "put c137=x"]);
    }
    // The no-ops were proposed by the new leader, node.1, under its phase-1 id, after phase 1.
    let noops: Vec<(u64, u64)> = s
        .trace()
        .iter()
        .filter(|e| e.node == Some(1))
        .filter_map(|e| match &e.kind {
            TraceKind::Send { msg, .. } => match &**msg {
                Msg::Accept {
                    slot,
                    value: Value::Noop,
                    id,
                } if id.node == 1 => Some((*slot, e.t_ms)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let slots: BTreeSet<u64> = noops.iter().map(|(s, _)| *s).collect();
    assert_eq!(slots, (135..=137).collect(), "{noops:?}");
    assert!(
        noops.iter().all(|(_, t)| (2_293..2_400).contains(t)),
        "{noops:?}"
    );
    assert_eq!(written(&s).len(), 139, "every write answered once");
}

#[test]
fn the_alpha_window_keeps_two_slots_in_flight_and_queues_the_rest() {
    let (s, last) = play("mp-alpha");
    assert!(
        last.contains("never more than two slots in flight"),
        "{last}"
    );
    // Slots the leader sent accepts for and had not yet announced chosen, after each event.
    let (mut open, mut most) = (BTreeSet::new(), 0);
    for e in s.trace().iter().filter(|e| e.node == Some(0)) {
        if let TraceKind::Send { msg, .. } = &e.kind {
            match &**msg {
                Msg::Accept { slot, .. } => {
                    open.insert(*slot);
                }
                Msg::Commit { slot, .. } => {
                    open.remove(slot);
                }
                _ => {}
            }
        }
        most = most.max(open.len());
    }
    assert_eq!(most, 2);
    assert_eq!(written(&s), [1, 2, 3, 4, 5, 6]);
    all_applied(&s, 6);
}

#[test]
fn a_leader_change_in_a_burst_answers_every_write_once() {
    let (s, last) = play("mp-leader-change");
    assert!(
        last.contains("all five replicas applied the same ten slots"),
        "{last}"
    );
    let mut versions = written(&s);
    versions.sort();
    assert_eq!(versions, (1..=10).collect::<Vec<u64>>());
    all_applied(&s, 10);
    let w = s.world();
    let leader = (0..5).find(|r| w.node(*r).is_some_and(|n| n.is_leader()));
    assert!(leader.is_some_and(|l| l != 0), "a new leader: {leader:?}");
}

#[test]
fn a_server_is_added_then_the_leader_removed_through_the_log() {
    let (s, last) = play("mp-membership");
    assert!(last.contains("The configuration is {1,2,3}"), "{last}");
    let w = s.world();
    let want = Members::first(4).without(0);
    for r in 0..4 {
        let n = w.node(r).expect("up");
        assert_eq!(n.members_at(n.applied + 1), want, "node.{r}");
    }
    assert_eq!(w.node(0).unwrap().state_name(), "learner");
    assert_eq!(w.node(3).unwrap().state_name(), "follower");
    assert!(w.node(2).unwrap().is_leader());
    assert_eq!(written(&s).len(), 6);
}
