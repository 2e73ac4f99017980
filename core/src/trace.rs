//! What happened, in order: every send, delivery, drop, timer, state change, persist, client
//! request and reply, fault and note, stamped with the simulated time and the node.
//! See docs/trace-format.md for the JSON form.

use crate::actor::{Protocol, Rank, TimerName, Wire};
use crate::protocol::messages::{ClientOp, ClientReply, ReqId};
use crate::scenario::Action;
use serde_json::{json, Value as Json};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent<P: Protocol> {
    /// Index of the simulator event (queue item) that produced this entry.
    pub event: u64,
    pub t_ms: u64,
    /// The node it happened at (None for faults on links).
    pub node: Option<Rank>,
    pub kind: TraceKind<P>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceKind<P: Protocol> {
    /// The message as sent, shared with the queue and the receiver (see `actor::Input`).
    Send { to: Rank, id: u64, msg: Arc<P::Msg> },
    Deliver { from: Rank, id: u64, kind: &'static str },
    Drop { from: Rank, to: Rank, id: u64, kind: &'static str, reason: &'static str },
    Timer(P::Timer),
    State { role_from: &'static str, role_to: &'static str, phase_from: &'static str, phase_to: &'static str },
    Persist(Vec<P::Write>),
    ClientRequest { req_id: ReqId, op: ClientOp },
    ClientReply { req_id: ReqId, reply: ClientReply },
    /// A scenario or user action was applied (partition, crash, ...).
    Action(Action),
    Crash,
    Boot,
    Note(String),
}

impl<P: Protocol> TraceKind<P> {
    /// The message of a `Send`.
    pub fn sent_msg(&self) -> Option<&P::Msg> {
        match self {
            TraceKind::Send { msg, .. } => Some(msg),
            _ => None,
        }
    }

    /// The short name used in the JSON `event` field and in filters.
    pub fn name(&self) -> &'static str {
        match self {
            TraceKind::Send { .. } => "send",
            TraceKind::Deliver { .. } => "deliver",
            TraceKind::Drop { .. } => "drop",
            TraceKind::Timer(_) => "timer",
            TraceKind::State { .. } => "state",
            TraceKind::Persist(_) => "persist",
            TraceKind::ClientRequest { .. } => "client_request",
            TraceKind::ClientReply { .. } => "client_reply",
            TraceKind::Action(_) => "action",
            TraceKind::Crash => "crash",
            TraceKind::Boot => "boot",
            TraceKind::Note(_) => "note",
        }
    }
}

impl<P: Protocol> TraceEvent<P>
where
    P::Write: std::fmt::Debug,
{
    /// One human line: `  41.220s mon.2 send begin e4 pn 100 lc 3 values [v4] -> mon.3`.
    pub fn to_text(&self) -> String {
        let node = self.node.map(|n| format!("mon.{n}")).unwrap_or_else(|| "world".into());
        let what = match &self.kind {
            TraceKind::Send { to, msg, .. } => format!("send {} -> mon.{to}", msg.summary()),
            TraceKind::Deliver { from, kind, .. } => format!("recv {kind} <- mon.{from}"),
            TraceKind::Drop { from, to, kind, reason, .. } => format!("drop {kind} mon.{from} -> mon.{to} ({reason})"),
            TraceKind::Timer(t) => format!("timer {}", t.name()),
            TraceKind::State { role_from, role_to, phase_from, phase_to } => {
                format!("state {role_from}/{phase_from} -> {role_to}/{phase_to}")
            }
            TraceKind::Persist(w) => format!("persist {w:?}"),
            TraceKind::ClientRequest { req_id, op } => format!("client req {req_id} {op:?}"),
            TraceKind::ClientReply { req_id, reply } => format!("client reply {req_id} {reply:?}"),
            TraceKind::Action(a) => format!("action {a:?}"),
            TraceKind::Crash => "crash".into(),
            TraceKind::Boot => "boot".into(),
            TraceKind::Note(s) => format!("note: {s}"),
        };
        // Integer arithmetic, the same text as `{:>9.3}` of the seconds (no float formatting).
        let seconds = format!("{}.{:03}", self.t_ms / 1000, self.t_ms % 1000);
        format!("{seconds:>9}s {node:<6} {what}")
    }

    /// One JSON object: `{"i":..,"t_ms":..,"node":..,"event":..,...}`.
    pub fn to_json(&self) -> Json {
        let mut o = json!({ "i": self.event, "t_ms": self.t_ms, "node": self.node, "event": self.kind.name() });
        let extra = match &self.kind {
            TraceKind::Send { to, id, msg } => {
                json!({"to": to, "id": id, "msg": msg.kind(), "family": msg.family(), "summary": msg.summary()})
            }
            TraceKind::Deliver { from, id, kind } => json!({"from": from, "id": id, "msg": kind}),
            TraceKind::Drop { from, to, id, kind, reason } => {
                json!({"from": from, "to": to, "id": id, "msg": kind, "reason": reason})
            }
            TraceKind::Timer(t) => json!({"timer": t.name()}),
            TraceKind::State { role_from, role_to, phase_from, phase_to } => json!({
                "role_from": role_from, "role_to": role_to, "phase_from": phase_from, "phase_to": phase_to
            }),
            TraceKind::Persist(w) => json!({"writes": w.iter().map(|w| format!("{w:?}")).collect::<Vec<_>>()}),
            TraceKind::ClientRequest { req_id, op } => json!({"req": req_id, "op": serde_json::to_value(op).unwrap_or(Json::Null)}),
            TraceKind::ClientReply { req_id, reply } => {
                json!({"req": req_id, "reply": serde_json::to_value(reply).unwrap_or(Json::Null)})
            }
            TraceKind::Action(a) => json!({"action": serde_json::to_value(a).unwrap_or(Json::Null)}),
            TraceKind::Note(s) => json!({"text": s}),
            TraceKind::Crash | TraceKind::Boot => json!({}),
        };
        if let (Some(o), Json::Object(e)) = (o.as_object_mut(), extra) {
            o.extend(e);
        }
        o
    }
}

/// FNV-1a over a byte stream: a stable, dependency-free hash for "same run?" checks.
#[derive(Clone, Debug)]
pub struct TraceHasher(u64);

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl TraceHasher {
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    pub fn write_u64(&mut self, v: u64) {
        self.write(&v.to_le_bytes());
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}
