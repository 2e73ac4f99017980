//! Spec 14.6 - 14.8: one value in flight, the shape and freshness of proposal numbers, and
//! the promise rules.

use super::facts::Facts;
use super::{broken, Check};
use crate::protocols::ceph::{Ceph, Msg, PaxosOp};
use crate::sim::World;
use crate::trace::TraceEvent;

pub const ONE_VALUE: &str = "one-value-in-flight";
pub const SHAPE: &str = "pn-shape-and-freshness";
pub const PROMISES: &str = "promises-kept";

/// The persisted promise never goes back. Reads only the nodes' facts (durable accepted_pn):
/// see `Facts::changed`.
pub fn check_nodes(f: &Facts, world: &World<Ceph>) -> Check {
    for r in f.changed.iter() {
        let (before, now) = (
            f.prev[r as usize].durable_accepted_pn,
            world.durable(r).accepted_pn,
        );
        if now < before {
            return broken(
                PROMISES,
                r,
                format!("persisted accepted_pn went back from {before} to {now}"),
            );
        }
    }
    Ok(())
}

/// The rules on the Paxos messages sent. Called only for a step that sent something.
pub fn check_sends(f: &mut Facts, log: &[TraceEvent<Ceph>]) -> Check {
    // One collect goes to every peer: check its pn once per step.
    let mut collects_seen = crate::sorted::SortedSet::new();
    for e in log {
        let (Some(Msg::Paxos(p)), Some(r)) = (e.kind.sent_msg(), e.node) else {
            continue;
        };
        match p.op {
            PaxosOp::Begin => {
                let next = p.last_committed + 1;
                if p.values.len() != 1 || !p.values.contains_key(&next) {
                    let targets: Vec<u64> = p.values.keys().copied().collect();
                    return broken(
                        ONE_VALUE,
                        r,
                        format!(
                            "BEGIN at lc {} carries versions {targets:?}",
                            p.last_committed
                        ),
                    );
                }
            }
            PaxosOp::Collect => {
                if !collects_seen.insert((r, p.pn)) {
                    continue;
                }
                if p.pn % 100 != r as u64 {
                    return broken(SHAPE, r, format!("pn {} does not end in rank {r}", p.pn));
                }
                let (prev, seen) = (f.last_collect_pn[r as usize], f.max_pn_seen[r as usize]);
                if p.pn <= prev || p.pn <= seen {
                    return broken(
                        SHAPE,
                        r,
                        format!(
                            "collect pn {} not above earlier pn {prev} / seen pn {seen}",
                            p.pn
                        ),
                    );
                }
                f.last_collect_pn[r as usize] = p.pn;
                f.max_pn_seen[r as usize] = p.pn;
            }
            PaxosOp::Accept => {
                let promised = f.prev[r as usize].accepted_pn;
                if p.pn != promised {
                    return broken(
                        PROMISES,
                        r,
                        format!("ACCEPT for pn {} while promised {promised}", p.pn),
                    );
                }
            }
            PaxosOp::Last => {
                let promised = f.prev[r as usize].accepted_pn;
                if p.pn < promised {
                    return broken(
                        PROMISES,
                        r,
                        format!("LAST promises pn {} below earlier promise {promised}", p.pn),
                    );
                }
            }
            _ => {}
        }
    }
    Ok(())
}
