//! An ordered map and an ordered set kept as one sorted `Vec`, in place of `BTreeMap` and
//! `BTreeSet` for the core's small collections (the ranks of a quorum, a monitor's peers,
//! the checker's per-epoch facts, a store's keys).
//!
//! Why: the playground's wasm carries a copy of the B-tree's code (search, insert, remove
//! with node splits and merges, iteration, clone, drop) for every key and value type, about
//! 3.5 KB each before wasm-opt; these are a binary search and `Vec::insert` / `Vec::remove`
//! per type. With a handful of ranks or epochs a sorted vector is also faster than a tree.
//!
//! They behave as the B-tree collections do where this crate can see it: iteration in
//! ascending key order, `Debug` as a map / a set, serde as a map / a sequence with its length
//! (so model fingerprints and JSON do not change), `Hash` and the trace's `ContentHash` with
//! the length first and then the items in order.

use crate::trace::{ContentHash, TraceHasher};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

/// A map ordered by key: the entries sorted by key, each key once. Compared as `BTreeMap`s
/// are: entry by entry in key order, a prefix first.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

/// A set ordered by value: the items sorted, each once. Compared as `BTreeSet`s are.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap::new()
    }
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet::new()
    }
}

/// The first index whose item is not below `lo` (or 0 for an unbounded start).
fn start_of<T, Q: Ord + ?Sized>(items: &[T], key: impl Fn(&T) -> &Q, lo: Bound<&Q>) -> usize {
    match lo {
        Bound::Included(q) => items.partition_point(|t| key(t) < q),
        Bound::Excluded(q) => items.partition_point(|t| key(t) <= q),
        Bound::Unbounded => 0,
    }
}

/// One past the last index whose item is not above `hi` (or the length for an unbounded end).
fn end_of<T, Q: Ord + ?Sized>(items: &[T], key: impl Fn(&T) -> &Q, hi: Bound<&Q>) -> usize {
    match hi {
        Bound::Included(q) => items.partition_point(|t| key(t) <= q),
        Bound::Excluded(q) => items.partition_point(|t| key(t) < q),
        Bound::Unbounded => items.len(),
    }
}

fn entry_key<K: Borrow<Q>, V, Q: ?Sized>(entry: &(K, V)) -> &Q {
    entry.0.borrow()
}

impl<K, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in ascending key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    /// Keeps the entries for which `keep` says true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// Where `key` is (`Ok`) or would go (`Err`).
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        // Keys mostly arrive in rising order (epochs, versions): the last entry answers first.
        match self.entries.last() {
            None => Err(0),
            Some((last, _)) => match last.borrow().cmp(key) {
                std::cmp::Ordering::Less => Err(self.entries.len()),
                std::cmp::Ordering::Equal => Ok(self.entries.len() - 1),
                std::cmp::Ordering::Greater => {
                    self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
                }
            },
        }
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// Moves the entries from `key` up into a new map, as `BTreeMap::split_off` does.
    pub fn split_off<Q: Ord + ?Sized>(&mut self, key: &Q) -> Self
    where
        K: Borrow<Q>,
    {
        let at = self.entries.partition_point(|(k, _)| k.borrow() < key);
        SortedMap {
            entries: self.entries.split_off(at),
        }
    }

    /// The entry for `key`, to read or fill in place.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        Entry { map: self, key }
    }

    /// The entries whose keys are in `range`, in ascending key order.
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(
        &self,
        range: R,
    ) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone
    where
        K: Borrow<Q>,
    {
        let lo = start_of(&self.entries, entry_key::<K, V, Q>, range.start_bound());
        let hi = end_of(&self.entries, entry_key::<K, V, Q>, range.end_bound()).max(lo);
        self.entries[lo..hi].iter().map(|(k, v)| (k, v))
    }
}

/// A key of a `SortedMap` with the map, as `BTreeMap::entry` gives.
pub struct Entry<'a, K, V> {
    map: &'a mut SortedMap<K, V>,
    key: K,
}

