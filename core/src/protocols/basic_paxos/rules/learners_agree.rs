//! What a user checks first: every learner that decided, decided a value that really is
//! chosen (a majority of acceptors accepted it under one number), all learners decided the
//! same value, and no learner ever changes its decision.

use super::Violation;
use crate::actor::Rank;
use crate::protocols::basic_paxos::{Pn, Value};
use crate::sorted::SortedMap;

pub const RULE: &str = "learners-agree";

/// `first` holds each learner's first decision (the checker's memory), `now` the decisions
/// now, `chosen` the chosen proposals.
pub fn check(
    first: &SortedMap<Rank, Value>,
    now: &SortedMap<Rank, Value>,
    chosen: &[(Pn, Value)],
) -> Result<(), Violation> {
    let fail = |detail| Err(Violation { rule: RULE, detail });
    for (r, v) in now {
        if let Some(w) = first.get(r).filter(|w| *w != v) {
            return fail(format!(
                "learner {r} changed its decision from \"{w}\" to \"{v}\""
            ));
        }
        if !chosen.iter().any(|(_, c)| c == v) {
            return fail(format!(
                "learner {r} decided \"{v}\", which no majority of acceptors accepted"
            ));
        }
    }
    let mut decided = first.iter().chain(now.iter());
    if let Some((r0, v0)) = decided.next() {
        if let Some((r1, v1)) = decided.find(|(_, v)| *v != v0) {
            return fail(format!(
                "learner {r0} decided \"{v0}\" but learner {r1} decided \"{v1}\""
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_not_chosen_or_different_breaks_it() {
        let a: Value = "A".into();
        let b: Value = "B".into();
        let chosen = vec![(Pn::new(1, 0), a.clone())];
        let now: SortedMap<Rank, Value> = [(0, a.clone()), (1, a.clone())].into();
        assert!(check(&now, &now, &chosen).is_ok());
        let wrong: SortedMap<Rank, Value> = [(0, b.clone())].into();
        assert!(check(&SortedMap::new(), &wrong, &chosen)
            .unwrap_err()
            .detail
            .contains("no majority"));
        let first: SortedMap<Rank, Value> = [(0, a.clone())].into();
        let both = vec![(Pn::new(1, 0), a), (Pn::new(2, 1), b.clone())];
        assert!(check(&first, &wrong, &both)
            .unwrap_err()
            .detail
            .contains("changed"));
    }
}
