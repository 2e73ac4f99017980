//! Multi-Paxos in words for the page's narration (`narrate.rs`): a leader standing, refusals,
//! slots chosen, a replica catching up. Heartbeats and the per-slot accepts are routine; the
//! nodes' notes (a leader's plan, a promise) are said by the common narration.

use super::messages::Msg;
use super::node::Timer;
use super::MultiPaxos;
use crate::narrate::{common, who};
use crate::trace::{TraceEvent, TraceKind};

/// Entry `e` of a Multi-Paxos run as one sentence, or `None` when it is routine.
pub fn narrate(e: &TraceEvent<MultiPaxos>) -> Option<String> {
    let n = who(e);
    match &e.kind {
        TraceKind::Deliver { from, msg, .. } => match &**msg {
            Msg::Prepare { id, start } => Some(format!(
                "{n} got PREPARE {id} from node.{from}: a candidate asks for a promise over slots {start} on"
            )),
            Msg::Nack { id, promised } => Some(format!(
                "node.{from} refused {id}: it promised {promised}"
            )),
            Msg::Commit { slot, .. } => Some(format!(
                "{n} learns from node.{from} that slot {slot} is chosen"
            )),
            Msg::CatchUp { from: slot } => Some(format!(
                "node.{from} lags: it asks {n} for the chosen entries from slot {slot}"
            )),
            Msg::Forward { cmd } => Some(format!(
                "{n} got request {} forwarded by node.{from}",
                cmd.req
            )),
            Msg::Promise { .. }
            | Msg::Accept { .. }
            | Msg::Accepted { .. }
            | Msg::Heartbeat { .. }
            | Msg::Entries { .. } => None,
        },
        TraceKind::Timer(Timer::LeaderTimeout) => {
            Some(format!("{n} heard no leader in time"))
        }
        TraceKind::Timer(_) => None,
        _ => common(e),
    }
}
