//! An acceptor never accepts a proposal numbered below its promise, and never promises below
//! an earlier promise ("Paxos Made Simple", P1a and phase 1b). `promised` is the highest
//! number this acceptor ever promised, as the world saw it (its sent promises and its
//! accepts), so a promise forgotten across a restart still counts.

use super::Violation;
use crate::actor::Rank;
use crate::protocols::basic_paxos::Pn;

pub const RULE: &str = "promise-kept";

/// What an acceptor did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Promise(Pn),
    Accept(Pn),
}

pub fn check(acceptor: Rank, promised: Option<Pn>, act: Act) -> Result<(), Violation> {
    let Some(p) = promised else { return Ok(()) };
    let (n, what) = match act {
        Act::Promise(n) => (n, "promised"),
        Act::Accept(n) => (n, "accepted"),
    };
    if n >= p {
        return Ok(());
    }
    Err(Violation {
        rule: RULE,
        detail: format!("acceptor {acceptor} {what} {n} after promising {p}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_the_promise_breaks_it() {
        let p = Some(Pn::new(2, 1));
        assert!(check(0, p, Act::Promise(Pn::new(2, 1))).is_ok());
        assert!(check(0, p, Act::Accept(Pn::new(3, 0))).is_ok());
        assert!(check(0, None, Act::Accept(Pn::new(1, 0))).is_ok());
        let e = check(0, p, Act::Accept(Pn::new(2, 0))).unwrap_err();
        assert_eq!(e.detail, "acceptor 0 accepted 2.0 after promising 2.1");
        assert!(check(0, p, Act::Promise(Pn::new(1, 2))).is_err());
    }
}
