//! Basic Paxos in words for the page's narration (`narrate.rs`): the refusals and the choice,
//! the timers that start or give up a round. Routine answers (promise, accepted) are the
//! nodes' own notes, which the common narration already says.

use super::messages::Msg;
use super::node::Timer;
use super::BasicPaxos;
use crate::narrate::{common, who};
use crate::trace::{TraceEvent, TraceKind};

/// Entry `e` of a Basic Paxos run as one sentence, or `None` when it is routine.
pub fn narrate(e: &TraceEvent<BasicPaxos>) -> Option<String> {
    let n = who(e);
    match &e.kind {
        TraceKind::Deliver { from, msg, .. } => match &**msg {
            Msg::Prepare { n: pn } => Some(format!(
                "{n} got PREPARE {pn} from node.{from}: a proposer asks for a promise"
            )),
            Msg::Nack { n: pn, promised } => Some(format!(
                "node.{from} refused {pn}: it promised {promised}, so {n}'s round cannot win"
            )),
            Msg::Accept { n: pn, v } => {
                Some(format!("{n} got ACCEPT ({pn}, \"{v}\") from node.{from}"))
            }
            Msg::Chosen { v } => Some(format!("{n} hears from node.{from} that \"{v}\" is chosen")),
            Msg::Promise { .. } | Msg::Accepted { .. } | Msg::Ask => None,
        },
        TraceKind::Timer(t) => match t {
            Timer::Start => Some(format!("{n} starts proposing")),
            Timer::Phase => Some(format!(
                "{n}'s phase timed out: no majority answered in time"
            )),
            Timer::Retry => Some(format!("{n} tries again with a higher proposal number")),
            Timer::Ask => None,
        },
        _ => common(e),
    }
}
