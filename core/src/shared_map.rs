//! A sorted map whose copies share their contents: the entries live in chunks behind `Rc`s,
//! so cloning the map copies one pointer per chunk, and a change copies only the chunk it
//! touches (if another copy still shares it).
//!
//! A monitor's store keeps the answer of every client operation applied in its stored
//! versions (`Store::applied`, thousands of entries), and every time-travel snapshot copies
//! every store: as a flat map that was nine tenths of a snapshot (about 100 KB per monitor in
//! the bench's load). Entries arrive mostly in key order and leave from the front (a trim),
//! so all chunks but the last stay untouched and shared between the live store and its
//! snapshots.

use crate::trace::{ContentHash, TraceHasher};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Bound, RangeBounds};
use std::rc::Rc;

/// Entries per chunk when they arrive in order (a chunk that grows past twice this by
/// inserts in its middle is split in two).
const CHUNK: usize = 64;

#[derive(Clone)]
pub struct SharedMap<K, V> {
    /// Each non-empty and sorted by key; every key of a chunk is below every key of the next.
    chunks: Vec<Rc<Vec<(K, V)>>>,
    len: usize,
}

impl<K, V> Default for SharedMap<K, V> {
    fn default() -> Self {
        SharedMap {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<K: Ord + Clone, V: Clone> SharedMap<K, V> {
    pub fn new() -> Self {
        SharedMap::default()
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunk `key` is in or would go in: the first whose last key is not below it (the
    /// last chunk for a key above them all).
    fn chunk_for(&self, key: &K) -> usize {
        let i = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|(k, _)| k < key));
        i.min(self.chunks.len().saturating_sub(1))
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        // Keys mostly arrive in rising order and the newest are read most (the version just
        // stored, a request not applied yet): the last entry answers those without a search.
        let (last_key, last_value) = self.chunks.last()?.last()?;
        match key.cmp(last_key) {
            std::cmp::Ordering::Greater => return None,
            std::cmp::Ordering::Equal => return Some(last_value),
            std::cmp::Ordering::Less => {}
        }
        let chunk = self.chunks.get(self.chunk_for(key))?;
        let i = chunk.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        Some(&chunk[i].1)
    }

    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        // The last key again (a version stored uncommitted, then committed), or a key past
        // every other with room in the last chunk (most inserts): replaced or appended there
        // without a search, as the general path below would.
        if let Some(last) = self.chunks.last_mut() {
            let order = last.last().map(|(k, _)| k.cmp(&key));
            if order == Some(std::cmp::Ordering::Equal) {
                let entry = Rc::make_mut(last).last_mut().expect("chunks are not empty");
                return Some(std::mem::replace(&mut entry.1, value));
            }
            if order == Some(std::cmp::Ordering::Less) && last.len() < CHUNK {
                Rc::make_mut(last).push((key, value));
                self.len += 1;
                return None;
            }
        }
        let c = self.chunk_for(&key);
        let appends = match self.chunks.get(c) {
            None => true,
            Some(chunk) => {
                c + 1 == self.chunks.len()
                    && chunk.len() >= CHUNK
                    && chunk.last().is_some_and(|(k, _)| *k < key)
            }
        };
        if appends {
            self.chunks.push(Rc::new(vec![(key, value)]));
            self.len += 1;
            return None;
        }
        let chunk = Rc::make_mut(&mut self.chunks[c]);
        match chunk.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => return Some(std::mem::replace(&mut chunk[i].1, value)),
            Err(i) => chunk.insert(i, (key, value)),
        }
        if chunk.len() > 2 * CHUNK {
            let tail = chunk.split_off(CHUNK);
            self.chunks.insert(c + 1, Rc::new(tail));
        }
        self.len += 1;
        None
    }

    /// Keep the entries `keep` says to: a chunk is copied only if it loses some (`keep` is
    /// asked twice about the entries of such a chunk, so it must not have side effects).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        for chunk in &mut self.chunks {
            if chunk.iter().all(|(k, v)| keep(k, v)) {
                continue;
            }
            Rc::make_mut(chunk).retain(|(k, v)| keep(k, v));
        }
        self.chunks.retain(|c| !c.is_empty());
        self.len = self.chunks.iter().map(|c| c.len()).sum();
    }

    /// Remove every entry whose key is below `key`: whole chunks are dropped (a copy that
    /// still shares them keeps them), and only a chunk cut in its middle is copied.
    pub fn remove_below(&mut self, key: &K) {
        let whole = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|(k, _)| k < key));
        self.chunks.drain(..whole);
        if let Some(first) = self.chunks.first_mut() {
            let cut = first.partition_point(|(k, _)| k < key);
            if cut > 0 {
                Rc::make_mut(first).drain(..cut);
            }
        }
        debug_assert!(self.chunks.iter().all(|c| !c.is_empty()));
        self.len = self.chunks.iter().map(|c| c.len()).sum();
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.chunks.first()?.first().map(|(k, v)| (k, v))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.chunks.last()?.last().map(|(k, v)| (k, v))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + Clone {
        self.chunks
            .iter()
            .flat_map(|c| c.iter().map(|(k, v)| (k, v)))
    }

    /// Share `other`'s chunks where ours hold the same entries (same first key, equal
    /// contents): the map stays equal to itself, only its memory is shared. The monitors'
    /// stores apply the same commits in the same order, so their chunks match; sharing them
    /// keeps one copy per chunk in the time-travel snapshots instead of one per monitor.
    /// Returns how many chunks it shared (already shared ones are not counted).
    pub fn share_equal_chunks(&mut self, other: &SharedMap<K, V>) -> usize
    where
        V: PartialEq,
    {
        let mut shared = 0;
        for chunk in &mut self.chunks {
            let first = &chunk[0].0;
            let j = other.chunks.partition_point(|c| c[0].0 < *first);
            let Some(theirs) = other.chunks.get(j) else {
                break;
            };
            if Rc::ptr_eq(chunk, theirs) || theirs[0].0 != *first {
                continue;
            }
            if **chunk == **theirs {
                *chunk = Rc::clone(theirs);
                shared += 1;
            }
        }
        shared
    }

    /// The position (chunk, index in it) of the first entry for which `before` is false
    /// (`before` must hold for a prefix of the keys); (chunks, 0) past the end.
    fn first_not(&self, before: impl Fn(&K) -> bool) -> (usize, usize) {
        let c = self
            .chunks
            .partition_point(|ch| ch.last().is_some_and(|(k, _)| before(k)));
        match self.chunks.get(c) {
            Some(ch) => (c, ch.partition_point(|(k, _)| before(k))),
            None => (c, 0),
        }
    }

    /// The entries whose keys are within `range`, in key order.
    pub fn range(
        &self,
        range: impl RangeBounds<K>,
    ) -> impl DoubleEndedIterator<Item = (&K, &V)> + Clone {
        let start = match range.start_bound() {
            Bound::Included(s) => self.first_not(|k| k < s),
            Bound::Excluded(s) => self.first_not(|k| k <= s),
            Bound::Unbounded => (0, 0),
        };
        let end = match range.end_bound() {
            Bound::Included(e) => self.first_not(|k| k <= e),
            Bound::Excluded(e) => self.first_not(|k| k < e),
            Bound::Unbounded => (self.chunks.len(), 0),
        };
        let end = end.max(start);
        let last_chunk = (end.0 + 1).min(self.chunks.len());
        self.chunks[start.0.min(last_chunk)..last_chunk]
            .iter()
            .enumerate()
            .flat_map(move |(i, ch)| {
                let c = start.0 + i;
                let from = if c == start.0 { start.1 } else { 0 };
                let to = if c == end.0 { end.1 } else { ch.len() };
                ch[from..to.max(from)].iter().map(|(k, v)| (k, v))
            })
    }
}

