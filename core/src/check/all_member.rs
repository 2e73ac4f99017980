//! Spec 14.4 and 14.5: the leader commits only after every quorum member accepted, and
//! leaves recovery only after a LAST with its current pn from every quorum member. Both are
//! checked against what the leader actually received, not against its own counters.

use super::facts::Facts;
use super::{broken, Check};
use crate::protocols::ceph::{Ceph, MonState, PaxosState};
use crate::ranks::RankSet;
use crate::sim::World;

pub const COMMIT: &str = "commit-needs-every-accept";
pub const RECOVERY: &str = "recovery-needs-every-last";

/// Called only for a step that changed some node's state (`Facts::state_changes`).
pub fn check(f: &Facts, world: &World<Ceph>) -> Check {
    let writing = |p: Option<PaxosState>| {
        matches!(p, Some(PaxosState::Writing | PaxosState::WritingPrevious))
    };
    for (r, before, m) in f.state_changes(world) {
        if m.state != MonState::Leader || m.quorum.len() < 2 {
            continue;
        }
        let missing = |got: Option<&RankSet>| -> Vec<u8> {
            m.quorum
                .iter()
                .copied()
                .filter(|q| *q != r && !got.is_some_and(|g| g.contains(*q)))
                .collect()
        };
        if writing(Some(m.paxos.state)) && !writing(before.phase) {
            let key = (r, m.epoch, m.paxos.accepted_pn, m.store.last_committed);
            let absent = missing(f.accepts_received.get(&key));
            if !absent.is_empty() {
                let v = m.store.last_committed + 1;
                return broken(
                    COMMIT,
                    r,
                    format!(
                        "commits v{v} without ACCEPT from {absent:?} (quorum {:?})",
                        m.quorum
                    ),
                );
            }
        }
        if before.role == Some(MonState::Leader)
            && before.phase == Some(PaxosState::Recovering)
            && m.paxos.state != PaxosState::Recovering
        {
            let key = (r, m.epoch, m.paxos.accepted_pn);
            let absent = missing(f.lasts_received.get(&key));
            if !absent.is_empty() {
                return broken(
                    RECOVERY,
                    r,
                    format!(
                        "left recovery (pn {}) without LAST from {absent:?}",
                        m.paxos.accepted_pn
                    ),
                );
            }
        }
    }
    Ok(())
}
