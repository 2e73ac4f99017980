//! What a Multi-Paxos node keeps on disk; only this survives a crash in the simulator.
//!
//! Seed 002's "what must be durable before replying":
//! * the acceptor's promise (one id for the whole log from the prepare's start on) and every
//!   entry it accepted, written before its promise or accepted message leaves;
//! * the highest round the node used as a candidate, written before its prepare leaves, so a
//!   restarted node never reuses a proposal id;
//! * the chosen log: a replica's knowledge of chosen values (its commit log); the key-value
//!   state is rebuilt from it at restart by applying it again in slot order.
//!
//! An accepted entry is dropped once the slot's chosen value is written: a promise then
//! reports the chosen value itself.

use super::messages::{Pid, Slot, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Durable {
    /// Acceptor: the highest proposal id promised.
    pub promised: Option<Pid>,
    /// Acceptor: per slot, the entry accepted with the highest id (not yet known chosen).
    pub accepted: BTreeMap<Slot, (Pid, Value)>,
    /// Replica: the values it knows chosen, by slot (holes are slots not known yet).
    pub chosen: BTreeMap<Slot, Value>,
    /// Candidate: the highest round it has used (0: none).
    pub max_round: u32,
}

/// One key of a store transaction (`Effect::Persist`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Promised(Pid),
    Accepted(Slot, Pid, Value),
    Chosen(Slot, Value),
    MaxRound(u32),
}

impl Durable {
    /// How many items are held (the memory budget counts them).
    pub fn entries(&self) -> u64 {
        (self.accepted.len() + self.chosen.len()) as u64
            + u64::from(self.promised.is_some())
            + u64::from(self.max_round > 0)
    }

    pub fn apply(&mut self, w: &Write) {
        match w {
            Write::Promised(id) => self.promised = Some(*id),
            Write::Accepted(slot, id, v) => {
                self.accepted.insert(*slot, (*id, v.clone()));
            }
            Write::Chosen(slot, v) => {
                self.accepted.remove(slot);
                self.chosen.insert(*slot, v.clone());
            }
            Write::MaxRound(r) => self.max_round = *r,
        }
    }

    /// The first slot whose value this replica does not know.
    pub fn first_unchosen(&self) -> Slot {
        first_gap(self.chosen.keys().copied())
    }
}

/// The first slot from 1 not in `slots` (sorted ascending).
pub fn first_gap(slots: impl Iterator<Item = Slot>) -> Slot {
    let mut next = 1;
    for s in slots {
        if s > next {
            break;
        }
        if s == next {
            next += 1;
        }
    }
    next
}

impl Write {
    /// The write in words, for the log: `accepted[135]=3.1 no-op`.
    pub fn describe(&self) -> String {
        match self {
            Write::Promised(id) => format!("promised={id}"),
            Write::Accepted(s, id, v) => format!("accepted[{s}]={id} {v}"),
            Write::Chosen(s, v) => format!("chosen[{s}]={v}"),
            Write::MaxRound(r) => format!("max_round={r}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_gap_is_the_first_missing_slot() {
        assert_eq!(first_gap([].into_iter()), 1);
        assert_eq!(first_gap([1, 2, 3].into_iter()), 4);
        assert_eq!(first_gap([1, 2, 4, 5].into_iter()), 3);
        assert_eq!(first_gap([2, 3].into_iter()), 1);
    }

    #[test]
    fn a_chosen_write_replaces_the_accepted_entry() {
        let mut d = Durable::default();
        d.apply(&Write::Accepted(1, Pid::new(1, 0), Value::Noop));
        assert_eq!(d.entries(), 1);
        d.apply(&Write::Chosen(1, Value::Noop));
        assert!(d.accepted.is_empty());
        assert_eq!(d.first_unchosen(), 2);
    }
}
