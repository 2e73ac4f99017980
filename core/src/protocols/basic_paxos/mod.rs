//! Basic Paxos, single decree ("Paxos Made Simple", Lamport 2001; seed 003's cases), as a
//! sans-IO protocol on the shared engine. Proposers, acceptors and learners (a node may play
//! several roles); proposal numbers `round.proposer`; phase 1 prepare/promise (or nack),
//! phase 2 accept/accepted; a value is chosen once a majority of acceptors accepted one
//! proposal. The messenger may lose, duplicate and reorder: Basic Paxos tolerates all three.
//!
//! * `messages.rs`: the messages and proposal numbers, worded for learners.
//! * `durable.rs`: what survives a crash (the acceptor's promise and accepted proposal, the
//!   proposer's round, the learner's decision).
//! * `node.rs`: the handlers, with the deliberate bugs of `config::Mutation`.
//! * `declaration.rs`: the roles and state machines as data.
//! * `hash.rs`: the trace hash's view of the messages and store writes.
//! * `rules/`: one pure predicate per safety rule, shared by the run's checker and the
//!   model checker.
//! * `driver.rs`: a deterministic driver with controllable delivery, for the unit tests.
//! * `seam.rs`: the only place that maps Ceph-shaped engine types (config, clients).

pub mod campaign;
pub mod checker;
pub mod config;
pub mod declaration;
pub mod durable;
pub mod hash;
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

pub use config::{BasicConfig, Mutation};
pub use declaration::DECLARATION;
pub use durable::{Durable, Write};
pub use messages::{Msg, Pn, Proposal, Value};
pub use node::{Node, Timer};

use crate::actor::{NodeStatus, Rank};
use crate::machine::{Declaration, MachineId, StateId};
use std::rc::Rc;

/// Marker type: Basic Paxos as a `Protocol` for the simulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct BasicPaxos;

impl crate::actor::Protocol for BasicPaxos {
    type Node = Node;
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Write = Write;
    type Checker = checker::BasicChecker;
    type Config = BasicConfig;
    const NAME: &'static str = "basic-paxos";
    const ID: crate::scenario::ProtocolId = crate::scenario::ProtocolId::BasicPaxos;
    const DECLARATION: &'static Declaration = &DECLARATION;

    fn configure(scenario: &crate::scenario::Scenario) -> BasicConfig {
        seam::config_for(scenario)
    }
    fn boot(rank: Rank, config: &Rc<BasicConfig>, durable: Durable) -> Node {
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
    /// `None` for the machine of a role the node does not play.
    fn state_of(node: &Node, machine: MachineId) -> Option<StateId> {
        node.plays(machine).then(|| node.state(machine))
    }
    const PRESENTATION: &'static crate::view::Presentation = &present::PRESENTATION;
    fn describe_write(w: &Write) -> String {
        w.describe()
    }
    fn inspect(node: Option<&Node>, durable: &Durable, now_ms: u64) -> crate::view::Inspection {
        present::inspect(node, durable, now_ms)
    }
    fn brief(node: Option<&Node>, durable: &Durable) -> crate::view::Brief {
        present::brief(node, durable)
    }
    fn log(_: Option<&Node>, d: &Durable, from: u64, to: u64) -> Option<crate::view::NodeLog> {
        Some(present::log(d, from, to))
    }
    fn narrate(e: &crate::trace::TraceEvent<BasicPaxos>) -> Option<String> {
        wording::narrate(e)
    }
}
