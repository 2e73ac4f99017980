//! The monitor's durable key-value store (Ceph's MonitorDBStore), reduced to the keys of spec
//! section 4.1. Only what is in a `Store` survives a crash; every change goes through
//! `apply`, one atomic transaction at a time, and is reported as a `Persist` effect.

use super::connection::ConnectionTracker;
use super::messages::{ClientOp, ClientReply, ClientRequest, Epoch, Pn, ReqId, Text, Version};
use super::versions::Versions;
use crate::scenario::ElectionStrategy;
use crate::shared_map::SharedMap;
use crate::sorted::{SortedMap, SortedSet};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// One operation inside a Paxos value (the encoded service transaction).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ValueOp {
    /// The leader's first proposal (`lc == 0`): creates the key-value service at version 1.
    InitialState,
    /// Wrapper added by `begin` when `lc == 0` (spec 9.2): also sets `first_committed = 1`.
    SetFirstCommitted(Version),
    /// Monitor metadata written after every election win (spec 12, "first proposals").
    Bookkeeping { epoch: Epoch, leader: u8 },
    /// A client put or compare-and-set, applied at commit on every monitor.
    Client(ClientRequest),
    /// Erase versions below `to` and set `first_committed = to` (spec 11).
    Trim { to: Version },
}

/// A Paxos value: one proposal's worth of operations.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Value {
    pub ops: Vec<ValueOp>,
}

impl Value {
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .ops
            .iter()
            .map(|op| match op {
                ValueOp::InitialState => "initial state".to_string(),
                ValueOp::SetFirstCommitted(v) => format!("first_committed={v}"),
                ValueOp::Bookkeeping { epoch, leader } => {
                    format!("bookkeeping e{epoch} leader mon.{leader}")
                }
                ValueOp::Client(r) => match &r.op {
                    ClientOp::Put { key, value } => format!("put {key}={value} (req {})", r.id),
                    ClientOp::Cas {
                        key,
                        expected,
                        value,
                    } => format!(
                        "cas {key} {}->{value} (req {})",
                        expected.as_deref().unwrap_or("-"),
                        r.id
                    ),
                    ClientOp::Get { key } => format!("get {key}"),
                },
                ValueOp::Trim { to } => format!("trim below v{to}"),
            })
            .collect();
        parts.join("; ")
    }
}

/// One key written in a store transaction (spec 4.1 names in comments).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreWrite {
    /// `paxos/last_pn`
    LastPn(Pn),
    /// `paxos/accepted_pn`
    AcceptedPn(Pn),
    /// `paxos/<v>`: a value, committed or not.
    Value(Version, Rc<Value>),
    /// `paxos/pending_v` and `paxos/pending_pn`
    Pending { version: Version, pn: Pn },
    /// `paxos/last_committed = v` together with the operations inside value `v`.
    Commit(Version),
    /// `monitor/election_epoch`
    ElectionEpoch(Epoch),
    /// `monitor/joined = 1`
    Joined,
    /// Full sync: wipe Paxos and service state and install a provider's copy.
    InstallSnapshot(Box<Snapshot>),
    /// `monitor/connectivity_scores`: the live score table.
    ConnectivityScores(Rc<ConnectionTracker>),
    /// The monmap's election fields (`election_strategy`, `disallowed_leaders`).
    Monmap(ElectionMonmap),
}

/// The monmap fields the elector reads (`MonMap::strategy`, `MonMap::disallowed_leaders`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionMonmap {
    pub strategy: ElectionStrategy,
    pub disallowed_leaders: SortedSet<u8>,
}

