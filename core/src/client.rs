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
