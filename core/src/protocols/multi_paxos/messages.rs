//! Multi-Paxos's messages, proposal ids, slots and log values, worded for learners:
//! `prepare(id=3.1, from=135)`, `promise(id=3.1, accepted=[138:2.0 put k138], chosen=[])`,
//! `accept(id=3.1, slot=135, no-op)`, `accepted(id=3.1, slot=135)`, `commit(slot=135, no-op)`.

use crate::actor::Rank;
use crate::client::{ClientOp, ReqId};
use std::fmt;
use std::rc::Rc;

/// A position in the replicated log, from 1.
pub type Slot = u64;

/// A globally unique proposal id: a round, with the node's rank as the low part so that two
/// nodes never use the same id (seed 002). Ordered by round, then node. Written `round.node`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid {
    pub round: u32,
    pub node: Rank,
}

impl Pid {
    pub const fn new(round: u32, node: Rank) -> Pid {
        Pid { round, node }
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.node)
    }
}

/// A set of ranks (0–15) as bits: a configuration's members.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Members(pub u16);

impl Members {
    /// Nodes `0..n`.
    pub fn first(n: u8) -> Members {
        assert!(n <= 16, "at most 16 members");
        Members(((1u32 << n) - 1) as u16)
    }
    pub fn contains(self, r: Rank) -> bool {
        r < 16 && self.0 & (1 << r) != 0
    }
    pub fn with(self, r: Rank) -> Members {
        Members(self.0 | (1 << r))
    }
    pub fn without(self, r: Rank) -> Members {
        Members(self.0 & !(1 << r))
    }
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn majority(self) -> usize {
        self.len() / 2 + 1
    }
    pub fn iter(self) -> impl Iterator<Item = Rank> {
        (0..16u8).filter(move |r| self.contains(*r))
    }
    /// Do `ranks` include a majority of these members?
    pub fn has_majority<'a>(self, ranks: impl IntoIterator<Item = &'a Rank>) -> bool {
        ranks.into_iter().filter(|r| self.contains(**r)).count() >= self.majority()
    }
}

impl fmt::Display for Members {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v: Vec<String> = self.iter().map(|r| r.to_string()).collect();
        write!(f, "{{{}}}", v.join(","))
    }
}

/// One client command in the log: who asked (the replica that answers once it applies it),
/// the request's id (replicas apply a command once, even if it reached two slots), the op.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Command {
    pub origin: Rank,
    pub req: ReqId,
    pub op: ClientOp,
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.op {
            ClientOp::Put { key, value } => write!(f, "put {key}={value}"),
            ClientOp::Get { key } => write!(f, "get {key}"),
            ClientOp::Cas {
                key,
                expected,
                value,
            } => write!(
                f,
                "cas {key} {}→{value}",
                expected.as_deref().unwrap_or("-")
            ),
        }
    }
}

/// What a slot holds. Shared (`Rc`), never copied.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    /// Fills a hole a new leader found (seed 001): applies as nothing.
    Noop,
    /// Client commands: one, or several with group commit.
    Commands(Rc<[Command]>),
    /// A new configuration (one server added or removed), effective α slots later.
    Config(Members),
}

impl Value {
    pub fn is_noop(&self) -> bool {
        matches!(self, Value::Noop)
    }
    pub fn commands(&self) -> &[Command] {
        match self {
            Value::Commands(c) => c,
            _ => &[],
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Noop => write!(f, "no-op"),
            Value::Config(m) => write!(f, "config {m}"),
            Value::Commands(cs) => {
                let v: Vec<String> = cs.iter().map(|c| c.to_string()).collect();
                write!(f, "{}", v.join("; "))
            }
        }
    }
}

/// One accepted entry as a promise reports it.
pub type Reported = (Slot, Pid, Value);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Phase 1a, once for the whole log from `start` on ([start, ∞), seed 002).
    Prepare { id: Pid, start: Slot },
    /// Phase 1b: the promise, with every entry accepted at or above `start` and every value
    /// the acceptor knows chosen there.
    Promise {
        id: Pid,
        start: Slot,
        accepted: Rc<[Reported]>,
        chosen: Rc<[(Slot, Value)]>,
    },
    /// Phase 1b or 2b refused: the acceptor promised `promised`, above `id`.
    Nack { id: Pid, promised: Pid },
    /// Phase 2a for one slot.
    Accept { id: Pid, slot: Slot, value: Value },
    /// Phase 2b, to the leader.
    Accepted { id: Pid, slot: Slot },
    /// The leader tells every replica a slot is chosen (commit notification).
    Commit { slot: Slot, value: Value },
    /// The leader is alive; `upto` is its first unchosen slot (a replica below it catches up).
    Heartbeat { id: Pid, upto: Slot },
    /// A lagging replica asks for the chosen entries from `from` on.
    CatchUp { from: Slot },
    /// The answer: chosen entries in slot order.
    Entries { entries: Rc<[(Slot, Value)]> },
    /// A replica hands its client's command to the leader.
    Forward { cmd: Command },
}

