//! Exhaustive, bounded exploration of three real monitors (`protocols::ceph::Monitor`, driven through
//! the `Protocol` trait, not a re-implementation), with the safety rules of spec section 14
//! checked in every state and every step. See docs/model-checking.md.
//!
//! * `state`: a model state (monitors, FIFO links, who is up, ghost variables, budgets), the
//!   actions, and the time normalisation.
//! * `step`: which actions a state allows and what one does (the real handler, its effects
//!   interpreted).
//! * `invariants`: state predicates and step rules.
//! * `directed`: a prefix of the model's own steps to a bug's precondition, then a search.
//! * `explore`: breadth-first search over fingerprints, shortest counterexamples.
//! * `memo`: memoised handler calls, canonical monitors and messages.
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

pub mod directed;
pub mod explore;
pub mod fingerprint;
pub mod fx;
pub mod invariants;
pub mod memo;
pub mod state;
pub mod step;

pub use explore::{explore, explore_from, find_state, replay, Counterexample, PathStep, Report};
pub use state::{Action, State, N};
pub use step::{Model, Step};

use crate::scenario::Mutation;

/// The order in which an explorer expands the states it has reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Search {
    /// Breadth first: every state at depth d before any at d + 1, so the first violation found
    /// has a shortest path, and a run stopped by the state budget has covered every shallow
    /// path. The default.
    #[default]
    Bfs,
    /// Depth first over the same visited set: the newest state reached is expanded next, so
    /// the search runs down long paths at once (a bug three elections deep) at the cost of
    /// shortest paths. Exhaustive as well when it finishes within the bounds (it visits the
    /// same set of states); stopped early, it has covered a few deep paths instead of every
    /// shallow one.
    Dfs,
}

impl Search {
    /// `bfs` or `dfs`, as the CLI spells them.
    pub fn from_name(name: &str) -> Option<Search> {
        match name {
            "bfs" => Some(Search::Bfs),
            "dfs" => Some(Search::Dfs),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Search::Bfs => "breadth-first",
            Search::Dfs => "depth-first",
        }
    }
}

/// The explorers' work list: a queue (breadth first) or a stack (depth first).
pub struct Frontier<T> {
    search: Search,
    items: std::collections::VecDeque<T>,
}

impl<T> Frontier<T> {
    pub fn new(search: Search) -> Frontier<T> {
        Frontier {
            search,
            items: std::collections::VecDeque::new(),
        }
    }

    pub fn push(&mut self, item: T) {
        self.items.push_back(item);
    }

    /// The next state to expand: the oldest (breadth first) or the newest (depth first).
    pub fn pop(&mut self) -> Option<T> {
        match self.search {
            Search::Bfs => self.items.pop_front(),
            Search::Dfs => self.items.pop_back(),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

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
    /// Client compare-and-sets of `x` (`Action::Cas`), each expecting the latest put's value
    /// or a stale one, sent to any leader or peon at any time.
    pub cas: u8,
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
    /// Breadth first (shortest counterexamples) or depth first (long paths early).
    pub search: Search,
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
            cas: 0,
            reads: true,
            mutations: Vec::new(),
            start_in_quorum: true,
            quiet_timers: true,
            search: Search::Bfs,
        }
    }

    /// The default check's third phase (docs/model-checking.md, "The default check"): one put
    /// and one compare-and-set, which the first phase's clients do not send (so its counts stay
    /// comparable with earlier figures), breadth first from the stable quorum; once with a
    /// crash and restart but no loss, once with a loss but no crash. Both are exhaustive.
    pub fn compare_and_set() -> [(&'static str, ModelConfig); 2] {
        let cas = |crashes, losses| ModelConfig {
            puts: 1,
            cas: 1,
            crashes,
            restarts: crashes,
            losses,
            ..ModelConfig::fifo()
        };
        [
            ("cas with a crash", cas(1, 0)),
            ("cas with a loss", cas(0, 1)),
        ]
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
             losses {}, duplicates {}, reorders {}, crashes {}, restarts {}, client puts {}{}, reads {}; mutations: {}{}",
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
            if self.cas > 0 { format!(", compare-and-sets {}", self.cas) } else { String::new() },
            if self.reads { "anywhere" } else { "none" },
            if muts.is_empty() { "none".to_string() } else { muts.join(", ") },
            match self.search {
                Search::Bfs => "",
                Search::Dfs => "; depth-first search",
            }
        )
    }
}
