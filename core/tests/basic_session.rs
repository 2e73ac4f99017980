//! A Basic Paxos run as the front ends drive it: `Session<BasicPaxos>` with the protocol's own
//! run checker, its trace hash, time travel and forks, and the checker's rules switched off.

use paxoscope_core::actor::{Protocol, RunChecker};
use paxoscope_core::protocols::basic_paxos::checker::INVARIANTS;
use paxoscope_core::protocols::basic_paxos::BasicPaxos;
use paxoscope_core::protocols::ceph::messages::ClientReply;
use paxoscope_core::scenario::{Action, ProtocolId, Scenario, TimedAction};
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;

fn put(at_ms: u64, node: u8, value: &str) -> TimedAction {
    TimedAction {
        at_ms,
        action: Action::Put {
            node,
            key: "x".into(),
            value: value.into(),
        },
    }
}

/// Two proposers asked at the same millisecond, one of the five acceptors down for a while.
fn dueling(seed: u64) -> Scenario {
    let mut actions = vec![put(1_000, 0, "A"), put(1_000, 1, "B")];
    actions.push(TimedAction {
        at_ms: 1_005,
        action: Action::Crash(4),
    });
    actions.push(TimedAction {
        at_ms: 4_000,
        action: Action::Restart(4),
    });
    Scenario {
        protocol: ProtocolId::BasicPaxos,
        seed,
        actions,
        ..Scenario::default()
    }
}

fn run(scenario: Scenario, until_ms: u64) -> Session<BasicPaxos> {
    let mut s = Session::<BasicPaxos>::open(scenario);
    s.run_until(until_ms);
    s
}

/// Each node's decision, from its disk (`None`: it has not learned one).
fn learned(s: &Session<BasicPaxos>) -> Vec<Option<String>> {
    (0..s.world().n())
        .map(|r| s.world().durable(r).learned.as_deref().map(str::to_string))
        .collect()
}

#[test]
fn a_basic_paxos_session_chooses_one_value_every_node_learns_and_the_clients_hear_it() {
    let s = run(dueling(3), 20_000);
    assert_eq!(s.violation(), None);
    let decisions = learned(&s);
    let v = decisions[0].clone().expect("node 0 learned a value");
    assert!(v == "A" || v == "B", "a proposed value is chosen: {v}");
    assert!(
        decisions.iter().all(|d| d.as_deref() == Some(v.as_str())),
        "every node learned {v}: {decisions:?}"
    );
    let answers: Vec<&ClientReply> = s
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::ClientReply { reply, .. } => Some(reply),
            _ => None,
        })
        .collect();
    assert_eq!(answers.len(), 2, "both proposers answered their client");
    for a in answers {
        assert_eq!(
            a,
            &ClientReply::Value {
                value: Some(v.as_str().into()),
                version: 1
            },
            "each client hears the chosen value, not necessarily its own"
        );
    }
}

#[test]
fn the_same_scenario_hashes_the_same_and_another_seed_differently() {
    let a = run(dueling(3), 10_000);
    let b = run(dueling(3), 10_000);
    let c = run(dueling(4), 10_000);
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert_eq!(a.trace().len(), b.trace().len());
    assert_ne!(a.trace_hash(), c.trace_hash());
}

#[test]
fn time_travel_and_a_fork_replay_exactly() {
    let mut s = Session::<BasicPaxos>::open_with(dueling(3), true, 20);
    s.run_until(10_000);
    let hash = s.trace_hash();
    let reference = run(dueling(3), 1_500);
    s.seek(1_500);
    assert_eq!(s.now_ms(), 1_500);
    for r in 0..5 {
        assert_eq!(s.world().status(r), reference.world().status(r), "node {r}");
    }
    s.run_until(10_000);
    assert_eq!(
        s.trace_hash(),
        hash,
        "replaying the known future adds nothing"
    );

    s.seek(1_002);
    s.inject(Action::Crash(0)).expect("node 0 exists");
    s.run_until(10_000);
    let replay = run(s.scenario().clone(), 10_000);
    assert_eq!(
        s.trace_hash(),
        replay.trace_hash(),
        "the forked run equals a fresh replay of its scenario"
    );
    assert_ne!(s.trace_hash(), hash);
}

#[test]
fn the_checker_lists_its_rules_and_switches_them_off() {
    let mut s = run(dueling(3), 1_000);
    let c = s.checker();
    assert_eq!(
        <BasicPaxos as Protocol>::Checker::INVARIANTS,
        &INVARIANTS[..]
    );
    assert!(INVARIANTS.iter().all(|r| c.checks(r)));
    assert!(
        !c.checks("commit-needs-every-accept"),
        "a Ceph rule is not Basic's"
    );
    let mut c = c.clone();
    assert!(c.disable("one-value-chosen").is_ok());
    assert!(!c.checks("one-value-chosen"));
    let err = c.disable("agreement").unwrap_err();
    assert!(err.contains("one-value-chosen"), "{err}");
    s.disable_all_invariants();
    assert!(INVARIANTS.iter().all(|r| !s.checker().checks(r)));
}
