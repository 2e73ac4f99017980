//! Proposal numbers are unique: a number `round.p` is only ever used by proposer p, and
//! only ever with one value ("Paxos Made Simple", 2.2: "different proposals have different
//! numbers"). `proposed` maps every number seen in an accept request so far to its value.

use super::Violation;
use crate::actor::Rank;
use crate::protocols::basic_paxos::{Pn, Value};
use crate::sorted::SortedMap;

pub const RULE: &str = "unique-numbers";

pub fn check(
    proposed: &SortedMap<Pn, Value>,
    proposer: Rank,
    n: Pn,
    v: &Value,
) -> Result<(), Violation> {
    if n.proposer != proposer {
        return Err(Violation {
            rule: RULE,
            detail: format!(
                "proposer {proposer} used number {n}, which belongs to proposer {}",
                n.proposer
            ),
        });
    }
    match proposed.get(&n) {
        Some(w) if w != v => Err(Violation {
            rule: RULE,
            detail: format!("number {n} was proposed with \"{w}\" and again with \"{v}\""),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_one_value() {
        let mut seen = SortedMap::new();
        let n = Pn::new(1, 0);
        assert!(check(&seen, 0, n, &"A".into()).is_ok());
        seen.insert(n, "A".into());
        assert!(check(&seen, 0, n, &"A".into()).is_ok(), "a retransmission");
        assert!(check(&seen, 0, n, &"B".into()).is_err());
        assert!(check(&seen, 1, n, &"A".into()).is_err(), "not its number");
    }
}
