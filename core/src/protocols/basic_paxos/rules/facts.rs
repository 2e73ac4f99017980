//! The run's checker: what the run has shown so far (acceptances, promises, proposals, the
//! learners' first decisions), fed after every event by the world's campaign or the test
//! driver, and checked with the rules of this folder. It checks what happened (messages
//! sent, writes made), not what a node's memory claims.

use super::{
    chosen, chosen_stable, learners_agree, one_value, phase2_value, promise_order, unique_numbers,
};
use super::{Acceptance, Violation};
use crate::actor::Rank;
use crate::protocols::basic_paxos::{Msg, Node, Pn, Value, Write};
use crate::sorted::{SortedMap, SortedSet};

#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub majority: usize,
    /// Check only what a user would: one value chosen, learners agree (the canaries must be
    /// caught by these alone).
    pub user_facing_only: bool,
    /// Rules switched off for this run (the run checker's `disable`): a break of one is not
    /// reported; the facts are still recorded.
    pub disabled: SortedSet<&'static str>,
    pub accepts: SortedSet<Acceptance>,
    /// The highest number each acceptor promised (sent a promise for, or accepted).
    pub promised: SortedMap<Rank, Pn>,
    /// Every proposal number sent in an accept request, with its value.
    pub proposed: SortedMap<Pn, Value>,
    /// Each learner's first decision.
    pub first_learned: SortedMap<Rank, Value>,
}

impl Facts {
    pub fn new(majority: usize) -> Facts {
        Facts {
            majority,
            ..Facts::default()
        }
    }

    fn rule(&self, r: Result<(), Violation>) -> Result<(), Violation> {
        if self.user_facing_only {
            Ok(())
        } else {
            self.on(r)
        }
    }

    /// `r`, unless it breaks a rule switched off.
    fn on(&self, r: Result<(), Violation>) -> Result<(), Violation> {
        match r {
            Err(v) if self.disabled.contains(v.rule) => Ok(()),
            r => r,
        }
    }

    /// Node `from` sent `msg`; `sender` is that node after the step.
    pub fn sent(&mut self, from: Rank, msg: &Msg, sender: Option<&Node>) -> Result<(), Violation> {
        match msg {
            Msg::Promise { n, .. } => {
                let before = self.promised.get(&from).copied();
                self.rule(promise_order::check(
                    from,
                    before,
                    promise_order::Act::Promise(*n),
                ))?;
                self.raise_promise(from, *n);
            }
            Msg::Accept { n, v } => {
                self.rule(unique_numbers::check(&self.proposed, from, *n, v))?;
                self.proposed.entry(*n).or_insert_with(|| v.clone());
                if let Some(p) = sender.and_then(|s| s.proposer.as_ref()) {
                    let promises = &p.promises;
                    self.rule(phase2_value::check(from, *n, v, promises, self.majority))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Node `at` wrote `writes` to its disk.
    pub fn persisted(&mut self, at: Rank, writes: &[Write]) -> Result<(), Violation> {
        for w in writes {
            if let Write::Accepted(n, v) = w {
                let before = self.promised.get(&at).copied();
                self.rule(promise_order::check(
                    at,
                    before,
                    promise_order::Act::Accept(*n),
                ))?;
                self.raise_promise(at, *n);
                self.accepts.insert(Acceptance {
                    n: *n,
                    acceptor: at,
                    v: v.clone(),
                });
            }
        }
        Ok(())
    }

    pub fn raise_promise(&mut self, acceptor: Rank, n: Pn) {
        let p = self.promised.entry(acceptor).or_insert(n);
        *p = (*p).max(n);
    }

    /// After the event: the chosen-value rules, and the learners' decisions now.
    pub fn check_state(&mut self, learned: &SortedMap<Rank, Value>) -> Result<(), Violation> {
        self.on(one_value::check(&self.accepts, self.majority))?;
        self.rule(chosen_stable::check(&self.accepts, self.majority))?;
        self.on(learners_agree::check(
            &self.first_learned,
            learned,
            &self.chosen(),
        ))?;
        for (r, v) in learned {
            self.first_learned.entry(*r).or_insert_with(|| v.clone());
        }
        Ok(())
    }

    pub fn chosen(&self) -> Vec<(Pn, Value)> {
        chosen(&self.accepts, self.majority)
    }

    /// The chosen value, if any (the rules keep it unique).
    pub fn chosen_value(&self) -> Option<Value> {
        self.chosen().first().map(|(_, v)| v.clone())
    }
}
