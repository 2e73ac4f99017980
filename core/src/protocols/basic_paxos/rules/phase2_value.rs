//! A proposer's phase-2 value obeys the rule of "Paxos Made Simple" (P2c): it sends
//! accept(n, v) only after promises for n from a majority, and v is the value of the
//! highest-numbered proposal accepted among those promises, or, if none reports one, any
//! value (its own).

use super::Violation;
use crate::actor::Rank;
use crate::protocols::basic_paxos::{Pn, Proposal, Value};
use crate::sorted::SortedMap;

pub const RULE: &str = "phase2-value";

pub fn check(
    proposer: Rank,
    n: Pn,
    v: &Value,
    promises: &SortedMap<Rank, Option<Proposal>>,
    majority: usize,
) -> Result<(), Violation> {
    let fail = |detail| Err(Violation { rule: RULE, detail });
    if promises.len() < majority {
        return fail(format!(
            "proposer {proposer} sent accept({n}, \"{v}\") with {} promises (a majority is {majority})",
            promises.len()
        ));
    }
    let highest = promises.values().flatten().max_by_key(|(m, _)| *m);
    match highest {
        Some((m, w)) if w != v => fail(format!(
            "proposer {proposer} sent accept({n}, \"{v}\") but its promises report ({m}, \"{w}\"), the highest accepted proposal: it must propose \"{w}\""
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_accepted_value_must_be_taken_over() {
        let a: Value = "A".into();
        let b: Value = "B".into();
        let n = Pn::new(3, 1);
        let mut promises = SortedMap::new();
        promises.insert(0, Some((Pn::new(1, 0), a.clone())));
        assert!(check(1, n, &b, &promises, 2).is_err(), "no majority yet");
        promises.insert(2, Some((Pn::new(2, 1), b.clone())));
        assert!(check(1, n, &b, &promises, 2).is_ok());
        assert!(
            check(1, n, &a, &promises, 2).is_err(),
            "A is not the highest"
        );
        promises.insert(2, None);
        assert!(check(1, n, &a, &promises, 2).is_ok());
        assert!(check(1, n, &b, &promises, 2)
            .unwrap_err()
            .detail
            .contains("must propose \"A\""));
    }
}
