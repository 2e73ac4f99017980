//! The checker: the safety invariants of the spec (section 14), asserted after every event,
//! one per file, plus a linearizability check of the client history.
//!
//! `Checker::after_step` first records what the step showed (`facts.rs`: messages sent and
//! delivered, stores written, states entered), then runs each invariant. A violation names
//! the invariant, the event, the time and the node, so the run can be replayed from its seed.

pub mod archived;
pub mod facts;
pub mod linearizability;

mod agreement;
mod all_member;
mod contiguity;
pub mod elections;
pub mod epochs;
mod fifo;
mod monotonic;
pub(crate) mod persist_before_send;
mod pn;
pub mod reads;
pub mod service;
pub mod timeouts;
mod uncommitted;

use crate::actor::{Rank, RunChecker};
use crate::protocols::ceph::Ceph;
use crate::sim::World;
use crate::sorted::SortedSet;
use crate::trace::TraceEvent;
use facts::Facts;
use serde::{Deserialize, Serialize};

/// A broken rule of the protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The invariant's name, e.g. `commit-needs-every-accept`.
    pub invariant: String,
    pub event: u64,
    pub t_ms: u64,
    pub node: Option<Rank>,
    pub detail: String,
    pub seed: u64,
}

impl Violation {
    /// Rule `rule` broken by the world's latest step (no node named: the rule's detail says
    /// which).
    pub fn at<P: crate::actor::Protocol>(
        world: &crate::sim::World<P>,
        rule: &str,
        detail: String,
    ) -> Violation {
        Violation {
            invariant: rule.to_string(),
            event: world.events(),
            t_ms: world.now_ms(),
            node: None,
            detail,
            seed: world.seed,
        }
    }
}

/// The rule of `rules` named `invariant`, or an error that lists them (`what`: how the
/// protocol calls its rules): the one check behind every checker's `disable`.
pub fn rule_named(
    rules: &[&'static str],
    invariant: &str,
    what: &str,
) -> Result<&'static str, String> {
    rules
        .iter()
        .copied()
        .find(|n| *n == invariant)
        .ok_or_else(|| {
            format!(
                "no {what} named {invariant:?} (expected one of: {})",
                rules.join(", ")
            )
        })
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let node = self.node.map(|n| format!(", mon.{n}")).unwrap_or_default();
        write!(
            f,
            "invariant `{}` broken at event {} (t={} ms{node}): {}",
            self.invariant, self.event, self.t_ms, self.detail
        )
    }
}

/// What an invariant returns when it fails: its name, the node and a sentence.
#[derive(Clone)]
pub struct Broken {
    pub invariant: &'static str,
    pub node: Option<Rank>,
    pub detail: String,
}

pub type Check = Result<(), Broken>;

pub(crate) fn broken(invariant: &'static str, node: Rank, detail: String) -> Check {
    Err(Broken {
        invariant,
        node: Some(node),
        detail,
    })
}

/// The names of every invariant, for the UI's list and the docs.
pub const INVARIANTS: [&str; 23] = [
    agreement::NAME,
    contiguity::NAME,
    monotonic::NAME,
    all_member::COMMIT,
    all_member::RECOVERY,
    pn::ONE_VALUE,
    pn::SHAPE,
    pn::PROMISES,
    persist_before_send::NAME,
    uncommitted::NAME,
    epochs::PARITY,
    epochs::FILTER,
    epochs::LEADER,
    reads::WITHIN,
    reads::ACROSS,
    reads::UNDER_LEASE,
    service::READS_SERVED,
    service::WRITES_TAKEN,
    timeouts::NAME,
    fifo::NAME,
    elections::NEVER_LEADS,
    elections::DEFERS_TO_BETTER,
    elections::SCORES_IN_RANGE,
];

