//! The one place where Basic Paxos touches Ceph's types. Until `actor::Protocol` carries a
//! protocol's own config and client request/reply types, `boot` receives Ceph's `Config` and
//! clients speak Ceph's `ClientRequest`/`ClientReply`; this file maps them, and nothing else
//! in `basic_paxos/` names a Ceph type.
//!
//! * Config: `monitors` is the number of nodes; every node is an acceptor and a learner and
//!   the first `proposers` (the scenario's line, else two) are proposers; the timeouts
//!   fit the simulated latency, jitter and the reordering delay. A proposer proposes when a
//!   client asks it to (`put 0 x A` proposes "A"), not on its own.
//! * Mutations: Ceph's switches stand in for Basic Paxos's of the same spirit
//!   (`mutation_for`), so a scenario can already break Basic Paxos.
//! * Clients: `put` to a proposer proposes its value and is answered with the chosen value
//!   (`value` reply, version 1) once known; `get` returns the node's learned value.

use super::config::{BasicConfig, Mutation};
use super::declaration::{ACCEPTOR, LEARNER, PROPOSER};
use super::messages::Value;
use super::node::{Effect, Node};
use crate::actor::{NodeStatus, Rank};
use crate::client::{ClientOp, ClientReply, ClientRequest};
use crate::protocols::ceph::config::Config as CephConfig;
use crate::scenario::ConfigKey;
use crate::scenario::Mutation as CephMutation;

/// The Basic Paxos configuration a scenario asks for: the shared settings through Ceph's
/// config, then its own (`retry_ms`, `backoff_ms`).
pub fn config_for(scenario: &crate::scenario::Scenario) -> BasicConfig {
    let c = crate::sim::world::config_for(scenario);
    let mut b = config_from_ceph(&c, scenario.proposer_count());
    for (key, value) in &scenario.overrides {
        match key {
            ConfigKey::RetryMs => b.retry_ms = *value,
            ConfigKey::BackoffMs => b.backoff_ms = *value,
            _ => {}
        }
    }
    b
}

/// The Basic Paxos configuration a Ceph-shaped scenario config stands for, with `proposers`
/// proposers (ranks `0..proposers`, at most the node count).
pub fn config_from_ceph(c: &CephConfig, proposers: u8) -> BasicConfig {
    // One-way latency at most: base + jitter, plus the reordering delay the world may add.
    let max_latency_ms = c.latency_ms * 9 + c.jitter_ms + 20;
    let proposers = proposers.min(c.monitors);
    let mut b = BasicConfig::all_roles(c.monitors, proposers, max_latency_ms);
    b.start_ms = None;
    b.mutations = c
        .mutations
        .iter()
        .filter_map(|m| mutation_for(*m))
        .collect();
    b
}

/// Ceph's mutation that stands in for a Basic Paxos one.
pub fn mutation_for(m: CephMutation) -> Option<Mutation> {
    Some(match m {
        CephMutation::ForgetAcceptedPn => Mutation::ForgetPromise,
        CephMutation::PromiseLowerPn => Mutation::AcceptBelowPromise,
        CephMutation::IgnoreUncommitted => Mutation::IgnorePromisedValue,
        CephMutation::CommitOnMajority => Mutation::LearnOnMinority,
        CephMutation::PnNotUnique => Mutation::ForgetRound,
        _ => return None,
    })
}

/// The inverse of `mutation_for`: what a scenario names to switch `m` on.
pub fn ceph_stand_in(m: Mutation) -> CephMutation {
    match m {
        Mutation::ForgetPromise => CephMutation::ForgetAcceptedPn,
        Mutation::AcceptBelowPromise => CephMutation::PromiseLowerPn,
        Mutation::IgnorePromisedValue => CephMutation::IgnoreUncommitted,
        Mutation::LearnOnMinority => CephMutation::CommitOnMajority,
        Mutation::ForgetRound => CephMutation::PnNotUnique,
    }
}

