//! The one place where Multi-Paxos touches Ceph's types and the scenario's settings: the
//! node count, latency and jitter come from the simulator's (Ceph-shaped) config, α, group
//! commit, the first configuration and the leader timeout from the scenario's own `set`
//! lines; Ceph's mutation switches stand in for Multi-Paxos's bugs of the same spirit
//! (`mutation_for`); clients speak Ceph's `ClientRequest`/`ClientReply` (node.rs answers a
//! command once the replica the client asked applies it).

use super::config::{MultiConfig, Mutation};
use super::node::Node;
use crate::actor::NodeStatus;
use crate::scenario::{Allowance, ConfigKey, Mutation as CephMutation, Scenario};

/// α when the scenario sets none (the default).
pub const DEFAULT_ALPHA: u64 = 3;

/// The Multi-Paxos configuration a scenario asks for.
pub fn config_for(scenario: &Scenario) -> MultiConfig {
    let c = crate::sim::world::config_for(scenario);
    let get = |k: ConfigKey| {
        scenario
            .overrides
            .iter()
            .rev()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| *v)
    };
    // One-way latency at most: base + jitter, plus the reordering delay the world adds when
    // the scenario allows reordering.
    let reorder = scenario.allowances.contains(&Allowance::Reorder);
    let extra_ms = if reorder { c.latency_ms * 8 + 20 } else { 0 };
    let max_latency_ms = c.latency_ms + c.jitter_ms + extra_ms;
    let members = get(ConfigKey::Members).map_or(c.monitors, |m| (m as u8).min(c.monitors));
    let alpha = get(ConfigKey::Alpha).unwrap_or(DEFAULT_ALPHA);
    let mut m = MultiConfig::new(c.monitors, members, alpha, max_latency_ms);
    m.group_commit = get(ConfigKey::GroupCommit) == Some(1);
    if let Some(t) = get(ConfigKey::LeaderTimeoutMs) {
        m.leader_timeout_ms = t;
    }
    m.mutations = c
        .mutations
        .iter()
        .filter_map(|m| mutation_for(*m))
        .collect();
    m
}

/// Ceph's mutation that stands in for a Multi-Paxos one.
pub fn mutation_for(m: CephMutation) -> Option<Mutation> {
    Some(match m {
        CephMutation::ForgetAcceptedPn => Mutation::ForgetAccepted,
        CephMutation::PromiseLowerPn => Mutation::AcceptBelowPromise,
        CephMutation::IgnoreUncommitted => Mutation::NoopOverAccepted,
        CephMutation::CommitOnMajority => Mutation::CommitOnOne,
        CephMutation::PnNotUnique => Mutation::IdWithoutNode,
        CephMutation::RecoverOnMajority => Mutation::ApplyPastHole,
        _ => return None,
    })
}

/// The inverse of `mutation_for`: what a scenario names to switch `m` on.
pub fn ceph_stand_in(m: Mutation) -> CephMutation {
    match m {
        Mutation::ForgetAccepted => CephMutation::ForgetAcceptedPn,
        Mutation::AcceptBelowPromise => CephMutation::PromiseLowerPn,
        Mutation::NoopOverAccepted => CephMutation::IgnoreUncommitted,
        Mutation::CommitOnOne => CephMutation::CommitOnMajority,
        Mutation::IdWithoutNode => CephMutation::PnNotUnique,
        Mutation::ApplyPastHole => CephMutation::RecoverOnMajority,
    }
}

pub fn status(node: &Node) -> NodeStatus {
    NodeStatus {
        role: node.state_name(),
        phase: if node.is_leader() {
            "phase 2"
        } else if node.lead.is_some() {
            "phase 1"
        } else {
            "replica"
        },
        epoch: node.highest.map_or(0, |h| u64::from(h.round)),
        last_committed: node.applied,
        first_committed: 0,
        leader: node.leader,
        lease_left_ms: 0,
        readable: node.is_member(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ProtocolId;

    /// A scenario names each Multi-Paxos bug as the protocol does, and it switches on that bug.
    #[test]
    fn the_scenario_names_each_stand_in_as_the_bug_it_switches_on() {
        let multi = ProtocolId::MultiPaxos;
        for m in CephMutation::ALL {
            assert_eq!(
                multi.mutation_name(m),
                mutation_for(m).map(Mutation::name),
                "{}",
                m.name()
            );
        }
        for m in Mutation::ALL {
            assert_eq!(mutation_for(ceph_stand_in(m)), Some(m));
        }
    }

    #[test]
    fn alpha_group_commit_and_members_come_from_the_scenario() {
        let s = crate::scenario::parse(
            "paxoscope scenario v1\nprotocol multi-paxos\nset monitors 5\nset members 3\nset alpha 5\nset group_commit 1\n",
        )
        .expect("parses");
        let c = config_for(&s);
        assert_eq!(
            (c.nodes, c.initial.len(), c.alpha, c.group_commit),
            (5, 3, 5, true)
        );
        let plain = crate::scenario::parse("paxoscope scenario v1\nprotocol multi-paxos\n")
            .expect("parses");
        let c = config_for(&plain);
        assert_eq!((c.alpha, c.group_commit), (DEFAULT_ALPHA, false));
        assert_eq!(c.initial.len(), usize::from(c.nodes));
    }
}
