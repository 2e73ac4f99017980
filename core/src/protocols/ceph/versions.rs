//! The Paxos versions a store holds (`paxos/<v>` in spec 4.1), in version order.
//!
//! A healthy store holds a contiguous run `first_committed ..= last_committed` (plus maybe the
//! uncommitted `last_committed + 1`): new versions arrive at the end and trimming removes
//! the oldest. Every time-travel snapshot copies every store, so the versions live in shared
//! chunks (`SharedMap`): a copy is one pointer per 64 versions, and the live store copies
//! only the chunk it changes (the newest, or the oldest at a trim). As one flat list, the
//! ~690 versions of each store were ~11 KB per monitor in every snapshot, half of a snapshot.
//! A store with holes (which the contiguity invariant exists to catch) works the same.

use super::messages::Version;
use super::store::Value;
use crate::shared_map::SharedMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::ops::RangeBounds;
use std::rc::Rc;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Versions {
    entries: SharedMap<Version, Rc<Value>>,
}

impl Versions {
    pub fn new() -> Self {
        Versions::default()
    }

    pub fn get(&self, v: &Version) -> Option<&Rc<Value>> {
        self.entries.get(v)
    }

    pub fn contains_key(&self, v: &Version) -> bool {
        self.entries.get(v).is_some()
    }

    /// Store `value` at `v`; returns the value it replaced.
    pub fn insert(&mut self, v: Version, value: Rc<Value>) -> Option<Rc<Value>> {
        self.entries.insert(v, value)
    }

    /// Erase every version below `to` (spec 11: trim).
    pub fn trim_below(&mut self, to: Version) {
        self.entries.remove_below(&to);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every version, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Version, &Rc<Value>)> {
        self.entries.iter()
    }

    /// The versions within `range`, oldest first.
    pub fn range(
        &self,
        range: impl RangeBounds<Version>,
    ) -> impl DoubleEndedIterator<Item = (&Version, &Rc<Value>)> {
        self.entries.range(range)
    }

    /// Share `other`'s chunks of equal versions (`SharedMap::share_equal_chunks`).
    pub fn share_equal_chunks(&mut self, other: &Versions) -> usize {
        self.entries.share_equal_chunks(&other.entries)
    }

    pub fn first_key_value(&self) -> Option<(&Version, &Rc<Value>)> {
        self.entries.first_key_value()
    }

    pub fn last_key_value(&self) -> Option<(&Version, &Rc<Value>)> {
        self.entries.last_key_value()
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
