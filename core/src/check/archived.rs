//! A map that behaves like one `BTreeMap` but is cheap to clone when it grows with the run.
//!
//! The checker keeps a few facts per committed version (the value chosen at each version,
//! the ACCEPTs each leader received). Time-travel snapshots clone the checker, so with a
//! plain map every snapshot would copy every version so far (memory quadratic in the run).
//! Here, entries are moved in chunks into immutable, shared (`Rc`) archives, and the chunks
//! into shared groups: a clone copies the small live map, the open group's chunk headers and
//! one pointer per sealed group.
//!
//! The logical map is the live map over the archive chunks, newer chunks over older ones.
//! Archiving moves entries without changing that logical map, so every lookup answers exactly
//! what the single map would have answered.

use crate::sorted::SortedMap;
use std::rc::Rc;

/// Entries kept live before the oldest (lowest-keyed) half is archived. Small: a snapshot
/// copies the live map (and drops it later), while look-ups almost always hit the newest keys.
const LIVE_MAX: usize = 64;

/// Archived chunks per sealed group. A snapshot copies the open group (fewer than this many
/// chunks) and one pointer per sealed group: with one flat list of chunks, every snapshot
/// copied one chunk header per 64 versions of the whole run so far, which made a long run's
/// memory grow with the square of its length (about 90 bytes more per snapshot every 2,000
/// events of the bench's load: 1 GB of 2.4 GB at 10^7 events).
const GROUP: usize = 64;

#[derive(Clone, Debug)]
pub struct ArchivedMap<K: Ord + Clone, V: Clone> {
    live: SortedMap<K, V>,
    archive: Archive<K, V>,
}

/// The archived chunks, oldest first: full groups shared between copies, then the open group.
/// A key may appear in several chunks only if it was modified after being archived; the
/// newest copy (or the live one) is the current value.
#[derive(Clone, Debug)]
struct Archive<K, V> {
    sealed: Vec<Rc<[Chunk<K, V>]>>,
    open: Vec<Chunk<K, V>>,
    /// The highest key in any chunk: a key above it (the common case, versions rise) is not
    /// archived, without looking at each chunk.
    max: Option<K>,
}

/// Archived entries with their lowest and highest key (a lookup skips chunks out of range).
#[derive(Clone, Debug)]
struct Chunk<K, V> {
    lo: K,
    hi: K,
    map: Rc<SortedMap<K, V>>,
}

impl<K: Ord, V> Chunk<K, V> {
    fn get(&self, k: &K) -> Option<&V> {
        if *k < self.lo || *k > self.hi {
            return None;
        }
        self.map.get(k)
    }
}

impl<K: Ord + Clone, V> Archive<K, V> {
    /// The newest archived value at `k`.
    fn get(&self, k: &K) -> Option<&V> {
        if self.max.as_ref().is_none_or(|max| k > max) {
            return None;
        }
        let newest_first = self
            .open
            .iter()
            .rev()
            .chain(self.sealed.iter().rev().flat_map(|g| g.iter().rev()));
        newest_first.into_iter().find_map(|chunk| chunk.get(k))
    }

    fn push(&mut self, chunk: Chunk<K, V>) {
        if self.max.as_ref().is_none_or(|max| chunk.hi > *max) {
            self.max = Some(chunk.hi.clone());
        }
        self.open.push(chunk);
        if self.open.len() == GROUP {
            let group: Rc<[Chunk<K, V>]> = std::mem::take(&mut self.open).into();
            self.sealed.push(group);
        }
        debug_assert!(self.open.len() < GROUP, "full groups are sealed");
    }

    fn chunks(&self) -> impl Iterator<Item = &Chunk<K, V>> {
        self.sealed.iter().flat_map(|g| g.iter()).chain(&self.open)
    }

    fn is_empty(&self) -> bool {
        self.sealed.is_empty() && self.open.is_empty()
    }
}

impl<K: Ord + Clone, V: Clone> Default for ArchivedMap<K, V> {
    fn default() -> Self {
        ArchivedMap {
            live: SortedMap::new(),
            archive: Archive {
                sealed: Vec::new(),
                open: Vec::new(),
                max: None,
            },
        }
    }
}

impl<K: Ord + Clone, V: Clone> ArchivedMap<K, V> {
    pub fn get(&self, k: &K) -> Option<&V> {
        // Keys mostly rise, so the question is mostly about the newest key: the last live
        // entry answers it (found, or above every live key) without a search.
        match self.live.last_key_value() {
            Some((last, v)) if last == k => Some(v),
            Some((last, _)) if k > last => self.archive.get(k),
            _ => self.live.get(k).or_else(|| self.archive.get(k)),
        }
    }

    pub fn contains_key(&self, k: &K) -> bool {
        self.get(k).is_some()
    }

    /// Insert (or replace) a value.
    pub fn insert(&mut self, k: K, v: V) {
        self.archive_if_large();
        self.live.insert(k, v);
    }

    /// The value at `k` for modification, starting from its current value or `V::default()`.
    pub fn entry_or_default(&mut self, k: K) -> &mut V
    where
        V: Default,
    {
        // The newest key again (keys mostly rise) is found without a search (`SortedMap`
        // compares with its last key first).
        if self.live.len() >= LIVE_MAX && !self.live.contains_key(&k) {
            self.archive_if_large();
        }
        let archive = &self.archive;
        self.live
            .entry(k)
            .or_insert_with_key(|k| archive.get(k).cloned().unwrap_or_default())
    }

    /// Number of distinct keys (slow: for tests and diagnostics).
    pub fn len(&self) -> usize {
        let mut keys: Vec<&K> = self
            .live
            .keys()
            .chain(self.archive.chunks().flat_map(|c| c.map.keys()))
            .collect();
        keys.sort();
        keys.dedup();
        keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty() && self.archive.is_empty()
    }

    fn archive_if_large(&mut self) {
        if self.live.len() < LIVE_MAX {
            return;
        }
        let split_key = self
            .live
            .keys()
            .nth(LIVE_MAX / 2)
            .cloned()
            .expect("the live map is large");
        let newer = self.live.split_off(&split_key);
        let older = std::mem::replace(&mut self.live, newer);
        let lo = older.keys().next().cloned().expect("half of a large map");
        let hi = older
            .keys()
            .next_back()
            .cloned()
            .expect("half of a large map");
        self.archive.push(Chunk {
            lo,
            hi,
            map: Rc::new(older),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{SimRng, Stream};
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_one_btreemap_through_archiving() {
        let mut rng = SimRng::new(9, Stream::Clients);
        let mut plain: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        let mut archived: ArchivedMap<u64, Vec<u64>> = ArchivedMap::default();
        for i in 0..40_000 {
            // Mostly rising keys (versions), sometimes an old one again.
            let k = if rng.chance_pct(10) {
                rng.below(i / 4 + 1)
            } else {
                i / 4
            };
            match rng.below(3) {
                0 => {
                    plain.insert(k, vec![i]);
                    archived.insert(k, vec![i]);
                }
                _ => {
                    plain.entry(k).or_default().push(i);
                    archived.entry_or_default(k).push(i);
                }
            }
            let probe = rng.below(i / 4 + 2);
            assert_eq!(
                plain.get(&probe),
                archived.get(&probe),
                "key {probe} after {i} operations"
            );
        }
        assert!(
            archived.archive.sealed.len() > 1,
            "the test exercised archiving and sealing"
        );
        assert_eq!(plain.len(), archived.len());
        assert!(plain.iter().all(|(k, v)| archived.get(k) == Some(v)));
    }
}
