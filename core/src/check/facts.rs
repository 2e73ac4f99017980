//! What the checker remembers between steps: each node's state before the step and the
//! bookkeeping the invariants share; and what it takes from the step's Paxos deliveries.

use super::archived::ArchivedMap;
use crate::actor::Rank;
use crate::protocols::ceph::messages::{Epoch, Msg, PaxosOp, Pn, Version};
use crate::protocols::ceph::{Ceph, MonState, Monitor, PaxosState, Value};
use crate::ranks::RankSet;
use crate::sim::World;
use crate::sorted::{SortedMap, SortedSet};
use crate::trace::{TraceEvent, TraceKind};
use std::rc::Rc;

/// The parts of a Paxos message the invariants need.
#[derive(Clone, Debug)]
pub struct MsgFacts {
    pub from: Rank,
    pub to: Rank,
    pub op: PaxosOp,
    pub epoch: Epoch,
    pub pn: Pn,
    pub lc: Version,
    /// LAST only: (uncommitted_pn, version, value) if it reported one. Boxed: rare, and
    /// this keeps the facts of every delivery small.
    pub uncommitted: Option<Box<ReportedValue>>,
}

impl MsgFacts {
    fn of(from: Rank, to: Rank, msg: &Msg) -> Option<MsgFacts> {
        let p = msg.paxos()?;
        let v = p.last_committed + 1;
        let uncommitted = match p.op {
            PaxosOp::Last if p.uncommitted_pn > 0 => p
                .values
                .get(&v)
                .map(|val| Box::new((p.uncommitted_pn, v, val.clone()))),
            _ => None,
        };
        Some(MsgFacts {
            from,
            to,
            op: p.op,
            epoch: p.epoch,
            pn: p.pn,
            lc: p.last_committed,
            uncommitted,
        })
    }
}

/// A node as it stood at the end of a step (the next step's "before").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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

/// The kinds of entry a step's log holds (most steps have no state change, many no send).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepKinds {
    pub sends: bool,
    pub states: bool,
    pub persists: bool,
    /// A client got an answer.
    pub replies: bool,
}

/// An uncommitted value a LAST reported: (its pn, its version, the value).
pub type ReportedValue = (Pn, Version, Rc<Value>);

#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// This step's Paxos deliveries.
    pub delivered: Vec<MsgFacts>,
    /// The nodes that appeared in this step's log: only those can have changed (the world
    /// logs an entry at a node whenever it hands that node an input or changes it), so the
    /// per-node invariants re-examine only these (most only the `changed` ones). Every node
    /// in `exhaustive` mode.
    pub touched: RankSet,
    /// The touched nodes whose `NodeFacts` differ from `prev`; every node on the first step
    /// (no earlier verdict to repeat) and in `exhaustive` mode. A per-node rule that reads only
    /// those facts re-examines only these: for any other node it would repeat its verdict
    /// after the previous step, when every node passed (the run stops at a violation).
    pub changed: RankSet,
    /// A step has been checked (the next is not the first).
    checked_once: bool,
    /// Which kinds of entry this step's log holds: an invariant that reads only sends, state
    /// changes or persists skips a step without any.
    pub step: StepKinds,
    /// Re-examine every node after every step (tests compare this with the incremental mode).
    pub exhaustive: bool,
    /// Ceph's default timings are in force (the across-epochs read claim applies).
    pub default_timing: bool,
    /// Each node before this step.
    pub prev: Vec<NodeFacts>,
    /// Each touched node after this step (the next step's `prev`).
    now: Vec<NodeFacts>,
    /// LASTs the leader received: (leader, epoch, pn) -> senders.
    pub lasts_received: SortedMap<(Rank, Epoch, Pn), RankSet>,
    /// ACCEPTs the leader received: (leader, epoch, pn, lc) -> senders. One entry per
    /// version, so archived (cheap to clone for snapshots).
    pub accepts_received: ArchivedMap<(Rank, Epoch, Pn, Version), RankSet>,
    /// The value first seen committed at each version (agreement); archived likewise.
    pub chosen: ArchivedMap<Version, Rc<Value>>,
    /// Highest durable lc already compared per node.
    pub agreed_lc: Vec<Version>,
    /// Uncommitted values reported to a leader: (leader, epoch, pn) -> (pn, version, value).
    pub reported: SortedMap<(Rank, Epoch, Pn), Vec<ReportedValue>>,
    /// (leader, epoch) whose first BEGIN has been checked.
    pub first_begin_done: SortedSet<(Rank, Epoch)>,
    /// Highest pn each node has seen in any Paxos message it received or sent.
    pub max_pn_seen: Vec<Pn>,
    /// Each node's pn at its previous COLLECT.
    pub last_collect_pn: Vec<Pn>,
    /// The leader that left recovery in each epoch (`one-leader-recovers-per-epoch`).
    pub recovered: SortedMap<Epoch, Rank>,
    /// Highest lc held by a quorum member of each epoch.
    pub max_lc_in_epoch: SortedMap<Epoch, Version>,
    /// The last message id that arrived on each link (`fifo`).
    pub arrivals: super::fifo::Arrivals,
    /// Links keep their order in this run (no reordering or duplicates allowed).
    pub fifo_links: bool,
}