/// The invariant written to catch each mutation canary; `None` when no rule of the run's
/// checker can (a compare-and-set that ignores its expectation is seen by linearizability).
pub fn rule_for(m: crate::scenario::Mutation) -> Option<&'static str> {
    use crate::scenario::Mutation as M;
    match m {
        M::CommitOnMajority => Some(all_member::COMMIT),
        M::ForgetAcceptedPn => Some(persist_before_send::NAME),
        M::PromiseLowerPn => Some(pn::PROMISES),
        M::ReadAfterLeaseExpiry => Some(reads::UNDER_LEASE),
        M::KeepLeaseOnBegin => Some(reads::WITHIN),
        M::IgnoreUncommitted => Some(uncommitted::NAME),
        M::PnNotUnique => Some(pn::SHAPE),
        M::RecoverOnMajority => Some(all_member::RECOVERY),
        M::PeonCommitsOwnValue => Some(agreement::NAME),
        M::PeonRefusesReads => Some(service::READS_SERVED),
        M::RefuseWrites => Some(service::WRITES_TAKEN),
        M::LeaderNeverStepsDown => Some(timeouts::NAME),
        M::CasIgnoresExpected => None,
    }
}

/// Why no client can ever see a mutation canary, when that is so: the bug breaks its rule,
/// but another mechanism of Ceph's protocol keeps every committed value and every answer
/// correct (blind canaries survive; see docs/campaign.md). `None`: a client can see it.
pub fn masked_by(m: crate::scenario::Mutation) -> Option<&'static str> {
    use crate::scenario::Mutation as M;
    match m {
        M::ForgetAcceptedPn => Some(
            "epochs: a monitor that restarts takes part in a new election before it accepts \
             anything, so the older leader whose BEGIN a forgotten promise would let in is \
             filtered out by its older epoch",
        ),
        M::PromiseLowerPn => Some(
            "epochs and FIFO sessions: within an epoch only its one leader sends COLLECT, and its \
             lower pn cannot arrive after its higher one",
        ),
        M::PnNotUnique => Some(
            "epochs: one leader per epoch, and every Paxos message is filtered by its epoch \
             before its pn is compared",
        ),
        M::RecoverOnMajority => Some(
            "commit needs every quorum member: a committed value is stored on a majority, so \
             the LASTs of any majority include it; a value missing from them was never committed",
        ),
        _ => None,
    }
}

#[derive(Clone, Debug, Default)]
pub struct Checker {
    facts: Facts,
    /// The first broken timing claim of the run, if any.
    findings: Vec<Violation>,
    /// Invariants switched off for this run (`disable`): a break of one is not reported.
    disabled: SortedSet<&'static str>,
    /// The election rules' view of each monitor before the step.
    elections: elections::Before,
}

fn to_violation(b: Broken, world: &World<Ceph>) -> Violation {
    Violation {
        invariant: b.invariant.to_string(),
        event: world.events(),
        t_ms: world.now_ms(),
        node: b.node,
        detail: b.detail,
        seed: world.seed,
    }
}

/// Ceph's run checker on the seam: the same verdicts as the inherent methods below.
impl RunChecker<Ceph> for Checker {
    const INVARIANTS: &'static [&'static str] = &INVARIANTS;

    fn new(world: &World<Ceph>) -> Self {
        Checker::new(world)
    }
    fn after_step(
        &mut self,
        world: &World<Ceph>,
        log: &[TraceEvent<Ceph>],
    ) -> Result<(), Violation> {
        Checker::after_step(self, world, log)
    }
    fn disable(&mut self, invariant: &str) -> Result<(), String> {
        Checker::disable(self, invariant)
    }
    fn disable_all(&mut self) {
        Checker::disable_all(self)
    }
    fn findings(&self) -> &[Violation] {
        Checker::findings(self)
    }
    fn checks(&self, invariant: &str) -> bool {
        Checker::checks(self, invariant)
    }
    fn kept_entries(&self) -> u64 {
        Checker::kept_entries(self)
    }
}

impl Checker {
    pub fn new(world: &World<Ceph>) -> Self {
        Checker {
            facts: Facts::new(world),
            findings: Vec::new(),
            disabled: SortedSet::new(),
            elections: elections::Before::default(),
        }
    }

