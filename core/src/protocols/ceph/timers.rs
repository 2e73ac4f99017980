//! A monitor's armed timers and their deadlines: one slot per `Timer` (ten kinds, and one
//! ping timer of each kind per peer). A monitor arms and cancels a timer on most inputs, so
//! indexing an array by the timer's slot beats searching a tree. It reads like the `BTreeMap<Timer, u64>` it replaces:
//! iteration is in `Timer` order and it serializes as that map did (the model checker
//! fingerprints monitors by their serialized form).

use super::monitor::Timer;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerTable {
    /// `deadline_ms[t.slot()]`: when timer `t` fires, if armed.
    deadline_ms: [Option<u64>; Timer::SLOTS],
}

impl Default for TimerTable {
    fn default() -> Self {
        TimerTable {
            deadline_ms: [None; Timer::SLOTS],
        }
    }
}

impl TimerTable {
    /// Arm `timer` to fire at `at_ms`; returns the deadline it replaces.
    pub fn insert(&mut self, timer: Timer, at_ms: u64) -> Option<u64> {
        self.deadline_ms[timer.slot()].replace(at_ms)
    }

    /// Disarm `timer`; returns its deadline if it was armed.
    pub fn remove(&mut self, timer: &Timer) -> Option<u64> {
        self.deadline_ms[timer.slot()].take()
    }

    pub fn get(&self, timer: &Timer) -> Option<&u64> {
        self.deadline_ms[timer.slot()].as_ref()
    }

    pub fn contains_key(&self, timer: &Timer) -> bool {
        self.deadline_ms[timer.slot()].is_some()
    }

    /// The armed timers with their deadlines, in `Timer` order.
    pub fn iter(&self) -> impl Iterator<Item = (Timer, &u64)> + '_ {
        self.deadline_ms
            .iter()
            .enumerate()
            .filter_map(|(slot, at)| at.as_ref().map(|at| (Timer::from_slot(slot), at)))
    }

    pub fn keys(&self) -> impl Iterator<Item = Timer> + '_ {
        self.iter().map(|(t, _)| t)
    }

    pub fn values(&self) -> impl Iterator<Item = &u64> + '_ {
        self.iter().map(|(_, at)| at)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut u64> {
        self.deadline_ms.iter_mut().flatten()
    }

    pub fn len(&self) -> usize {
        self.deadline_ms.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::ops::Index<&Timer> for TimerTable {
    type Output = u64;
    fn index(&self, timer: &Timer) -> &u64 {
        self.get(timer).expect("the timer is armed")
    }
}

impl Serialize for TimerTable {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for TimerTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<Timer, u64>::deserialize(d)?;
        let mut table = TimerTable::default();
        for (t, at) in map {
            table.insert(t, at);
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{SimRng, Stream};

    #[test]
    fn every_kind_has_its_own_slot_in_timer_order() {
        for (i, t) in Timer::ALL.into_iter().enumerate() {
            assert_eq!(t.slot(), i, "{t:?}");
        }
        let all: Vec<Timer> = (0..Timer::SLOTS).map(Timer::from_slot).collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]), "slots follow Ord");
        for (i, t) in all.into_iter().enumerate() {
            assert_eq!(t.slot(), i, "{t:?}");
        }
    }

    #[test]
    fn behaves_like_a_map_by_timer() {
        let mut rng = SimRng::new(5, Stream::Clients);
        let mut model: BTreeMap<Timer, u64> = BTreeMap::new();
        let mut table = TimerTable::default();
        for i in 0..5_000u64 {
            let t = Timer::from_slot(rng.below(Timer::SLOTS as u64) as usize);
            match rng.below(4) {
                0 | 1 => assert_eq!(table.insert(t, i), model.insert(t, i), "insert {t:?}"),
                2 => assert_eq!(table.remove(&t), model.remove(&t), "remove {t:?}"),
                _ => {
                    for at in table.values_mut() {
                        *at += 1;
                    }
                    for at in model.values_mut() {
                        *at += 1;
                    }
                }
            }
            assert_eq!(table.get(&t), model.get(&t));
            assert_eq!(table.contains_key(&t), model.contains_key(&t));
            assert!(table.iter().eq(model.iter().map(|(t, at)| (*t, at))));
            assert_eq!(table.len(), model.len());
        }
    }

    #[test]
    fn serializes_as_the_map_did() {
        let mut model: BTreeMap<Timer, u64> = BTreeMap::new();
        let mut table = TimerTable::default();
        for (t, at) in [(Timer::Sync, 9), (Timer::Lease, 4), (Timer::Probe, 7)] {
            model.insert(t, at);
            table.insert(t, at);
        }
        let json = serde_json::to_string(&table).unwrap();
        assert_eq!(json, serde_json::to_string(&model).unwrap());
        assert_eq!(serde_json::from_str::<TimerTable>(&json).unwrap(), table);
    }
}
