//! Spec 14.11 - 14.13: epoch parity and monotonicity, the epoch filter on Paxos messages,
//! and one leader per epoch as far as Ceph guarantees it: two monitors can win the same epoch
//! (a monitor may ack several proposers in one epoch, each of lower rank, and one that is
//! probing drops a PROPOSE; docs/campaign.md shows it), but only one of them can get a LAST
//! from every member of its quorum, because the two quorums share a peon and a peon follows
//! one leader per epoch. So at most one leader per epoch leaves recovery, in every run.

use super::facts::Facts;
use super::{broken, Check};
use crate::actor::Rank;
use crate::protocols::ceph::messages::Epoch;
use crate::protocols::ceph::{Ceph, ElectionOp, MonState, Msg, PaxosState};
use crate::sim::World;
use crate::trace::TraceEvent;

pub const PARITY: &str = "epoch-parity";
pub const FILTER: &str = "epoch-filter";
pub const LEADER: &str = "one-leader-recovers-per-epoch";

pub fn check(f: &mut Facts, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    parity(f, world, log)?;
    filter(f, world, log)?;
    leader(f, world)
}

fn parity(f: &Facts, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    // Reads only the node's facts (durable epoch, role, epoch): see `Facts::changed`.
    for r in f.changed.iter() {
        let (before, now) = (
            f.prev[r as usize].durable_epoch,
            world.durable(r).election_epoch,
        );
        if now < before {
            return broken(
                PARITY,
                r,
                format!("durable epoch went back from {before} to {now}"),
            );
        }
        if let Some(m) = world.node(r) {
            if matches!(m.state, MonState::Leader | MonState::Peon) && m.epoch % 2 == 1 {
                return broken(
                    PARITY,
                    r,
                    format!("{} at odd epoch {}", m.state.name(), m.epoch),
                );
            }
        }
    }
    if !f.step.sends {
        return Ok(());
    }
    for e in log {
        if let (Some(Msg::Election(el)), Some(r)) = (e.kind.sent_msg(), e.node) {
            let odd_expected = matches!(el.op, ElectionOp::Propose | ElectionOp::Ack);
            if (el.epoch % 2 == 1) != odd_expected {
                return broken(PARITY, r, format!("{:?} carries epoch {}", el.op, el.epoch));
            }
        }
    }
    Ok(())
}

/// A Paxos message from another epoch, or to a peon from someone other than its leader, must
/// change nothing but (for a higher epoch) send the receiver back to probing.
fn filter(f: &Facts, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    for d in &f.delivered {
        let before = &f.prev[d.to as usize];
        let foreign_epoch = d.epoch != before.epoch;
        let not_my_leader = before.role == Some(MonState::Peon) && before.leader != Some(d.from);
        if !(foreign_epoch || not_my_leader) {
            continue;
        }
        let Some(m) = world.node(d.to) else { continue };
        let s = world.durable(d.to);
        let bootstrapped = m.state == MonState::Probing && d.epoch > before.epoch;
        let unchanged = s.last_committed == before.lc
            && s.accepted_pn == before.durable_accepted_pn
            && s.values.len() == before.values;
        let sent_paxos = log
            .iter()
            .any(|e| e.node == Some(d.to) && matches!(e.kind.sent_msg(), Some(Msg::Paxos(_))));
        if !(bootstrapped || (unchanged && !sent_paxos)) {
            return broken(
                FILTER,
                d.to,
                format!(
                    "processed {:?} from mon.{} at epoch {} while at epoch {}",
                    d.op, d.from, d.epoch, before.epoch
                ),
            );
        }
    }
    Ok(())
}

fn leader(f: &mut Facts, world: &World<Ceph>) -> Check {
    if !f.step.states {
        return Ok(());
    }
    let left: Vec<(Rank, Epoch)> = f
        .state_changes(world)
        .filter(|(_, before, m)| {
            before.role == Some(MonState::Leader)
                && before.phase == Some(PaxosState::Recovering)
                && before.epoch == m.epoch
                && m.state == MonState::Leader
                && m.paxos.state != PaxosState::Recovering
        })
        .map(|(r, _, m)| (r, m.epoch))
        .collect();
    for (r, epoch) in left {
        let first = f.recovered.get(&epoch).copied();
        if let Some(detail) = second_recovered_leader(epoch, r, first) {
            return broken(LEADER, r, detail);
        }
        f.recovered.insert(epoch, r);
    }
    Ok(())
}

/// Spec 14.13 as Ceph guarantees it (docs/campaign.md, "Two leaders in one epoch"): two
/// monitors may both win one epoch, but at most one of them leaves recovery in it, so at most
/// one proposes and commits in it. `first` is the monitor already seen leaving recovery as
/// leader of `epoch`, if any. Also the model checker's rule.
pub fn second_recovered_leader(epoch: Epoch, leader: Rank, first: Option<Rank>) -> Option<String> {
    match first {
        Some(w) if w != leader => Some(format!(
            "mon.{leader} left recovery as leader of epoch {epoch}, which mon.{w} already led past recovery"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::second_recovered_leader;

    #[test]
    fn a_second_monitor_leaving_recovery_in_one_epoch_is_named() {
        assert_eq!(second_recovered_leader(6, 1, None), None);
        assert_eq!(second_recovered_leader(6, 1, Some(1)), None);
        let detail = second_recovered_leader(6, 1, Some(0)).expect("a second leader");
        assert!(detail.contains("mon.1") && detail.contains("mon.0") && detail.contains('6'));
    }
}
