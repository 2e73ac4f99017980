//! Seed 003's cases on the test driver, each asserting what a user would check: which value
//! is chosen, who knows it, what went over the wire. The rules run after every step too.

use super::config::{BasicConfig, Mutation};
use super::declaration::{acceptor, proposer, ACCEPTOR, PROPOSER};
use super::driver::{Driver, Packet};
use super::messages::{Msg, Pn};
use super::node::Timer;
use super::BasicPaxos;
use crate::actor::{Protocol, Rank};
use std::collections::BTreeSet;

/// `proposers` proposers (ranks 0..), then `acceptors` acceptors; every node is a learner.
/// Retries without backoff unless a test sets it; the test fires timers itself.
fn config(proposers: u8, acceptors: u8) -> BasicConfig {
    let nodes = proposers + acceptors;
    let mut c = BasicConfig::all_roles(nodes, proposers, 10);
    c.acceptors = (proposers..nodes).collect();
    c.start_ms = None;
    c.backoff_ms = 0;
    c.ask_ms = 0;
    c
}

/// Two proposers, three acceptors; proposer 1 is not a learner, so it hears nothing of
/// proposer 0's round (seed 003: "proposer 2 starts after proposer 1 is done").
fn second_proposer_not_learning() -> BasicConfig {
    let mut c = config(2, 3);
    c.learners = [0, 2, 3, 4].into();
    c
}

fn is(kind: &'static str) -> impl Fn(&Packet) -> bool {
    move |p| p.msg.kind() == kind
}

fn to(r: Rank, kind: &'static str) -> impl Fn(&Packet) -> bool {
    move |p| p.to == r && p.msg.kind() == kind
}

fn all_learned(d: &Driver, v: &str) -> bool {
    let learned = d.learned();
    learned.len() == d.config.learners.len() && learned.values().all(|w| &**w == v)
}

fn accepts_sent_by(d: &Driver, r: Rank) -> Vec<(Pn, String)> {
    d.sent
        .iter()
        .filter(|p| p.from == r)
        .filter_map(|p| match &*p.msg {
            Msg::Accept { n, v } => Some((*n, v.to_string())),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn one_proposer_three_acceptors_choose_its_value() {
    let mut d = Driver::new(config(1, 3));
    d.propose(0, "v1");
    d.deliver_all();
    assert!(
        all_learned(&d, "v1"),
        "every learner knows v1: {:?}",
        d.learned()
    );
    assert_eq!(d.node(0).state(PROPOSER), proposer::DONE);
    let kinds: Vec<&str> = d.sent.iter().map(|p| p.msg.kind()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "prepare").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "promise").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "accept").count(), 3);
    assert_eq!(d.facts.chosen_value().as_deref(), Some("v1"));
    assert!(d.violations.is_empty(), "{:?}", d.violations);
    let proposer_path: Vec<_> = d
        .transitions
        .iter()
        .filter(|(r, t)| *r == 0 && t.machine == PROPOSER)
        .map(|(_, t)| (t.from, t.to))
        .collect();
    assert_eq!(
        proposer_path,
        [
            (proposer::IDLE, proposer::PREPARING),
            (proposer::PREPARING, proposer::ACCEPTING),
            (proposer::ACCEPTING, proposer::DONE)
        ],
        "the proposer's emitted transitions, in order"
    );
    for r in 0..3 {
        let node = d.node(r);
        for m in [PROPOSER, ACCEPTOR] {
            let last = d
                .transitions
                .iter()
                .rev()
                .find(|(x, t)| *x == r && t.machine == m);
            let emitted = last.map(|(_, t)| t.to);
            let state = BasicPaxos::state_of(node, m);
            if node.plays(m) && emitted.is_some() {
                assert_eq!(state, emitted, "node {r}: state_of agrees with the trace");
            }
        }
    }
    assert_eq!(
        BasicPaxos::state_of(d.node(1), PROPOSER),
        None,
        "rank 1 proposes nothing"
    );
}

#[test]
fn an_acceptor_that_fails_before_accepting_does_not_stop_a_majority() {
    let mut d = Driver::new(config(1, 3));
    d.propose(0, "v1");
    while d.deliver(|p| p.msg.kind() != "accept") {}
    d.crash(3); // promised 1.0, never sees the accept
    d.deliver_all();
    assert_eq!(
        d.facts.chosen_value().as_deref(),
        Some("v1"),
        "2 of 3 accepted"
    );
    assert_eq!(
        d.durable(3).promised,
        Some(Pn::new(1, 0)),
        "the promise survived on disk"
    );
    assert_eq!(d.durable(3).accepted, None);
    d.restart(3);
    assert_eq!(d.node(3).state(ACCEPTOR), acceptor::PROMISED);
    assert!(d.violations.is_empty(), "{:?}", d.violations);
}

