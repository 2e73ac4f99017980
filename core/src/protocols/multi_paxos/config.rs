//! The settings of a Multi-Paxos run (α, group commit, the first configuration, the timeouts)
//! and its deliberate bugs ("break the protocol").

use super::messages::Members;

/// Deliberate protocol bugs, each a switch in a real handler. The campaign must catch every
/// one through the checks a user relies on (replicas apply the same commands, the key-value
/// history is linearizable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutation {
    /// An acceptor's promise and accepted entries never reach the disk: a restart forgets
    /// them, and it answers the next leader as if it had accepted nothing.
    ForgetAccepted,
    /// An acceptor accepts an entry whose proposal id is below its promise.
    AcceptBelowPromise,
    /// A new leader fills every slot of its range with a no-op, ignoring the accepted values
    /// the promises reported (seed 001's danger: a no-op over a chosen value).
    NoopOverAccepted,
    /// The leader counts a slot chosen as soon as one acceptor (itself) accepted it.
    CommitOnOne,
    /// Proposal ids leave out the node: two candidates of one round share an id.
    IdWithoutNode,
    /// A replica that misses a slot applies the next one anyway (past the hole).
    ApplyPastHole,
}

impl Mutation {
    pub const ALL: [Mutation; 6] = [
        Mutation::ForgetAccepted,
        Mutation::AcceptBelowPromise,
        Mutation::NoopOverAccepted,
        Mutation::CommitOnOne,
        Mutation::IdWithoutNode,
        Mutation::ApplyPastHole,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mutation::ForgetAccepted => "forget-accepted",
            Mutation::AcceptBelowPromise => "accept-below-promise",
            Mutation::NoopOverAccepted => "noop-over-accepted",
            Mutation::CommitOnOne => "commit-on-one",
            Mutation::IdWithoutNode => "id-without-node",
            Mutation::ApplyPastHole => "apply-past-hole",
        }
    }

    pub fn from_name(name: &str) -> Option<Mutation> {
        Mutation::ALL.into_iter().find(|m| m.name() == name)
    }

    /// What the bug breaks, in Multi-Paxos's words.
    pub fn describe(self) -> &'static str {
        match self {
            Mutation::ForgetAccepted => {
                "acceptors keep their promise and accepted entries in memory only: a restart forgets them"
            }
            Mutation::AcceptBelowPromise => "acceptors accept entries with an id below their promise",
            Mutation::NoopOverAccepted => {
                "a new leader fills its whole range with no-ops, ignoring the accepted values reported"
            }
            Mutation::CommitOnOne => "the leader counts a slot chosen once one acceptor accepted it",
            Mutation::IdWithoutNode => {
                "proposal ids leave out the node, so two candidates can share one"
            }
            Mutation::ApplyPastHole => "a replica applies the next slot past a hole",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiConfig {
    /// Nodes `0..nodes`: every one a replica, an acceptor and a would-be leader.
    pub nodes: u8,
    /// The first configuration (the members whose majority decides a slot), until a
    /// configuration command in the log changes it.
    pub initial: Members,
    /// α: a slot may be proposed only below the first unchosen slot + α; a configuration
    /// command at slot i takes effect at slot i + α.
    pub alpha: u64,
    /// Group commit: the leader puts every queued command (up to `batch_max`) in one slot.
    pub group_commit: bool,
    pub batch_max: usize,
    /// The leader's heartbeat (also its commit watermark for lagging replicas).
    pub heartbeat_ms: u64,
    /// A member that hears no leader this long stands...
    pub leader_timeout_ms: u64,
    /// ... after an extra delay the simulator draws in `0..=backoff_ms` (randomized backoff, so
    /// two candidates do not duel forever).
    pub backoff_ms: u64,
    /// A leader resends what got no answer (prepare, accept) this often.
    pub resend_ms: u64,
    /// A replica re-forwards its clients' commands that are not applied yet this often.
    pub retry_ms: u64,
    /// At most this many chosen entries in one catch-up answer.
    pub catch_up_max: u64,
    pub mutations: std::collections::BTreeSet<Mutation>,
}

impl MultiConfig {
    /// `nodes` nodes, the first `members` in the first configuration, timeouts fit for a
    /// one-way latency of up to `max_latency_ms`.
    pub fn new(nodes: u8, members: u8, alpha: u64, max_latency_ms: u64) -> MultiConfig {
        assert!((1..=nodes).contains(&members), "1..=nodes members");
        assert!(alpha >= 1, "α is at least 1");
        let round_trip_ms = 2 * max_latency_ms.max(1);
        MultiConfig {
            nodes,
            initial: Members::first(members),
            alpha,
            group_commit: false,
            batch_max: 8,
            heartbeat_ms: 2 * round_trip_ms,
            leader_timeout_ms: 6 * round_trip_ms + 100,
            backoff_ms: 4 * round_trip_ms,
            resend_ms: 2 * round_trip_ms + 20,
            retry_ms: 4 * round_trip_ms + 50,
            catch_up_max: 64,
            mutations: Default::default(),
        }
    }

    pub fn broken(&self, m: Mutation) -> bool {
        self.mutations.contains(&m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_names_round_trip() {
        for m in Mutation::ALL {
            assert_eq!(Mutation::from_name(m.name()), Some(m));
        }
        assert_eq!(Mutation::from_name("nope"), None);
    }

    #[test]
    fn the_leader_times_out_well_after_several_heartbeats() {
        let c = MultiConfig::new(5, 5, 3, 30);
        assert!(c.leader_timeout_ms >= 3 * c.heartbeat_ms);
        assert_eq!(c.initial.len(), 5);
    }
}
