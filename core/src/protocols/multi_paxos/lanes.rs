//! A Multi-Paxos replica's log as the page's log view draws it (`Protocol::log`): only the
//! slots of the view's window are looked up, so a log of 10^4 slots costs 40 look-ups.

use super::durable::Durable;
use super::messages::Slot;
use super::node::Node;
use crate::view::{self, NodeLog, SlotState};

/// Chosen slots are applied up to `node.applied` (slot order, never past a hole) and chosen
/// beyond; an accepted entry not known chosen is accepted; anything else is empty (a hole
/// below the highest slot held). A no-op keeps its mark in every state. While the node is
/// down nothing is applied (the key-value state is memory, rebuilt from the chosen log at
/// restart) and it has no window.
pub fn log(node: Option<&Node>, d: &Durable, from: Slot, to: Slot) -> NodeLog {
    let applied = node.map_or(0, |n| n.applied);
    let slot = |s: Slot| match (d.chosen.get(&s), d.accepted.get(&s)) {
        (Some(v), _) => view::Slot {
            state: if s <= applied {
                SlotState::Applied
            } else {
                SlotState::Chosen
            },
            noop: v.is_noop(),
        },
        (None, Some((_, v))) => view::Slot {
            state: SlotState::Accepted,
            noop: v.is_noop(),
        },
        (None, None) => view::Slot::empty(),
    };
    let last = |m: Option<Slot>| m.unwrap_or(0);
    NodeLog {
        applied,
        first_unchosen: d.first_unchosen(),
        alpha: node.map_or(0, |n| n.config.alpha),
        highest: last(d.chosen.keys().next_back().copied())
            .max(last(d.accepted.keys().next_back().copied())),
        slots: (from..=to).map(slot).collect(),
    }
}
