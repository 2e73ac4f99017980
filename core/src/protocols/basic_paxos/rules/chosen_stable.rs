//! Once a proposal (n, v) is chosen, every accepted proposal numbered above n has value v
//! ("Paxos Made Simple", P2a). Stronger than `one_value`: it fails at the first acceptance
//! that could lead to a second value, before a second majority forms.

use super::{chosen, Acceptance, Violation};
use crate::sorted::SortedSet;

pub const RULE: &str = "chosen-value-stays";

pub fn check(accepts: &SortedSet<Acceptance>, majority: usize) -> Result<(), Violation> {
    for (n, v) in chosen(accepts, majority) {
        if let Some(bad) = accepts.iter().find(|a| a.n > n && a.v != v) {
            return Err(Violation {
                rule: RULE,
                detail: format!(
                    "\"{v}\" was chosen at {n}, but acceptor {} accepted ({}, \"{}\")",
                    bad.acceptor, bad.n, bad.v
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::basic_paxos::Pn;

    #[test]
    fn a_later_acceptance_of_another_value_breaks_it() {
        let a = |round, acceptor, v: &str| Acceptance {
            n: Pn::new(round, 0),
            acceptor,
            v: v.into(),
        };
        let mut s: SortedSet<Acceptance> = [a(1, 0, "A"), a(1, 1, "A"), a(2, 2, "A")].into();
        assert!(check(&s, 2).is_ok());
        s.insert(a(3, 2, "B"));
        assert!(check(&s, 2)
            .unwrap_err()
            .detail
            .contains("acceptor 2 accepted (3.0, \"B\")"));
        // Below the chosen number, another value is fine (it lost).
        let t: SortedSet<Acceptance> = [a(1, 0, "B"), a(2, 1, "A"), a(2, 2, "A")].into();
        assert!(check(&t, 2).is_ok());
    }
}
