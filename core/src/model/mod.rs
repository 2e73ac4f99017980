//! Exhaustive, bounded exploration of three real monitors (`protocols::ceph::Monitor`, driven through
//! the `Protocol` trait, not a re-implementation), with the safety rules of spec section 14
//! checked in every state and every step. See docs/model-checking.md.
//!
//! * `state`: a model state (monitors, FIFO links, who is up, ghost variables, budgets), the
//!   actions, and the time normalisation.
//! * `step`: which actions a state allows and what one does (the real handler, its effects
//!   interpreted).
//! * `invariants`: state predicates and step rules.
//! * `explore`: breadth-first search over fingerprints, shortest counterexamples.
//! * `fx`: the fixed hasher of every protocol's explorer tables.
//! * `fingerprint`: deterministic 128-bit fingerprints through serde, interning tables.
//!
//! Time: one global clock, perfect (no skew, no drift). It advances only when a timer fires,
//! and only to the earliest armed deadline; deliveries, losses, crashes, restarts and client
//! requests take no time. So every timer fires exactly on time, in deadline order. With
//! `quiet_timers` (the default) a timer fires only while no message is in flight (delay below
//! every timeout; a late message is a lost one); without, delay is unbounded.
//!
//! The visited set is a `HashSet` keyed by fingerprints with a fixed hasher; it is only ever
//! queried, never iterated, so the exploration order (breadth-first, actions in a fixed order)
//! and every figure are deterministic.

pub mod explore;
pub mod fingerprint;
pub mod fx;
pub mod invariants;
pub mod state;
pub mod step;

pub use explore::{explore, explore_from, find_state, replay, Counterexample, PathStep, Report};
pub use state::{Action, State, N};
pub use step::{Model, Step};

use crate::scenario::Mutation;

/// The bounds of one exploration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelConfig {
    /// Actions from the boot state; states at this depth are checked but not expanded.
    pub depth: u32,
    /// Stop after this many distinct states.
    pub max_states: u64,
    /// Elections beyond the start state: states where an epoch exceeds the start's highest
    /// epoch by more than `2 * elections` are checked but not expanded.
    pub elections: u64,
    /// States with more messages than this on one link are checked but not expanded.
    pub link_capacity: usize,
    /// Messages that may be lost (the head of a link), in total.
    pub losses: u8,
    /// Messages that may be delivered twice, in total (0 over Ceph's messenger).
    pub duplicates: u8,
    /// Deliveries that may overtake an older message on the same link (0 over Ceph's messenger).
    pub reorders: u8,
    pub crashes: u8,
    pub restarts: u8,
    /// Client puts (`x=1`, `x=2`, ...), each sent to any running monitor at any time.
    pub puts: u8,
    /// A client reads `x` at any leader or peon in any state (reads change nothing, so they
    /// add transitions, not states).
    pub reads: bool,
    /// Protocol bugs switched on.
    pub mutations: Vec<Mutation>,
    /// Timers fire only when no message is in flight: every message is delivered or lost
    /// before the next timeout (network delay below every timeout). Off: delay is unbounded.
    pub quiet_timers: bool,
    /// Start from the stable quorum the canonical schedule reaches (see `Model::initial`)
    /// instead of the boot state.
    pub start_in_quorum: bool,
}

impl ModelConfig {
    /// Ceph's messenger: FIFO links that may lose one message, one crash and one restart, two
    /// client puts, one election beyond the stable quorum it starts from, timers on a quiet
    /// network. Exhaustive: about 4.4 million states, every one within the bounds expanded.
    pub fn fifo() -> ModelConfig {
        ModelConfig {
            depth: 100,
            max_states: 6_000_000,
            elections: 1,
            link_capacity: 3,
            losses: 1,
            duplicates: 0,
            reorders: 0,
            crashes: 1,
            restarts: 1,
            puts: 2,
            reads: true,
            mutations: Vec::new(),
            start_in_quorum: true,
            quiet_timers: true,
        }
    }

    /// Beyond the messenger's guarantees: one duplicated and one reordered delivery, from boot
    /// (the first election's recovery is where a duplicate LAST matters), no loss, crash or put.
    pub fn dup_reorder() -> ModelConfig {
        ModelConfig {
            max_states: 3_000_000,
            losses: 0,
            duplicates: 1,
            reorders: 1,
            crashes: 0,
            restarts: 0,
            puts: 0,
            elections: 2,
            start_in_quorum: false,
            ..ModelConfig::fifo()
        }
    }

    /// One line naming every bound.
    pub fn describe(&self) -> String {
        let muts: Vec<&str> = self.mutations.iter().map(|m| m.name()).collect();
        format!(
            "3 monitors from {}; {}; depth {} actions; at most {} states; {} more election(s); <= {} messages per link; \
             losses {}, duplicates {}, reorders {}, crashes {}, restarts {}, client puts {}, reads {}; mutations: {}",
            if self.start_in_quorum { "the stable quorum" } else { "boot" },
            if self.quiet_timers { "timers fire on a quiet network" } else { "message delay unbounded" },
            self.depth,
            self.max_states,
            self.elections,
            self.link_capacity,
            self.losses,
            self.duplicates,
            self.reorders,
            self.crashes,
            self.restarts,
            self.puts,
            if self.reads { "anywhere" } else { "none" },
            if muts.is_empty() { "none".to_string() } else { muts.join(", ") }
        )
    }
}
