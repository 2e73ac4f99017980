//! An incremental index over the session's trace, so that per-frame views (recent drops,
//! the last transitions of each monitor, forwarded requests) never rescan a long trace.
//! The trace only grows, except that a fork keeps a prefix of it; `sync` handles both.

use paxoscope_core::actor::Rank;
use paxoscope_core::client::ReqId;
use paxoscope_core::machine::{Declaration, MachineId, Position, Transition};
use paxoscope_core::view::{EntryKind, RunView};

/// The states one input (or a crash) took a node through, as the diagram's box keys
/// (`Declaration::key`): `leader-writing leader-refresh leader-active`.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub event: u64,
    pub t_ms: u64,
    pub node: Rank,
    /// The top machine it moved in (Basic Paxos runs one per role: a learner's step and the
    /// proposer's step it causes are two routes, not one arrow between machines).
    pub machine: MachineId,
    /// The box it left first, then each state shown on the way (`Declaration::shown`).
    pub keys: Vec<String>,
}

/// The top machine `m` runs under.
fn top_machine(d: &Declaration, m: MachineId) -> MachineId {
    let mut at = m;
    while let Some((parent, _)) = d.machine(at).within {
        at = parent;
    }
    at
}

/// The key of the innermost state under `machine` (down through the machines running
/// within its state): where an arrow into a group state ends.
fn leaf_key(d: &Declaration, position: &Position, machine: MachineId) -> String {
    let mut m = machine;
    let mut s = position.state(m).unwrap_or(d.machine(m).initial);
    while let Some(sub) = d.sub_machine(m, s) {
        m = sub;
        s = position.state(m).unwrap_or(d.machine(m).initial);
    }
    d.key(m, s)
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

/// How many notable events one announcement names (five monitors' new roles fit).
const ANNOUNCED: usize = 5;

/// Something worth announcing to a screen reader.
#[derive(Clone, Debug, PartialEq)]
pub struct Notable {
    pub event: u64,
    pub text: String,
}

pub struct TraceIndex {
    declaration: &'static Declaration,
    /// Trace entries indexed so far.
    len: usize,
    /// One per input that changed a node's state, and per crash, in trace order.
    pub transitions: Vec<Route>,
    pub drops: Vec<DropMark>,
    pub notable: Vec<Notable>,
    /// Client requests forwarded to a leader, with the event of the (first) forward.
    pub forwarded: Vec<(ReqId, u64)>,
    /// Where each node's machines stand after the indexed entries.
    positions: Vec<Position>,
}

impl TraceIndex {
    /// An empty index of a run of the protocol `declaration` describes.
    pub fn new(declaration: &'static Declaration) -> Self {
        TraceIndex {
            declaration,
            len: 0,
            transitions: Vec::new(),
            drops: Vec::new(),
            notable: Vec::new(),
            forwarded: Vec::new(),
            positions: Vec::new(),
        }
    }

    /// Index the entries recorded since the last call, as far as the run keeps them
    /// (`RunView::resident`). Entries the run no longer keeps (it ran further than its
    /// window since the last call) are passed over: the index starts again where the window
    /// does, from the machines' positions there.
    pub fn sync(&mut self, run: &dyn RunView) {
        let kept = run.resident();
        let len = run.trace_len().min(kept.end);
        if run.trace_len() < self.len {
            self.truncate();
        }
        if self.len < kept.start {
            self.truncate();
            self.positions = run.resident_positions();
            self.len = kept.start;
        }
        for i in self.len..len.max(self.len) {
            self.add(run, i);
        }
        self.len = len.max(self.len);
    }

    /// After a fork the trace is a prefix of what was indexed: index it again from the start
    /// (forks are rare; the positions of the machines need the whole prefix).
    fn truncate(&mut self) {
        *self = TraceIndex::new(self.declaration);
    }

    fn position(&mut self, node: Rank) -> &mut Position {
        let i = node as usize;
        while self.positions.len() <= i {
            self.positions.push(Position::new(self.declaration));
        }
        &mut self.positions[i]
    }

    /// Record transition `t` at `node`: it extends the node's route of this input, or starts
    /// one. A state that the next transition of the input leaves at once by leaving its
    /// parent (`Declaration::shown`) is passed over.
    fn on_transition(&mut self, run: &dyn RunView, i: usize, node: Rank, t: Transition) {
        let e = run.entry(i);
        let d = self.declaration;
        let before = leaf_key(d, self.position(node), t.machine);
        let applied = self.position(node).apply(t);
        debug_assert!(applied, "mon.{node}: {t:?} from another state");
        let next = (i + 1..run.resident().end)
            .map(|j| run.entry(j))
            .take_while(|x| x.event == e.event)
            .find_map(|x| match x.kind {
                EntryKind::Transition(n) if x.node == e.node => Some(n),
                _ => None,
            });
        let machine = top_machine(d, t.machine);
        let same_input = self
            .transitions
            .last()
            .is_some_and(|r| r.event == e.event && r.node == node && r.machine == machine);
        if !same_input {
            self.transitions.push(Route {
                event: e.event,
                t_ms: e.t_ms,
                node,
                machine,
                keys: vec![before],
            });
        }
        if d.shown(t, next) {
            let after = leaf_key(d, &self.positions[node as usize], t.machine);
            let route = self.transitions.last_mut().expect("pushed above");
            if route.keys.last() != Some(&after) {
                route.keys.push(after);
            }
        }
        let m = d.machine(t.machine);
        if m.within.is_none() && d.sub_machine(t.machine, t.to).is_some() {
            let text = format!(
                "{} is now {}",
                crate::labels::mon(node),
                d.state(t.machine, t.to).label
            );
            self.notable.push(Notable {
                event: e.event,
                text,
            });
        }
    }

    fn add(&mut self, run: &dyn RunView, i: usize) {
        let e = run.entry(i);
        let node = e.node.unwrap_or(0);
        let d = self.declaration;
        match &e.kind {
            EntryKind::Transition(t) => self.on_transition(run, i, node, *t),
            EntryKind::Crash => {
                // One route per top machine: where it stood, and its initial state.
                let tops: Vec<MachineId> = (0..d.machines.len())
                    .map(|m| MachineId(m as u8))
                    .filter(|m| d.machine(*m).within.is_none())
                    .collect();
                let position = self.position(node);
                let before: Vec<String> = tops.iter().map(|m| leaf_key(d, position, *m)).collect();
                position.reset();
                let after: Vec<String> = tops.iter().map(|m| leaf_key(d, position, *m)).collect();
                for ((machine, from), to) in tops.into_iter().zip(before).zip(after) {
                    if from != to || d.top_machines() == 1 {
                        self.transitions.push(Route {
                            event: e.event,
                            t_ms: e.t_ms,
                            node,
                            machine,
                            keys: vec![from, to],
                        });
                    }
                }
                self.notable.push(Notable {
                    event: e.event,
                    text: format!("{} crashed", crate::labels::mon(node)),
                });
            }
            EntryKind::Boot => {
                self.notable.push(Notable {
                    event: e.event,
                    text: format!("{} restarts from its store", crate::labels::mon(node)),
                });
            }
            EntryKind::Drop {
                from,
                to,
                kind,
                family,
                reason,
                ..
            } => self.drops.push(DropMark {
                event: e.event,
                t_ms: e.t_ms,
                from: *from,
                to: *to,
                kind,
                family,
                reason,
                at_sender: e.node == Some(*from),
            }),
            EntryKind::Send {
                forwards: Some(req),
                ..
            } => {
                if !self.forwarded.iter().any(|f| f.0 == *req) {
                    self.forwarded.push((*req, e.event));
                }
            }
            EntryKind::ClientReply { req_id, reply } => {
                let op = run
                    .clients()
                    .iter()
                    .find(|c| c.id == *req_id)
                    .map(|c| &c.op);
                let text = format!("request {req_id}: {}", crate::labels::reply_text(reply, op));
                self.notable.push(Notable {
                    event: e.event,
                    text,
                });
            }
            _ => {}
        }
    }

    /// The last `n` transitions of `node` at or before `event`, oldest first.
    pub fn recent_transitions(&self, node: Rank, event: u64, n: usize) -> Vec<&Route> {
        let end = self.transitions.partition_point(|t| t.event <= event);
        let mut v: Vec<&Route> = self.transitions[..end]
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
    /// What the live region says for the events after `after` up to `upto` (one frame's, or
    /// one step's): every notable one, oldest first, at most `ANNOUNCED` of them. Only the
    /// last used to be said, so a new leader and a peon joining it in one frame announced
    /// the peon alone.
    pub fn announcement_between(&self, after: u64, upto: u64) -> Option<String> {
        let end = self.notable.partition_point(|n| n.event <= upto);
        let start = self.notable[..end].partition_point(|n| n.event <= after);
        let said = &self.notable[start..end];
        if said.is_empty() {
            return None;
        }
        let mut text: Vec<&str> = said
            .iter()
            .take(ANNOUNCED)
            .map(|n| n.text.as_str())
            .collect();
        let more = said.len().saturating_sub(ANNOUNCED);
        let tail = format!("and {more} more");
        if more > 0 {
            text.push(&tail);
        }
        Some(text.join("; "))
    }

    pub fn was_forwarded(&self, req: ReqId, event: u64) -> bool {
        self.forwarded.iter().any(|f| f.0 == req && f.1 <= event)
    }

    /// Simulated time of event number `event` (or of the latest entry before it).
    pub fn time_of_event(&self, run: &dyn RunView, event: u64) -> u64 {
        let end = run.trace_end_at(event);
        end.checked_sub(1).map_or(0, |i| run.entry(i).t_ms)
    }
}
