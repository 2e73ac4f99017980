//! Ceph's client operations and replies in words, in one place: the mermaid export
//! (`export::client_op_label`), the campaign's failure messages (`campaign/probe.rs`,
//! `campaign/trial.rs`) and the CLI all call these. And the monitor's narration
//! (`narrate`): its Paxos messages and timers in words, for the page's running explanation.

use super::declaration::{LEADER, PEON};
use super::messages::{ClientOp, ClientReply, Msg, Paxos, PaxosOp};
use super::monitor::Timer;
use super::Ceph;
use crate::narrate::{common, who};
use crate::trace::{TraceEvent, TraceKind};

/// `put color=blue`, `get color`, `cas color absent to green`.
pub fn client_op(op: &ClientOp) -> String {
    match op {
        ClientOp::Put { key, value } => format!("put {key}={value}"),
        ClientOp::Get { key } => format!("get {key}"),
        ClientOp::Cas {
            key,
            expected,
            value,
        } => {
            format!(
                "cas {key} {} to {value}",
                expected.as_deref().unwrap_or("absent")
            )
        }
    }
}

/// `written v2`, `value blue at v2`, `refused (no lease)`.
pub fn client_reply(reply: &ClientReply) -> String {
    match reply {
        ClientReply::Written { version } => format!("written v{version}"),
        ClientReply::Value { value, version } => {
            format!("value {} at v{version}", value.as_deref().unwrap_or("none"))
        }
        ClientReply::CasDone {
            applied, version, ..
        } => {
            format!(
                "cas {} at v{version}",
                if *applied { "applied" } else { "not applied" }
            )
        }
        ClientReply::Refused { reason } => format!("refused ({reason})"),
        ClientReply::Retry { reason } => format!("retry ({reason})"),
    }
}

/// Entry `e` of a Ceph run as one sentence, or `None` when it is routine: leases, pings,
/// probes and the Paxos phases a commit goes through every time (`narrate.rs`).
pub fn narrate(e: &TraceEvent<Ceph>) -> Option<String> {
    let n = who(e);
    match &e.kind {
        TraceKind::Deliver { from, msg, .. } => match &**msg {
            Msg::Paxos(p) => paxos_delivered(&n, *from, p),
            Msg::Forward { req, .. } => Some(format!(
                "{n} got request {} forwarded by mon.{from}: {}",
                req.id,
                client_op(&req.op)
            )),
            _ => None,
        },
        TraceKind::Drop {
            from,
            to,
            msg,
            reason,
            ..
        } => match &**msg {
            Msg::Paxos(p) if !matches!(p.op, PaxosOp::Lease | PaxosOp::LeaseAck) => Some(format!(
                "{} from mon.{from} to mon.{to} lost: {reason}",
                paxos_name(p.op)
            )),
            _ => None,
        },
        TraceKind::Timer(t) => timer_fired(&n, *t),
        // The commit cycle (active, updating, writing, refresh) is every commit: the
        // deliveries say it. Re-proposing an uncommitted value is worth a line.
        TraceKind::Transition(t) if t.machine == LEADER || t.machine == PEON => {
            let state = super::declaration::CEPH.state(t.machine, t.to);
            (state.name == "updating-previous")
                .then(|| format!("{n} re-proposes the uncommitted value it found in recovery"))
        }
        _ => common(e),
    }
}

/// `COLLECT`, `BEGIN`: Ceph's message names as the narration capitalises them.
fn paxos_name(op: PaxosOp) -> &'static str {
    match op {
        PaxosOp::Collect => "COLLECT",
        PaxosOp::Last => "LAST",
        PaxosOp::Begin => "BEGIN",
        PaxosOp::Accept => "ACCEPT",
        PaxosOp::Commit => "COMMIT",
        PaxosOp::Lease => "LEASE",
        PaxosOp::LeaseAck => "LEASE_ACK",
    }
}

/// A delivered Paxos message at node `n`, sent by `from`.
fn paxos_delivered(n: &str, from: u8, p: &Paxos) -> Option<String> {
    let next = p.last_committed + 1;
    Some(match p.op {
        PaxosOp::Collect => format!(
            "{n} got COLLECT pn {} from mon.{from}: the new leader asks for a promise and for what {n} accepted",
            p.pn
        ),
        PaxosOp::Last => format!(
            "{n} got LAST from mon.{from}: it promised pn {}, has committed up to v{}",
            p.pn, p.last_committed
        ),
        PaxosOp::Begin => format!(
            "{n} got BEGIN pn {} for v{next} from mon.{from}: it stores the value and answers ACCEPT",
            p.pn
        ),
        PaxosOp::Commit => format!(
            "{n} got COMMIT from mon.{from}: v{} is committed, {n} applies it",
            p.last_committed
        ),
        PaxosOp::Accept | PaxosOp::Lease | PaxosOp::LeaseAck => return None,
    })
}

/// A timer that fired at node `n`, when it means something changes.
fn timer_fired(n: &str, t: Timer) -> Option<String> {
    Some(match t {
        Timer::Lease => {
            format!("lease expired: {n} heard no LEASE from the leader, stops serving reads")
        }
        Timer::Collect => format!("{n}'s collect timed out: not every peon answered LAST"),
        Timer::Accept => format!("{n}'s accept timed out: not every peon answered ACCEPT"),
        Timer::LeaseAck => format!("{n}'s lease ack timed out: a peon did not ack the lease"),
        Timer::Election => format!("{n}'s election timer fired"),
        Timer::CommitWrite => {
            format!("{n}'s commit write is durable: it commits and sends COMMIT to the peons")
        }
        Timer::Probe
        | Timer::LeaseRenew
        | Timer::Propose
        | Timer::Sync
        | Timer::SessionTrim
        | Timer::PingCheck(_)
        | Timer::DeadPing(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_and_replies_read_as_words() {
        let cas = ClientOp::Cas {
            key: "color".into(),
            expected: None,
            value: "green".into(),
        };
        assert_eq!(client_op(&cas), "cas color absent to green");
        let put = ClientOp::Put {
            key: "color".into(),
            value: "blue".into(),
        };
        assert_eq!(client_op(&put), "put color=blue");
        let read = ClientReply::Value {
            value: Some("blue".into()),
            version: 2,
        };
        assert_eq!(client_reply(&read), "value blue at v2");
    }
}
