//! One folder per protocol. Each implements [`crate::actor::Protocol`]; the engine (`sim/`,
//! `trace.rs`, `session.rs`, ...) is shared.
pub mod basic_paxos;
pub mod ceph;
pub mod multi_paxos;

use crate::export::Summary;
use crate::scenario::{ProtocolId, Scenario};

/// Code written once for every protocol (`run::<P>`), run with the protocol a scenario names.
pub trait ForProtocol {
    type Output;
    fn run<P: Summary>(self, scenario: Scenario) -> Self::Output;
}

/// The one place a `ProtocolId` becomes a protocol type: front ends dispatch here once and
/// stay generic below (the CLI's `run` and `export`).
pub fn with_protocol<F: ForProtocol>(scenario: Scenario, f: F) -> F::Output {
    match scenario.protocol {
        ProtocolId::Ceph => f.run::<ceph::Ceph>(scenario),
        ProtocolId::BasicPaxos => f.run::<basic_paxos::BasicPaxos>(scenario),
        ProtocolId::MultiPaxos => f.run::<multi_paxos::MultiPaxos>(scenario),
    }
}
