//! What a Basic Paxos node keeps on disk. Only this survives a crash in the simulator.
//!
//! * An acceptor's promise and the proposal it accepted ("Paxos Made Simple", 2.2 and 2.3:
//!   "an acceptor must remember this information even if it fails and then restarts"). Both
//!   are written before the acceptor answers, so a promise it sent is never forgotten.
//! * A proposer's highest round used, written before its `prepare` goes out, so a restarted
//!   proposer never reuses a number (two different values under one number would break the
//!   uniqueness the whole algorithm leans on).
//! * A learner's decision, so a learner never changes its mind across a restart.

use super::messages::{Pn, Proposal, Value};

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Durable {
    /// Acceptor: the highest `prepare` number promised.
    pub promised: Option<Pn>,
    /// Acceptor: the highest-numbered proposal accepted.
    pub accepted: Option<Proposal>,
    /// Proposer: the highest round it has used (0: none yet).
    pub max_round: u32,
    /// Learner: the value it learned was chosen.
    pub learned: Option<Value>,
}

/// One key of a store transaction (`Effect::Persist`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Write {
    Promised(Pn),
    Accepted(Pn, Value),
    MaxRound(u32),
    Learned(Value),
}

impl Durable {
    /// How many items are held (the run's memory budget counts them): one per field set.
    pub fn entries(&self) -> u64 {
        u64::from(self.promised.is_some())
            + u64::from(self.accepted.is_some())
            + u64::from(self.max_round > 0)
            + u64::from(self.learned.is_some())
    }

    pub fn apply(&mut self, w: &Write) {
        match w {
            Write::Promised(n) => self.promised = Some(*n),
            Write::Accepted(n, v) => self.accepted = Some((*n, v.clone())),
            Write::MaxRound(r) => self.max_round = *r,
            Write::Learned(v) => self.learned = Some(v.clone()),
        }
    }
}

impl Write {
    /// The write in words, for the log: `promised=2.1`.
    pub fn describe(&self) -> String {
        match self {
            Write::Promised(n) => format!("promised={n}"),
            Write::Accepted(n, v) => format!("accepted={n}:\"{v}\""),
            Write::MaxRound(r) => format!("max_round={r}"),
            Write::Learned(v) => format!("learned=\"{v}\""),
        }
    }
}
