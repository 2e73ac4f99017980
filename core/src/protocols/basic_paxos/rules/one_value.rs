//! At most one value is chosen ("Paxos Made Simple", 2.1: "only a single value is chosen").
//! A value is chosen when a majority of acceptors accepted one proposal (same number, same
//! value).

use super::{chosen, Acceptance, Violation};
use crate::sorted::SortedSet;

pub const RULE: &str = "one-value-chosen";

pub fn check(accepts: &SortedSet<Acceptance>, majority: usize) -> Result<(), Violation> {
    let chosen = chosen(accepts, majority);
    let Some((n0, v0)) = chosen.first() else {
        return Ok(());
    };
    match chosen.iter().find(|(_, v)| v != v0) {
        None => Ok(()),
        Some((n1, v1)) => Err(Violation {
            rule: RULE,
            detail: format!(
                "two values chosen: \"{v0}\" (a majority accepted {n0}) and \"{v1}\" (a majority accepted {n1})"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::basic_paxos::Pn;

    fn acc(round: u32, p: u8, a: u8, v: &str) -> Acceptance {
        Acceptance {
            n: Pn::new(round, p),
            acceptor: a,
            v: v.into(),
        }
    }

    #[test]
    fn two_majorities_for_different_values_break_it() {
        let mut s: SortedSet<Acceptance> = [acc(1, 0, 0, "A"), acc(1, 0, 1, "A")].into();
        assert!(check(&s, 2).is_ok());
        s.insert(acc(2, 1, 1, "B"));
        assert!(check(&s, 2).is_ok(), "one acceptance of B is not a choice");
        s.insert(acc(2, 1, 2, "B"));
        let e = check(&s, 2).unwrap_err();
        assert!(
            e.detail.contains("\"A\"") && e.detail.contains("\"B\""),
            "{e}"
        );
    }
}
