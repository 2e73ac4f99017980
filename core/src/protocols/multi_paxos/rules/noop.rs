//! A no-op never replaces a chosen value: a new leader fills only the slots nobody reported
//! (seed 001). Proposing a no-op, under an id above the one that chose it, at a slot where a
//! command or a configuration was chosen is the mistake that would lose an acknowledged write.
//! A stale leader's no-op under a lower id is harmless (every acceptor of the choosing majority
//! promised above it, so it is never chosen) and allowed: the model check met one, a leader of
//! id 1.0 filling slot 1 after the rival 1.2 had chosen a put there.

use super::Violation;
use crate::actor::Rank;
use crate::protocols::multi_paxos::messages::{Pid, Slot, Value};

pub const RULE: &str = "noop-never-replaces-chosen";

/// Node `r` proposes `v` at `slot` under `id`; `chosen` is what was chosen there (and under
/// which id), if anything.
pub fn check(
    r: Rank,
    slot: Slot,
    id: Pid,
    v: &Value,
    chosen: Option<&(Pid, Value)>,
) -> Result<(), Violation> {
    match chosen {
        Some((cid, c)) if v.is_noop() && !c.is_noop() && id > *cid => Err(Violation {
            rule: RULE,
            detail: format!(
                "node.{r} proposes a no-op at slot {slot} (id {id}), where \"{c}\" was chosen (id {cid})"
            ),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::multi_paxos::messages::Members;

    #[test]
    fn a_noop_over_a_chosen_value_breaks_it() {
        let cfg = Value::Config(Members::first(3));
        let chosen = (Pid::new(1, 0), cfg.clone());
        assert!(check(1, 5, Pid::new(2, 1), &Value::Noop, None).is_ok());
        assert!(check(1, 5, Pid::new(2, 1), &cfg, Some(&chosen)).is_ok());
        assert!(check(1, 5, Pid::new(2, 1), &Value::Noop, Some(&chosen)).is_err());
        // A stale leader below the choosing id: never chosen, so not a replacement.
        let later = (Pid::new(1, 2), cfg.clone());
        assert!(check(0, 5, Pid::new(1, 0), &Value::Noop, Some(&later)).is_ok());
        let noop = (Pid::new(1, 0), Value::Noop);
        assert!(check(1, 5, Pid::new(2, 1), &Value::Noop, Some(&noop)).is_ok());
    }
}
