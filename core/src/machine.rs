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

/// How the diagram draws an allowed transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draw {
    /// An arrow, its middle pushed `bend` px to the right of its direction of travel (so that
    /// two opposite arrows, or a long one passing boxes, stay apart).
    Arrow { bend: i8 },
    /// No arrow, where arrows from every state would hide the others; the declaration's
    /// `note` says the common ones in words (Ceph: "any state → probing on bootstrap").
    Hidden,
}

/// An allowed transition.
#[derive(Debug)]
pub struct Edge {
    pub from: StateId,
    pub to: StateId,
    /// What makes the node take it (`quorum of LASTs`, `lease timeout`).
    pub label: &'static str,
    pub draw: Draw,
}

/// One state machine a node runs.
#[derive(Debug)]
pub struct Machine {
    pub name: &'static str,
    /// The role whose machine this is (index into [`Declaration::roles`]).
    pub role: u8,
    pub states: &'static [State],
    pub edges: &'static [Edge],
    /// The state a node's machine is in when the node boots, or when the machine starts
    /// again because its parent state was entered (`within`).
    pub initial: StateId,
    /// `Some((machine, state))`: this machine runs only while that machine is in that state,
    /// and starts at `initial` each time it is entered (Ceph: the leader's Paxos phases run
    /// within the monitor's `leader` state). The diagram draws that state as a group around
    /// this machine's boxes, and an arrow into it ends at `initial`. `None`: a top machine,
    /// always running while the node is up.
    pub within: Option<(MachineId, StateId)>,
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
    /// What the diagram says under the boxes about the transitions drawn as [`Draw::Hidden`].
    pub note: &'static str,
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

    pub fn machine_id(&self, m: &Machine) -> MachineId {
        let i = self
            .machines
            .iter()
            .position(|x| std::ptr::eq(x, m))
            .expect("a machine of this declaration");
        MachineId(i as u8)
    }

    /// The machine that runs within `state` of `machine`, if any.
    pub fn sub_machine(&self, machine: MachineId, state: StateId) -> Option<MachineId> {
        self.machines
            .iter()
            .position(|m| m.within == Some((machine, state)))
            .map(|i| MachineId(i as u8))
    }

    /// A state's identifier in the page and in exports: its name in the one top machine
    /// (`electing`), `machine-name` in a machine that runs within another (`leader-active`)
    /// or beside others (Basic Paxos: `proposer-idle`, `acceptor-idle`).
    pub fn key(&self, machine: MachineId, state: StateId) -> String {
        let m = self.machine(machine);
        let s = &m.states[state.0 as usize];
        if m.within.is_none() && self.top_machines() == 1 {
            s.name.to_string()
        } else {
            format!("{}-{}", m.name, s.name)
        }
    }

    /// How many machines run at the top (not within another's state).
    pub fn top_machines(&self) -> usize {
        self.machines.iter().filter(|m| m.within.is_none()).count()
    }

    /// A state's label with its machine's where that tells it apart (`leader/active`,
    /// `acceptor/promised`).
    pub fn long_label(&self, machine: MachineId, state: StateId) -> String {
        let m = self.machine(machine);
        let s = &m.states[state.0 as usize];
        if m.within.is_none() && self.top_machines() == 1 {
            s.label.to_string()
        } else {
            format!("{}/{}", m.name, s.label)
        }
    }

    /// Does `machine` run within a state of `ancestor`, directly or further down?
    pub fn runs_within(&self, machine: MachineId, ancestor: MachineId) -> bool {
        let mut m = machine;
        while let Some((parent, _)) = self.machine(m).within {
            if parent == ancestor {
                return true;
            }
            m = parent;
        }
        false
    }

