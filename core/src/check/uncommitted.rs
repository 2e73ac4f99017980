//! Spec 14.10, uncommitted adoption: if quorum members reported an uncommitted value for the
//! leader's `lc + 1`, the leader's first BEGIN of the epoch carries the reported value with the
//! highest `uncommitted_pn` (the value may already be chosen; proposing anything else could
//! overwrite it).

use super::facts::Facts;
use super::{broken, Check};
use crate::protocols::ceph::{Ceph, Msg, PaxosOp};
use crate::sim::World;
use crate::trace::TraceEvent;

pub const NAME: &str = "uncommitted-value-adopted";

/// Called only for a step that sent something.
pub fn check(f: &mut Facts, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    for e in log {
        let (Some(Msg::Paxos(p)), Some(r)) = (e.kind.sent_msg(), e.node) else {
            continue;
        };
        if p.op == PaxosOp::Collect {
            note_own_candidate(f, world, r, p.epoch, p.pn);
            continue;
        }
        if p.op != PaxosOp::Begin || !f.first_begin_done.insert((r, p.epoch)) {
            continue;
        }
        let v = p.last_committed + 1;
        let reported = f
            .reported
            .get(&(r, p.epoch, p.pn))
            .cloned()
            .unwrap_or_default();
        let candidates: Vec<_> = reported.iter().filter(|(_, ver, _)| *ver == v).collect();
        let Some(best_pn) = candidates.iter().map(|(pn, _, _)| *pn).max() else {
            continue;
        };
        let sent = p.values.get(&v);
        let ok = candidates
            .iter()
            .any(|(pn, _, val)| *pn == best_pn && sent.is_some_and(|s| **s == **val));
        if !ok {
            return broken(
                NAME,
                r,
                format!("first BEGIN of epoch {} proposes a new v{v} although v{v} (pn {best_pn}) was reported uncommitted", p.epoch),
            );
        }
    }
    Ok(())
}

/// The leader's own uncommitted value counts as a report to itself.
fn note_own_candidate(f: &mut Facts, world: &World<Ceph>, r: u8, epoch: u64, pn: u64) {
    let s = world.durable(r);
    let v = s.last_committed + 1;
    if let (Some(val), true) = (s.values.get(&v), s.pending_v == v) {
        f.reported
            .entry((r, epoch, pn))
            .or_default()
            .push((s.pending_pn, v, val.clone()));
    }
}