impl<'a, K: Ord, V> Entry<'a, K, V> {
    pub fn or_insert_with_key(self, value: impl FnOnce(&K) -> V) -> &'a mut V {
        let i = match self.map.find(&self.key) {
            Ok(i) => i,
            Err(i) => {
                let v = value(&self.key);
                self.map.entries.insert(i, (self.key, v));
                i
            }
        };
        &mut self.map.entries[i].1
    }

    pub fn or_insert_with(self, value: impl FnOnce() -> V) -> &'a mut V {
        self.or_insert_with_key(|_| value())
    }

    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<T> SortedSet<T> {
    pub const fn new() -> Self {
        SortedSet { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// The items in ascending order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }
}

impl<T: Ord> SortedSet<T> {
    fn find<Q: Ord + ?Sized>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        match self.items.last() {
            None => Err(0),
            Some(last) => match last.borrow().cmp(item) {
                std::cmp::Ordering::Less => Err(self.items.len()),
                std::cmp::Ordering::Equal => Ok(self.items.len() - 1),
                std::cmp::Ordering::Greater => {
                    self.items.binary_search_by(|t| t.borrow().cmp(item))
                }
            },
        }
    }

    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(item).is_ok()
    }

    /// Adds `item`; true if it was not in the set.
    pub fn insert(&mut self, item: T) -> bool {
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    /// Takes `item` out; true if it was in the set.
    pub fn remove<Q: Ord + ?Sized>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self.find(item) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// The items in `range`, in ascending order.
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> std::slice::Iter<'_, T>
    where
        T: Borrow<Q>,
    {
        let lo = start_of(&self.items, T::borrow, range.start_bound());
        let hi = end_of(&self.items, T::borrow, range.end_bound()).max(lo);
        self.items[lo..hi].iter()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// A later entry for a key replaces an earlier one, as collecting into a `BTreeMap` does.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = SortedMap::new();
        map.extend(entries);
        map
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, entries: I) {
        for (k, v) in entries {
            self.insert(k, v);
        }
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = SortedSet::new();
        set.extend(items);
        set
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for t in items {
            self.insert(t);
        }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for SortedSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<K: ContentHash, V: ContentHash> ContentHash for SortedMap<K, V> {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(self.len() as u64);
        for (k, v) in self {
            k.hash_into(h);
            v.hash_into(h);
        }
    }
}

impl<T: ContentHash> ContentHash for SortedSet<T> {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_seq(self.len(), self.iter());
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<T: Serialize> Serialize for SortedSet<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = SortedMap::new();
                while let Some((k, v)) = access.next_entry()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<'de, T: Deserialize<'de> + Ord> Deserialize<'de> for SortedSet<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Ord> Visitor<'de> for SeqVisitor<T> {
            type Value = SortedSet<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut set = SortedSet::new();
                while let Some(t) = access.next_element()? {
                    set.insert(t);
                }
                Ok(set)
            }
        }
        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }
}