#[test]
fn two_failed_acceptors_make_the_proposer_retry_with_a_higher_number() {
    let mut d = Driver::new(config(1, 3));
    d.propose(0, "v1");
    d.deliver_all();
    // Fresh start: a second run where two acceptors are down from the beginning.
    let mut d2 = Driver::new(config(1, 3));
    d2.crash(2);
    d2.crash(3);
    d2.propose(0, "v1");
    d2.deliver_all();
    assert_eq!(
        d2.facts.chosen_value(),
        None,
        "one acceptor is not a majority"
    );
    assert_eq!(d2.node(0).state(PROPOSER), proposer::PREPARING);
    d2.fire(0, Timer::Phase);
    assert_eq!(d2.node(0).state(PROPOSER), proposer::WAITING);
    d2.restart(2);
    d2.restart(3);
    d2.fire(0, Timer::Retry);
    d2.deliver_all();
    assert_eq!(d2.node(0).proposer.as_ref().unwrap().n, Some(Pn::new(2, 0)));
    assert_eq!(d2.facts.chosen_value().as_deref(), Some("v1"));
    assert!(all_learned(&d2, "v1"));
    assert!(d.violations.is_empty() && d2.violations.is_empty());
}

#[test]
fn an_acceptor_that_fails_after_accepting_still_reports_its_proposal() {
    let mut c = config(2, 3);
    c.learners = [0].into();
    let mut d = Driver::new(c);
    d.propose(0, "A");
    while d.deliver(|p| p.msg.kind() != "accept") {}
    d.deliver(to(2, "accept"));
    // Acceptor 2 accepted (1.0, "A") and crashes: the proposal is on its disk.
    d.crash(2);
    d.restart(2);
    assert_eq!(d.node(2).state(ACCEPTOR), acceptor::ACCEPTED);
    d.drop_where(|_| true);
    d.propose(1, "B");
    d.deliver(to(2, "prepare"));
    let promise = d.wire.iter().find(|p| p.msg.kind() == "promise").unwrap();
    assert_eq!(promise.msg.summary(), "promise(n=1.1, accepted=1.0:\"A\")");
    assert!(d.violations.is_empty());
}

#[test]
fn a_second_proposer_after_the_first_learns_the_chosen_value_in_phase_1() {
    let mut d = Driver::new(second_proposer_not_learning());
    d.propose(0, "A");
    d.deliver_all();
    assert!(all_learned(&d, "A"));
    assert_eq!(
        d.node(1).state(PROPOSER),
        proposer::IDLE,
        "proposer 1 heard nothing yet"
    );
    d.propose(1, "B");
    d.deliver_all();
    assert_eq!(
        accepts_sent_by(&d, 1),
        vec![(Pn::new(1, 1), "A".to_string())],
        "it proposes A, not B"
    );
    assert!(all_learned(&d, "A"));
    assert!(d.violations.is_empty(), "{:?}", d.violations);
}

/// Two proposers, the second starting 40 ms after the first, over a network where `accept`
/// takes 60 ms and everything else 10 ms: each new `prepare` reaches the acceptors before the
/// other proposer's `accept`, so each round is preempted by the other's next one (seed 003's
/// duel). A nack makes a proposer retry 15 ms later, plus the backoff drawn by the driver.
fn duel(backoff_ms: u64) -> Driver {
    let mut c = config(2, 3);
    c.backoff_ms = backoff_ms;
    c.retry_ms = 15;
    c.phase_timeout_ms = 500;
    let mut d = Driver::new(c);
    d.accept_latency_ms = 60;
    d.propose(0, "A");
    d.run_until(40);
    d.propose(1, "B");
    d
}

fn round_of(d: &Driver, r: Rank) -> u32 {
    d.node(r).proposer.as_ref().unwrap().n.unwrap().round
}

#[test]
fn dueling_proposers_without_backoff_livelock() {
    let mut d = duel(0);
    d.run_until(3_000);
    let (r0, r1) = (round_of(&d, 0), round_of(&d, 1));
    assert_eq!(d.facts.chosen_value(), None, "nothing chosen in 3 s");
    assert!(
        r0 >= 20 && r1 >= 20,
        "both kept retrying: rounds {r0} and {r1}"
    );
    let nacks = d.sent.iter().filter(|p| p.msg.kind() == "nack").count();
    assert!(nacks >= 40, "every round was refused: {nacks} nacks");
    assert!(d.violations.is_empty(), "{:?}", d.violations);
}

#[test]
fn randomized_backoff_breaks_the_duel() {
    let mut d = duel(100);
    d.run_until(3_000);
    let v = d.facts.chosen_value().expect("a value is chosen");
    assert!(all_learned(&d, &v), "every learner knows {v}");
    let rounds = round_of(&d, 0).max(round_of(&d, 1));
    assert!(rounds < 20, "the tie broke after {rounds} rounds");
    assert!(d.violations.is_empty(), "{:?}", d.violations);
}

