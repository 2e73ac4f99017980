//! Basic Paxos declared as data: three roles, one state machine each. A node may play several
//! roles (seed 003: "a node may be proposer, acceptor and learner at once") and then runs
//! several machines side by side. `Node::set_state` asserts every change against this.

use crate::machine::{Declaration, Draw, Edge, Machine, MachineId, Role, State, StateId};

pub const PROPOSER: MachineId = MachineId(0);
pub const ACCEPTOR: MachineId = MachineId(1);
pub const LEARNER: MachineId = MachineId(2);

/// Proposer states.
pub mod proposer {
    use crate::machine::StateId;
    pub const IDLE: StateId = StateId(0);
    pub const PREPARING: StateId = StateId(1);
    pub const ACCEPTING: StateId = StateId(2);
    pub const WAITING: StateId = StateId(3);
    pub const DONE: StateId = StateId(4);
}

/// Acceptor states.
pub mod acceptor {
    use crate::machine::StateId;
    pub const IDLE: StateId = StateId(0);
    pub const PROMISED: StateId = StateId(1);
    pub const ACCEPTED: StateId = StateId(2);
}

/// Learner states.
pub mod learner {
    use crate::machine::StateId;
    pub const UNKNOWN: StateId = StateId(0);
    pub const LEARNED: StateId = StateId(1);
}

const fn edge(from: StateId, to: StateId, label: &'static str) -> Edge {
    Edge {
        from,
        to,
        label,
        draw: Draw::Arrow { bend: 0 },
    }
}

const PROPOSER_STATES: &[State] = &[
    State {
        name: "idle",
        label: "idle",
        help: "Has no value to propose yet.",
        col: 0,
        row: 0,
    },
    State {
        name: "preparing",
        label: "preparing",
        help: "Phase 1: sent prepare(n) to the acceptors and waits for a majority of promises.",
        col: 1,
        row: 0,
    },
    State {
        name: "accepting",
        label: "accepting",
        help: "Phase 2: sent accept(n, v) and waits for a majority of accepted(n, v).",
        col: 2,
        row: 0,
    },
    State {
        name: "waiting",
        label: "waiting",
        help: "The round failed (a nack, or no majority in time); waits, then retries with a higher number.",
        col: 1,
        row: 1,
    },
    State {
        name: "done",
        label: "chosen known",
        help: "Knows a value was chosen; proposes no more.",
        // Below the phases' row, so that the arrows into it from idle and preparing pass
        // between the boxes instead of behind them.
        col: 3,
        row: 1,
    },
];

const PROPOSER_EDGES: &[Edge] = {
    use proposer::*;
    &[
        edge(IDLE, PREPARING, "a value to propose"),
        edge(PREPARING, ACCEPTING, "majority of promises"),
        edge(PREPARING, WAITING, "nack or timeout"),
        edge(ACCEPTING, WAITING, "nack or timeout"),
        edge(WAITING, PREPARING, "retry timer"),
        edge(ACCEPTING, DONE, "majority accepted"),
        edge(IDLE, DONE, "learned the chosen value"),
        edge(PREPARING, DONE, "learned the chosen value"),
        edge(WAITING, DONE, "learned the chosen value"),
    ]
};

const ACCEPTOR_STATES: &[State] = &[
    State {
        name: "idle",
        label: "idle",
        help: "Has promised nothing and accepted nothing.",
        col: 0,
        row: 0,
    },
    State {
        name: "promised",
        label: "promised",
        help: "Promised to ignore proposals numbered below its promise; accepted nothing yet.",
        col: 1,
        row: 0,
    },
    State {
        name: "accepted",
        label: "accepted",
        help: "Accepted a proposal (it may accept a higher-numbered one later).",
        col: 2,
        row: 0,
    },
];

const ACCEPTOR_EDGES: &[Edge] = {
    use acceptor::*;
    &[
        edge(IDLE, PROMISED, "prepare(n)"),
        edge(PROMISED, ACCEPTED, "accept(n, v) at or above the promise"),
        edge(IDLE, ACCEPTED, "accept(n, v) with no promise"),
    ]
};

const LEARNER_STATES: &[State] = &[
    State {
        name: "unknown",
        label: "unknown",
        help: "Does not know a chosen value yet.",
        col: 0,
        row: 0,
    },
    State {
        name: "learned",
        label: "learned",
        help: "Saw a majority of acceptors accept one proposal: its value is chosen.",
        col: 1,
        row: 0,
    },
];

const LEARNER_EDGES: &[Edge] = &[edge(
    learner::UNKNOWN,
    learner::LEARNED,
    "majority accepted (n, v)",
)];

pub static DECLARATION: Declaration = Declaration {
    name: "basic-paxos",
    title: "Basic Paxos (single decree)",
    roles: &[
        Role {
            name: "proposer",
            help:
                "Picks a number, asks the acceptors for promises, then asks them to accept a value.",
        },
        Role {
            name: "acceptor",
            help: "Promises and accepts; remembers both on disk. A majority of acceptors decides.",
        },
        Role {
            name: "learner",
            help: "Finds out which value was chosen from the acceptors' accepted messages.",
        },
    ],
    note: "A node may play several roles; it runs one machine per role it plays.",
    machines: &[
        Machine {
            name: "proposer",
            role: 0,
            states: PROPOSER_STATES,
            edges: PROPOSER_EDGES,
            initial: proposer::IDLE,
            within: None,
        },
        Machine {
            name: "acceptor",
            role: 1,
            states: ACCEPTOR_STATES,
            edges: ACCEPTOR_EDGES,
            initial: acceptor::IDLE,
            within: None,
        },
        Machine {
            name: "learner",
            role: 2,
            states: LEARNER_STATES,
            edges: LEARNER_EDGES,
            initial: learner::UNKNOWN,
            within: None,
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declaration_is_well_formed() {
        DECLARATION.validate().unwrap();
        assert_eq!(DECLARATION.machines.len(), 3);
        assert_eq!(DECLARATION.state(PROPOSER, proposer::DONE).name, "done");
        assert_eq!(
            DECLARATION.state(ACCEPTOR, acceptor::ACCEPTED).name,
            "accepted"
        );
        assert_eq!(DECLARATION.state(LEARNER, learner::LEARNED).name, "learned");
    }
}
