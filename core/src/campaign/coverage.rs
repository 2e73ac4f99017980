//! Which interesting protocol paths a run went through, read off each step's trace entries
//! (messages, timers, state changes, persists) and the world, never guessed from the schedule.

use crate::actor::Rank;
use crate::protocols::ceph::declaration::{LEADER, MONITOR};
use crate::protocols::ceph::messages::{ElectionOp, Epoch, Msg, PaxosOp, Pn};
use crate::protocols::ceph::{Ceph, MonState, PaxosState, StoreWrite, Timer};
use crate::scenario::Action;
use crate::sim::World;
use crate::trace::{TraceEvent, TraceKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ProtocolPath {
    /// A new leader found an uncommitted value in recovery and re-proposed it
    /// (its Paxos state became `updating-previous`).
    RecoverUncommitted,
    /// A peon refused a COLLECT (it had promised more), and the leader collected again in the
    /// same epoch with a higher pn.
    HigherPnCollect,
    /// A peon's lease timer fired (no LEASE or COLLECT for `lease_ack_timeout_ms`).
    PeonLeaseTimeout,
    /// A leader's lease-ack timer fired (some peon did not ack a renewal in time).
    LeaderLeaseAckTimeout,
    /// A monitor too far behind synchronized from a provider and left `synchronizing`.
    SyncCatchUp,
    /// A candidate that proposed itself in an epoch deferred (acked) a lower rank in it.
    ElectionDefer,
    /// A victory declared at the election timeout with a majority, not with every monitor.
    VictoryByMajority,
    /// A monitor that restarted with an odd epoch in its store persisted epoch + 1 and
    /// proposed at epoch + 2 (Ceph's initialisation quirk, spec 6.2).
    OddEpochRestart,
    /// `crash-in-commit` fired: the leader died with its commit write queued, not durable.
    CrashInCommitFired,
}

impl ProtocolPath {
    pub const ALL: [ProtocolPath; 9] = [
        ProtocolPath::RecoverUncommitted,
        ProtocolPath::HigherPnCollect,
        ProtocolPath::PeonLeaseTimeout,
        ProtocolPath::LeaderLeaseAckTimeout,
        ProtocolPath::SyncCatchUp,
        ProtocolPath::ElectionDefer,
        ProtocolPath::VictoryByMajority,
        ProtocolPath::OddEpochRestart,
        ProtocolPath::CrashInCommitFired,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ProtocolPath::RecoverUncommitted => "recover-uncommitted",
            ProtocolPath::HigherPnCollect => "higher-pn-collect",
            ProtocolPath::PeonLeaseTimeout => "peon-lease-timeout",
            ProtocolPath::LeaderLeaseAckTimeout => "leader-lease-ack-timeout",
            ProtocolPath::SyncCatchUp => "sync-catch-up",
            ProtocolPath::ElectionDefer => "election-defer",
            ProtocolPath::VictoryByMajority => "victory-by-majority",
            ProtocolPath::OddEpochRestart => "odd-epoch-restart",
            ProtocolPath::CrashInCommitFired => "crash-in-commit-fired",
        }
    }
}

/// Watches every step of one run.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    pub hit: BTreeSet<ProtocolPath>,
    /// Epoch of each node's latest PROPOSE.
    proposed_in: BTreeMap<Rank, Epoch>,
    /// pn of each (leader, epoch)'s latest COLLECT.
    collect_pn: BTreeMap<(Rank, Epoch), Pn>,
    /// Nodes that restarted with this odd epoch in their store and have not proposed since.
    odd_restart: BTreeMap<Rank, Epoch>,
}

impl Coverage {
    pub fn observe(&mut self, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) {
        let manual_crash = log
            .iter()
            .any(|e| matches!(e.kind, TraceKind::Action(Action::Crash(_))));
        for (i, e) in log.iter().enumerate() {
            let Some(r) = e.node else { continue };
            match &e.kind {
                TraceKind::Send { msg, .. } => self.on_send(r, msg, world.n()),
                TraceKind::Timer(Timer::Lease) => self.note(ProtocolPath::PeonLeaseTimeout),
                TraceKind::Timer(Timer::LeaseAck) => self.note(ProtocolPath::LeaderLeaseAckTimeout),
                TraceKind::Transition(t)
                    if t.machine == LEADER && t.to == PaxosState::UpdatingPrevious.id() =>
                {
                    self.note(ProtocolPath::RecoverUncommitted)
                }
                TraceKind::Transition(t)
                    if t.machine == MONITOR
                        && t.from == MonState::Synchronizing.id()
                        && received_sync_chunk(log, r) =>
                {
                    self.note(ProtocolPath::SyncCatchUp)
                }
                TraceKind::Crash if !manual_crash => self.note(ProtocolPath::CrashInCommitFired),
                TraceKind::Boot => {
                    let epoch = world.durable(r).election_epoch;
                    if epoch % 2 == 1 {
                        self.odd_restart.insert(r, epoch);
                    }
                }
                TraceKind::Persist(writes) => self.on_persist(r, writes, &log[i + 1..]),
                _ => {}
            }
        }
    }

    fn note(&mut self, p: ProtocolPath) {
        self.hit.insert(p);
    }

    fn on_send(&mut self, r: Rank, msg: &Msg, n: u8) {
        match msg {
            Msg::Election(e) if e.op == ElectionOp::Propose => {
                self.proposed_in.insert(r, e.epoch);
            }
            Msg::Election(e)
                if e.op == ElectionOp::Ack && self.proposed_in.get(&r) == Some(&e.epoch) =>
            {
                self.note(ProtocolPath::ElectionDefer)
            }
            Msg::Election(e) if e.op == ElectionOp::Victory && e.quorum.len() < n as usize => {
                self.note(ProtocolPath::VictoryByMajority)
            }
            Msg::Paxos(p) if p.op == PaxosOp::Collect => {
                let prev = self.collect_pn.insert((r, p.epoch), p.pn);
                if prev.is_some_and(|old| p.pn > old) {
                    self.note(ProtocolPath::HigherPnCollect);
                }
            }
            _ => {}
        }
    }

    /// The quirk shows as `election_epoch = E+1` right after a restart at odd `E`, followed in
    /// the same step by the candidacy's `election_epoch = E+2`.
    fn on_persist(&mut self, r: Rank, writes: &[StoreWrite], later: &[TraceEvent<Ceph>]) {
        let Some(&odd) = self.odd_restart.get(&r) else {
            return;
        };
        let Some(epoch) = writes.iter().find_map(|w| match w {
            StoreWrite::ElectionEpoch(e) => Some(*e),
            _ => None,
        }) else {
            return;
        };
        self.odd_restart.remove(&r);
        let proposes_at_plus_two = later.iter().any(|e| {
            e.node == Some(r) && matches!(&e.kind, TraceKind::Persist(w) if w.contains(&StoreWrite::ElectionEpoch(odd + 2)))
        });
        if epoch == odd + 1 && proposes_at_plus_two {
            self.note(ProtocolPath::OddEpochRestart);
        }
    }
}

fn received_sync_chunk(log: &[TraceEvent<Ceph>], r: Rank) -> bool {
    log.iter().any(|e| {
        e.node == Some(r)
            && matches!(&e.kind, TraceKind::Deliver { msg, .. } if matches!(msg.kind(), "sync_last_chunk" | "sync_full_chunk"))
    })
}
