//! Spec 14.9 and table 4.2: each message leaves only after the write it depends on is durable.
//! Checked against the durable store (what would survive a crash right now).

use super::{broken, Check};
use crate::protocols::ceph::store::Store;
use crate::protocols::ceph::{Ceph, ElectionOp, Msg, PaxosOp};
use crate::sim::World;
use crate::trace::TraceEvent;

pub const NAME: &str = "persist-before-send";

/// Called only for a step that sent something.
pub fn check(world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    for e in log {
        let (Some(msg), Some(r)) = (e.kind.sent_msg(), e.node) else {
            continue;
        };
        if let Some(detail) = unpersisted_send(world.durable(r), msg) {
            return broken(NAME, r, detail);
        }
    }
    Ok(())
}

/// What `msg` depends on that is not durable in `s` yet, if anything (also used by the
/// model checker, on its own states).
pub fn unpersisted_send(s: &Store, msg: &Msg) -> Option<String> {
    match msg {
        Msg::Paxos(p) => match p.op {
            PaxosOp::Collect if s.last_pn < p.pn => Some(format!(
                "COLLECT pn {} before last_pn is durable ({})",
                p.pn, s.last_pn
            )),
            // A refusal may carry a pn this node generated as leader (kept in memory only,
            // durable as last_pn); a new promise must be durable as accepted_pn.
            PaxosOp::Last if s.accepted_pn.max(s.last_pn) < p.pn => Some(format!(
                "LAST promising pn {} before accepted_pn is durable ({})",
                p.pn, s.accepted_pn
            )),
            PaxosOp::Begin | PaxosOp::Accept => {
                let v = p.last_committed + 1;
                // Cheapest tests first: the map is searched only for a value not yet committed.
                let stored =
                    || s.pending_v == v && s.pending_pn == p.pn && s.values.contains_key(&v);
                (s.last_committed < v && !stored()).then(|| {
                    format!(
                        "{} for v{v} (pn {}) before the value and pending_pn are durable",
                        p.op_name(),
                        p.pn
                    )
                })
            }
            PaxosOp::Commit if s.last_committed < p.last_committed => Some(format!(
                "COMMIT up to v{} before it is durable (lc {})",
                p.last_committed, s.last_committed
            )),
            _ => None,
        },
        Msg::Election(el) if el.op != ElectionOp::Nak => {
            let first_boot = el.epoch == 1 && s.election_epoch == 0;
            (s.election_epoch != el.epoch && !first_boot).then(|| {
                format!(
                    "{:?} at epoch {} while the durable epoch is {}",
                    el.op, el.epoch, s.election_epoch
                )
            })
        }
        _ => None,
    }
}
