//! One value per slot, ever (the safety of consensus, per slot). A value is chosen at a slot
//! when a majority of the configuration in force there accepted it under one id; a second
//! value chosen there, or a replica that learns a value that is not the chosen one, breaks it.

use super::Violation;
use crate::actor::Rank;
use crate::protocols::multi_paxos::messages::{Pid, Slot, Value};

pub const RULE: &str = "one-value-per-slot";

/// `slot` was chosen with `earlier` (if anything); now `id` gathered a majority for `v`.
pub fn check_chosen(
    slot: Slot,
    earlier: Option<&(Pid, Value)>,
    id: Pid,
    v: &Value,
) -> Result<(), Violation> {
    match earlier {
        Some((id0, v0)) if v0 != v => Err(Violation {
            rule: RULE,
            detail: format!(
                "two values chosen at slot {slot}: \"{v0}\" (a majority accepted {id0}) and \"{v}\" (a majority accepted {id})"
            ),
        }),
        _ => Ok(()),
    }
}

/// Replica `r` wrote `v` as the value chosen at `slot`; `chosen` is what a majority accepted.
pub fn check_learned(
    r: Rank,
    slot: Slot,
    v: &Value,
    chosen: Option<&(Pid, Value)>,
) -> Result<(), Violation> {
    match chosen {
        Some((_, c)) if c == v => Ok(()),
        Some((id, c)) => Err(Violation {
            rule: RULE,
            detail: format!(
                "node.{r} learned \"{v}\" at slot {slot}, but \"{c}\" was chosen there (id {id})"
            ),
        }),
        None => Err(Violation {
            rule: RULE,
            detail: format!("node.{r} learned \"{v}\" at slot {slot}, which no majority accepted"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_value_or_an_unchosen_one_breaks_it() {
        let a = Value::Noop;
        let b = Value::Config(crate::protocols::multi_paxos::messages::Members::first(3));
        let first = (Pid::new(1, 0), a.clone());
        assert!(check_chosen(4, None, Pid::new(1, 0), &a).is_ok());
        assert!(check_chosen(4, Some(&first), Pid::new(2, 1), &a).is_ok());
        assert!(check_chosen(4, Some(&first), Pid::new(2, 1), &b).is_err());
        assert!(check_learned(2, 4, &a, Some(&first)).is_ok());
        assert!(check_learned(2, 4, &b, Some(&first)).is_err());
        assert!(check_learned(2, 4, &a, None).is_err());
    }
}
