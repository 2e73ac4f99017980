//! The world's event queue: a binary min-heap of small keys over a slab of events, with
//! cancellation.
//!
//! Events are large (a message with its payload) while the heap moves its items at every
//! push and pop, so the heap holds only the ordering key and the index of the event's slot;
//! each event is written once into its slot and moved out once when it is popped. Freed
//! slots are reused, so the slab stays as large as the most events ever queued at once.
//!
//! A timer that is re-armed or cancelled is taken out of the queue at once (as Ceph's
//! SafeTimer erases a cancelled event), so the queue never hands out a firing that no longer
//! counts. For that each slot remembers where its entry sits in the heap, and a `Handle`
//! carries the slot's generation so that cancelling an event already popped does nothing.

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

/// Names one pushed event, to cancel it later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Handle {
    slot: u32,
    generation: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct EventQueue<E> {
    /// A min-heap: `heap[i] <= heap[2i+1], heap[2i+2]`.
    heap: Vec<Entry>,
    /// The events, by slot.
    slots: Vec<Option<E>>,
    /// Where each slot's entry is in `heap` (meaningless while the slot is free). Apart from
    /// `slots` so that the heap's moves, which update it, touch a small array.
    heap_pos: Vec<u32>,
    /// Bumped whenever a slot is freed, so an old `Handle` no longer matches.
    generation: Vec<u32>,
    free_slots: Vec<u32>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: Vec::new(),
            slots: Vec::new(),
            heap_pos: Vec::new(),
            generation: Vec::new(),
            free_slots: Vec::new(),
        }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, key: EventKey, event: E) -> Handle {
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                debug_assert!(self.slots[slot as usize].is_none(), "a free slot is empty");
                self.slots[slot as usize] = Some(event);
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect("fewer than 2^32 queued events");
                self.slots.push(Some(event));
                self.heap_pos.push(0);
                self.generation.push(0);
                slot
            }
        };
        self.heap.push(Entry::new(key, slot));
        self.sift_up(self.heap.len() - 1);
        Handle {
            slot,
            generation: self.generation[slot as usize],
        }
    }

    /// The key of the earliest event.
    pub fn peek_key(&self) -> Option<EventKey> {
        self.heap.first().map(Entry::key)
    }

    /// Take the earliest event out.
    pub fn pop(&mut self) -> Option<(EventKey, E)> {
        let key = self.heap.first()?.key();
        Some((key, self.remove_at(0)))
    }

    /// Take out the event `handle` names, if it is still queued.
    pub fn cancel(&mut self, handle: Handle) -> Option<E> {
        let i = handle.slot as usize;
        if self.generation.get(i) != Some(&handle.generation) || self.slots[i].is_none() {
            return None;
        }
        Some(self.remove_at(self.heap_pos[i] as usize))
    }

    /// Keep only the events `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        let doomed: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].as_ref().is_some_and(|e| !keep(e)))
            .collect();
        for slot in doomed {
            self.remove_at(self.heap_pos[slot] as usize);
        }
    }

    /// Events queued.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Every queued event with its key, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (EventKey, &E)> + '_ {
        self.heap.iter().map(|e| {
            (
                e.key(),
                self.slots[e.slot as usize]
                    .as_ref()
                    .expect("a queued key has its event"),
            )
        })
    }

    /// Remove the entry at heap position `pos`, free its slot and return its event.
    fn remove_at(&mut self, pos: usize) -> E {
        let removed = self.heap.swap_remove(pos);
        if pos < self.heap.len() {
            // The last entry moved into the hole: it may belong above or below it.
            if pos > 0 && self.heap[pos] < self.heap[(pos - 1) / 2] {
                self.sift_up(pos);
            } else {
                self.sift_down(pos);
            }
        }
        self.free(removed.slot)
    }

    /// Free a slot whose entry has left the heap; returns its event.
    fn free(&mut self, slot: u32) -> E {
        let i = slot as usize;
        self.generation[i] = self.generation[i].wrapping_add(1);
        self.free_slots.push(slot);
        self.slots[i].take().expect("a queued key has its event")
    }

    /// Put `entry` at heap position `pos` and record where it is.
    fn set(&mut self, pos: usize, entry: Entry) {
        self.heap[pos] = entry;
        self.heap_pos[entry.slot as usize] = pos as u32;
    }

    /// Move `heap[pos]` up while it is smaller than its parent (parents move down into the
    /// hole it leaves; it is written once, where it stops).
    fn sift_up(&mut self, mut pos: usize) {
        let entry = self.heap[pos];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if entry >= self.heap[parent] {
                break;
            }
            self.set(pos, self.heap[parent]);
            pos = parent;
        }
        self.set(pos, entry);
    }

    /// Move `heap[pos]` down while a child is smaller (the smaller child moves up).
    fn sift_down(&mut self, mut pos: usize) {
        let entry = self.heap[pos];
        let len = self.heap.len();
        loop {
            let left = 2 * pos + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right] < self.heap[left] {
                right
            } else {
                left
            };
            if self.heap[child] >= entry {
                break;
            }
            self.set(pos, self.heap[child]);
            pos = child;
        }
        self.set(pos, entry);
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

    #[test]
    fn behaves_like_an_ordered_map_under_pushes_pops_and_cancels() {
        use crate::sim::rng::{SimRng, Stream};
        use std::collections::BTreeMap;
        let mut rng = SimRng::new(11, Stream::Clients);
        let mut q = EventQueue::default();
        let mut model: BTreeMap<EventKey, u64> = BTreeMap::new();
        let mut handles: Vec<(Handle, EventKey)> = Vec::new();
        for i in 0..50_000u64 {
            match rng.below(10) {
                0..=4 => {
                    let k = key(rng.below(500), 1, i);
                    handles.push((q.push(k, i), k));
                    model.insert(k, i);
                }
                5..=7 => assert_eq!(q.pop(), model.pop_first()),
                _ if !handles.is_empty() => {
                    // Any handle, often one whose event was popped or cancelled already.
                    let (h, k) = handles.swap_remove(rng.below(handles.len() as u64) as usize);
                    assert_eq!(q.cancel(h), model.remove(&k), "cancel {k:?}");
                }
                _ => {}
            }
            if i % 5_000 == 0 {
                q.retain(|e| e % 3 != 0);
                model.retain(|_, e| *e % 3 != 0);
            }
            assert_eq!(q.peek_key(), model.keys().next().copied());
            assert_eq!(q.len(), model.len());
        }
        let rest: Vec<u64> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(rest, model.into_values().collect::<Vec<_>>());
    }
}
