//! Guided tours: scenarios with narration (`note` actions) for the protocol's key stories.
//! The texts live in `core/presets/*.scenario` so authors can read and edit them as files.

#[cfg(feature = "tour-texts")]
use crate::scenario::{parse, ParseError, Scenario};

/// One guided tour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Short stable identifier used in URLs (`#tour=leader-fails`) and on the command line.
    pub id: &'static str,
    /// The scenario's `name` line (a test keeps the two equal).
    pub title: &'static str,
    /// What the reader will see, in one line.
    pub summary: &'static str,
    /// Its file in `core/presets/`; the playground serves the files as `presets/<file>`.
    pub file: &'static str,
    /// The protocol it runs (`Declaration::name`, the scenario's `protocol` line).
    pub protocol: &'static str,
    /// The scenario text. Compiled in with the default feature `tour-texts`; the playground's
    /// wasm leaves the texts out (about 7 KB gzipped) and fetches a tour's file when opened.
    #[cfg(feature = "tour-texts")]
    pub text: &'static str,
}

#[cfg(feature = "tour-texts")]
impl Preset {
    pub fn scenario(&self) -> Result<Scenario, ParseError> {
        parse(self.text)
    }
}

macro_rules! preset {
    ($id:literal, $title:literal, $file:literal, $summary:literal) => {
        preset!("ceph", $id, $title, $file, $summary)
    };
    ($protocol:literal, $id:literal, $title:literal, $file:literal, $summary:literal) => {
        Preset {
            id: $id,
            title: $title,
            summary: $summary,
            file: $file,
            protocol: $protocol,
            #[cfg(feature = "tour-texts")]
            text: include_str!(concat!("../presets/", $file)),
        }
    };
}

