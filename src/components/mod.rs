//! The playground's components. Each receives props, renders, and dispatches `Action`s;
//! none of them knows a Paxos rule.
pub mod client;
pub mod cluster;
pub mod controls;
pub mod diagram;
pub mod faults;
pub mod header;
pub mod help;
pub mod inspector;
pub mod invariants;
pub mod log;
pub mod breaks;
pub mod embed;
#[cfg(feature = "export")]
pub mod export;
pub mod share;
pub mod tour;
