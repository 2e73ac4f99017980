//! The Multi-Paxos model check (protocols/multi_paxos/model.rs): exact state counts of small
//! bounds (3 servers, α = 2), pinned so that a change to the handlers or the explorer that adds
//! or loses states shows here, and the deliberate bugs it finds. The rules checked in every
//! state are the run checker's (`rules::facts::Facts`).

use paxoscope_core::protocols::multi_paxos::model::{check, model_config, Bounds, Report};
use paxoscope_core::protocols::multi_paxos::Mutation;

fn bounds(max_round: u32, crashes: u8, commands: u8, losses: u8, client_nodes: u8) -> Bounds {
    Bounds {
        max_round,
        crashes,
        commands,
        losses,
        client_nodes,
        ..Bounds::default()
    }
}

fn run(mutation: Option<Mutation>, b: Bounds) -> Report {
    let t0 = std::time::Instant::now();
    let r = check(model_config(mutation), b.clone());
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "{b:?}: {} states, {:.0} states/s",
        r.states,
        r.states as f64 / secs.max(1e-9)
    );
    r
}

#[test]
fn small_bounds_have_these_exact_state_counts() {
    let cases = [
        // (rounds, crashes, commands, losses, nodes the client talks to, states)
        // Two puts from a client at node.0, one election: α = 2 lets both be in flight.
        (1, 0, 2, 0, 1, 191_221),
        // One put, and a leader change (round 2) on top of the first election.
        (2, 0, 1, 0, 1, 160_438),
        // One put at any of the three nodes, one message lost.
        (1, 0, 1, 1, 3, 24_898),
    ];
    for (rounds, crashes, commands, losses, at, states) in cases {
        let r = run(None, bounds(rounds, crashes, commands, losses, at));
        let what = format!("{rounds} rounds, {crashes} crashes, {commands} puts, {losses} losses");
        assert!(r.violation.is_none(), "{what}: {:?}", r.violation);
        assert!(r.complete, "{what}: cut short");
        assert_eq!(r.states, states, "{what}");
        assert!(
            r.all_applied_states > 0,
            "{what}: some state has every put applied on every node"
        );
    }
}

/// Blind (only the replicas' applied sequences are compared, what a user sees), a leader change
/// finds the bugs of the handlers that a new leader or a replica makes, with a path.
#[test]
fn the_model_check_catches_canaries_through_the_replicas_sequences() {
    for m in [
        Mutation::NoopOverAccepted,
        Mutation::CommitOnOne,
        Mutation::ApplyPastHole,
    ] {
        let b = Bounds {
            blind: true,
            ..bounds(2, 0, 1, 0, 1)
        };
        let r = run(Some(m), b);
        let (v, path) = r
            .violation
            .unwrap_or_else(|| panic!("{} not caught in {} states", m.name(), r.states));
        assert_eq!(
            v.rule,
            "replicas-apply-the-same-sequence",
            "{}: {v}",
            m.name()
        );
        assert!(path.len() > 3, "{}: {path:?}", m.name());
    }
}

/// With every rule on, the rule written for a bug names it first: seed 001's danger, a new
/// leader's no-op over a chosen put, and two candidates sharing one proposal id.
#[test]
fn the_rules_name_the_noop_over_a_chosen_put_and_a_shared_id() {
    let cases = [
        (Mutation::NoopOverAccepted, "noop-never-replaces-chosen"),
        (Mutation::IdWithoutNode, "proposal-ids-unique"),
    ];
    for (m, rule) in cases {
        let r = run(Some(m), bounds(2, 0, 1, 0, 1));
        let (v, path) = r.violation.expect("caught");
        assert_eq!(v.rule, rule, "{}: {v}", m.name());
        assert!(path.iter().any(|s| s.contains("prepare")), "{path:?}");
    }
}
