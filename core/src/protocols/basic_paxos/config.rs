//! Who plays which role, the timeouts, and the deliberate bugs ("break the protocol").

use crate::actor::Rank;
use crate::sorted::SortedSet;

/// Deliberate protocol bugs, each a switch in a real handler. The campaign must catch every
/// one through the checks a user relies on (two values chosen, learners that disagree).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutation {
    /// An acceptor's writes never reach the disk (no sync): a restart loses its promise and
    /// its accepted proposal, and it answers as if it had never promised or accepted.
    ForgetPromise,
    /// An acceptor accepts a proposal numbered below its promise.
    AcceptBelowPromise,
    /// A proposer ignores the accepted proposals reported in the promises and proposes its own value.
    IgnorePromisedValue,
    /// A learner decides as soon as one acceptor (a minority) accepted a proposal.
    LearnOnMinority,
    /// A proposer keeps its round in memory only: after a restart it reuses proposal numbers.
    ForgetRound,
}

impl Mutation {
    pub const ALL: [Mutation; 5] = [
        Mutation::ForgetPromise,
        Mutation::AcceptBelowPromise,
        Mutation::IgnorePromisedValue,
        Mutation::LearnOnMinority,
        Mutation::ForgetRound,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mutation::ForgetPromise => "forget-promise",
            Mutation::AcceptBelowPromise => "accept-below-promise",
            Mutation::IgnorePromisedValue => "ignore-promised-value",
            Mutation::LearnOnMinority => "learn-on-minority",
            Mutation::ForgetRound => "forget-round",
        }
    }

    pub fn from_name(name: &str) -> Option<Mutation> {
        Mutation::ALL.into_iter().find(|m| m.name() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicConfig {
    /// Nodes `0..nodes`; each plays one or more roles below.
    pub nodes: u8,
    /// 1 to 3 proposers. Proposer `i` (in rank order) proposes the value `A`, `B`, `C`.
    pub proposers: SortedSet<Rank>,
    /// 3 to 7 acceptors (any number ≥ 1 works; the issue asks for 3–7).
    pub acceptors: SortedSet<Rank>,
    pub learners: SortedSet<Rank>,
    /// Proposers propose their own value this long after boot (`None`: only when a client or a
    /// test asks). Proposer `i` starts `i × start_stagger_ms` later.
    pub start_ms: Option<u64>,
    pub start_stagger_ms: u64,
    /// A phase with no majority after this long is given up.
    pub phase_timeout_ms: u64,
    /// A given-up round is retried after this long...
    pub retry_ms: u64,
    /// ... plus a delay the simulator draws uniformly in `0..=backoff_ms` (randomized backoff;
    /// 0: off, and two proposers with equal timings can duel forever).
    pub backoff_ms: u64,
    /// A learner that knows nothing asks the other learners this often (0: never).
    pub ask_ms: u64,
    pub mutations: SortedSet<Mutation>,
}

impl BasicConfig {
    /// `nodes` nodes, each an acceptor and a learner; the first `proposers` also propose.
    /// Timeouts fit a one-way latency of up to `max_latency_ms`.
    pub fn all_roles(nodes: u8, proposers: u8, max_latency_ms: u64) -> BasicConfig {
        assert!((1..=nodes).contains(&proposers), "1..=nodes proposers");
        let round_trip_ms = 2 * max_latency_ms.max(1);
        BasicConfig {
            nodes,
            proposers: (0..proposers).collect(),
            acceptors: (0..nodes).collect(),
            learners: (0..nodes).collect(),
            start_ms: Some(10),
            start_stagger_ms: 0,
            phase_timeout_ms: 2 * round_trip_ms + 20,
            retry_ms: round_trip_ms,
            backoff_ms: 4 * round_trip_ms,
            ask_ms: 10 * round_trip_ms,
            mutations: SortedSet::new(),
        }
    }

    /// A majority of the acceptors.
    pub fn majority(&self) -> usize {
        self.acceptors.len() / 2 + 1
    }

    pub fn broken(&self, m: Mutation) -> bool {
        self.mutations.contains(&m)
    }

    /// The value proposer `rank` proposes unless it must take over another: `A` for the
    /// first proposer, `B` for the second, ...
    pub fn own_value(&self, rank: Rank) -> Option<&'static str> {
        const VALUES: [&str; 8] = ["A", "B", "C", "D", "E", "F", "G", "H"];
        let i = self.proposers.iter().position(|p| *p == rank)?;
        VALUES.get(i).copied()
    }

    /// Position of `rank` among the proposers.
    pub fn proposer_index(&self, rank: Rank) -> Option<usize> {
        self.proposers.iter().position(|p| *p == rank)
    }

    /// Roles inside `0..nodes`, at least one proposer and one acceptor.
    pub fn validate(&self) -> Result<(), String> {
        let all = [
            ("proposer", &self.proposers),
            ("acceptor", &self.acceptors),
            ("learner", &self.learners),
        ];
        for (role, set) in all {
            if let Some(r) = set.iter().find(|r| **r >= self.nodes) {
                return Err(format!(
                    "{role} {r} is not a node (nodes are 0..{})",
                    self.nodes
                ));
            }
        }
        if self.proposers.is_empty() || self.acceptors.is_empty() {
            return Err("Basic Paxos needs at least one proposer and one acceptor".into());
        }
        if self.proposers.len() > 8 {
            return Err("at most 8 proposers (values A to H)".into());
        }
        Ok(())
    }
}