impl Msg {
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "prepare",
            Msg::Promise { .. } => "promise",
            Msg::Nack { .. } => "nack",
            Msg::Accept { .. } => "accept",
            Msg::Accepted { .. } => "accepted",
            Msg::Commit { .. } => "commit",
            Msg::Heartbeat { .. } => "heartbeat",
            Msg::CatchUp { .. } => "catch_up",
            Msg::Entries { .. } => "entries",
            Msg::Forward { .. } => "forward",
        }
    }

    pub fn family(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } | Msg::Promise { .. } => "phase1",
            Msg::Nack { .. } => "reject",
            Msg::Accept { .. } | Msg::Accepted { .. } => "phase2",
            Msg::Commit { .. } | Msg::CatchUp { .. } | Msg::Entries { .. } => "learn",
            Msg::Heartbeat { .. } => "leader",
            Msg::Forward { .. } => "client",
        }
    }

    pub fn summary(&self) -> String {
        match self {
            Msg::Prepare { id, start } => format!("prepare(id={id}, from slot {start})"),
            Msg::Promise {
                id,
                accepted,
                chosen,
                ..
            } => {
                let acc: Vec<String> = accepted
                    .iter()
                    .map(|(s, p, v)| format!("{s}:{p} {v}"))
                    .collect();
                format!(
                    "promise(id={id}, accepted=[{}], chosen {})",
                    acc.join(", "),
                    describe_slots(chosen.iter().map(|(s, _)| *s))
                )
            }
            Msg::Nack { id, promised } => format!("nack(id={id}, promised={promised})"),
            Msg::Accept { id, slot, value } => format!("accept(id={id}, slot={slot}, {value})"),
            Msg::Accepted { id, slot } => format!("accepted(id={id}, slot={slot})"),
            Msg::Commit { slot, value } => format!("commit(slot={slot}, {value})"),
            Msg::Heartbeat { id, upto } => format!("heartbeat(id={id}, chosen below {upto})"),
            Msg::CatchUp { from } => format!("catch_up(from slot {from})"),
            Msg::Entries { entries } => {
                format!(
                    "entries({})",
                    describe_slots(entries.iter().map(|(s, _)| *s))
                )
            }
            Msg::Forward { cmd } => {
                format!("forward(req {} from node.{}: {cmd})", cmd.req, cmd.origin)
            }
        }
    }

    pub fn label(&self) -> String {
        match self {
            Msg::Promise { id, accepted, .. } => {
                format!("promise(id={id}, {} accepted)", accepted.len())
            }
            Msg::Entries { entries } => format!("entries({})", entries.len()),
            _ => self.summary(),
        }
    }
}

/// `none`, `135`, `135-139` or `3 slots 135..140`: a short form for a set of slots.
pub fn describe_slots(slots: impl Iterator<Item = Slot>) -> String {
    let v: Vec<Slot> = slots.collect();
    match (v.first(), v.last()) {
        (None, _) | (_, None) => "none".into(),
        (Some(a), Some(b)) if a == b => format!("{a}"),
        (Some(a), Some(b)) if (b - a + 1) as usize == v.len() => format!("{a}-{b}"),
        (Some(a), Some(b)) => format!("{} slots {a}..{b}", v.len()),
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
    fn forwards(&self) -> Option<ReqId> {
        match self {
            Msg::Forward { cmd } => Some(cmd.req),
            _ => None,
        }
    }
    fn label(&self) -> String {
        Msg::label(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_by_round_then_node() {
        assert!(Pid::new(1, 2) < Pid::new(2, 0));
        assert!(Pid::new(2, 0) < Pid::new(2, 1));
        assert_eq!(Pid::new(3, 1).to_string(), "3.1");
    }

    #[test]
    fn members_count_majorities() {
        let m = Members::first(3);
        assert_eq!((m.len(), m.majority()), (3, 2));
        assert!(m.has_majority(&[0, 2]));
        assert!(!m.has_majority(&[0, 4]), "a non-member does not count");
        let m = m.with(3).without(0);
        assert_eq!(m.to_string(), "{1,2,3}");
    }

    #[test]
    fn messages_read_as_words() {
        let a = Msg::Accept {
            id: Pid::new(3, 1),
            slot: 135,
            value: Value::Noop,
        };
        assert_eq!(a.summary(), "accept(id=3.1, slot=135, no-op)");
        assert_eq!(describe_slots([135, 136, 137].into_iter()), "135-137");
        assert_eq!(describe_slots([135, 138].into_iter()), "2 slots 135..138");
        assert_eq!(describe_slots(std::iter::empty()), "none");
    }
}