    /// Is the state `t` entered worth showing as a step of its own, given the transition
    /// that followed it within the same input (`next`)? Not when `next` leaves the state
    /// its machine runs within: Ceph restarts Paxos (→ recovering) just before a leader
    /// bootstraps, and a reader wants `leader/active → probing`, not a stop in between.
    pub fn shown(&self, t: Transition, next: Option<Transition>) -> bool {
        next.is_none_or(|n| !self.runs_within(t.machine, n.machine))
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
                    return Err(format!(
                        "machine {}: bad edge {:?} -> {:?}",
                        m.name, e.from, e.to
                    ));
                }
            }
            if let Some((p, s)) = m.within {
                let parent_ok = (p.0 as usize) < mi
                    && (s.0 as usize) < self.machines[p.0 as usize].states.len();
                if !parent_ok {
                    return Err(format!(
                        "machine {}: within {p:?}/{s:?}, which is not an earlier machine's state",
                        m.name
                    ));
                }
                if self.machines[..mi].iter().any(|o| o.within == m.within) {
                    return Err(format!(
                        "machine {}: a second machine within one state",
                        m.name
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Where each machine of one node stands, followed from its transitions: the trace's
/// readers (the page's diagrams, the exports) keep one per node instead of asking the node.
#[derive(Clone, Debug)]
pub struct Position {
    /// One state per machine, running or not (a machine that is not running keeps the state
    /// it stopped in until its parent state is entered again).
    current: Vec<StateId>,
    declaration: &'static Declaration,
}

impl PartialEq for Position {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.declaration, other.declaration) && self.current == other.current
    }
}

impl Position {
    /// Every machine at its initial state: a node as it boots (or lies crashed).
    pub fn new(declaration: &'static Declaration) -> Self {
        Position {
            current: declaration.machines.iter().map(|m| m.initial).collect(),
            declaration,
        }
    }

    /// A node's position as the node itself tells it (`Protocol::state_of`); a machine that
    /// is not running stands at its initial state.
    pub fn of(
        declaration: &'static Declaration,
        state_of: impl Fn(MachineId) -> Option<StateId>,
    ) -> Self {
        let current = declaration
            .machines
            .iter()
            .enumerate()
            .map(|(i, m)| state_of(MachineId(i as u8)).unwrap_or(m.initial))
            .collect();
        Position {
            current,
            declaration,
        }
    }

    /// The node crashed or booted: every machine back at its initial state.
    pub fn reset(&mut self) {
        *self = Position::new(self.declaration);
    }

    /// Take a transition. Entering a state restarts the machine within it at its initial
    /// state. `false` (and nothing changed) if the machine was not in `t.from`, which a
    /// trace of this declaration never shows.
    pub fn apply(&mut self, t: Transition) -> bool {
        let m = t.machine.0 as usize;
        if self.current.get(m) != Some(&t.from) {
            return false;
        }
        self.current[m] = t.to;
        let mut parent = (t.machine, t.to);
        while let Some(sub) = self.declaration.sub_machine(parent.0, parent.1) {
            let initial = self.declaration.machine(sub).initial;
            self.current[sub.0 as usize] = initial;
            parent = (sub, initial);
        }
        true
    }

    /// Is `machine` running (a top machine, or within its parent's current state)?
    pub fn running(&self, machine: MachineId) -> bool {
        match self.declaration.machine(machine).within {
            None => true,
            Some((p, s)) => self.current[p.0 as usize] == s && self.running(p),
        }
    }

    /// The state of `machine` if it is running.
    pub fn state(&self, machine: MachineId) -> Option<StateId> {
        self.running(machine)
            .then(|| self.current[machine.0 as usize])
    }

    /// The innermost states' labels (`probing`, `leader/active`), joined by `, ` when the
    /// node plays several roles.
    pub fn label(&self) -> String {
        let d = self.declaration;
        let labels: Vec<String> = self
            .leaves()
            .into_iter()
            .map(|(m, s)| d.long_label(m, s))
            .collect();
        labels.join(", ")
    }

    /// The innermost states the node is in: for each running machine whose current state
    /// holds no running machine, that state (Ceph: `probing`, or the leader's `active`).
    pub fn leaves(&self) -> Vec<(MachineId, StateId)> {
        let d = self.declaration;
        (0..d.machines.len())
            .map(|i| MachineId(i as u8))
            .filter(|m| self.running(*m))
            .map(|m| (m, self.current[m.0 as usize]))
            .filter(|(m, s)| d.sub_machine(*m, *s).is_none())
            .collect()
    }
}
