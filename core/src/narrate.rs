//! Narration from the events: what just happened and why, one sentence per meaningful trace
//! entry, in the protocol's own words (`Protocol::narrate`, written in each protocol's wording
//! module). The page's narration panel and its tests read [`recent`] through
//! `RunView::narration`; nothing here reads a tour.
//!
//! What every protocol shares is worded here once ([`common`]): faults and client traffic, a
//! crash and a restart, the protocol's own notes (each explains a decision: "refuse collect pn
//! 201: already promised 301") and a machine entering a state (the declaration's help
//! sentence). A protocol's `narrate` adds its messages and timers and may silence what is too
//! frequent to be worth a line (Ceph's commit cycle enters four Paxos states every commit).

use crate::actor::Protocol;
use crate::protocols::ceph::wording::{client_op, client_reply};
use crate::scenario::print::format_action;
use crate::scenario::Action;
use crate::trace::{TraceEvent, TraceKind};

/// One sentence of narration, at the trace entry that says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub event: u64,
    pub t_ms: u64,
    pub text: String,
}

/// Entries read back from the playhead at most, looking for sentences: a bound on the work
/// per frame (a quiet cluster logs about 10 entries a second).
pub const LOOK_BACK_ENTRIES: usize = 4_000;

/// The last `most` sentences said by the entries of `seen` (the trace up to the playhead),
/// oldest first, reading back at most [`LOOK_BACK_ENTRIES`] entries.
pub fn recent<P: Protocol>(seen: &[TraceEvent<P>], most: usize) -> Vec<Said> {
    let mut said: Vec<Said> = seen
        .iter()
        .rev()
        .take(LOOK_BACK_ENTRIES)
        .filter_map(|e| {
            P::narrate(e).map(|text| Said {
                event: e.event,
                t_ms: e.t_ms,
                text,
            })
        })
        .take(most)
        .collect();
    said.reverse();
    said
}

/// `mon.2`, or `the cluster` for an entry at no node.
pub fn who<P: Protocol>(e: &TraceEvent<P>) -> String {
    e.node
        .map_or_else(|| "the cluster".to_string(), |r| format!("{}.{r}", P::NODE))
}

/// The sentence for what every protocol shares; `None` for the protocol's own messages, timers
/// and store writes (and for a transition into an initial state, which says nothing new).
pub fn common<P: Protocol>(e: &TraceEvent<P>) -> Option<String> {
    let n = who(e);
    Some(match &e.kind {
        TraceKind::Action(a) if is_fault(a) => format!("fault: {}", format_action(a)),
        // A client's request is said where the node receives it; a tour's note is the tour's.
        TraceKind::Action(_) => return None,
        TraceKind::Crash => format!("{n} crashed: it loses its memory, only its store survives"),
        TraceKind::Boot => format!("{n} starts from its durable store"),
        TraceKind::ClientRequest { req_id, op } => {
            format!("a client asks {n} to {} (request {req_id})", client_op(op))
        }
        TraceKind::ClientReply { req_id, reply } => {
            format!("{n} answers request {req_id}: {}", client_reply(reply))
        }
        TraceKind::Note(text) => format!("{n}: {text}"),
        TraceKind::Transition(t) => {
            let machine = P::DECLARATION.machine(t.machine);
            if t.to == machine.initial {
                return None;
            }
            let state = P::DECLARATION.state(t.machine, t.to);
            format!(
                "{n} is now {}: {}",
                state.label,
                lower_first(state.help.trim_end_matches('.'))
            )
        }
        TraceKind::Send { .. }
        | TraceKind::Deliver { .. }
        | TraceKind::Drop { .. }
        | TraceKind::Timer(_)
        | TraceKind::Persist(_) => return None,
    })
}

/// "Crashed, or booting" reads "crashed, or booting" inside a sentence.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A scenario action that changes the world, rather than asks it something or narrates.
pub fn is_fault(a: &Action) -> bool {
    !matches!(
        a,
        Action::Put { .. } | Action::Get { .. } | Action::Cas { .. } | Action::Note(_)
    )
}