/// Acceptor 2 accepted (1.0, "A"), acceptor 3 accepted (1.1, "B"), acceptor 4 only promised
/// 1.1; then proposer 0 retries with 2.0 and hears the promises of `quorum`.
fn split_then_retry(quorum: [Rank; 2]) -> Driver {
    let mut d = Driver::new(config(2, 3));
    d.propose(0, "A");
    while d.deliver(|p| p.msg.kind() == "prepare" || p.msg.kind() == "promise") {}
    d.deliver(to(2, "accept"));
    d.drop_where(is("accept"));
    d.propose(1, "B");
    d.deliver(to(3, "prepare"));
    d.deliver(to(4, "prepare"));
    d.drop_where(is("prepare"));
    while d.deliver(is("promise")) {}
    d.deliver(to(3, "accept"));
    d.drop_where(|p| p.from == 1 || p.msg.kind() == "accepted" || p.msg.kind() == "nack");
    assert_eq!(
        d.facts.chosen_value(),
        None,
        "two values accepted by one acceptor each"
    );
    d.fire(0, Timer::Phase);
    d.fire(0, Timer::Retry);
    for a in quorum {
        d.deliver(to(a, "prepare"));
    }
    d.drop_where(is("prepare"));
    d.deliver_all();
    d
}

#[test]
fn values_accepted_by_single_acceptors_only_one_becomes_chosen() {
    for (quorum, expect) in [([2, 3], "B"), ([2, 4], "A"), ([3, 4], "B")] {
        let d = split_then_retry(quorum);
        assert_eq!(
            d.facts.chosen_value().as_deref(),
            Some(expect),
            "promises from {quorum:?}"
        );
        assert_eq!(d.facts.chosen().len(), 1);
        assert!(d.violations.is_empty(), "{:?}", d.violations);
    }
}

#[test]
fn duplicated_and_reordered_messages_change_nothing() {
    let mut d = Driver::new(config(1, 3));
    d.propose(0, "A");
    // Deliver every message twice, newest first.
    for _ in 0..1_000 {
        let Some(p) = d.wire.pop() else { break };
        d.wire.push(p.clone());
        d.input(
            p.to,
            super::node::Input::Deliver {
                from: p.from,
                msg: p.msg.clone(),
            },
        );
    }
    d.deliver_all();
    assert!(all_learned(&d, "A"));
    assert!(d.violations.is_empty(), "{:?}", d.violations);
}

// ----- the canaries: each bug, in a schedule that exposes it, caught by what a user checks -----

fn user_facing(mut d: Driver) -> Driver {
    d.facts.user_facing_only = true;
    d
}

#[test]
fn canary_forget_promise_lets_a_restarted_acceptor_choose_a_second_value() {
    for broken in [false, true] {
        let mut c = config(2, 3);
        if broken {
            c.mutations.insert(Mutation::ForgetPromise);
        }
        let mut d = user_facing(Driver::new(c));
        // Proposer 0 gets promises 1.0 from acceptors 2 and 3.
        d.propose(0, "A");
        d.deliver(to(2, "prepare"));
        d.deliver(to(3, "prepare"));
        d.drop_where(is("prepare"));
        // Proposer 1 gets promises 1.1 from 3 and 4, and 4 accepts (1.1, B).
        d.propose(1, "B");
        d.deliver(to(3, "prepare"));
        d.deliver(to(4, "prepare"));
        d.drop_where(is("prepare"));
        while d.deliver(|p| p.msg.kind() == "promise" && p.to == 1) {}
        d.deliver(to(4, "accept"));
        d.drop_where(|p| p.from == 1 && p.msg.kind() == "accept");
        // Acceptor 3 restarts; its promise of 1.1 must hold against proposer 0's accept(1.0).
        d.crash(3);
        d.restart(3);
        while d.deliver(|p| p.msg.kind() == "promise" && p.to == 0) {}
        while d.deliver(|p| p.msg.kind() != "accept" || p.to != 4) {}
        d.drop_where(|p| p.to == 4);
        // And 1.1's accept finally reaches 3.
        let late = Packet {
            from: 1,
            to: 3,
            msg: std::rc::Rc::new(Msg::Accept {
                n: Pn::new(1, 1),
                v: "B".into(),
            }),
            at_ms: 0,
        };
        d.wire.push(late);
        d.deliver_all();
        assert_eq!(
            !d.violations.is_empty(),
            broken,
            "broken={broken}: {:?}",
            d.violations
        );
    }
}

#[test]
fn canary_ignore_promised_value_changes_a_chosen_value() {
    for broken in [false, true] {
        let mut c = second_proposer_not_learning();
        if broken {
            c.mutations.insert(Mutation::IgnorePromisedValue);
        }
        let mut d = user_facing(Driver::new(c));
        d.propose(0, "A");
        d.deliver_all();
        d.propose(1, "B");
        d.deliver_all();
        assert_eq!(
            !d.violations.is_empty(),
            broken,
            "broken={broken}: {:?}",
            d.violations
        );
    }
}

#[test]
fn canary_learn_on_minority_decides_what_was_not_chosen() {
    let mut c = config(2, 3);
    c.mutations.insert(Mutation::LearnOnMinority);
    let mut d = user_facing(Driver::new(c));
    d.propose(0, "A");
    while d.deliver(|p| p.msg.kind() != "accept") {}
    d.deliver(to(2, "accept"));
    d.deliver(|p| p.msg.kind() == "accepted");
    assert!(
        !d.violations.is_empty(),
        "a learner decided on one acceptance"
    );
    assert!(
        d.violations[0].detail.contains("no majority"),
        "{}",
        d.violations[0]
    );
}
