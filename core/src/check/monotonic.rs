//! Spec 14.3, monotonic commit: a node's durable `last_committed` never decreases.

use super::facts::Facts;
use super::{broken, Check};
use crate::protocols::ceph::Ceph;
use crate::sim::World;

pub const NAME: &str = "monotonic-commit";

pub fn check(f: &Facts, world: &World<Ceph>) -> Check {
    // Reads only the node's facts (lc): see `Facts::changed`.
    for r in f.changed.iter() {
        let lc = world.durable(r).last_committed;
        let before = f.prev[r as usize].lc;
        if lc < before {
            return broken(
                NAME,
                r,
                format!("last_committed went back from {before} to {lc}"),
            );
        }
    }
    Ok(())
}
