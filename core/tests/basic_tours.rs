//! The Basic Paxos tours (seed 003's cases) play as Basic Paxos runs, without a violation, and
//! end where their last note says: the facts it states are checked against the run.

mod common;

use paxoscope_core::presets::find;
use paxoscope_core::protocols::basic_paxos::{BasicPaxos, Msg, Pn};
use paxoscope_core::protocols::ceph::ClientReply;
use paxoscope_core::scenario::Action;
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;

/// Tour `id` played to its end, and its last note.
fn play(id: &str) -> (Session<BasicPaxos>, String) {
    common::play(id)
}

/// The value every node learned, if they all learned the same one.
fn learned_by_all(s: &Session<BasicPaxos>) -> Option<String> {
    let w = s.world();
    let first = w.durable(0).learned.clone()?;
    (0..w.n())
        .all(|r| w.durable(r).learned.as_ref() == Some(&first))
        .then(|| first.to_string())
}

/// The reply to client request `req`.
fn reply(s: &Session<BasicPaxos>, req: u64) -> ClientReply {
    let rec = s.world().clients().iter().find(|c| c.id == req).unwrap();
    rec.reply.clone().expect("answered")
}

/// Every accept(n, v) sent by `from`: (n, v).
fn accepts_sent(s: &Session<BasicPaxos>, from: u8) -> Vec<(Pn, String)> {
    s.trace()
        .iter()
        .filter(|e| e.node == Some(from))
        .filter_map(|e| match &e.kind {
            TraceKind::Send { msg, .. } => match &**msg {
                Msg::Accept { n, v } => Some((*n, v.to_string())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn value(v: &str) -> ClientReply {
    ClientReply::Value {
        value: Some(v.into()),
        version: 1,
    }
}

#[test]
fn one_after_the_other_the_second_proposer_proposes_the_chosen_value() {
    let (s, last) = play("bp-one-after-other");
    assert!(last.contains("every learner knows A"), "{last}");
    // "mon.1 sends accept(1.1, A), not its own B"
    let from_1 = accepts_sent(&s, 1);
    assert!(!from_1.is_empty(), "mon.1 reached phase 2");
    assert!(
        from_1.iter().all(|(n, v)| *n == Pn::new(1, 1) && v == "A"),
        "{from_1:?}"
    );
    // "The client that asked for B is told A was chosen, and every learner knows A."
    assert_eq!(reply(&s, 1), value("A"));
    assert_eq!(reply(&s, 2), value("A"));
    assert_eq!(learned_by_all(&s).as_deref(), Some("A"));
}

#[test]
fn interleaved_the_minority_value_is_never_chosen() {
    let (s, last) = play("bp-interleaved");
    assert!(last.contains("client is told B"), "{last}");
    // mon.0 proposed A under 1.0 and its own acceptor accepted it: a minority.
    let from_0 = accepts_sent(&s, 0);
    assert!(!from_0.is_empty(), "mon.0 reached phase 2");
    assert!(
        from_0.iter().all(|(n, v)| *n == Pn::new(1, 0) && v == "A"),
        "{from_0:?}"
    );
    let accepted_a = s.trace().iter().any(|e| {
        e.node == Some(0)
            && matches!(&e.kind, TraceKind::Send { msg, .. }
                if matches!(&**msg, Msg::Accepted { n, v } if *n == Pn::new(1, 0) && &**v == "A"))
    });
    assert!(accepted_a, "mon.0's acceptor accepted (1.0, A)");
    // "mon.0's acceptor took (1.1, B) in place of (1.0, A)"
    let w = s.world();
    let (n, v) = w.durable(0).accepted.clone().expect("accepted");
    assert_eq!((n, &*v), (Pn::new(1, 1), "B"));
    // "mon.0 stops proposing and its client is told B"
    assert_eq!(reply(&s, 1), value("B"));
    assert_eq!(reply(&s, 2), value("B"));
    assert_eq!(learned_by_all(&s).as_deref(), Some("B"));
}

/// Every round a proposer gave up (its proposer machine entered `waiting`): (time, node).
fn rounds_given_up(s: &Session<BasicPaxos>) -> Vec<(u64, u8)> {
    use paxoscope_core::protocols::basic_paxos::declaration::{proposer, PROPOSER};
    s.trace()
        .iter()
        .filter(|e| {
            matches!(&e.kind, TraceKind::Transition(t)
                if t.machine == PROPOSER && t.to == proposer::WAITING)
        })
        .map(|e| (e.t_ms, e.node.expect("a node's transition")))
        .collect()
}

/// Every prepare(n) sent by a proposer, once per round (not once per acceptor): (node, n).
fn rounds_prepared(s: &Session<BasicPaxos>) -> Vec<(u8, Pn)> {
    let mut rounds: Vec<(u8, Pn)> = Vec::new();
    for e in s.trace() {
        if let TraceKind::Send { msg, .. } = &e.kind {
            if let Msg::Prepare { n } = &**msg {
                let round = (e.node.expect("sent by a node"), *n);
                if !rounds.contains(&round) {
                    rounds.push(round);
                }
            }
        }
    }
    rounds
}

/// The number written before `word` in `text` ("gave up 6 rounds" -> 6 for "rounds").
fn number_before(text: &str, word: &str) -> usize {
    let words: Vec<&str> = text.split_whitespace().collect();
    let i = words.iter().position(|w| w.starts_with(word)).expect(word);
    words[i - 1].parse().expect("a number")
}

#[test]
fn dueling_proposers_preempt_each_other_until_chance_ends_it() {
    let p = find("bp-dueling").unwrap();
    let notes: Vec<String> = p
        .scenario()
        .unwrap()
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            Action::Note(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let ends_it = notes
        .iter()
        .find(|n| n.starts_with("Chance ends it"))
        .unwrap();
    let (s, _) = play("bp-dueling");
    // "A is chosen after the proposers gave up 6 rounds between them."
    let given_up = rounds_given_up(&s);
    assert_eq!(
        given_up.len(),
        number_before(ends_it, "rounds"),
        "{given_up:?}"
    );
    // The two proposers took turns: each round given up alternates between them.
    assert!(
        given_up.windows(2).all(|w| w[0].1 != w[1].1),
        "{given_up:?}"
    );
    // Each new prepare is numbered above every earlier one (1.0, 1.1, 2.0, 3.1, ...).
    let prepared = rounds_prepared(&s);
    assert!(prepared.windows(2).all(|w| w[0].1 < w[1].1), "{prepared:?}");
    assert_eq!(
        prepared.len(),
        given_up.len() + 2,
        "two first rounds plus one per retry"
    );
    // "accept(6.0, A) reached two acceptors": A is chosen, by every learner; both clients told A.
    let sixth = prepared[prepared.len() - 2];
    assert_eq!((sixth.0, sixth.1), (0, Pn::new(6, 0)));
    assert_eq!(learned_by_all(&s).as_deref(), Some("A"));
    assert_eq!(reply(&s, 1), value("A"));
    assert_eq!(reply(&s, 2), value("A"));
}

#[test]
fn with_backoff_the_same_race_ends_after_one_round() {
    let (s, last) = play("bp-backoff");
    assert!(last.contains("after one round given up"), "{last}");
    assert_eq!(rounds_given_up(&s).len(), 1);
    // node.0 never prepared again: the chosen value reached it before its retry.
    let prepared = rounds_prepared(&s);
    assert_eq!(prepared, vec![(0, Pn::new(1, 0)), (1, Pn::new(1, 1))]);
    assert_eq!(learned_by_all(&s).as_deref(), Some("B"));
    assert_eq!(reply(&s, 1), value("B"));
    assert_eq!(reply(&s, 2), value("B"));
}

/// Tour `id`'s session run to `t_ms`.
fn at(id: &str, t_ms: u64) -> Session<BasicPaxos> {
    let mut s = Session::<BasicPaxos>::open(find(id).unwrap().scenario().unwrap());
    s.run_until(t_ms);
    s
}

#[test]
fn an_acceptor_that_fails_before_accepting_catches_up_through_a_new_round() {
    let (s, last) = play("bp-acceptor-fails-before");
    assert!(last.contains("its client is told A"), "{last}");
    // "node.2 restarts from its disk: promised 1.0, nothing accepted, nothing learned."
    let restarted = at("bp-acceptor-fails-before", 2001);
    let d = restarted.world().durable(2);
    assert_eq!(d.promised, Some(Pn::new(1, 0)));
    assert_eq!((d.accepted.clone(), d.learned.clone()), (None, None));
    // "A is chosen without node.2": chosen before node.2 restarted.
    let early = at("bp-acceptor-fails-before", 1999);
    assert_eq!(reply(&early, 1), value("A"));
    // "node.2 must propose A, not its own C."
    let from_2 = accepts_sent(&s, 2);
    assert!(!from_2.is_empty(), "node.2 reached phase 2");
    assert!(
        from_2.iter().all(|(n, v)| *n == Pn::new(1, 2) && v == "A"),
        "{from_2:?}"
    );
    assert_eq!(reply(&s, 2), value("A"));
    assert_eq!(learned_by_all(&s).as_deref(), Some("A"));
}

#[test]
fn an_acceptor_that_fails_after_accepting_keeps_the_decision_on_disk() {
    let (s, last) = play("bp-acceptor-fails-after");
    assert!(last.contains("Every node holds A"), "{last}");
    // "node.2 restarts from its disk: it still holds accepted (1.0, A)."
    let restarted = at("bp-acceptor-fails-after", 1301);
    let (n, v) = restarted.world().durable(2).accepted.clone().expect("kept");
    assert_eq!((n, &*v), (Pn::new(1, 0), "A"));
    // "node.1 must propose A": its only accept requests carry A, under 1.1.
    let from_1 = accepts_sent(&s, 1);
    assert!(!from_1.is_empty(), "node.1 reached phase 2");
    assert!(
        from_1.iter().all(|(n, v)| *n == Pn::new(1, 1) && v == "A"),
        "{from_1:?}"
    );
    assert_eq!(reply(&s, 1), value("A"));
    assert_eq!(reply(&s, 2), value("A"));
    assert_eq!(learned_by_all(&s).as_deref(), Some("A"));
}

#[test]
fn without_its_disk_the_acceptor_that_failed_after_accepting_lets_b_overwrite_a() {
    // The tour's claim: with `break forget-promise`, node.1 would propose B over a chosen A.
    let text = find("bp-acceptor-fails-after").unwrap().text;
    let broken = text.replacen(
        "set jitter_ms 0\n",
        "set jitter_ms 0\nbreak forget-promise\n",
        1,
    );
    assert_ne!(broken, text, "the break line was added");
    let scenario = paxoscope_core::scenario::parse(&broken).unwrap();
    let mut s = Session::<BasicPaxos>::open(scenario);
    s.run_until(4000);
    let v = s.violation().expect("the checker stops the run");
    assert!(v.to_string().contains("\"A\" was chosen"), "{v}");
    assert!(
        accepts_sent(&s, 1).iter().any(|(_, v)| v == "B"),
        "node.1 proposed B"
    );
}
