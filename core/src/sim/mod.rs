//! The deterministic simulator: virtual time, a Ceph-like messenger, faults, seeded randomness.
mod armed;
pub mod bus;
pub mod clock;
mod history;
mod queue;
pub mod rng;
pub mod world;

pub use world::{config_for, ClientRecord, InFlight, Slot, World};