#[rustfmt::skip]
pub const PRESETS: [Preset; 34] = [
    preset!("startup", "Start-up and election", "startup.scenario", "Probe, elect, recover, commit the first value, grant leases."),
    preset!("leader-fails", "The leader fails", "leader-fails.scenario", "The leader crashes; lease timers notice; rank 1 takes over; the old leader returns."),
    preset!("minority", "A minority cannot commit", "minority.scenario", "A partition: the minority cannot commit, the majority can."),
    preset!("mid-update", "The leader dies mid-update", "mid-update.scenario", "The leader dies mid-commit; the new leader recovers the uncommitted value."),
    preset!("lease", "A peon's lease expires", "lease.scenario", "A cut-off peon reads under its lease, then refuses once it expires."),
    preset!("sync", "A lagging monitor syncs", "sync.scenario", "A monitor more than 10 versions behind syncs before it joins."),
    preset!("one-way", "A one-way partition", "one-way.scenario", "A one-way link cut makes the classic election flap."),
    preset!("two-leaders", "Two leaders in one epoch", "two-leaders.scenario", "A restart races an election: two monitors win one epoch, and only one gets past recovery."),
    preset!("no-quorum", "No quorum, then recovery", "no-quorum.scenario", "Three of five down: no quorum, no writes; one restart brings them back."),
    preset!("beyond-clock", "Beyond the assumptions: a slow clock", "beyond-skew.scenario", "Beyond the assumptions: a slow leader clock allows a stale read."),
    preset!("break-majority", "Break the protocol: commit on a majority", "break-majority.scenario", "Break the protocol: commit on a majority, and watch the checker stop it."),
    preset!("walkthrough", "The worked timeline", "walkthrough.scenario", "The spec's worked timeline: writes, an isolated leader, the heal."),
    preset!("el-cut", "Elections: one cut link", "el-cut.scenario", "One cut link: classic elects on and on, connectivity settles on mon.2."),
    preset!("el-chain", "Elections: a chain of three", "el-chain.scenario", "A chain: classic thrashes every 6 s, connectivity elects the middle."),
    preset!("el-star", "Elections: a star (quorum loss)", "el-star.scenario", "A star: classic forms no quorum, connectivity elects the hub."),
    preset!("el-constrained", "Elections: constrained (leader isolated, a star of four)", "el-constrained.scenario", "Leader isolated, a star of four: no strategy forms a quorum."),
    preset!("el-hanging", "Elections: a monitor hanging off a peon", "el-hanging.scenario", "mon.4 reaches only mon.3: classic re-elects, connectivity ignores it."),
    preset!("el-disallow", "Elections: disallowed leaders", "el-disallow.scenario", "Disallowed monitors vote but never lead, whatever their rank."),
    preset!("el-heal", "Elections: healing after mon.0 was isolated", "el-heal.scenario", "After a heal, classic gives mon.0 back the lead, connectivity does not."),
    preset!("basic-paxos", "bp-one-after-other", "Basic Paxos: two proposers, one after the other", "bp-one-after-other.scenario", "The second proposer learns the chosen value in phase 1 and proposes it, not its own."),
    preset!("multi-paxos", "mp-hole", "Multi-Paxos: seed 001's hole, slots 135-137", "mp-hole.scenario", "A new leader finds slots 135-137 empty and 138-139 accepted: it fills the holes with no-ops, re-proposes 138-139 and goes on at 140."),
    preset!("multi-paxos", "mp-alpha", "Multi-Paxos: the α window", "mp-alpha.scenario", "At most α slots in flight; the other commands queue until the window slides."),
    preset!("multi-paxos", "mp-leader-change", "Multi-Paxos: a leader change in a burst of writes", "mp-leader-change.scenario", "The leader crashes with slots in flight; the next one re-proposes them and every write is answered once."),
    preset!("multi-paxos", "mp-vs-ceph", "Multi-Paxos beside Ceph: the same faults", "mp-vs-ceph.scenario", "A burst of writes, then the leader crashes: messages per write and the time to the next commit, to compare with the Ceph tour of the same schedule."),
    preset!("ceph-vs-mp", "Ceph beside Multi-Paxos: the same faults", "ceph-vs-mp.scenario", "The Multi-Paxos comparison's schedule on Ceph's monitor Paxos: one value in flight, recovery through an election and collect/last."),
    preset!("multi-paxos", "mp-membership", "Multi-Paxos: adding and removing a server", "mp-membership.scenario", "One server in, then the leader out, each a command in the log, in force α slots later."),
    preset!("basic-paxos", "bp-interleaved", "Basic Paxos: two proposers interleaved", "bp-interleaved.scenario", "A value accepted by one acceptor loses to a higher-numbered proposal that reaches a majority."),
    preset!("basic-paxos", "bp-dueling", "Basic Paxos: dueling proposers", "bp-dueling.scenario", "Without backoff, each proposer's phase 1 cancels the other's phase 2, round after round."),
    preset!("basic-paxos", "bp-backoff", "Basic Paxos: the race with randomized backoff", "bp-backoff.scenario", "The dueling race again with randomized backoff: the refused proposer waits, and the other finishes."),
    preset!("basic-paxos", "bp-acceptor-fails-before", "Basic Paxos: an acceptor fails before accepting", "bp-acceptor-fails-before.scenario", "A majority decides without the crashed acceptor, which later catches up through a new round."),
    preset!("basic-paxos", "bp-acceptor-fails-after", "Basic Paxos: an acceptor fails after accepting", "bp-acceptor-fails-after.scenario", "The value an acceptor accepted survives its crash on disk and keeps the decision."),
    preset!("why-ceph", "Why each rule: Ceph's monitor Paxos", "why-ceph.scenario", "Seven rules switched off, then restored one at a time: each one's failure disappears, until safety holds."),
    preset!("basic-paxos", "why-bp", "Why each rule: Basic Paxos", "why-bp.scenario", "Four rules switched off, then restored one at a time: each one's failure disappears, until safety holds."),
    preset!("multi-paxos", "why-mp", "Why each rule: Multi-Paxos", "why-mp.scenario", "Three rules switched off, then restored one at a time: each one's failure disappears, until safety holds."),
];

/// One step of a "why each rule" tour: a deliberate bug (a break-the-protocol canary) that is
/// still on, the checker's rule that catches it, and the rule in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleStep {
    /// The canary's name in the tour's protocol (its `break` line).
    pub restores: &'static str,
    /// The checker's rule (`Violation::invariant`) that stops the run while it is on.
    pub caught_by: &'static str,
    /// What the rule says, for the step bar once it is restored.
    pub rule: &'static str,
}

/// A "why each rule" tour: a derivation from a broken protocol to the one as built. The tour's
/// scenario switches every step's canary on; step `k` has `steps[k..]` still on, and restoring
/// `steps[k]` makes its failure disappear; after the last step no canary is left and safety
/// holds. The tour panel, the tour index and `core/tests/why_rules.rs` read this one list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WhyRules {
    /// The tour (a `PRESETS` id) whose scenario has every step's `break` line.
    pub tour: &'static str,
    pub steps: &'static [RuleStep],
}