/// Sorts `items` by `key`, equal keys kept in their order (as `sort_by_key` does), through one
/// sort of `(key, index)` triples that every caller shares: each `sort_by_key` on another
/// item type would add its own copy of the standard library's sort to the wasm (about 4 KB
/// before wasm-opt each).
pub fn sort_by_u64_pair<T>(items: &mut Vec<T>, key: impl Fn(&T) -> (u64, u64)) {
    let mut order: Vec<(u64, u64, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (a, b) = key(t);
            (a, b, i)
        })
        .collect();
    // The index makes every triple distinct, so an unstable sort keeps equal keys in order.
    order.sort_unstable();
    if order.iter().enumerate().all(|(i, o)| o.2 == i) {
        return;
    }
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .iter()
            .map(|o| slots[o.2].take().expect("each index is in the order once")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// A deterministic stream of operations (a linear congruential generator), to compare
    /// against the B-tree collections step by step.
    fn ops(seed: u64, n: usize) -> Vec<(u8, u64)> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 60) as u8 % 4, (x >> 32) % 40)
            })
            .collect()
    }

    #[test]
    fn the_map_answers_as_a_btreemap_does() {
        for seed in 0..20 {
            let (mut mine, mut model) = (SortedMap::new(), BTreeMap::new());
            for (i, (op, k)) in ops(seed, 300).into_iter().enumerate() {
                match op {
                    0 | 1 => assert_eq!(mine.insert(k, i), model.insert(k, i)),
                    2 => assert_eq!(mine.remove(&k), model.remove(&k)),
                    _ => *mine.entry(k).or_default() += 1,
                }
                if op == 3 {
                    *model.entry(k).or_default() += 1;
                }
                assert_eq!(mine.get(&k), model.get(&k));
                assert_eq!(mine.len(), model.len());
            }
            assert!(mine.iter().eq(model.iter()), "seed {seed}: iteration order");
            assert!(
                mine.range(5..=20).eq(model.range(5..=20)),
                "seed {seed}: range"
            );
            assert!(mine.range(30..).rev().eq(model.range(30..).rev()));
            assert_eq!(format!("{mine:?}"), format!("{model:?}"));
        }
    }

    #[test]
    fn the_set_answers_as_a_btreeset_does() {
        for seed in 0..20 {
            let (mut mine, mut model) = (SortedSet::new(), BTreeSet::new());
            for (op, k) in ops(seed, 300) {
                match op {
                    0 | 1 => assert_eq!(mine.insert(k), model.insert(k)),
                    _ => assert_eq!(mine.remove(&k), model.remove(&k)),
                }
                assert_eq!(mine.contains(&k), model.contains(&k));
            }
            assert!(mine.iter().eq(model.iter()), "seed {seed}: iteration order");
            assert!(mine.range(..17).eq(model.range(..17)));
            assert_eq!(mine.first(), model.first());
            assert_eq!(mine.last(), model.last());
            assert_eq!(format!("{mine:?}"), format!("{model:?}"));
        }
    }

    #[test]
    fn sort_by_u64_pair_sorts_as_sort_by_key_does() {
        for seed in 0..20 {
            let items: Vec<(u8, u64)> = ops(seed, 200);
            let mut mine = items.clone();
            sort_by_u64_pair(&mut mine, |(op, k)| (k / 4, u64::from(*op % 2)));
            let mut model = items;
            model.sort_by_key(|(op, k)| (k / 4, u64::from(*op % 2)));
            assert_eq!(mine, model, "seed {seed}");
        }
    }

    #[test]
    fn serde_json_and_hashes_match_the_btree_collections() {
        let map: SortedMap<u64, String> = [(3, "c".into()), (1, "a".into()), (2, "b".into())]
            .into_iter()
            .collect();
        let model: BTreeMap<u64, String> = map.iter().map(|(k, v)| (*k, v.clone())).collect();
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(json, serde_json::to_string(&model).unwrap());
        assert_eq!(
            serde_json::from_str::<SortedMap<u64, String>>(&json).unwrap(),
            map
        );
        let set: SortedSet<u8> = [4, 0, 2].into_iter().collect();
        let model_set: BTreeSet<u8> = [4, 0, 2].into_iter().collect();
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, serde_json::to_string(&model_set).unwrap());
        assert_eq!(serde_json::from_str::<SortedSet<u8>>(&json).unwrap(), set);
        let hash = |f: &dyn Fn(&mut TraceHasher)| {
            let mut h = TraceHasher::default();
            f(&mut h);
            h.finish()
        };
        let m: SortedMap<u64, u64> = [(1, 10), (2, 20)].into_iter().collect();
        let b: BTreeMap<u64, u64> = [(1, 10), (2, 20)].into_iter().collect();
        assert_eq!(hash(&|h| m.hash_into(h)), hash(&|h| b.hash_into(h)));
        let s: SortedSet<u64> = [7, 3].into_iter().collect();
        let bs: BTreeSet<u64> = [7, 3].into_iter().collect();
        assert_eq!(hash(&|h| s.hash_into(h)), hash(&|h| bs.hash_into(h)));
    }
}
