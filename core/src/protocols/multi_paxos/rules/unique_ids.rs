//! Proposal ids are globally unique (seed 002): an id is used by one node only, and names one
//! value per slot. Two leaders under one id could each get a majority for their own value.

use super::Violation;
use crate::actor::Rank;
use crate::protocols::multi_paxos::messages::{Pid, Slot, Value};
use std::collections::BTreeMap;

pub const RULE: &str = "proposal-ids-unique";

/// Node `r` sends a prepare or an accept under `id`; `owners` says who used each id before.
pub fn check_owner(owners: &BTreeMap<Pid, Rank>, r: Rank, id: Pid) -> Result<(), Violation> {
    match owners.get(&id) {
        Some(o) if *o != r => Err(Violation {
            rule: RULE,
            detail: format!("node.{r} uses the id {id}, already node.{o}'s"),
        }),
        _ => Ok(()),
    }
}

/// Node `r` proposes `v` at `slot` under `id`; `proposed` holds the earlier proposals.
pub fn check_value(
    proposed: &BTreeMap<(Slot, Pid), Value>,
    r: Rank,
    slot: Slot,
    id: Pid,
    v: &Value,
) -> Result<(), Violation> {
    match proposed.get(&(slot, id)) {
        Some(v0) if v0 != v => Err(Violation {
            rule: RULE,
            detail: format!(
                "node.{r} proposes \"{v}\" at slot {slot} under {id}, which already named \"{v0}\""
            ),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_used_by_two_nodes_or_for_two_values_breaks_it() {
        let owners: BTreeMap<Pid, Rank> = [(Pid::new(2, 0), 0)].into();
        assert!(check_owner(&owners, 0, Pid::new(2, 0)).is_ok());
        assert!(check_owner(&owners, 1, Pid::new(2, 0)).is_err());
        let proposed: BTreeMap<(Slot, Pid), Value> = [((3, Pid::new(2, 0)), Value::Noop)].into();
        assert!(check_value(&proposed, 0, 3, Pid::new(2, 0), &Value::Noop).is_ok());
        let other = Value::Config(crate::protocols::multi_paxos::messages::Members::first(3));
        assert!(check_value(&proposed, 0, 3, Pid::new(2, 0), &other).is_err());
    }
}
