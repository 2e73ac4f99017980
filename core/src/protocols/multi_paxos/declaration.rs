//! Multi-Paxos declared as data: every node is a replica, an acceptor and a would-be leader,
//! and runs one machine, its part in the election. `Node::set_state` asserts every change.

use crate::machine::{Declaration, Draw, Edge, Machine, MachineId, Role, State, StateId};

pub const REPLICA: MachineId = MachineId(0);

pub mod replica {
    use crate::machine::StateId;
    pub const FOLLOWER: StateId = StateId(0);
    pub const CANDIDATE: StateId = StateId(1);
    pub const LEADER: StateId = StateId(2);
    pub const LEARNER: StateId = StateId(3);
}

const fn edge(from: StateId, to: StateId, label: &'static str, bend: i8) -> Edge {
    Edge {
        from,
        to,
        label,
        draw: Draw::Arrow { bend },
    }
}

const STATES: &[State] = &[
    State {
        name: "follower",
        label: "follower",
        help: "A member that follows the leader it hears: accepts its entries, applies chosen slots in order.",
        col: 0,
        row: 0,
    },
    State {
        name: "candidate",
        label: "candidate",
        help: "Phase 1, once for the whole log from its first unchosen slot on: waits for promises from a majority.",
        col: 1,
        row: 0,
    },
    State {
        name: "leader",
        label: "leader",
        help: "Phase 2 alone: proposes one slot after another, at most α beyond the first unchosen one.",
        col: 2,
        row: 0,
    },
    State {
        name: "learner",
        label: "learner",
        help: "Outside the configuration: learns and applies the chosen log, never votes or stands.",
        col: 1,
        row: 1,
    },
];

const EDGES: &[Edge] = {
    use replica::*;
    &[
        edge(FOLLOWER, CANDIDATE, "no leader heard", 0),
        edge(CANDIDATE, LEADER, "promises from a majority", 0),
        edge(CANDIDATE, FOLLOWER, "a higher id", 18),
        edge(LEADER, FOLLOWER, "a higher id", -30),
        edge(FOLLOWER, LEARNER, "removed", 0),
        edge(CANDIDATE, LEARNER, "removed", 0),
        edge(LEADER, LEARNER, "removed", 0),
        edge(LEARNER, FOLLOWER, "added", 12),
    ]
};

pub static DECLARATION: Declaration = Declaration {
    name: "multi-paxos",
    title: "Multi-Paxos (a log of slots, one leader)",
    roles: &[Role {
        name: "replica",
        help: "Replica, acceptor and would-be leader at once: keeps the log, votes on slots, stands for leader when the leader is silent.",
    }],
    note: "Every node runs this one machine; the log view shows each slot's state.",
    machines: &[Machine {
        name: "replica",
        role: 0,
        states: STATES,
        edges: EDGES,
        initial: replica::FOLLOWER,
        within: None,
    }],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declaration_is_well_formed() {
        DECLARATION.validate().unwrap();
        assert_eq!(DECLARATION.state(REPLICA, replica::LEADER).name, "leader");
    }
}