impl StoreWrite {
    pub fn key(&self) -> &'static str {
        match self {
            StoreWrite::LastPn(_) => "last_pn",
            StoreWrite::AcceptedPn(_) => "accepted_pn",
            StoreWrite::Value(..) => "value",
            StoreWrite::Pending { .. } => "pending",
            StoreWrite::Commit(_) => "last_committed",
            StoreWrite::ElectionEpoch(_) => "election_epoch",
            StoreWrite::Joined => "joined",
            StoreWrite::InstallSnapshot(_) => "snapshot",
            StoreWrite::ConnectivityScores(_) => "connectivity_scores",
            StoreWrite::Monmap(_) => "monmap",
        }
    }
    pub fn describe(&self) -> String {
        match self {
            StoreWrite::LastPn(p) => format!("last_pn={p}"),
            StoreWrite::AcceptedPn(p) => format!("accepted_pn={p}"),
            StoreWrite::Value(v, _) => format!("v{v}"),
            StoreWrite::Pending { version, pn } => format!("pending_v={version} pending_pn={pn}"),
            StoreWrite::Commit(v) => format!("last_committed={v}"),
            StoreWrite::ElectionEpoch(e) => format!("election_epoch={e}"),
            StoreWrite::Joined => "joined=1".to_string(),
            StoreWrite::InstallSnapshot(s) => {
                format!("snapshot fc={} lc={}", s.first_committed, s.last_committed)
            }
            StoreWrite::ConnectivityScores(t) => {
                format!("connectivity_scores e{} v{}", t.epoch, t.version)
            }
            StoreWrite::Monmap(m) => format!(
                "monmap strategy={} disallowed={:?}",
                m.strategy.name(),
                m.disallowed_leaders
            ),
        }
    }
}

/// What a full sync copies: the service state at `last_committed` plus the stored versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub first_committed: Version,
    pub last_committed: Version,
    pub values: Versions,
    pub kv: SortedMap<Text, Text>,
    pub kv_version: u64,
    /// The answers of the client operations applied in the stored versions.
    #[serde(default)]
    pub applied: SharedMap<ReqId, (Version, ClientReply)>,
}

/// The durable state of one monitor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    pub last_pn: Pn,
    pub accepted_pn: Pn,
    pub first_committed: Version,
    pub last_committed: Version,
    pub pending_v: Version,
    pub pending_pn: Pn,
    pub values: Versions,
    pub election_epoch: Epoch,
    pub joined: bool,
    /// The key-value service's committed state (applied from values at commit).
    pub kv: SortedMap<Text, Text>,
    /// The key-value service's own version: bumped by each committed value that touches it.
    pub kv_version: u64,
    /// Each applied client operation's answer and version, while its version is stored: a
    /// request resent after an election and committed twice is applied once (the spec's
    /// "tag writes with ids and make applying them idempotent").
    #[serde(default)]
    pub applied: SharedMap<ReqId, (Version, ClientReply)>,
    /// `monitor/connectivity_scores`, if ever written.
    #[serde(default)]
    pub connectivity_scores: Option<Rc<ConnectionTracker>>,
    /// The monmap's election fields, if changed since the first monmap (else the config's).
    #[serde(default)]
    pub monmap: Option<ElectionMonmap>,
}

/// What applying one committed value produced for the clients whose requests it carried.
pub type CommitReplies = Vec<(ReqId, ClientReply)>;

/// How committed client operations are evaluated: Ceph's rules, unless a deliberate bug
/// (a mutation canary) says otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Semantics {
    /// `cas-ignores-expected`: a compare-and-set writes without comparing.
    pub cas_ignores_expected: bool,
}

impl Store {
    /// The uncommitted value at `lc + 1`, if this store holds one.
    pub fn uncommitted(&self) -> Option<&Rc<Value>> {
        self.values.get(&(self.last_committed + 1))
    }

    /// Share `other`'s memory where this store holds the same versions and answers (another
    /// monitor's store, before a snapshot copies both): nothing this store holds changes.
    pub fn share_equal_chunks(&mut self, other: &Store) -> usize {
        self.values.share_equal_chunks(&other.values)
            + self.applied.share_equal_chunks(&other.applied)
    }

    /// Apply one atomic transaction.
    pub fn apply(&mut self, txn: &[StoreWrite]) {
        self.apply_with(txn, Semantics::default());
    }

    /// Apply one atomic transaction, evaluating client operations by `sem`.
    pub fn apply_with(&mut self, txn: &[StoreWrite], sem: Semantics) {
        self.apply_collecting(txn, None, sem);
    }

    /// Apply one atomic transaction and return the client results of the values it commits
    /// (only the leader answers clients: a peon's commits use `apply` and build no replies).
    pub fn apply_answering(&mut self, txn: &[StoreWrite], sem: Semantics) -> CommitReplies {
        let mut replies = Vec::new();
        self.apply_collecting(txn, Some(&mut replies), sem);
        replies
    }

