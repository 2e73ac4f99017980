//! Multi-Paxos on the test driver: election, phase 2 alone, seed 001's hole at small
//! numbers, the α window, durability across a restart, group commit, membership change.
//! Every step of every test is checked with the rules (`driver.violations`).

use super::config::MultiConfig;
use super::driver::Driver;
use super::messages::{Members, Msg, Value};
use super::node::SlotState;
use crate::actor::{Input, MembershipChange};
use crate::client::ClientReply;

fn config(nodes: u8, alpha: u64) -> MultiConfig {
    MultiConfig::new(nodes, nodes, alpha, 10)
}

/// A driver whose nodes elected a leader.
fn elected(c: MultiConfig) -> (Driver, u8) {
    let mut d = Driver::new(c);
    assert!(
        d.run_while(10_000, |d| d.leader().is_none()),
        "a leader is elected"
    );
    d.run_until(d.now_ms + 100);
    let l = d.leader().expect("a leader");
    (d, l)
}

fn other(l: u8, n: u8) -> u8 {
    (l + 1) % n
}

#[test]
fn a_leader_is_elected_and_every_replica_applies_the_commands_in_order() {
    let (mut d, l) = elected(config(3, 3));
    let via = other(l, 3);
    let reqs: Vec<u64> = (0..4).map(|i| d.put(via, &format!("k{i}"), "v")).collect();
    d.run_until(d.now_ms + 2_000);
    assert_eq!(d.violations, []);
    for r in 0..3 {
        assert_eq!(d.node(r).applied, 4, "node {r} applied the four slots");
        assert_eq!(d.node(r).kv.len(), 4);
    }
    let answered: Vec<u64> = d.replies.iter().map(|(id, _)| *id).collect();
    assert_eq!(answered, reqs, "answered once each, in slot order");
    assert!(d
        .replies
        .iter()
        .all(|(_, r)| matches!(r, ClientReply::Written { .. })));
}

/// Seed 001 at small numbers: the old leader has slots 1–2 chosen, 3–5 accepted only by
/// itself, 6–7 accepted by the others; it crashes. The new leader's phase 1 learns 6–7,
/// fills 3–5 with no-ops, re-proposes 6–7 and goes on at 8; the commands lost with the
/// holes come back through their replica's retry.
#[test]
fn a_new_leader_fills_the_holes_with_noops_and_reproposes_what_was_accepted() {
    let (mut d, l) = elected(config(3, 5));
    let via = other(l, 3);
    d.put(via, "a", "1");
    d.put(via, "b", "2");
    d.run_until(d.now_ms + 200);
    assert_eq!(d.node(via).applied, 2);
    // Slots 3-5 reach nobody but the leader.
    d.drop = Some(Box::new(
        move |p| matches!(&*p.msg, Msg::Accept { slot, .. } if (3..=5).contains(slot)),
    ));
    for k in ["c", "d", "e"] {
        d.put(via, k, "3");
    }
    d.run_until(d.now_ms + 15);
    // Slots 6-7 reach the others, but their answers are lost: nobody learns them chosen.
    d.drop = Some(Box::new(move |p| {
        matches!(&*p.msg, Msg::Accept { slot, .. } if (3..=5).contains(slot))
            || matches!(&*p.msg, Msg::Accepted { .. })
    }));
    d.put(via, "f", "6");
    d.put(via, "g", "7");
    d.run_until(d.now_ms + 25);
    let f = other(l, 3);
    assert_eq!(
        d.node(f)
            .durable
            .accepted
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        [6, 7]
    );
    d.crash(l);
    d.drop = None;
    let before = d.now_ms;
    assert!(d.run_while(before + 10_000, |d| d.leader().is_none()));
    d.run_until(d.now_ms + 3_000);
    assert_eq!(d.violations, []);
    let nl = d.leader().expect("a new leader");
    let note = d
        .notes
        .iter()
        .find(|(r, n)| *r == nl && n.starts_with("leads with id"))
        .expect("the new leader says what it does");
    assert!(
        note.1.contains("re-proposes 6-7") && note.1.contains("fills 3-5 with no-ops"),
        "{}",
        note.1
    );
    let log = &d.node(nl).durable.chosen;
    for s in 3..=5 {
        assert_eq!(log[&s], Value::Noop, "slot {s}");
    }
    assert_eq!(log[&6].commands()[0].to_string(), "put f=6");
    assert_eq!(log[&7].commands()[0].to_string(), "put g=7");
    // c, d and e were retried by node `via` and are in later slots; all seven answered.
    assert_eq!(d.replies.len(), 7, "{:?}", d.replies);
    assert_eq!(d.node(via).kv.len(), 7);
    let view = d.node(nl).log_view();
    assert_eq!(view.slots[2], SlotState::Noop);
    // The old leader comes back, learns the no-ops over its own accepts, and agrees.
    d.restart(l);
    d.run_until(d.now_ms + 3_000);
    assert_eq!(d.violations, []);
    assert_eq!(d.node(l).applied, d.node(nl).applied);
    assert_eq!(d.node(l).durable.chosen[&3], Value::Noop);
}

