//! A protocol's state machines, declared once as data.
//!
//! Each protocol says which roles its nodes play, which state machines a node runs (Ceph: the
//! monitor's state, the leader's Paxos phases, the peon's; Basic Paxos: a proposer's, an
//! acceptor's, a learner's) and which transitions between their states are allowed, with labels
//! and groups for drawing. Everything that shows or checks states (the trace, the diagrams, the
//! exports, the coverage counts) reads this declaration; nothing matches a state by its name.
//!
//! A node reports a change with a typed [`Transition`]: the machine, the state it left and the
//! state it entered, each an index into the declaration. `Declaration::allows` is what a
//! protocol's `set_state` funnel asserts before it emits one.

use serde::{Deserialize, Serialize};

/// Index of a machine in [`Declaration::machines`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MachineId(pub u8);

/// Index of a state in its machine's [`Machine::states`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StateId(pub u8);

/// A role a node may play (Ceph: monitor; Basic Paxos: proposer, acceptor, learner).
#[derive(Debug)]
pub struct Role {
    pub name: &'static str,
    /// One sentence for a newcomer.
    pub help: &'static str,
}

/// One state of a machine.
#[derive(Debug)]
pub struct State {
    /// Stable identifier, used in the trace's JSON form and in URLs (`updating-previous`).
    pub name: &'static str,
    /// What the diagram prints in the box (may be shorter than `name`).
    pub label: &'static str,
    /// One sentence for a newcomer: what the node does in this state.
    pub help: &'static str,
    /// Where the diagram draws the box: column and row of a small grid.
    pub col: u8,
    pub row: u8,
}

/// An allowed transition, drawn as an arrow.
#[derive(Debug)]
pub struct Edge {
    pub from: StateId,
    pub to: StateId,
    /// What makes the node take it (`quorum of LASTs`, `lease timeout`).
    pub label: &'static str,
}

/// One state machine a node runs.
#[derive(Debug)]
pub struct Machine {
    pub name: &'static str,
    /// The role whose machine this is (index into [`Declaration::roles`]).
    pub role: u8,
    pub states: &'static [State],
    pub edges: &'static [Edge],
    /// The state a node's machine is in when the node boots.
    pub initial: StateId,
}

/// A protocol's whole declaration.
#[derive(Debug)]
pub struct Declaration {
    /// Stable identifier (`ceph`, `basic-paxos`), as in the scenario text's `protocol` line.
    pub name: &'static str,
    /// Human title (`Ceph monitor Paxos`).
    pub title: &'static str,
    pub roles: &'static [Role],
    pub machines: &'static [Machine],
}

/// A node's machine moved from one state to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Transition {
    pub machine: MachineId,
    pub from: StateId,
    pub to: StateId,
}

impl Declaration {
    pub fn machine(&self, id: MachineId) -> &'static Machine {
        &self.machines[id.0 as usize]
    }

    pub fn state(&self, machine: MachineId, state: StateId) -> &'static State {
        &self.machine(machine).states[state.0 as usize]
    }

    /// Is `from -> to` a declared edge of `machine`?
    pub fn allows(&self, t: Transition) -> bool {
        self.machine(t.machine)
            .edges
            .iter()
            .any(|e| e.from == t.from && e.to == t.to)
    }

    /// Every index in range, every edge between existing states, no duplicate names within a
    /// machine. Each protocol's tests call this on its declaration.
    pub fn validate(&self) -> Result<(), String> {
        for (mi, m) in self.machines.iter().enumerate() {
            if m.role as usize >= self.roles.len() {
                return Err(format!("machine {} names role {}", m.name, m.role));
            }
            let n = m.states.len();
            if n == 0 || n > u8::MAX as usize || m.initial.0 as usize >= n {
                return Err(format!("machine {} (#{mi}): bad states or initial", m.name));
            }
            for (i, s) in m.states.iter().enumerate() {
                if m.states[..i].iter().any(|t| t.name == s.name) {
                    return Err(format!("machine {}: state {} twice", m.name, s.name));
                }
            }
            for e in m.edges {
                if e.from.0 as usize >= n || e.to.0 as usize >= n || e.from == e.to {
                    return Err(format!("machine {}: bad edge {:?} -> {:?}", m.name, e.from, e.to));
                }
            }
        }
        Ok(())
    }
}
