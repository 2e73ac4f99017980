//! What a client asks of a replicated key-value service and what it is told, shared by every
//! protocol: the scenario's `put`/`get`/`cas`, the client history, the linearizability check
//! and the playground's client rows read these types, whichever protocol serves the request.

use crate::actor::Rank;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Identifies one client request for its whole life (forwarding, proposal, reply).
pub type ReqId = u64;
/// The number of the committed state that answered (Ceph: the Paxos version; Multi-Paxos:
/// the slot; Basic Paxos: 1, its one decision).
pub type Version = u64;

/// A client key or value. Shared: a request passes through the scenario, the client history,
/// the trace, the messages and every monitor's store, and none of them copies its bytes.
pub type Text = Rc<str>;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClientOp {
    Put {
        key: Text,
        value: Text,
    },
    Get {
        key: Text,
    },
    /// `expected: None` means "only if the key is absent".
    Cas {
        key: Text,
        expected: Option<Text>,
        value: Text,
    },
}

impl ClientOp {
    pub fn is_write(&self) -> bool {
        !matches!(self, ClientOp::Get { .. })
    }
    pub fn key(&self) -> &str {
        match self {
            ClientOp::Put { key, .. } | ClientOp::Get { key } | ClientOp::Cas { key, .. } => key,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClientRequest {
    pub id: ReqId,
    /// The monitor the client talked to; a forwarded write's reply goes back through it.
    pub origin: Rank,
    pub op: ClientOp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientReply {
    /// A put committed at `version`.
    Written { version: Version },
    /// A get answered locally under a lease.
    Value {
        value: Option<Text>,
        version: Version,
    },
    /// A compare-and-set committed at `version`; `applied` says whether it matched.
    CasDone {
        applied: bool,
        current: Option<Text>,
        version: Version,
    },
    /// Refused with no effect (for example: no valid lease for a read, not in a quorum).
    Refused { reason: String },
    /// An election interrupted the write; it may or may not commit later (Ceph's EAGAIN).
    Retry { reason: String },
}

/// What a proposal came to: a put answered with a value is a proposal to a write-once register
/// (Basic Paxos answers it with the value chosen; Ceph's and Multi-Paxos's puts are answered
/// `Written`, never with a value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proposal<'a> {
    /// Answered with its own value: it may have been the write that chose it.
    Chosen,
    /// Answered with another value: it wrote nothing, because that one was there.
    Found(&'a str),
}

/// What a put of `own` answered by `reply` came to, if it was a proposal. The history's writer
/// and the run's linearizability check both read a put this way (`export`, `campaign::trial`).
pub fn proposal<'a>(own: &str, reply: Option<&'a ClientReply>) -> Option<Proposal<'a>> {
    let Some(ClientReply::Value {
        value: Some(chosen),
        ..
    }) = reply
    else {
        return None;
    };
    Some(if **chosen == *own {
        Proposal::Chosen
    } else {
        Proposal::Found(chosen)
    })
}