#[test]
fn at_most_alpha_slots_are_in_flight_and_the_rest_queue() {
    let (mut d, l) = elected(config(3, 2));
    for i in 0..6 {
        d.put(l, &format!("k{i}"), "v");
    }
    let mut most = 0;
    d.run_while(d.now_ms + 2_000, |d| {
        let n = d.node(l).lead.as_ref().map_or(0, |x| x.in_flight.len());
        most = most.max(n);
        d.replies.len() < 6
    });
    assert_eq!(most, 2, "the window was full, never over");
    assert!(d.notes.iter().any(|(_, n)| n.starts_with("α = 2")));
    assert_eq!(d.violations, []);
}

#[test]
fn promises_and_accepts_survive_a_restart() {
    let (mut d, l) = elected(config(3, 3));
    let f = other(l, 3);
    d.drop = Some(Box::new(|p| matches!(&*p.msg, Msg::Commit { .. })));
    d.put(l, "x", "1");
    d.run_until(d.now_ms + 15);
    let promised = d.node(f).durable.promised;
    assert!(promised.is_some());
    assert_eq!(d.node(f).durable.accepted.len(), 1);
    d.crash(f);
    d.restart(f);
    assert_eq!(d.node(f).durable.promised, promised);
    assert_eq!(
        d.node(f).durable.accepted.len(),
        1,
        "the accepted entry is on disk"
    );
    d.drop = None;
    d.run_until(d.now_ms + 2_000);
    assert_eq!(d.node(f).applied, 1, "it caught up through the heartbeat");
    assert_eq!(d.violations, []);
}

#[test]
fn group_commit_puts_the_queued_commands_in_one_slot() {
    let mut c = config(3, 1);
    c.group_commit = true;
    let (mut d, l) = elected(c);
    for i in 0..4 {
        d.put(l, &format!("k{i}"), "v");
    }
    d.run_until(d.now_ms + 1_000);
    let log = &d.node(l).durable.chosen;
    let sizes: Vec<usize> = log.values().map(|v| v.commands().len()).collect();
    assert_eq!(
        sizes,
        [1, 3],
        "one slot in flight (α = 1), the other three batched"
    );
    assert_eq!(d.replies.len(), 4);
    assert_eq!(d.violations, []);
}

#[test]
fn a_server_is_added_then_another_removed_one_at_a_time() {
    let mut c = config(4, 2);
    c.initial = Members::first(3);
    let mut d = Driver::new(c);
    assert_eq!(d.node(3).state_name(), "learner");
    d.run_while(10_000, |d| d.leader().is_none());
    let l = d.leader().expect("a leader");
    assert_ne!(l, 3, "a learner never stands");
    let gone = other(l, 3);
    for r in 0..4 {
        d.input(r, Input::Membership(MembershipChange::Add(3)));
        d.input(r, Input::Membership(MembershipChange::Remove(gone)));
    }
    for i in 0..6 {
        d.put(l, &format!("k{i}"), "v");
    }
    d.run_until(d.now_ms + 3_000);
    assert_eq!(d.violations, []);
    let configs: Vec<(u64, Members)> = d.node(l).configs.iter().map(|(s, m)| (*s, *m)).collect();
    assert_eq!(configs.len(), 2, "{configs:?}");
    assert!(
        configs[1].0 >= configs[0].0 + 2,
        "the second waits for the first"
    );
    assert!(configs[0].1.contains(3) && !configs[1].1.contains(gone));
    assert_eq!(d.node(3).state_name(), "follower");
    assert_eq!(d.node(gone).state_name(), "learner");
    assert_eq!(
        d.node(3).applied,
        d.node(l).applied,
        "the new member caught up"
    );
}
