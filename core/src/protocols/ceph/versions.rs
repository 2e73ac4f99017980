//! The Paxos versions a store holds (`paxos/<v>` in spec 4.1), in version order.
//!
//! A healthy store holds a contiguous run `first_committed ..= last_committed` (plus maybe the
//! uncommitted `last_committed + 1`): new versions arrive at the end and trimming removes
//! the oldest. So the versions live in a deque sorted by version, where version `v` is
//! usually at index `v - first`: a lookup is one index, an append is a push, a trim pops
//! from the front, and a snapshot's copy is one block instead of a tree of nodes. A store
//! with holes (which the contiguity invariant exists to catch) still works: lookups then
//! fall back to a binary search.

use super::messages::Version;
use super::store::Value;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, VecDeque};
use std::ops::{Bound, RangeBounds};
use std::rc::Rc;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Versions {
    /// Sorted by version, no version twice.
    entries: VecDeque<(Version, Rc<Value>)>,
}

impl Versions {
    pub fn new() -> Self {
        Versions::default()
    }

    /// Where version `v` is, or where it would go.
    fn position(&self, v: Version) -> Result<usize, usize> {
        let (Some(&(first, _)), Some(&(last, _))) = (self.entries.front(), self.entries.back())
        else {
            return Err(0);
        };
        if v > last {
            return Err(self.entries.len());
        }
        // The common case: no holes, so `v` sits at `v - first`.
        if let Some(i) = v.checked_sub(first) {
            if let Some((at, _)) = self.entries.get(i as usize) {
                if *at == v {
                    return Ok(i as usize);
                }
            }
        }
        self.entries.binary_search_by_key(&v, |(at, _)| *at)
    }

    pub fn get(&self, v: &Version) -> Option<&Rc<Value>> {
        self.position(*v).ok().map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, v: &Version) -> bool {
        self.position(*v).is_ok()
    }

    /// Store `value` at `v`; returns the value it replaced.
    pub fn insert(&mut self, v: Version, value: Rc<Value>) -> Option<Rc<Value>> {
        if self.entries.back().is_none_or(|(last, _)| *last < v) {
            self.entries.push_back((v, value));
            return None;
        }
        match self.position(v) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (v, value));
                None
            }
        }
    }

    /// Erase every version below `to` (spec 11: trim).
    pub fn trim_below(&mut self, to: Version) {
        while self.entries.front().is_some_and(|(v, _)| *v < to) {
            self.entries.pop_front();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every version, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Version, &Rc<Value>)> {
        self.entries.iter().map(|(v, val)| (v, val))
    }

    /// The versions within `range`, oldest first.
    pub fn range(
        &self,
        range: impl RangeBounds<Version>,
    ) -> impl DoubleEndedIterator<Item = (&Version, &Rc<Value>)> {
        // Index of the first entry at or after `v`, and of the first entry after `v`.
        let at_or_after = |v: &Version| self.position(*v).unwrap_or_else(|i| i);
        let after = |v: &Version| self.position(*v).map_or_else(|i| i, |i| i + 1);
        let start = match range.start_bound() {
            Bound::Included(v) => at_or_after(v),
            Bound::Excluded(v) => after(v),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(v) => after(v),
            Bound::Excluded(v) => at_or_after(v),
            Bound::Unbounded => self.entries.len(),
        };
        self.entries
            .range(start..end.max(start))
            .map(|(v, val)| (v, val))
    }

    pub fn first_key_value(&self) -> Option<(&Version, &Rc<Value>)> {
        self.entries.front().map(|(v, val)| (v, val))
    }

    pub fn last_key_value(&self) -> Option<(&Version, &Rc<Value>)> {
        self.entries.back().map(|(v, val)| (v, val))
    }
}

impl FromIterator<(Version, Rc<Value>)> for Versions {
    fn from_iter<I: IntoIterator<Item = (Version, Rc<Value>)>>(iter: I) -> Self {
        let mut versions = Versions::new();
        for (v, value) in iter {
            versions.insert(v, value);
        }
        versions
    }
}

/// Printed like a map, `{1: Value { .. }, 2: ..}`.
impl std::fmt::Debug for Versions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Serialized as a map from version to value, as a `BTreeMap` would be.
impl Serialize for Versions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Versions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<Version, Rc<Value>>::deserialize(d)?;
        Ok(map.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{SimRng, Stream};

    fn value(n: u64) -> Rc<Value> {
        Rc::new(Value {
            ops: vec![super::super::store::ValueOp::Trim { to: n }],
        })
    }

    #[test]
    fn behaves_like_a_sorted_map_with_or_without_holes() {
        let mut rng = SimRng::new(5, Stream::Clients);
        let mut model: BTreeMap<Version, Rc<Value>> = BTreeMap::new();
        let mut versions = Versions::new();
        let mut next = 1;
        for step in 0..20_000u64 {
            match rng.below(10) {
                // Mostly appends, sometimes a gap, a rewrite or an insert into a hole.
                0..=5 => {
                    next += 1 + u64::from(rng.chance_pct(10));
                    assert_eq!(
                        versions.insert(next, value(step)),
                        model.insert(next, value(step))
                    );
                }
                6 | 7 => {
                    let v = rng.below(next + 3);
                    assert_eq!(
                        versions.insert(v, value(step)),
                        model.insert(v, value(step))
                    );
                }
                8 => {
                    let to = model.keys().next().map_or(0, |first| first + rng.below(4));
                    versions.trim_below(to);
                    model = model.split_off(&to);
                }
                _ => {}
            }
            let probe = rng.below(next + 3);
            assert_eq!(versions.get(&probe), model.get(&probe), "get {probe}");
            let (a, b) = (rng.below(next + 3), rng.below(next + 3));
            let ours: Vec<_> = versions.range(a..=b).map(|(v, _)| *v).collect();
            let theirs: Vec<_> = if a <= b {
                model.range(a..=b).map(|(v, _)| *v).collect()
            } else {
                Vec::new()
            };
            assert_eq!(ours, theirs, "range {a}..={b}");
            let tail: Vec<_> = versions.range(b..).map(|(v, _)| *v).collect();
            assert_eq!(tail, model.range(b..).map(|(v, _)| *v).collect::<Vec<_>>());
            assert_eq!(versions.len(), model.len());
            assert_eq!(versions.first_key_value(), model.first_key_value());
            assert_eq!(versions.last_key_value(), model.last_key_value());
        }
        assert!(versions.iter().eq(model.iter()));
        assert_eq!(format!("{versions:?}"), format!("{model:?}"));
    }
}