impl Facts {
    pub fn new(world: &World<Ceph>) -> Self {
        let n = world.n() as usize;
        Facts {
            prev: (0..world.n()).map(|r| NodeFacts::of(world, r)).collect(),
            now: (0..world.n()).map(|r| NodeFacts::of(world, r)).collect(),
            agreed_lc: vec![0; n],
            max_pn_seen: vec![0; n],
            last_collect_pn: vec![0; n],
            default_timing: world.config.has_default_timing(),
            touched: RankSet::all(world.n()),
            arrivals: super::fifo::Arrivals::new(world.n()),
            fifo_links: !world.reorder_allowed() && !world.duplicate_allowed(),
            ..Facts::default()
        }
    }

    /// Facts for a checker that re-examines every node after every step.
    pub fn exhaustive(world: &World<Ceph>) -> Self {
        Facts {
            exhaustive: true,
            ..Facts::new(world)
        }
    }

    /// Record the step's messages.
    pub fn observe(&mut self, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) {
        self.delivered.clear();
        self.touched = if self.exhaustive {
            RankSet::all(world.n())
        } else {
            RankSet::default()
        };
        self.step = StepKinds::default();
        for e in log {
            if let Some(r) = e.node {
                self.touched.insert(r);
            }
            match &e.kind {
                TraceKind::Send { .. } => self.step.sends = true,
                TraceKind::Deliver { from, msg, .. } => {
                    let to = e.node.expect("a delivery has a receiver");
                    if let Some(f) = MsgFacts::of(*from, to, msg) {
                        self.note_delivery(&f);
                        self.delivered.push(f);
                    }
                }
                TraceKind::Persist(_) => self.step.persists = true,
                TraceKind::ClientReply { .. } => self.step.replies = true,
                _ => {}
            }
        }
        self.note_changes(world);
    }

    /// Take each touched node's facts after the step and see which changed.
    fn note_changes(&mut self, world: &World<Ceph>) {
        self.changed = if self.exhaustive || !self.checked_once {
            RankSet::all(world.n())
        } else {
            RankSet::default()
        };
        for r in self.touched.iter() {
            let now = NodeFacts::of(world, r);
            let before = &self.prev[r as usize];
            if now != *before {
                self.changed.insert(r);
            }
            if now.up && (now.role != before.role || now.phase != before.phase) {
                self.step.states = true;
            }
            self.now[r as usize] = now;
        }
    }

    /// The nodes up after this step whose monitor state or Paxos phase it changed, each with
    /// its facts before the step (a node that was down has neither).
    pub fn state_changes<'a>(
        &'a self,
        world: &'a World<Ceph>,
    ) -> impl Iterator<Item = (Rank, &'a NodeFacts, &'a Monitor)> + 'a {
        self.changed.iter().filter_map(move |r| {
            let before = &self.prev[r as usize];
            let m = world.node(r)?;
            let moved = before.role != Some(m.state) || before.phase != Some(m.paxos.state);
            moved.then_some((r, before, m))
        })
    }

    fn note_delivery(&mut self, f: &MsgFacts) {
        // Only a message that passes the epoch filter is "seen" by the protocol.
        let before = &self.prev[f.to as usize];
        if before.epoch == f.epoch && matches!(before.role, Some(MonState::Leader | MonState::Peon))
        {
            let seen = &mut self.max_pn_seen[f.to as usize];
            *seen = (*seen).max(f.pn);
        }
        match f.op {
            PaxosOp::Last => {
                self.lasts_received
                    .entry((f.to, f.epoch, f.pn))
                    .or_default()
                    .insert(f.from);
                if let Some(u) = &f.uncommitted {
                    self.reported
                        .entry((f.to, f.epoch, f.pn))
                        .or_default()
                        .push((**u).clone());
                }
            }
            PaxosOp::Accept => {
                self.accepts_received
                    .entry_or_default((f.to, f.epoch, f.pn, f.lc))
                    .insert(f.from);
            }
            _ => {}
        }
    }

    /// Records that grow with every election and proposal (cloned into each snapshot; the
    /// archived maps share their old parts and are not counted): the memory budget's count.
    pub fn growing_entries(&self) -> u64 {
        (self.lasts_received.len()
            + self.reported.len()
            + self.first_begin_done.len()
            + self.recovered.len()
            + self.max_lc_in_epoch.len()) as u64
    }

    pub fn end_step(&mut self, world: &World<Ceph>) {
        // The other nodes' facts are `prev` already (`now` of an untouched node, taken when
        // the checker was built, is its `prev` too).
        for r in self.changed.iter() {
            self.prev[r as usize] = self.now[r as usize];
        }
        self.checked_once = true;
        debug_assert!(
            (0..world.n()).all(|r| self.prev[r as usize] == NodeFacts::of(world, r)),
            "a node changed without appearing in the step's log"
        );
    }
}