pub(super) fn on_client(node: &mut Node, req: ClientRequest, out: &mut Vec<Effect>) {
    match req.op {
        ClientOp::Put { value, .. } => {
            if !node.is_proposer() {
                let reason = format!(
                    "node {} is not a proposer (proposers: {})",
                    node.rank,
                    ranks(node.config.proposers.iter())
                );
                out.push(Effect::Reply {
                    req_id: req.id,
                    reply: ClientReply::Refused { reason },
                });
                return;
            }
            let p = node.proposer.as_mut().expect("a proposer");
            if let Some(v) = p.chosen.clone() {
                reply_chosen(&[req.id], &v, out);
                return;
            }
            p.clients.push(req.id);
            node.propose(value, out);
        }
        ClientOp::Get { .. } => out.push(Effect::Reply {
            req_id: req.id,
            reply: ClientReply::Value {
                value: node.durable.learned.clone(),
                version: u64::from(node.durable.learned.is_some()),
            },
        }),
        ClientOp::Cas { .. } => out.push(Effect::Reply {
            req_id: req.id,
            reply: ClientReply::Refused {
                reason: "Basic Paxos chooses one value: use put".into(),
            },
        }),
    }
}

pub(super) fn reply_chosen(clients: &[u64], v: &Value, out: &mut Vec<Effect>) {
    for &req_id in clients {
        out.push(Effect::Reply {
            req_id,
            reply: ClientReply::Value {
                value: Some(v.clone()),
                version: 1,
            },
        });
    }
}

fn ranks<'a>(rs: impl Iterator<Item = &'a Rank>) -> String {
    rs.map(|r| r.to_string()).collect::<Vec<_>>().join(", ")
}

/// The roles a node plays, as one name.
pub fn role_name(node: &Node) -> &'static str {
    match (node.is_proposer(), node.is_acceptor(), node.is_learner()) {
        (true, true, true) => "proposer+acceptor+learner",
        (true, true, false) => "proposer+acceptor",
        (true, false, true) => "proposer+learner",
        (true, false, false) => "proposer",
        (false, true, true) => "acceptor+learner",
        (false, true, false) => "acceptor",
        (false, false, true) => "learner",
        (false, false, false) => "bystander",
    }
}

/// The state shown as the node's phase: the proposer's if it proposes, else the acceptor's,
/// else the learner's.
pub fn phase_name(node: &Node) -> &'static str {
    if node.is_proposer() {
        node.state_name(PROPOSER)
    } else if node.is_acceptor() {
        node.state_name(ACCEPTOR)
    } else {
        node.state_name(LEARNER)
    }
}

pub fn status(node: &Node) -> NodeStatus {
    NodeStatus {
        role: role_name(node),
        phase: phase_name(node),
        epoch: node
            .proposer
            .as_ref()
            .and_then(|p| p.n)
            .map_or(0, |n| u64::from(n.round)),
        last_committed: u64::from(node.durable.learned.is_some()),
        first_committed: 0,
        leader: None,
        lease_left_ms: 0,
        readable: node.durable.learned.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ProtocolId;

    /// A scenario names each Basic Paxos bug as the protocol does (`break forget-promise`), and
    /// it switches on that bug.
    #[test]
    fn the_scenario_names_each_stand_in_as_the_bug_it_switches_on() {
        let basic = ProtocolId::BasicPaxos;
        for m in CephMutation::ALL {
            let named = basic.mutation_name(m);
            assert_eq!(named, mutation_for(m).map(Mutation::name), "{}", m.name());
        }
        for m in Mutation::ALL {
            assert_eq!(mutation_for(ceph_stand_in(m)), Some(m));
        }
    }

    #[test]
    fn the_proposer_count_comes_from_the_scenario() {
        let mut s = crate::scenario::parse(
            "paxoscope scenario v1\nprotocol basic-paxos\nproposers 3\nset monitors 4\n",
        )
        .expect("parses");
        assert_eq!(config_for(&s).proposers, [0, 1, 2].into());
        assert_eq!(config_for(&s).acceptors.len(), 4);
        s.proposers = None;
        assert_eq!(config_for(&s).proposers, [0, 1].into());
    }
}
