//! Classic Multi-Paxos (seeds 001 and 002) as a sans-IO protocol on the shared engine: a log
//! of slots over a key-value store, one leader elected by heartbeats and timeouts, phase 1
//! once over [first unchosen slot, ∞), then phase 2 alone with at most α slots in flight;
//! holes a new leader finds are filled with no-ops; configuration changes one server at a
//! time through the log (in force α slots later); group commit as a switch.
//!
//! * `messages.rs`: ids, slots, log values and messages, worded for learners.
//! * `durable.rs`: what survives a crash (promise, accepted entries, chosen log, round).
//! * `node.rs`: the handlers, with the deliberate bugs of `config::Mutation`.
//! * `declaration.rs`: the replica's state machine as data.
//! * `rules/`: one pure predicate per safety rule, shared by the run's checker and the
//!   model checker.
//! * `model.rs`: the exhaustive model check of the handlers within small bounds.
//! * `seam.rs`: the only place that maps Ceph-shaped engine types (config, mutations).

pub mod campaign;
pub mod checker;
pub mod config;
pub mod declaration;
pub mod durable;
pub mod hash;
pub mod lanes;
pub mod messages;
pub mod model;
pub mod node;
pub mod present;
pub mod rules;
pub mod seam;
pub mod summary;
pub mod wording;

#[cfg(test)]
mod driver;
#[cfg(test)]
mod tests;

pub use config::{MultiConfig, Mutation};
pub use declaration::DECLARATION;
pub use durable::{Durable, Write};
pub use messages::{Command, Members, Msg, Pid, Slot, Value};
pub use node::{LogView, Node, SlotState, Timer};

use crate::actor::{NodeStatus, Rank};
use crate::machine::{Declaration, MachineId, StateId};
use std::rc::Rc;

/// Marker type: Multi-Paxos as a `Protocol` for the simulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MultiPaxos;

impl crate::actor::Protocol for MultiPaxos {
    type Node = Node;
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Write = Write;
    type Checker = checker::MultiChecker;
    type Config = MultiConfig;
    const NAME: &'static str = "multi-paxos";
    const ID: crate::scenario::ProtocolId = crate::scenario::ProtocolId::MultiPaxos;
    const DECLARATION: &'static Declaration = &DECLARATION;

    fn configure(scenario: &crate::scenario::Scenario) -> MultiConfig {
        seam::config_for(scenario)
    }
    fn boot(rank: Rank, config: &Rc<MultiConfig>, durable: Durable) -> Node {
        Node::boot(rank, Rc::clone(config), durable)
    }
    fn handle(
        node: &mut Node,
        now_ms: u64,
        input: crate::actor::Input<Self>,
        out: &mut Vec<crate::actor::Effect<Self>>,
    ) {
        node.handle(now_ms, input, out)
    }
    fn durable(node: &Node) -> &Durable {
        &node.durable
    }
    fn status(node: &Node, _now_ms: u64) -> NodeStatus {
        seam::status(node)
    }
    fn durable_entries(durable: &Durable) -> u64 {
        durable.entries()
    }
    fn state_of(node: &Node, machine: MachineId) -> Option<StateId> {
        Some(node.state(machine))
    }
    const PRESENTATION: &'static crate::view::Presentation = &present::PRESENTATION;
    fn describe_write(w: &Write) -> String {
        w.describe()
    }
    fn inspect(node: Option<&Node>, durable: &Durable, now_ms: u64) -> crate::view::Inspection {
        present::inspect(node, durable, now_ms)
    }
    fn log(
        node: Option<&Node>,
        durable: &Durable,
        from: u64,
        to: u64,
    ) -> Option<crate::view::NodeLog> {
        Some(lanes::log(node, durable, from, to))
    }
    fn brief(node: Option<&Node>, durable: &Durable) -> crate::view::Brief {
        present::brief(node, durable)
    }
    fn narrate(e: &crate::trace::TraceEvent<MultiPaxos>) -> Option<String> {
        wording::narrate(e)
    }
}