    /// A checker that re-examines every node after every step instead of only the nodes the
    /// step touched: slower, with the same verdicts (tests compare the two).
    pub fn exhaustive(world: &World<Ceph>) -> Self {
        Checker {
            facts: Facts::exhaustive(world),
            findings: Vec::new(),
            disabled: SortedSet::new(),
            elections: elections::Before::default(),
        }
    }

    /// Switch one invariant off for this run. The facts are still recorded; only its verdict
    /// is ignored. (Where one file checks several rules, `pn`, `epochs` and `all_member`, a
    /// break of the disabled one ends that file's checks for the step.)
    pub fn disable(&mut self, invariant: &str) -> Result<(), String> {
        let name = rule_named(&INVARIANTS, invariant, "invariant")?;
        self.disabled.insert(name);
        Ok(())
    }

    /// Switch every invariant off: only the facts are kept (and the timing findings).
    pub fn disable_all(&mut self) {
        self.disabled.extend(INVARIANTS);
    }

    /// Record what the last step showed, then assert every invariant.
    pub fn after_step(
        &mut self,
        world: &World<Ceph>,
        log: &[TraceEvent<Ceph>],
    ) -> Result<(), Violation> {
        let result = self.check_step(world, log);
        self.facts.end_step(world);
        result.map_err(|b| to_violation(b, world))
    }

    /// The invariants in a fixed order: the first broken one is reported. One that reads only
    /// the step's sends, state changes or persists is not called for a step without any; one
    /// that reads only the nodes' facts, not for a step that changed none (`Facts::changed`).
    fn check_step(&mut self, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
        let f = &mut self.facts;
        let disabled = &self.disabled;
        let election_rules = &mut self.elections;
        // A break of a switched-off invariant is ignored; the next check still runs.
        let on = |c: Check| match c {
            Err(b) if disabled.contains(b.invariant) => Ok(()),
            c => c,
        };
        f.observe(world, log);
        if f.fifo_links {
            on(fifo::check(f, log))?;
        }
        let kinds = f.step;
        let nodes_changed = !f.changed.is_empty();
        if nodes_changed {
            on(pn::check_nodes(f, world))?;
        }
        if kinds.sends {
            on(pn::check_sends(f, log))?;
            on(persist_before_send::check(world, log))?;
        }
        if kinds.states {
            on(all_member::check(f, world))?;
        }
        if kinds.sends {
            on(uncommitted::check(f, world, log))?;
        }
        on(epochs::check(f, world, log))?;
        if nodes_changed {
            on(agreement::check(f, world))?;
        }
        if kinds.persists {
            on(contiguity::check(world, log))?;
        }
        if nodes_changed {
            on(monotonic::check(f, world))?;
        }
        if kinds.replies {
            on(reads::check_replies(world, log))?;
            on(service::check_refusals(world, log))?;
        }
        on(timeouts::check(world, log))?;
        on(elections::check(election_rules, world, f.touched))?;
        let (within, across) = reads::check(f, world);
        if let (Some(b), true) = (across, self.findings.is_empty()) {
            self.findings.push(to_violation(b, world));
        }
        on(within)
    }

    /// Broken timing claims (read freshness across epochs): reported, the run goes on.
    pub fn findings(&self) -> &[Violation] {
        &self.findings
    }

    /// Whether this run checks `invariant`: every one always, except `link-fifo` in a run
    /// that allows reordering or duplicates (it breaks that rule on purpose).
    pub fn checks(&self, invariant: &str) -> bool {
        (invariant != fifo::NAME || self.facts.fifo_links) && !self.disabled.contains(invariant)
    }

    /// The records this checker keeps about the run's past (the memory budget counts them).
    pub fn kept_entries(&self) -> u64 {
        self.facts.growing_entries()
    }
    pub fn facts(&self) -> &Facts {
        &self.facts
    }
}
