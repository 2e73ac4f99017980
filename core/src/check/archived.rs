//! A map that behaves like one `BTreeMap` but is cheap to clone when it grows with the run.
//!
//! The checker keeps a few facts per committed version (the value chosen at each version,
//! the ACCEPTs each leader received). Time-travel snapshots clone the checker, so with a
//! plain map every snapshot would copy every version so far (memory quadratic in the run).
//! Here, entries are moved in chunks into immutable, shared (`Rc`) archives: a clone copies
//! the small live map and one pointer per chunk.
//!
//! The logical map is the live map over the archive chunks, newer chunks over older ones.
//! Archiving moves entries without changing that logical map, so every lookup answers exactly
//! what the single map would have answered.

use crate::sorted::SortedMap;
use std::rc::Rc;

/// Entries kept live before the oldest (lowest-keyed) half is archived. Small: a snapshot
/// copies the live map (and drops it later), while look-ups almost always hit the newest keys.
/// A snapshot also copies one pointer per chunk, 64 entries each: about 400 per map after a
/// million simulator events, still far less than the live map it replaces.
const LIVE_MAX: usize = 128;

#[derive(Clone, Debug)]
pub struct ArchivedMap<K: Ord + Clone, V: Clone> {
    live: SortedMap<K, V>,
    /// Oldest first. A key may appear in several chunks only if it was modified after being
    /// archived; the newest copy (or the live one) is the current value.
    archive: Vec<Chunk<K, V>>,
    /// The highest key in any chunk: a key above it (the common case, versions rise) is not
    /// archived, without looking at each chunk.
    archived_max: Option<K>,
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

impl<K: Ord + Clone, V: Clone> Default for ArchivedMap<K, V> {
    fn default() -> Self {
        ArchivedMap {
            live: SortedMap::new(),
            archive: Vec::new(),
            archived_max: None,
        }
    }
}

impl<K: Ord + Clone, V: Clone> ArchivedMap<K, V> {
    pub fn get(&self, k: &K) -> Option<&V> {
        // Keys mostly rise, so the question is mostly about the newest key: the last live
        // entry answers it (found, or above every live key) without a search.
        match self.live.last_key_value() {
            Some((last, v)) if last == k => Some(v),
            Some((last, _)) if k > last => self.archived(k),
            _ => self.live.get(k).or_else(|| self.archived(k)),
        }
    }

    fn archived(&self, k: &K) -> Option<&V> {
        Self::find_archived(&self.archive, self.archived_max.as_ref(), k)
    }

    fn find_archived<'a>(
        archive: &'a [Chunk<K, V>],
        archived_max: Option<&K>,
        k: &K,
    ) -> Option<&'a V> {
        if archived_max.is_none_or(|max| k > max) {
            return None;
        }
        archive.iter().rev().find_map(|chunk| chunk.get(k))
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
        let (archive, archived_max) = (&self.archive, self.archived_max.as_ref());
        self.live.entry(k).or_insert_with_key(|k| {
            Self::find_archived(archive, archived_max, k)
                .cloned()
                .unwrap_or_default()
        })
    }

    /// Number of distinct keys (slow: for tests and diagnostics).
    pub fn len(&self) -> usize {
        let mut keys: Vec<&K> = self
            .live
            .keys()
            .chain(self.archive.iter().flat_map(|c| c.map.keys()))
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
        if self.archived_max.as_ref().is_none_or(|max| hi > *max) {
            self.archived_max = Some(hi.clone());
        }
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
        for i in 0..20_000 {
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
        assert!(archived.archive.len() > 3, "the test exercised archiving");
        assert_eq!(plain.len(), archived.len());
        assert!(plain.iter().all(|(k, v)| archived.get(k) == Some(v)));
    }
}
