//! What the checker remembers between steps: facts about Paxos messages in flight (a
//! delivery in the trace names only the message id), each node's state before the step,
//! and the bookkeeping the invariants share.

use super::archived::ArchivedMap;
use crate::actor::Rank;
use crate::protocol::messages::{Epoch, Msg, PaxosOp, Pn, Version};
use crate::protocol::{Ceph, MonState, PaxosState, Value};
use crate::sim::World;
use crate::trace::{TraceEvent, TraceKind};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The parts of a Paxos message the invariants need.
#[derive(Clone, Debug)]
pub struct MsgFacts {
    pub from: Rank,
    pub to: Rank,
    pub op: PaxosOp,
    pub epoch: Epoch,
    pub pn: Pn,
    pub lc: Version,
    /// LAST only: (uncommitted_pn, version, value) if it reported one.
    pub uncommitted: Option<(Pn, Version, Arc<Value>)>,
}

impl MsgFacts {
    fn of(from: Rank, to: Rank, msg: &Msg) -> Option<MsgFacts> {
        let p = msg.paxos()?;
        let v = p.last_committed + 1;
        let uncommitted = match (p.op, p.values.get(&v)) {
            (PaxosOp::Last, Some(val)) if p.uncommitted_pn > 0 => Some((p.uncommitted_pn, v, val.clone())),
            _ => None,
        };
        Some(MsgFacts { from, to, op: p.op, epoch: p.epoch, pn: p.pn, lc: p.last_committed, uncommitted })
    }
}

/// A node as it stood at the end of a step (the next step's "before").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeFacts {
    pub up: bool,
    pub role: Option<MonState>,
    pub phase: Option<PaxosState>,
    pub epoch: Epoch,
    pub leader: Option<Rank>,
    pub accepted_pn: Pn,
    pub durable_epoch: Epoch,
    pub durable_accepted_pn: Pn,
    pub last_pn: Pn,
    pub lc: Version,
    pub values: usize,
}

impl NodeFacts {
    fn of(world: &World<Ceph>, r: Rank) -> NodeFacts {
        let s = world.durable(r);
        let mut f = NodeFacts {
            durable_epoch: s.election_epoch,
            durable_accepted_pn: s.accepted_pn,
            last_pn: s.last_pn,
            lc: s.last_committed,
            values: s.values.len(),
            ..NodeFacts::default()
        };
        if let Some(m) = world.node(r) {
            f.up = true;
            f.role = Some(m.state);
            f.phase = Some(m.paxos.state);
            f.epoch = m.epoch;
            f.leader = m.leader;
            f.accepted_pn = m.paxos.accepted_pn;
        }
        f
    }
}

#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Paxos messages sent and not yet delivered or dropped, by message id.
    pub inflight: BTreeMap<u64, MsgFacts>,
    /// This step's Paxos deliveries.
    pub delivered: Vec<MsgFacts>,
    /// Bit r set: node r appeared in this step's log (only those nodes can have changed).
    pub touched: u32,
    /// Ceph's default timings are in force (the across-epochs read claim applies).
    pub default_timing: bool,
    /// Each node before this step.
    pub prev: Vec<NodeFacts>,
    /// LASTs the leader received: (leader, epoch, pn) -> senders.
    pub lasts_received: BTreeMap<(Rank, Epoch, Pn), BTreeSet<Rank>>,
    /// ACCEPTs the leader received: (leader, epoch, pn, lc) -> senders. One entry per
    /// version, so archived (cheap to clone for snapshots).
    pub accepts_received: ArchivedMap<(Rank, Epoch, Pn, Version), BTreeSet<Rank>>,
    /// The value first seen committed at each version (agreement); archived likewise.
    pub chosen: ArchivedMap<Version, Arc<Value>>,
    /// Highest durable lc already compared per node.
    pub agreed_lc: Vec<Version>,
    /// Uncommitted values reported to a leader: (leader, epoch, pn) -> (pn, version, value).
    pub reported: BTreeMap<(Rank, Epoch, Pn), Vec<(Pn, Version, Arc<Value>)>>,
    /// (leader, epoch) whose first BEGIN has been checked.
    pub first_begin_done: BTreeSet<(Rank, Epoch)>,
    /// Highest pn each node has seen in any Paxos message it received or sent.
    pub max_pn_seen: Vec<Pn>,
    /// Each node's pn at its previous COLLECT.
    pub last_collect_pn: Vec<Pn>,
    /// Who declared victory in each epoch.
    pub victories: BTreeMap<Epoch, Rank>,
    /// Some link was cut one way only, or made lossy, at some point (leader uniqueness is
    /// then not claimed: acks can reach one proposer and not another).
    pub asymmetric_ever: bool,
    /// When links last changed (partition, cut, heal, loss).
    pub last_link_change_ms: Option<u64>,
    /// When the first PROPOSE of each odd epoch was sent.
    pub election_start_ms: BTreeMap<Epoch, u64>,
    /// Highest lc held by a quorum member of each epoch.
    pub max_lc_in_epoch: BTreeMap<Epoch, Version>,
}

