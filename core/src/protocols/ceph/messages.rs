//! Messages between monitors, with Ceph's names (MMonProbe, MMonElection, MMonPaxos, MMonSync)
//! and the client requests the key-value service handles.

use super::connection::ConnectionTracker;
use super::store::{Snapshot, Value};
use crate::scenario::ElectionStrategy;
use crate::sorted::{SortedMap, SortedSet};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

pub type Rank = u8;
pub type Epoch = u64;
pub type Version = crate::client::Version;
pub type Pn = u64;
pub use crate::client::{ClientOp, ClientReply, ClientRequest, ReqId, Text};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    Probe(Probe),
    Election(Election),
    Paxos(Paxos),
    Sync(Sync),
    /// Ceph's MMonPing: link liveness and score gossip (spec 7).
    Ping(Ping),
    /// A peon forwards a client write to the leader (Ceph's MForward).
    Forward {
        epoch: Epoch,
        req: ClientRequest,
    },
    /// The leader's answer to a forwarded write, routed back through the peon.
    ForwardReply {
        req_id: ReqId,
        reply: ClientReply,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProbeOp {
    Probe,
    Reply,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub op: ProbeOp,
    pub has_ever_joined: bool,
    /// Reply only: the replier's current quorum (empty if none) and its versions.
    pub quorum: SortedSet<Rank>,
    pub first_committed: Version,
    pub last_committed: Version,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElectionOp {
    Propose,
    Ack,
    /// Missing features; never sent in the simulation (all monitors run the same build).
    Nak,
    Victory,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    pub op: ElectionOp,
    pub epoch: Epoch,
    /// Victory only: the winning set.
    pub quorum: SortedSet<Rank>,
    /// The sender's strategy (`MMonElection::strategy`); receivers on another one drop it.
    #[serde(default)]
    pub strategy: ElectionStrategy,
    /// `scoring_bl`: the sender's live score table (absent while pinging is off).
    #[serde(default)]
    pub scoring: Option<Rc<ConnectionTracker>>,
    /// `sharing_bl`, PROPOSE under connectivity: the proposer's frozen table.
    #[serde(default)]
    pub sharing: Option<Rc<ConnectionTracker>>,
}

impl Election {
    /// A classic message without tables; `Monitor::election_msg` fills in the rest.
    pub fn new(op: ElectionOp, epoch: Epoch, quorum: SortedSet<Rank>) -> Self {
        Election {
            op,
            epoch,
            quorum,
            strategy: ElectionStrategy::Classic,
            scoring: None,
            sharing: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PingOp {
    Ping,
    Reply,
}

/// MMonPing: `stamp_ms` is the pinger's own clock (a reply echoes it); `tracker` is the
/// sender's live table (`tracker_bl`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ping {
    pub op: PingOp,
    pub stamp_ms: u64,
    pub tracker: Rc<ConnectionTracker>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PaxosOp {
    Collect,
    Last,
    Begin,
    Accept,
    Commit,
    Lease,
    LeaseAck,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paxos {
    pub op: PaxosOp,
    pub epoch: Epoch,
    pub first_committed: Version,
    pub last_committed: Version,
    pub pn: Pn,
    pub uncommitted_pn: Pn,
    /// LEASE: absolute expiry on the leader's clock; LEASE_ACK: the peon's clock.
    pub lease_timestamp_ms: u64,
    pub values: SortedMap<Version, Rc<Value>>,
}

impl Paxos {
    pub fn new(op: PaxosOp, epoch: Epoch) -> Self {
        Paxos {
            op,
            epoch,
            first_committed: 0,
            last_committed: 0,
            pn: 0,
            uncommitted_pn: 0,
            lease_timestamp_ms: 0,
            values: SortedMap::new(),
        }
    }
}

/// Sync, modelled as a "recent sync" in one round (spec section 15 allows it):
/// the requester asks for every committed version after its `last_committed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sync {
    /// GET_COOKIE_RECENT with the requester's `last_committed`.
    GetCookieRecent { last_committed: Version },
    /// LAST_CHUNK: committed versions `from..=last_committed` and the provider's `first_committed`.
    LastChunk {
        first_committed: Version,
        last_committed: Version,
        values: SortedMap<Version, Rc<Value>>,
    },
    /// Full sync: what we need was trimmed, so the provider ships its whole store.
    FullChunk(Box<Snapshot>),
    /// The provider refuses (it is syncing itself, or is not ahead of us).
    NoCookie,
}

impl crate::actor::Wire for Msg {
    fn kind(&self) -> &'static str {
        Msg::kind(self)
    }
    fn family(&self) -> &'static str {
        Msg::family(self)
    }
    fn summary(&self) -> String {
        Msg::summary(self)
    }
    fn forwards(&self) -> Option<ReqId> {
        match self {
            Msg::Forward { req, .. } => Some(req.id),
            _ => None,
        }
    }
    fn label(&self) -> String {
        crate::export::message_label(self)
    }
}

impl Msg {
    /// Ceph's name for the message, as shown in the UI and the trace.
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Probe(p) => match p.op {
                ProbeOp::Probe => "probe",
                ProbeOp::Reply => "probe_reply",
            },
            Msg::Election(e) => match e.op {
                ElectionOp::Propose => "propose",
                ElectionOp::Ack => "ack",
                ElectionOp::Nak => "nak",
                ElectionOp::Victory => "victory",
            },
            Msg::Ping(p) => match p.op {
                PingOp::Ping => "ping",
                PingOp::Reply => "ping_reply",
            },
            Msg::Paxos(p) => match p.op {
                PaxosOp::Collect => "collect",
                PaxosOp::Last => "last",
                PaxosOp::Begin => "begin",
                PaxosOp::Accept => "accept",
                PaxosOp::Commit => "commit",
                PaxosOp::Lease => "lease",
                PaxosOp::LeaseAck => "lease_ack",
            },
            Msg::Sync(s) => match s {
                Sync::GetCookieRecent { .. } => "sync_get_cookie",
                Sync::LastChunk { .. } => "sync_last_chunk",
                Sync::FullChunk(_) => "sync_full_chunk",
                Sync::NoCookie => "sync_no_cookie",
            },
            Msg::Forward { .. } => "forward",
            Msg::ForwardReply { .. } => "forward_reply",
        }
    }

    /// Message family, for colours and filters: probe, election, recovery, update, commit, lease, sync, client.
    pub fn family(&self) -> &'static str {
        match self {
            Msg::Probe(_) => "probe",
            Msg::Election(_) | Msg::Ping(_) => "election",
            Msg::Paxos(p) => match p.op {
                PaxosOp::Collect | PaxosOp::Last => "recovery",
                PaxosOp::Begin | PaxosOp::Accept => "update",
                PaxosOp::Commit => "commit",
                PaxosOp::Lease | PaxosOp::LeaseAck => "lease",
            },
            Msg::Sync(_) => "sync",
            Msg::Forward { .. } | Msg::ForwardReply { .. } => "client",
        }
    }

    /// One line with the fields that matter, e.g. `begin e4 pn 100 lc 3 v4`.
    pub fn summary(&self) -> String {
        match self {
            Msg::Probe(p) => match p.op {
                ProbeOp::Probe => format!("probe joined={}", p.has_ever_joined),
                ProbeOp::Reply => format!(
                    "probe_reply quorum {:?} fc {} lc {}",
                    p.quorum, p.first_committed, p.last_committed
                ),
            },
            Msg::Election(e) if e.op == ElectionOp::Victory => {
                format!("victory e{} quorum {:?}", e.epoch, e.quorum)
            }
            Msg::Election(e) => format!("{} e{}", self.kind(), e.epoch),
            Msg::Ping(p) => format!("{} stamp {}ms", self.kind(), p.stamp_ms),
            Msg::Paxos(p) => {
                let mut s = format!(
                    "{} e{} pn {} fc {} lc {}",
                    self.kind(),
                    p.epoch,
                    p.pn,
                    p.first_committed,
                    p.last_committed
                );
                if !p.values.is_empty() {
                    let vs: Vec<String> = p.values.keys().map(|v| format!("v{v}")).collect();
                    s.push_str(&format!(" values [{}]", vs.join(",")));
                }
                if p.uncommitted_pn > 0 {
                    s.push_str(&format!(" uncommitted_pn {}", p.uncommitted_pn));
                }
                if p.op == PaxosOp::Lease || p.op == PaxosOp::LeaseAck {
                    s.push_str(&format!(" lease_ts {}ms", p.lease_timestamp_ms));
                }
                s
            }
            Msg::Sync(Sync::GetCookieRecent { last_committed }) => {
                format!("sync_get_cookie lc {last_committed}")
            }
            Msg::Sync(Sync::LastChunk {
                last_committed,
                values,
                ..
            }) => {
                format!(
                    "sync_last_chunk lc {last_committed} ({} values)",
                    values.len()
                )
            }
            Msg::Sync(Sync::FullChunk(s)) => format!(
                "sync_full_chunk fc {} lc {}",
                s.first_committed, s.last_committed
            ),
            Msg::Sync(Sync::NoCookie) => "sync_no_cookie".to_string(),
            Msg::Forward { epoch, req } => format!("forward e{epoch} req {} {:?}", req.id, req.op),
            Msg::ForwardReply { req_id, reply } => format!("forward_reply req {req_id} {reply:?}"),
        }
    }

    /// The sender's election epoch, for Paxos messages only.
    pub fn paxos(&self) -> Option<&Paxos> {
        match self {
            Msg::Paxos(p) => Some(p),
            _ => None,
        }
    }
}
