//! Every replica applies the same sequence, with no gaps: a replica that applied slots
//! 1..=a applied exactly the values chosen there, in order. Compared through a hash chain
//! over (slot, value) (`node::chain`): `prefix[a]` is the chain of the chosen log's first `a`
//! slots, the replica's `digest` the chain of what it applied.

use super::Violation;
use crate::actor::Rank;
use crate::protocols::multi_paxos::messages::Slot;

pub const RULE: &str = "replicas-apply-the-same-sequence";

/// Replica `r` applied slots 1..=`applied` with chain `digest`; `prefix[s]` is the chosen
/// log's chain up to `s` (as far as every slot is chosen).
pub fn check(r: Rank, applied: Slot, digest: u64, prefix: &[u64]) -> Result<(), Violation> {
    let known = prefix.len() as Slot - 1;
    if applied > known {
        return Err(Violation {
            rule: RULE,
            detail: format!(
                "node.{r} applied up to slot {applied}, but slot {} is not chosen: it applied past a hole",
                known + 1
            ),
        });
    }
    if prefix[applied as usize] != digest {
        return Err(Violation {
            rule: RULE,
            detail: format!("node.{r} applied slots 1..={applied}, not the sequence chosen there"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_chosen_prefix_or_another_sequence_breaks_it() {
        let prefix = [0, 11, 22];
        assert!(check(0, 2, 22, &prefix).is_ok());
        assert!(check(0, 0, 0, &prefix).is_ok());
        assert!(check(0, 3, 33, &prefix)
            .unwrap_err()
            .detail
            .contains("past a hole"));
        assert!(check(0, 2, 23, &prefix).is_err());
    }
}
