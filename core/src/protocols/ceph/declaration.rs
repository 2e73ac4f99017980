//! Ceph's monitor as data: one role, the monitor's states (spec section 2) and, within
//! `leader` and `peon`, the Paxos phases each goes through (spec section 3). The trace, the
//! page's state diagrams and the exports read this; `Monitor::set_state` and
//! `Monitor::set_paxos_state` assert every change against it.
//!
//! State ids are the enums' positions: `MonState::Probing as u8` is the monitor machine's
//! state 1, `PaxosState::Writing as u8` the leader machine's state 4. The peon machine has the
//! first three Paxos states only (a peon never writes: the leader commits). The tests check
//! that the names agree with the enums.

use crate::machine::{Declaration, Draw, Edge, Machine, MachineId, Role, State, StateId};

pub const MONITOR: MachineId = MachineId(0);
pub const LEADER: MachineId = MachineId(1);
pub const PEON: MachineId = MachineId(2);

const fn state(
    name: &'static str,
    label: &'static str,
    help: &'static str,
    col: u8,
    row: u8,
) -> State {
    State {
        name,
        label,
        help,
        col,
        row,
    }
}

const fn arrow(from: u8, to: u8, label: &'static str, bend: i8) -> Edge {
    Edge {
        from: StateId(from),
        to: StateId(to),
        label,
        draw: Draw::Arrow { bend },
    }
}

const fn hidden(from: u8, to: u8, label: &'static str) -> Edge {
    Edge {
        from: StateId(from),
        to: StateId(to),
        label,
        draw: Draw::Hidden,
    }
}

// Monitor states, in `MonState` order.
const INIT: u8 = 0;
const PROBING: u8 = 1;
const SYNCHRONIZING: u8 = 2;
const ELECTING: u8 = 3;
const LEADER_STATE: u8 = 4;
const PEON_STATE: u8 = 5;

// Paxos phases, in `PaxosState` order.
const RECOVERING: u8 = 0;
const ACTIVE: u8 = 1;
const UPDATING: u8 = 2;
const UPDATING_PREVIOUS: u8 = 3;
const WRITING: u8 = 4;
const WRITING_PREVIOUS: u8 = 5;
const REFRESH: u8 = 6;

const BOOTSTRAP: &str = "bootstrap: probe again";
const NEW_ELECTION: &str = "a new election";
const RESTART: &str = "Paxos restart (bootstrap, new election)";

