//! The world's event queue: a binary heap of small keys over a slab of events.
//!
//! Events are large (a message with its payload) while the heap moves its items at every
//! push and pop, so the heap holds only the ordering key and the index of the event's slot;
//! each event is written once into its slot and moved out once when it is popped. Freed
//! slots are reused, so the slab stays as large as the most events ever queued at once.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Where an event sits in the run's order: by time, then class, then ordinal. Keys are
/// unique (the world never gives two events the same class and ordinal), so the order of
/// the events is total and does not depend on how the heap breaks ties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EventKey {
    pub t_ms: u64,
    pub class: u8,
    pub ordinal: u64,
}

/// A heap entry: the key packed into two words (`tie` holds the class in its top bit and the
/// ordinal below it), so comparing entries, the heap's inner loop, is two integer compares.
/// The slot index comes last and never decides: keys are unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    t_ms: u64,
    tie: u64,
    slot: u32,
}

const CLASS_BIT: u64 = 1 << 63;

impl Entry {
    fn new(key: EventKey, slot: u32) -> Self {
        assert!(
            key.class <= 1 && key.ordinal < CLASS_BIT,
            "a key fits the packing: {key:?}"
        );
        let class = if key.class == 1 { CLASS_BIT } else { 0 };
        Entry {
            t_ms: key.t_ms,
            tie: class | key.ordinal,
            slot,
        }
    }

    fn key(&self) -> EventKey {
        EventKey {
            t_ms: self.t_ms,
            class: u8::from(self.tie & CLASS_BIT != 0),
            ordinal: self.tie & !CLASS_BIT,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry>>,
    slots: Vec<Option<E>>,
    free_slots: Vec<u32>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free_slots: Vec::new(),
        }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, key: EventKey, event: E) {
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                debug_assert!(self.slots[slot as usize].is_none(), "a free slot is empty");
                self.slots[slot as usize] = Some(event);
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect("fewer than 2^32 queued events");
                self.slots.push(Some(event));
                slot
            }
        };
        self.heap.push(Reverse(Entry::new(key, slot)));
    }

    /// The key of the earliest event.
    pub fn peek_key(&self) -> Option<EventKey> {
        self.heap.peek().map(|e| e.0.key())
    }

    /// Take the earliest event out.
    pub fn pop(&mut self) -> Option<(EventKey, E)> {
        let Reverse(entry) = self.heap.pop()?;
        let (key, slot) = (entry.key(), entry.slot);
        let event = self.slots[slot as usize]
            .take()
            .expect("a queued key has its event");
        self.free_slots.push(slot);
        Some((key, event))
    }

    /// Every queued event with its key, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (EventKey, &E)> + '_ {
        self.heap.iter().map(|e| {
            (
                e.0.key(),
                self.slots[e.0.slot as usize]
                    .as_ref()
                    .expect("a queued key has its event"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t_ms: u64, class: u8, ordinal: u64) -> EventKey {
        EventKey {
            t_ms,
            class,
            ordinal,
        }
    }

    #[test]
    fn pops_in_key_order_and_reuses_freed_slots() {
        let mut q = EventQueue::default();
        q.push(key(5, 1, 1), "late");
        q.push(key(3, 1, 2), "early");
        q.push(key(3, 0, 9), "action first at the same ms");
        assert_eq!(q.peek_key(), Some(key(3, 0, 9)));
        assert_eq!(q.pop(), Some((key(3, 0, 9), "action first at the same ms")));
        q.push(key(4, 1, 3), "reuses the freed slot");
        assert_eq!(q.slots.len(), 3, "no new slot while one is free");
        let rest: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(rest, ["early", "reuses the freed slot", "late"]);
        assert_eq!(q.iter().count(), 0);
    }
}
