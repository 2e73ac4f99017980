//! Configurations (seed 002: membership changes one at a time, through the log). A config
//! command chosen at slot i is in force from slot i + α (the α window: a leader proposes slot
//! s only once every slot up to s − α is chosen, so it knows the configuration of s).
//! The rule: at most one configuration is in force at a slot, which holds when changes come
//! one at a time: no change is chosen before the previous one is in force.

use super::Violation;
use crate::protocols::multi_paxos::messages::{Members, Slot};
use std::collections::BTreeMap;

pub const RULE: &str = "one-config-per-slot";

/// The configuration in force at `slot`: the latest chosen at or before `slot − α`, else the
/// initial one.
pub fn members_at(
    initial: Members,
    configs: &BTreeMap<Slot, Members>,
    alpha: u64,
    slot: Slot,
) -> Members {
    if slot <= alpha {
        return initial;
    }
    configs
        .range(..=slot - alpha)
        .next_back()
        .map_or(initial, |(_, m)| *m)
}

/// A change chosen at `slot` must come after the previous one is in force.
pub fn check(configs: &BTreeMap<Slot, Members>, alpha: u64, slot: Slot) -> Result<(), Violation> {
    let before = configs.range(..slot).next_back();
    let after = configs.range(slot + 1..).next();
    for (a, b) in [
        (before.map(|(s, _)| *s), Some(slot)),
        (Some(slot), after.map(|(s, _)| *s)),
    ] {
        if let (Some(a), Some(b)) = (a, b) {
            if b < a + alpha {
                return Err(Violation {
                    rule: RULE,
                    detail: format!(
                        "configuration changes chosen at slots {a} and {b}: the second before the first is in force (slot {}), so two configurations claim slots {}..{}",
                        a + alpha,
                        b + alpha,
                        a + alpha
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_in_force_alpha_slots_later() {
        let init = Members::first(3);
        let configs: BTreeMap<Slot, Members> = [(5, Members::first(4))].into();
        assert_eq!(members_at(init, &configs, 3, 7), init);
        assert_eq!(members_at(init, &configs, 3, 8), Members::first(4));
        assert_eq!(members_at(init, &BTreeMap::new(), 3, 1), init);
    }

    #[test]
    fn two_changes_within_alpha_break_it() {
        let mut configs: BTreeMap<Slot, Members> = [(5, Members::first(4))].into();
        assert!(check(&configs, 3, 5).is_ok());
        configs.insert(8, Members::first(5));
        assert!(check(&configs, 3, 8).is_ok(), "the first is in force at 8");
        configs.insert(9, Members::first(3));
        let e = check(&configs, 3, 9).unwrap_err();
        assert!(e.detail.contains("slots 8 and 9"), "{e}");
    }
}