impl<K: Ord + Clone, V: Clone + PartialEq> PartialEq for SharedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}
impl<K: Ord + Clone, V: Clone + Eq> Eq for SharedMap<K, V> {}

impl<K: Ord + Clone, V: Clone> FromIterator<(K, V)> for SharedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = SharedMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl<K: Ord + Clone + fmt::Debug, V: Clone + fmt::Debug> fmt::Debug for SharedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord + Clone + ContentHash, V: Clone + ContentHash> ContentHash for SharedMap<K, V> {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(self.len() as u64);
        for (k, v) in self.iter() {
            k.hash_into(h);
            v.hash_into(h);
        }
    }
}

impl<K: Ord + Clone + Serialize, V: Clone + Serialize> Serialize for SharedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, K: Deserialize<'de> + Ord + Clone, V: Deserialize<'de> + Clone> Deserialize<'de>
    for SharedMap<K, V>
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let flat = crate::sorted::SortedMap::<K, V>::deserialize(deserializer)?;
        Ok(flat.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{SimRng, Stream};
    use std::collections::BTreeMap;

    /// Random inserts (mostly ascending, some anywhere), overwrites and trims, compared with a
    /// `BTreeMap` after every operation, and a clone taken midway left as it was.
    #[test]
    fn behaves_as_a_sorted_map_and_a_clone_does_not_change() {
        for seed in 0..20 {
            let mut rng = SimRng::new(seed, Stream::Clients);
            let (mut map, mut model) = (SharedMap::new(), BTreeMap::new());
            let mut next = 0u64;
            let mut kept: Option<(SharedMap<u64, u64>, BTreeMap<u64, u64>)> = None;
            for step in 0..3_000u64 {
                match rng.below(10) {
                    0 => {
                        let k = rng.below(next + 1);
                        assert_eq!(map.insert(k, step), model.insert(k, step), "seed {seed}");
                    }
                    1 if step % 50 == 0 => {
                        let below = rng.below(next + 1);
                        if rng.chance_pct(50) {
                            map.retain(|k, _| *k >= below);
                        } else {
                            map.remove_below(&below);
                        }
                        model.retain(|k, _| *k >= below);
                    }
                    _ => {
                        next += 1 + rng.below(3);
                        assert_eq!(map.insert(next, step), model.insert(next, step));
                    }
                }
                if step == 1_500 {
                    kept = Some((map.clone(), model.clone()));
                }
                assert_eq!(map.len(), model.len(), "seed {seed} step {step}");
                let probe = rng.below(next + 2);
                assert_eq!(
                    map.get(&probe),
                    model.get(&probe),
                    "seed {seed} step {step}"
                );
                let (a, b) = (rng.below(next + 2), rng.below(next + 2));
                if a <= b {
                    assert!(map.range(a..=b).eq(model.range(a..=b)), "{a}..={b}");
                    assert!(
                        map.range(a..b).rev().eq(model.range(a..b).rev()),
                        "{a}..{b}"
                    );
                }
                assert!(map.range(b..).eq(model.range(b..)), "{b}..");
                assert_eq!(map.first_key_value(), model.first_key_value());
                assert_eq!(map.last_key_value(), model.last_key_value());
            }
            assert!(map.iter().eq(model.iter()), "seed {seed}");
            let (old, old_model) = kept.expect("taken at step 1500");
            assert!(
                old.iter().eq(old_model.iter()),
                "seed {seed}: the clone kept its entries"
            );
        }
    }

    /// Two maps built by the same inserts end up sharing every chunk, a third that differs in
    /// one entry shares all chunks but that one, and none of them changes.
    #[test]
    fn equal_chunks_are_shared_between_maps() {
        let build = |odd: u64| -> SharedMap<u64, u64> {
            (0..1_000)
                .map(|k| (k, if k == 500 { odd } else { k }))
                .collect()
        };
        let (a, mut b, mut c) = (build(500), build(500), build(7));
        let chunks = a.chunks.len();
        assert_eq!(b.share_equal_chunks(&a), chunks);
        assert_eq!(c.share_equal_chunks(&a), chunks - 1);
        assert_eq!(b.share_equal_chunks(&a), 0, "already shared");
        assert!(a.iter().eq(b.iter()));
        assert_eq!(c.get(&500), Some(&7));
        assert_eq!(c.get(&499), Some(&499));
        b.insert(5, 0);
        assert_eq!(a.get(&5), Some(&5), "a change to a shared chunk copies it");
    }

    #[test]
    fn a_clone_shares_every_chunk_until_one_changes() {
        let mut map: SharedMap<u64, u64> = (0..1_000).map(|k| (k, k)).collect();
        let copy = map.clone();
        let shared = |a: &SharedMap<u64, u64>, b: &SharedMap<u64, u64>| {
            a.chunks
                .iter()
                .zip(&b.chunks)
                .filter(|(x, y)| Rc::ptr_eq(x, y))
                .count()
        };
        let chunks = map.chunks.len();
        assert_eq!(shared(&map, &copy), chunks);
        map.insert(1_000, 0);
        assert!(
            shared(&map, &copy) >= chunks - 1,
            "only the last chunk is copied"
        );
        map.retain(|k, _| *k >= 100);
        assert_eq!(copy.len(), 1_000);
        assert_eq!(map.len(), 901);
    }
}
