//! Spec 14.11 - 14.13: epoch parity and monotonicity, the epoch filter on Paxos messages,
//! and one leader per epoch (claimed only while links are symmetric and loss-free and did not
//! change during that epoch's election: a monitor may ack several proposers in one epoch,
//! each of lower rank, so a partition that moves mid-election can crown two).

use super::facts::{Facts, NodeFacts};
use super::{broken, Broken, Check};
use crate::actor::Rank;
use crate::protocols::ceph::messages::Epoch;
use crate::protocols::ceph::{Ceph, ElectionOp, MonState, Monitor, Msg};
use crate::ranks::RankSet;
use crate::sim::World;
use crate::trace::TraceEvent;

pub const PARITY: &str = "epoch-parity";
pub const FILTER: &str = "epoch-filter";
pub const LEADER: &str = "one-leader-per-epoch";

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
    let victory_added = f.step.states && note_victories(f, world)?;
    // A peon's verdict depends on its role, epoch and leader, the victories and the claim:
    // re-examine every peon when one of the last two moved, else only the changed nodes
    // (`Facts::changed`) whose role, epoch or leader moved. Any other keeps the verdict it had
    // after the previous step, when every node passed. The exhaustive mode examines every
    // peon: the tests compare the two.
    let every_peon = victory_added || f.claims_changed || f.exhaustive;
    let examine = if every_peon {
        RankSet::all(world.n())
    } else {
        f.changed
    };
    for r in examine.iter() {
        let Some(m) = world.node(r) else { continue };
        if m.state != MonState::Peon || (!every_peon && follows_as_before(&f.prev[r as usize], m)) {
            continue;
        }
        if !f.leader_claimed(m.epoch) {
            continue;
        }
        if let (Some(w), Some(l)) = (f.victories.get(&m.epoch), m.leader) {
            if *w != l {
                return broken(
                    LEADER,
                    r,
                    format!(
                        "peon of epoch {} follows mon.{l}, but mon.{w} won it",
                        m.epoch
                    ),
                );
            }
        }
    }
    Ok(())
}

/// The node was already this epoch's peon following this leader after the previous step.
fn follows_as_before(before: &NodeFacts, m: &Monitor) -> bool {
    before.role == Some(m.state) && before.epoch == m.epoch && before.leader == m.leader
}

/// Record who became leader in which epoch (the first to win it); fails on a second winner
/// where uniqueness is claimed. True if a victory was recorded.
fn note_victories(f: &mut Facts, world: &World<Ceph>) -> Result<bool, Broken> {
    let mut victory_added = false;
    let leaders: Vec<(Rank, Epoch)> = f
        .state_changes(world)
        .filter(|(_, _, m)| m.state == MonState::Leader)
        .map(|(r, _, m)| (r, m.epoch))
        .collect();
    for (r, epoch) in leaders {
        match f.victories.get(&epoch) {
            Some(w) if *w != r && f.leader_claimed(epoch) => {
                let detail = format!("second leader in epoch {} (mon.{w} won it first)", epoch);
                return broken(LEADER, r, detail).map(|()| false);
            }
            Some(_) => {}
            None => {
                f.victories.insert(epoch, r);
                victory_added = true;
            }
        }
    }
    Ok(victory_added)
}