impl Facts {
    pub fn new(world: &World<Ceph>) -> Self {
        let n = world.n() as usize;
        Facts {
            prev: (0..world.n()).map(|r| NodeFacts::of(world, r)).collect(),
            agreed_lc: vec![0; n],
            max_pn_seen: vec![0; n],
            last_collect_pn: vec![0; n],
            default_timing: world.config.has_default_timing(),
            touched: u32::MAX,
            ..Facts::default()
        }
    }

    /// Record the step's messages. Never fails today; a `Check` keeps the chain uniform.
    pub fn observe(&mut self, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> super::Check {
        self.delivered.clear();
        self.touched = 0;
        for e in log {
            if let Some(r) = e.node {
                self.touched |= 1 << r;
            }
            match &e.kind {
                TraceKind::Send { to, id, msg } => {
                    let from = e.node.expect("a send has a sender");
                    if let Msg::Election(el) = &**msg {
                        if el.op == crate::protocol::ElectionOp::Propose {
                            self.election_start_ms.entry(el.epoch).or_insert(e.t_ms);
                        }
                    }
                    if let Some(f) = MsgFacts::of(from, *to, msg) {
                        self.inflight.insert(*id, f);
                    }
                }
                TraceKind::Deliver { id, .. } => {
                    if let Some(f) = self.inflight.get(id).cloned() {
                        if !world.duplicate_allowed() {
                            self.inflight.remove(id);
                        }
                        self.note_delivery(&f);
                        self.delivered.push(f);
                    }
                }
                TraceKind::Drop { id, .. } if !world.duplicate_allowed() => {
                    self.inflight.remove(id);
                }
                TraceKind::Action(a) => self.note_links(world, a, e.t_ms),
                _ => {}
            }
        }
        Ok(())
    }

    fn note_delivery(&mut self, f: &MsgFacts) {
        // Only a message that passes the epoch filter is "seen" by the protocol.
        let before = &self.prev[f.to as usize];
        if before.epoch == f.epoch && matches!(before.role, Some(MonState::Leader | MonState::Peon)) {
            let seen = &mut self.max_pn_seen[f.to as usize];
            *seen = (*seen).max(f.pn);
        }
        match f.op {
            PaxosOp::Last => {
                self.lasts_received.entry((f.to, f.epoch, f.pn)).or_default().insert(f.from);
                if let Some(u) = &f.uncommitted {
                    self.reported.entry((f.to, f.epoch, f.pn)).or_default().push(u.clone());
                }
            }
            PaxosOp::Accept => {
                self.accepts_received.entry_or_default((f.to, f.epoch, f.pn, f.lc)).insert(f.from);
            }
            _ => {}
        }
    }

    fn note_links(&mut self, world: &World<Ceph>, action: &crate::scenario::Action, t_ms: u64) {
        use crate::scenario::Action;
        if !matches!(action, Action::Partition(_) | Action::Isolate(_) | Action::Cut(_) | Action::Heal(_) | Action::Loss(..)) {
            return;
        }
        self.last_link_change_ms = Some(t_ms);
        let cut = world.bus.cut_links();
        let lossy = matches!(action, Action::Loss(_, pct) if *pct > 0);
        if lossy || cut.iter().any(|(a, b)| !cut.contains(&(*b, *a))) {
            self.asymmetric_ever = true;
        }
    }

    /// Leader uniqueness is claimed for epoch `e` only if connectivity stayed symmetric and
    /// did not change while the election for it ran (spec 14.13).
    pub fn leader_claimed(&self, epoch: Epoch) -> bool {
        if self.asymmetric_ever {
            return false;
        }
        let started = self.election_start_ms.get(&(epoch.saturating_sub(1))).copied().unwrap_or(0);
        self.last_link_change_ms.is_none_or(|t| t < started)
    }

    pub fn end_step(&mut self, world: &World<Ceph>) {
        let touched = self.touched;
        for r in (0..world.n()).filter(|r| touched & (1 << r) != 0) {
            self.prev[r as usize] = NodeFacts::of(world, r);
        }
    }

    pub fn was_touched(&self, r: Rank) -> bool {
        self.touched & (1 << r) != 0
    }
}
