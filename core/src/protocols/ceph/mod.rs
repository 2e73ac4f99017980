//! Ceph's monitor Paxos as a sans-IO state machine. See `monitor.rs` for the entry point.
pub mod config;
pub mod connection;
pub mod declaration;
mod election;
mod hash;
mod lease;
pub mod messages;
pub mod monitor;
mod paxos;
mod ping;
pub mod present;
mod probe;
mod service;
pub mod store;
mod sync;
pub mod timers;
pub mod versions;
pub mod wording;

pub use config::Config;
pub use election::DEFER_EXTRA_MS;
pub use messages::*;
pub use monitor::{Ceph, Effect, Input, MonState, Monitor, PaxosState, Timer};
pub use store::{Store, StoreWrite, Value, ValueOp};