impl WhyRules {
    /// The canaries still on at step `k` (0: all of them; `steps.len()`: none).
    pub fn on_at(&self, k: usize) -> impl Iterator<Item = &'static str> + '_ {
        self.steps[k.min(self.steps.len())..]
            .iter()
            .map(|s| s.restores)
    }

    /// The step scenario `s` stands at: the `k` whose canaries are exactly `s`'s `break`
    /// lines (in the protocol's own names), or `None` if `s` has others.
    pub fn step_of(&self, s: &crate::scenario::Scenario) -> Option<usize> {
        let on: Vec<&str> = s
            .mutations
            .iter()
            .filter_map(|m| s.protocol.mutation_name(*m))
            .collect();
        (0..=self.steps.len()).find(|k| {
            let want: Vec<&str> = self.on_at(*k).collect();
            want.len() == on.len() && want.iter().all(|w| on.contains(w))
        })
    }

    /// `s` at step `k`: its `break` lines are the canaries still on there (other lines kept).
    pub fn at_step(&self, s: &crate::scenario::Scenario, k: usize) -> crate::scenario::Scenario {
        let mut s = s.clone();
        let p = s.protocol;
        let on: Vec<&str> = self.on_at(k).collect();
        s.mutations = crate::scenario::Mutation::ALL
            .into_iter()
            .filter(|m| p.mutation_name(*m).is_some_and(|n| on.contains(&n)))
            .collect();
        s
    }
}

macro_rules! step {
    ($restores:literal, $caught_by:literal, $rule:literal) => {
        RuleStep {
            restores: $restores,
            caught_by: $caught_by,
            rule: $rule,
        }
    };
}

#[rustfmt::skip]
pub const WHY_RULES: [WhyRules; 3] = [
    WhyRules { tour: "why-ceph", steps: &[
        step!("forget-accepted-pn", "persist-before-send", "A peon writes its promise (accepted_pn) to disk before it answers COLLECT with LAST."),
        step!("recover-on-majority", "recovery-needs-every-last", "The leader leaves recovery only with a LAST from every member of the quorum."),
        step!("commit-on-majority", "commit-needs-every-accept", "The leader commits only with an ACCEPT from every member of the quorum."),
        step!("keep-lease-on-begin", "read-fresh-within-epoch", "A peon that accepts a new value stops serving reads until the commit and a new lease."),
        step!("pn-not-unique", "pn-shape-and-freshness", "A proposal number ends in its leader's rank, so no two leaders share one."),
        step!("ignore-uncommitted", "uncommitted-value-adopted", "A new leader re-proposes the uncommitted value a LAST reports before anything new."),
        step!("promise-lower-pn", "promises-kept", "A peon never lowers its promise for a COLLECT with a smaller pn."),
    ] },
    WhyRules { tour: "why-bp", steps: &[
        step!("accept-below-promise", "promise-kept", "An acceptor accepts no proposal numbered below its promise."),
        step!("learn-on-minority", "learners-agree", "A learner decides only when a majority of acceptors accepted the same proposal."),
        step!("ignore-promised-value", "phase2-value", "A proposer proposes the value of the highest accepted proposal its promises report."),
        step!("forget-promise", "promise-kept", "An acceptor's promise and accepted proposal are on disk before it answers, so a restart keeps them."),
    ] },
    WhyRules { tour: "why-mp", steps: &[
        step!("commit-on-one", "one-value-per-slot", "A slot's value is chosen only once a majority accepted it."),
        step!("id-without-node", "proposal-ids-unique", "A proposal id carries its node, so no two leaders share one."),
        step!("noop-over-accepted", "noop-never-replaces-chosen", "A new leader fills a slot with a no-op only if no promise reported a value there."),
    ] },
];

/// The "why each rule" steps of tour `id`, if it is one.
pub fn why_rules(id: &str) -> Option<&'static WhyRules> {
    WHY_RULES.iter().find(|w| w.tour == id)
}

pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

#[cfg(all(test, feature = "tour-texts"))]
mod tests {
    use super::*;

    #[test]
    fn titles_are_the_scenario_names_and_ids_are_unique() {
        for p in &PRESETS {
            let s = p.scenario().unwrap_or_else(|e| panic!("{}: {e}", p.id));
            assert_eq!(s.name.as_deref(), Some(p.title), "{}", p.file);
            assert_eq!(find(p.id), Some(p));
        }
    }
}
