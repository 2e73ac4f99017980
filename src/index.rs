//! An incremental index over the session's trace, so that per-frame views (recent drops,
//! the last transitions of each monitor, forwarded requests) never rescan a long trace.
//! The trace only grows, except that a fork keeps a prefix of it; `sync` handles both.

use crate::labels::{state_id, DOWN};
use paxoscope_core::actor::Rank;
use paxoscope_core::protocols::ceph::messages::{Msg, ReqId};
use paxoscope_core::protocols::ceph::Ceph;
use paxoscope_core::trace::{TraceEvent, TraceKind};

/// A monitor moved from one diagram state to another.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    pub event: u64,
    pub t_ms: u64,
    pub node: Rank,
    pub from: &'static str,
    pub to: &'static str,
}

/// A message that never arrived.
#[derive(Clone, Debug, PartialEq)]
pub struct DropMark {
    pub event: u64,
    pub t_ms: u64,
    pub from: Rank,
    pub to: Rank,
    pub kind: &'static str,
    /// The message's family (colour and shape).
    pub family: &'static str,
    pub reason: &'static str,
    /// Dropped as it was sent (lost, or the link was already cut), not on arrival.
    pub at_sender: bool,
}

/// Something worth announcing to a screen reader.
#[derive(Clone, Debug, PartialEq)]
pub struct Notable {
    pub event: u64,
    pub text: String,
}

#[derive(Default)]
pub struct TraceIndex {
    /// Trace entries indexed so far.
    len: usize,
    pub transitions: Vec<Transition>,
    pub drops: Vec<DropMark>,
    pub notable: Vec<Notable>,
    /// Client requests forwarded to a leader, with the event of the (first) forward.
    pub forwarded: Vec<(ReqId, u64)>,
    /// The diagram state each node was last seen in (for crash transitions).
    last_state: Vec<&'static str>,
}

impl TraceIndex {
    pub fn sync(&mut self, trace: &[TraceEvent<Ceph>]) {
        if trace.len() < self.len {
            self.truncate(trace);
        }
        for e in &trace[self.len..] {
            self.add(e);
        }
        self.len = trace.len();
    }

    /// After a fork the trace is a prefix of what was indexed: drop everything past it.
    fn truncate(&mut self, trace: &[TraceEvent<Ceph>]) {
        let last = trace.last().map_or(0, |e| e.event);
        self.transitions.retain(|t| t.event <= last);
        self.drops.retain(|d| d.event <= last);
        self.notable.retain(|n| n.event <= last);
        self.forwarded.retain(|f| f.1 <= last);
        self.len = 0;
        self.last_state.clear();
        // Rebuild the per-node last state from the kept transitions.
        for t in &self.transitions {
            set_state(&mut self.last_state, t.node, t.to);
        }
        self.len = trace.len();
    }

    fn add(&mut self, e: &TraceEvent<Ceph>) {
        let node = e.node.unwrap_or(0);
        match &e.kind {
            TraceKind::State {
                role_from,
                role_to,
                phase_from,
                phase_to,
            } => {
                let from = state_id(role_from, phase_from);
                let to = state_id(role_to, phase_to);
                self.transition(e, node, from, to);
                if role_from != role_to && (*role_to == "leader" || *role_to == "peon") {
                    let text = format!("mon.{node} is now {role_to}");
                    self.notable.push(Notable {
                        event: e.event,
                        text,
                    });
                }
            }
            TraceKind::Crash => {
                let from = self
                    .last_state
                    .get(node as usize)
                    .copied()
                    .unwrap_or("probing");
                self.transition(e, node, from, DOWN);
                self.notable.push(Notable {
                    event: e.event,
                    text: format!("mon.{node} crashed"),
                });
            }
            TraceKind::Boot => {
                self.notable.push(Notable {
                    event: e.event,
                    text: format!("mon.{node} restarts from its store"),
                });
            }
            TraceKind::Drop {
                from,
                to,
                msg,
                reason,
                ..
            } => self.drops.push(DropMark {
                event: e.event,
                t_ms: e.t_ms,
                from: *from,
                to: *to,
                kind: msg.kind(),
                family: msg.family(),
                reason,
                at_sender: e.node == Some(*from),
            }),
            TraceKind::Send { msg, .. } => {
                if let Msg::Forward { req, .. } = &**msg {
                    if !self.forwarded.iter().any(|f| f.0 == req.id) {
                        self.forwarded.push((req.id, e.event));
                    }
                }
            }
            TraceKind::ClientReply { req_id, reply } => {
                let text = format!("request {req_id}: {}", crate::labels::reply_text(reply));
                self.notable.push(Notable {
                    event: e.event,
                    text,
                });
            }
            _ => {}
        }
    }

    fn transition(
        &mut self,
        e: &TraceEvent<Ceph>,
        node: Rank,
        from: &'static str,
        to: &'static str,
    ) {
        if from != to {
            self.transitions.push(Transition {
                event: e.event,
                t_ms: e.t_ms,
                node,
                from,
                to,
            });
        }
        set_state(&mut self.last_state, node, to);
    }

    /// The last `n` transitions of `node` at or before `event`, oldest first.
    pub fn recent_transitions(&self, node: Rank, event: u64, n: usize) -> Vec<&Transition> {
        let end = self.transitions.partition_point(|t| t.event <= event);
        let mut v: Vec<&Transition> = self.transitions[..end]
            .iter()
            .rev()
            .filter(|t| t.node == node)
            .take(n)
            .collect();
        v.reverse();
        v
    }

    /// Drops in the simulated window `(now - window, now]` at or before `event`.
    pub fn recent_drops(&self, event: u64, now_ms: f64, window_ms: f64) -> Vec<&DropMark> {
        let end = self.drops.partition_point(|d| d.event <= event);
        self.drops[..end]
            .iter()
            .rev()
            .take_while(|d| d.t_ms as f64 > now_ms - window_ms)
            .collect()
    }

    /// Notable events in `(after, upto]`.
    pub fn notable_between(&self, after: u64, upto: u64) -> Option<&Notable> {
        let end = self.notable.partition_point(|n| n.event <= upto);
        self.notable[..end].last().filter(|n| n.event > after)
    }

    pub fn was_forwarded(&self, req: ReqId, event: u64) -> bool {
        self.forwarded.iter().any(|f| f.0 == req && f.1 <= event)
    }

    /// Simulated time of event number `event` (or of the latest entry before it).
    pub fn time_of_event(&self, trace: &[TraceEvent<Ceph>], event: u64) -> u64 {
        let end = trace.partition_point(|e| e.event <= event);
        end.checked_sub(1).map_or(0, |i| trace[i].t_ms)
    }
}

fn set_state(states: &mut Vec<&'static str>, node: Rank, to: &'static str) {
    let i = node as usize;
    if states.len() <= i {
        states.resize(i + 1, "probing");
    }
    states[i] = to;
}

/// Position in the trace just after everything up to `event` (what the playhead has seen).
pub fn trace_end_at(trace: &[TraceEvent<Ceph>], event: u64) -> usize {
    trace.partition_point(|e| e.event <= event)
}
