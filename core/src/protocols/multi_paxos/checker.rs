//! Multi-Paxos's run checker on the seam (`actor::RunChecker`): after every event of a
//! `World<MultiPaxos>`, the step's sends and disk writes feed `rules::facts::Facts`, every
//! running replica's applied sequence is compared with the chosen log, and a step that
//! answered a client checks the key-value history. The campaign runs the same `check_step`.

use super::rules::facts::Facts;
use super::rules::{config, linearizable, noop, one_value, replicas_agree, unique_ids};
use super::MultiPaxos;
use crate::actor::RunChecker;
use crate::check::Violation;
use crate::sim::World;
use crate::trace::{TraceEvent, TraceKind};

/// Every rule, in the order a step checks them.
pub const INVARIANTS: [&str; 6] = [
    unique_ids::RULE,
    noop::RULE,
    one_value::RULE,
    config::RULE,
    replicas_agree::RULE,
    linearizable::RULE,
];

#[derive(Clone, Debug)]
pub struct MultiChecker {
    facts: Facts,
}

impl MultiChecker {
    pub fn facts(&self) -> &Facts {
        &self.facts
    }
}

impl RunChecker<MultiPaxos> for MultiChecker {
    const INVARIANTS: &'static [&'static str] = &INVARIANTS;

    fn new(world: &World<MultiPaxos>) -> Self {
        let c = world.protocol_config();
        MultiChecker {
            facts: Facts::new(c.initial, c.alpha),
        }
    }

    fn after_step(
        &mut self,
        world: &World<MultiPaxos>,
        _log: &[TraceEvent<MultiPaxos>],
    ) -> Result<(), Violation> {
        check_step(world, &mut self.facts).map_err(|v| Violation::at(world, v.rule, v.detail))
    }

    fn disable(&mut self, invariant: &str) -> Result<(), String> {
        let name = crate::check::rule_named(&INVARIANTS, invariant, "Multi-Paxos rule")?;
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
        (f.votes.len() + f.chosen.len() + f.owners.len() + f.proposed.len() + f.prefix.len()) as u64
    }
}

/// Feed the world's latest step (`w.step_log`) to `facts`, then check every running
/// replica's applied sequence, and the client history if the step answered a client.
pub fn check_step(w: &World<MultiPaxos>, facts: &mut Facts) -> Result<(), super::rules::Violation> {
    let mut answered = false;
    for e in &w.step_log {
        let Some(r) = e.node else { continue };
        match &e.kind {
            TraceKind::Send { msg, .. } => facts.sent(r, msg)?,
            TraceKind::Persist(writes) => facts.persisted(r, writes)?,
            TraceKind::ClientReply { .. } => answered = true,
            _ => {}
        }
    }
    for r in 0..w.n() {
        if let Some(node) = w.node(r) {
            facts.applied(r, node.applied, node.digest)?;
        }
    }
    if answered {
        let history = crate::campaign::trial::history(w.clients());
        facts.on(linearizable::check(&history))?;
    }
    Ok(())
}