pub static CEPH: Declaration = Declaration {
    name: "ceph",
    title: "Ceph monitor Paxos",
    roles: &[Role {
        name: "monitor",
        help:
            "Every monitor holds a copy of the cluster map; one leader proposes, the peons accept.",
    }],
    machines: &[
        Machine {
            name: "monitor",
            role: 0,
            states: &[
                state("init", "down", "Crashed, or booting from its store.", 5, 0),
                state(
                    "probing",
                    "probing",
                    "Asking every peer how far its store goes.",
                    1,
                    0,
                ),
                state(
                    "synchronizing",
                    "synchronizing",
                    "Copying committed versions from a peer that is far ahead.",
                    0,
                    0,
                ),
                state(
                    "electing",
                    "electing",
                    "Proposing itself or acking a lower rank.",
                    2,
                    0,
                ),
                state(
                    "leader",
                    "leader",
                    "Won the election: drives Paxos for the quorum.",
                    0,
                    1,
                ),
                state(
                    "peon",
                    "peon",
                    "Lost the election: accepts what the leader proposes.",
                    4,
                    1,
                ),
            ],
            edges: &[
                arrow(PROBING, SYNCHRONIZING, "a peer is too far ahead", 8),
                arrow(SYNCHRONIZING, PROBING, "synced: bootstrap", 8),
                arrow(PROBING, ELECTING, "enough peers answered", 0),
                arrow(ELECTING, LEADER_STATE, "victory", 0),
                arrow(ELECTING, PEON_STATE, "another monitor won", 0),
                arrow(INIT, PROBING, "boot: bootstrap", -40),
                hidden(ELECTING, PROBING, BOOTSTRAP),
                hidden(LEADER_STATE, PROBING, BOOTSTRAP),
                hidden(PEON_STATE, PROBING, BOOTSTRAP),
                hidden(LEADER_STATE, ELECTING, NEW_ELECTION),
                hidden(PEON_STATE, ELECTING, NEW_ELECTION),
            ],
            initial: StateId(INIT),
            within: None,
        },
        Machine {
            name: "leader",
            role: 0,
            states: &[
                state(
                    "recovering",
                    "recovering",
                    "Collecting LASTs with a new pn.",
                    0,
                    1,
                ),
                state(
                    "active",
                    "active",
                    "Serving reads under its lease; ready to propose.",
                    0,
                    2,
                ),
                state(
                    "updating",
                    "updating",
                    "BEGIN sent: waiting for every ACCEPT.",
                    1,
                    2,
                ),
                state(
                    "updating-previous",
                    "updating-prev",
                    "Re-proposing the uncommitted value recovery found.",
                    1,
                    1,
                ),
                state(
                    "writing",
                    "writing",
                    "Every ACCEPT in: the commit is being written.",
                    2,
                    2,
                ),
                state(
                    "writing-previous",
                    "writing-prev",
                    "Writing the commit of the recovered value.",
                    2,
                    1,
                ),
                state(
                    "refresh",
                    "refresh",
                    "Committed: COMMIT sent, lease extended.",
                    3,
                    2,
                ),
            ],
            edges: &[
                arrow(RECOVERING, ACTIVE, "recovered, nothing uncommitted", 0),
                arrow(
                    RECOVERING,
                    UPDATING_PREVIOUS,
                    "an uncommitted value found",
                    0,
                ),
                arrow(UPDATING_PREVIOUS, WRITING_PREVIOUS, "every ACCEPT", 0),
                arrow(WRITING_PREVIOUS, REFRESH, "commit write durable", 0),
                arrow(ACTIVE, UPDATING, "a pending proposal: BEGIN", 8),
                arrow(UPDATING, WRITING, "every ACCEPT", 0),
                arrow(WRITING, REFRESH, "commit write durable", 0),
                arrow(REFRESH, ACTIVE, "round finished", -34),
                hidden(ACTIVE, RECOVERING, RESTART),
                hidden(UPDATING, RECOVERING, RESTART),
                hidden(UPDATING_PREVIOUS, RECOVERING, RESTART),
                hidden(WRITING, RECOVERING, RESTART),
                hidden(WRITING_PREVIOUS, RECOVERING, RESTART),
            ],
            initial: StateId(RECOVERING),
            within: Some((MONITOR, StateId(LEADER_STATE))),
        },
        Machine {
            name: "peon",
            role: 0,
            states: &[
                state(
                    "recovering",
                    "recovering",
                    "Answered a COLLECT; waiting for a lease.",
                    4,
                    1,
                ),
                state(
                    "active",
                    "active",
                    "Holding the leader's lease: serves reads.",
                    4,
                    2,
                ),
                state(
                    "updating",
                    "updating",
                    "Accepted a BEGIN; waiting for its COMMIT.",
                    5,
                    2,
                ),
            ],
            edges: &[
                arrow(RECOVERING, ACTIVE, "LEASE", 8),
                arrow(ACTIVE, RECOVERING, "COLLECT", 8),
                arrow(ACTIVE, UPDATING, "BEGIN", 8),
                arrow(UPDATING, ACTIVE, "LEASE", 8),
                hidden(RECOVERING, UPDATING, "BEGIN"),
                hidden(UPDATING, RECOVERING, "COLLECT, or a Paxos restart"),
            ],
            initial: StateId(RECOVERING),
            within: Some((MONITOR, StateId(PEON_STATE))),
        },
    ],
    note: "any state → probing on bootstrap; → down on crash",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::ceph::{MonState, PaxosState};

    #[test]
    fn the_declaration_is_valid() {
        CEPH.validate().expect("Ceph's declaration");
    }

    #[test]
    fn state_ids_are_the_enums_positions() {
        let mons = [
            MonState::Init,
            MonState::Probing,
            MonState::Synchronizing,
            MonState::Electing,
            MonState::Leader,
            MonState::Peon,
        ];
        let monitor = CEPH.machine(MONITOR);
        assert_eq!(monitor.states.len(), mons.len());
        for m in mons {
            assert_eq!(monitor.states[m.id().0 as usize].name, m.name());
        }
        let phases = [
            PaxosState::Recovering,
            PaxosState::Active,
            PaxosState::Updating,
            PaxosState::UpdatingPrevious,
            PaxosState::Writing,
            PaxosState::WritingPrevious,
            PaxosState::Refresh,
        ];
        let leader = CEPH.machine(LEADER);
        assert_eq!(leader.states.len(), phases.len());
        for p in phases {
            assert_eq!(leader.states[p.id().0 as usize].name, p.name());
        }
        for (i, s) in CEPH.machine(PEON).states.iter().enumerate() {
            assert_eq!(
                s.name, leader.states[i].name,
                "the peon's phases come first"
            );
        }
    }
}
