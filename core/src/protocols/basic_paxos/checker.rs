//! Basic Paxos's run checker on the seam (`actor::RunChecker`): after every event of a
//! `World<BasicPaxos>`, the step's sends, drops and disk writes feed `rules::facts::Facts`,
//! then the rules of `rules/` are asserted. The campaign (`campaign.rs`) runs the same
//! `check_step`, so every rule is stated once, in `rules/`.

use super::config::BasicConfig;
use super::messages::{Msg, Value};
use super::rules::facts::Facts;
use super::rules::{
    chosen_stable, learners_agree, one_value, phase2_value, promise_order, unique_numbers,
};
use super::BasicPaxos;
use crate::actor::{Rank, RunChecker};
use crate::check::Violation;
use crate::sim::World;
use crate::sorted::{SortedMap, SortedSet};
use crate::trace::{TraceEvent, TraceKind};
use std::rc::Rc;

/// Every rule of `rules/`, in the order a step checks them.
pub const INVARIANTS: [&str; 6] = [
    promise_order::RULE,
    unique_numbers::RULE,
    phase2_value::RULE,
    one_value::RULE,
    chosen_stable::RULE,
    learners_agree::RULE,
];

#[derive(Clone, Debug)]
pub struct BasicChecker {
    config: Rc<BasicConfig>,
    facts: Facts,
}

impl BasicChecker {
    /// What the run has shown so far (acceptances, promises, proposals, decisions).
    pub fn facts(&self) -> &Facts {
        &self.facts
    }
    /// The chosen value, if a majority of acceptors accepted one proposal.
    pub fn chosen_value(&self) -> Option<Value> {
        self.facts.chosen_value()
    }
}

impl RunChecker<BasicPaxos> for BasicChecker {
    const INVARIANTS: &'static [&'static str] = &INVARIANTS;

    fn new(world: &World<BasicPaxos>) -> Self {
        let config = Rc::clone(world.protocol_config());
        BasicChecker {
            facts: Facts::new(config.majority()),
            config,
        }
    }

    fn after_step(
        &mut self,
        world: &World<BasicPaxos>,
        _log: &[TraceEvent<BasicPaxos>],
    ) -> Result<(), Violation> {
        check_step(world, &self.config, &mut self.facts)
            .map_err(|v| Violation::at(world, v.rule, v.detail))
    }

    fn disable(&mut self, invariant: &str) -> Result<(), String> {
        let name = crate::check::rule_named(&INVARIANTS, invariant, "Basic Paxos rule")?;
        self.facts.disabled.insert(name);
        Ok(())
    }

    fn disable_all(&mut self) {
        self.facts.disabled.extend(INVARIANTS);
    }

    fn checks(&self, invariant: &str) -> bool {
        INVARIANTS.contains(&invariant) && !self.facts.disabled.contains(invariant)
    }

    fn kept_entries(&self) -> u64 {
        let f = &self.facts;
        (f.accepts.len() + f.promised.len() + f.proposed.len() + f.first_learned.len()) as u64
    }
}

/// Feed the world's latest step (`w.step_log`) to `facts`, then check the chosen-value rules
/// against the learners' decisions now.
pub fn check_step(
    w: &World<BasicPaxos>,
    c: &BasicConfig,
    facts: &mut Facts,
) -> Result<(), super::rules::Violation> {
    for e in &w.step_log {
        let Some(r) = e.node else { continue };
        match &e.kind {
            TraceKind::Send { msg, .. } => facts.sent(r, msg, w.node(r))?,
            TraceKind::Drop { from, msg, .. } => {
                // A promise lost on the wire was still made.
                if let Msg::Promise { n, .. } = &**msg {
                    facts.raise_promise(*from, *n);
                }
            }
            TraceKind::Persist(writes) => facts.persisted(r, writes)?,
            _ => {}
        }
    }
    facts.check_state(&learned(w, c))
}

/// Each learner's decision now (a crashed one's, from its disk).
pub fn learned(w: &World<BasicPaxos>, c: &BasicConfig) -> SortedMap<Rank, Value> {
    c.learners
        .iter()
        .filter_map(|r| w.durable(*r).learned.clone().map(|v| (*r, v)))
        .collect()
}

/// The learners that know `v`.
pub fn learners_of(w: &World<BasicPaxos>, c: &BasicConfig, v: &Value) -> SortedSet<Rank> {
    learned(w, c)
        .into_iter()
        .filter(|(_, x)| x == v)
        .map(|(r, _)| r)
        .collect()
}