    fn apply_collecting(
        &mut self,
        txn: &[StoreWrite],
        mut replies: Option<&mut CommitReplies>,
        sem: Semantics,
    ) {
        for w in txn {
            match w {
                StoreWrite::LastPn(p) => self.last_pn = *p,
                StoreWrite::AcceptedPn(p) => self.accepted_pn = *p,
                StoreWrite::Value(v, val) => {
                    self.values.insert(*v, val.clone());
                }
                StoreWrite::Pending { version, pn } => {
                    self.pending_v = *version;
                    self.pending_pn = *pn;
                }
                StoreWrite::Commit(v) => self.commit(*v, replies.as_deref_mut(), sem),
                StoreWrite::ElectionEpoch(e) => self.election_epoch = *e,
                StoreWrite::Joined => self.joined = true,
                StoreWrite::InstallSnapshot(s) => self.install(s),
                StoreWrite::ConnectivityScores(t) => self.connectivity_scores = Some(t.clone()),
                StoreWrite::Monmap(m) => self.monmap = Some(m.clone()),
            }
        }
    }

    fn install(&mut self, s: &Snapshot) {
        self.values = s.values.clone();
        self.first_committed = s.first_committed;
        self.last_committed = s.last_committed;
        self.kv = s.kv.clone();
        self.kv_version = s.kv_version;
        self.applied = s.applied.clone();
    }

    /// Advance `last_committed` to `v` and apply the operations inside value `v`, adding the
    /// clients' results to `replies` if wanted.
    fn commit(&mut self, v: Version, mut replies: Option<&mut CommitReplies>, sem: Semantics) {
        assert_eq!(v, self.last_committed + 1, "commits are applied in order");
        let value = self
            .values
            .get(&v)
            .cloned()
            .expect("a committed version has a stored value");
        self.last_committed = v;
        let mut touches_kv = false;
        for op in &value.ops {
            match op {
                ValueOp::InitialState => {
                    touches_kv = true;
                }
                ValueOp::SetFirstCommitted(fc) => self.first_committed = *fc,
                ValueOp::Bookkeeping { .. } => {}
                ValueOp::Client(req) => {
                    touches_kv = true;
                    let reply = match self.applied.get(&req.id) {
                        Some((_, earlier)) => earlier.clone(), // a resent duplicate
                        None => {
                            let reply = self.apply_client(&req.op, v, sem);
                            self.applied.insert(req.id, (v, reply.clone()));
                            reply
                        }
                    };
                    if let Some(replies) = replies.as_deref_mut() {
                        replies.push((req.id, reply));
                    }
                }
                ValueOp::Trim { to } => self.trim(*to),
            }
        }
        if self.first_committed == 0 {
            self.first_committed = 1;
        }
        if touches_kv {
            self.kv_version += 1;
        }
    }

    fn apply_client(&mut self, op: &ClientOp, version: Version, sem: Semantics) -> ClientReply {
        match op {
            ClientOp::Put { key, value } => {
                self.set_kv(key, value);
                ClientReply::Written { version }
            }
            ClientOp::Cas {
                key,
                expected,
                value,
            } => {
                let current = self.kv.get(key).cloned();
                let applied = current == *expected || sem.cas_ignores_expected;
                if applied {
                    self.set_kv(key, value);
                }
                ClientReply::CasDone {
                    applied,
                    current,
                    version,
                }
            }
            ClientOp::Get { key } => ClientReply::Value {
                value: self.kv.get(key).cloned(),
                version,
            },
        }
    }

    /// `kv[key] = value`; both are shared with the request, so nothing is copied.
    fn set_kv(&mut self, key: &Text, value: &Text) {
        match self.kv.get_mut(key) {
            Some(old) => *old = value.clone(),
            None => {
                self.kv.insert(key.clone(), value.clone());
            }
        }
    }

    fn trim(&mut self, to: Version) {
        self.values.trim_below(to);
        self.applied.retain(|_, (v, _)| *v >= to);
        self.first_committed = self.first_committed.max(to);
    }
}
