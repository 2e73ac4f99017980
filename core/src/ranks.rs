//! A set of monitor ranks as a bit mask (bit r: rank r). A cluster has a handful of monitors,
//! and the protocol fills and clears these sets on every round (who accepted, who acked the
//! lease): a mask does that without the allocation a `BTreeSet` makes for its first element.
//! It iterates, prints and serializes like a `BTreeSet<Rank>` (lowest rank first), so model
//! fingerprints and the JSON of a monitor are the same as with one.

use crate::actor::Rank;
use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeSeq, Serializer};

#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RankSet(u32);

impl RankSet {
    /// The most ranks a set holds.
    pub const CAPACITY: u8 = 32;

    pub const fn new() -> RankSet {
        RankSet(0)
    }

    /// Every rank below `n`.
    pub fn all(n: u8) -> RankSet {
        assert!(n <= Self::CAPACITY, "a RankSet holds ranks 0-31");
        RankSet(if n == 32 { u32::MAX } else { (1 << n) - 1 })
    }

    /// Add `r`; true if it was not in the set.
    pub fn insert(&mut self, r: Rank) -> bool {
        assert!(r < Self::CAPACITY, "a RankSet holds ranks 0-31, not {r}");
        let added = !self.contains(r);
        self.0 |= 1 << r;
        added
    }

    /// Take `r` out; true if it was in the set.
    pub fn remove(&mut self, r: Rank) -> bool {
        let present = self.contains(r);
        if present {
            self.0 &= !(1 << r);
        }
        present
    }

    pub fn contains(self, r: Rank) -> bool {
        r < Self::CAPACITY && self.0 & (1 << r) != 0
    }

    pub fn clear(&mut self) {
        self.0 = 0;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The ranks in the set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = Rank> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let r = bits.trailing_zeros() as Rank;
                bits &= bits - 1;
                r
            })
        })
    }
}

impl FromIterator<Rank> for RankSet {
    fn from_iter<I: IntoIterator<Item = Rank>>(ranks: I) -> Self {
        let mut set = RankSet::new();
        for r in ranks {
            set.insert(r);
        }
        set
    }
}

impl<'a> FromIterator<&'a Rank> for RankSet {
    fn from_iter<I: IntoIterator<Item = &'a Rank>>(ranks: I) -> Self {
        ranks.into_iter().copied().collect()
    }
}

impl std::fmt::Debug for RankSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for RankSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The length up front, as a `BTreeSet` gives it.
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for r in self.iter() {
            seq.serialize_element(&r)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for RankSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let ranks = Vec::<Rank>::deserialize(deserializer)?;
        if let Some(r) = ranks.iter().find(|r| **r >= RankSet::CAPACITY) {
            return Err(D::Error::custom(format!(
                "rank {r} does not fit a set of ranks 0-31"
            )));
        }
        Ok(ranks.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn behaves_like_a_btreeset_of_ranks() {
        let mut mask = RankSet::new();
        let mut plain: BTreeSet<Rank> = BTreeSet::new();
        // A fixed walk over inserts and removes of ranks 0-6.
        for step in 0u32..200 {
            let r = ((step * 7 + step / 3) % 7) as Rank;
            if step % 3 == 2 {
                assert_eq!(mask.remove(r), plain.remove(&r), "remove {r}");
            } else {
                assert_eq!(mask.insert(r), plain.insert(r), "insert {r}");
            }
            assert_eq!(mask.len(), plain.len());
            assert_eq!(
                mask.iter().collect::<Vec<_>>(),
                plain.iter().copied().collect::<Vec<_>>()
            );
            assert_eq!(format!("{mask:?}"), format!("{plain:?}"));
            assert_eq!(
                serde_json::to_string(&mask).unwrap(),
                serde_json::to_string(&plain).unwrap()
            );
        }
    }

    #[test]
    fn all_and_json_round_trip() {
        let quorum: RankSet = [0, 1, 3].iter().collect();
        assert_eq!(
            RankSet::all(5).iter().collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4]
        );
        assert_eq!(RankSet::all(32).len(), 32);
        let back: RankSet = serde_json::from_str("[3,0,1]").unwrap();
        assert_eq!(back, quorum);
        let err = serde_json::from_str::<RankSet>("[1,40]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("rank 40 does not fit"), "{err}");
    }
}
