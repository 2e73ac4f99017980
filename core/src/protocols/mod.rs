//! One folder per protocol. Each implements [`crate::actor::Protocol`]; the engine (`sim/`,
//! `trace.rs`, `session.rs`, ...) is shared.
pub mod basic_paxos;
pub mod ceph;
