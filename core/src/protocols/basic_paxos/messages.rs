//! Basic Paxos's messages (Lamport, "Paxos Made Simple", section 2.2), worded for learners:
//! `prepare(n=2.1)`, `promise(n=2.1, accepted=1.0:"A")`, `nack(n=1.0, promised=2.1)`,
//! `accept(n=2.1, v="A")`, `accepted(n=2.1, v="A")`.

use crate::actor::Rank;
use std::fmt;
use std::rc::Rc;

/// A proposed value. Short strings ("A", "B") in tours and tests; shared, never copied.
pub type Value = Rc<str>;

/// A proposal number: a round chosen by one proposer, with the proposer's rank as the low
/// part so that two proposers never use the same number. Ordered by round, then proposer
/// (derived `Ord`: field order matters). Written `round.proposer`, as in `2.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pn {
    pub round: u32,
    pub proposer: Rank,
}

impl Pn {
    pub const fn new(round: u32, proposer: Rank) -> Pn {
        Pn { round, proposer }
    }
}

impl fmt::Display for Pn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.proposer)
    }
}

/// A proposal an acceptor accepted: its number and value.
pub type Proposal = (Pn, Value);

/// Words a proposal as `1.0:"A"`, or `none`.
pub fn describe_proposal(p: &Option<Proposal>) -> String {
    match p {
        Some((n, v)) => format!("{n}:\"{v}\""),
        None => "none".into(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Msg {
    /// Phase 1a, proposer to acceptors: "promise me to ignore anything numbered below `n`".
    Prepare { n: Pn },
    /// Phase 1b, acceptor to proposer: the promise, with the highest-numbered proposal this
    /// acceptor has accepted (if any), which the proposer must take over.
    Promise { n: Pn, accepted: Option<Proposal> },
    /// Phase 1b or 2b refused: the acceptor has promised `promised`, above `n`. The proposer
    /// gives the round up and retries above `promised`.
    Nack { n: Pn, promised: Pn },
    /// Phase 2a, proposer to acceptors: "accept value `v` under number `n`".
    Accept { n: Pn, v: Value },
    /// Phase 2b, acceptor to the proposer and to every learner: "I accepted (n, v)".
    Accepted { n: Pn, v: Value },
    /// A learner that knows nothing yet asks the other learners (after a crash, or when
    /// `accepted` messages were lost).
    Ask,
    /// A learner's answer to `ask`: the value it learned was chosen.
    Chosen { v: Value },
}

impl Msg {
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "prepare",
            Msg::Promise { .. } => "promise",
            Msg::Nack { .. } => "nack",
            Msg::Accept { .. } => "accept",
            Msg::Accepted { .. } => "accepted",
            Msg::Ask => "ask",
            Msg::Chosen { .. } => "chosen",
        }
    }

    /// Phase 1, phase 2, or learning.
    pub fn family(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } | Msg::Promise { .. } => "phase1",
            Msg::Nack { .. } => "reject",
            Msg::Accept { .. } => "phase2",
            Msg::Accepted { .. } | Msg::Ask | Msg::Chosen { .. } => "learn",
        }
    }

    pub fn summary(&self) -> String {
        match self {
            Msg::Prepare { n } => format!("prepare(n={n})"),
            Msg::Promise { n, accepted } => {
                format!("promise(n={n}, accepted={})", describe_proposal(accepted))
            }
            Msg::Nack { n, promised } => format!("nack(n={n}, promised={promised})"),
            Msg::Accept { n, v } => format!("accept(n={n}, v=\"{v}\")"),
            Msg::Accepted { n, v } => format!("accepted(n={n}, v=\"{v}\")"),
            Msg::Ask => "ask(what was chosen?)".into(),
            Msg::Chosen { v } => format!("chosen(v=\"{v}\")"),
        }
    }
}

impl crate::actor::Wire for Msg {
    fn kind(&self) -> &'static str {
        Msg::kind(self)
    }
    fn family(&self) -> &'static str {
        Msg::family(self)
    }
    fn summary(&self) -> String {
        Msg::summary(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposal_numbers_order_by_round_then_proposer() {
        assert!(Pn::new(1, 2) < Pn::new(2, 0));
        assert!(Pn::new(2, 0) < Pn::new(2, 1));
        assert_eq!(Pn::new(2, 1).to_string(), "2.1");
    }

    #[test]
    fn messages_read_as_words() {
        let a: Value = "A".into();
        let p = Msg::Promise {
            n: Pn::new(2, 1),
            accepted: Some((Pn::new(1, 0), a.clone())),
        };
        assert_eq!(p.summary(), "promise(n=2.1, accepted=1.0:\"A\")");
        let none = Msg::Promise {
            n: Pn::new(2, 1),
            accepted: None,
        };
        assert_eq!(none.summary(), "promise(n=2.1, accepted=none)");
        assert_eq!(
            Msg::Prepare { n: Pn::new(2, 1) }.summary(),
            "prepare(n=2.1)"
        );
        let acc = Msg::Accept {
            n: Pn::new(3, 0),
            v: a,
        };
        assert_eq!(acc.summary(), "accept(n=3.0, v=\"A\")");
    }
}
