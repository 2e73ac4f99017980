//! Spec 14.14 and 14.15: read freshness. Within an epoch, a readable node holds the latest
//! commit of that epoch (peons drop their lease at BEGIN, links are FIFO). Across epochs, with
//! Ceph's default timings, no node of an older epoch is still readable once a newer epoch has
//! committed a version it lacks (the lease margin of spec 10.6); large clock skew breaks this,
//! which is exactly what the playground's "beyond the assumptions" lessons show.
//!
//! The across-epochs rule is a timing claim (spec 10.6), and the simulator finds runs that
//! break it even inside the assumptions: `propose_pending` cancels the lease-ack timer, so a
//! leader that is cut off from some peons and gets a write during its lease-ack window keeps
//! its own lease (and serves reads) past the moment the other side commits. Such runs are
//! reported as findings, not as failures of consensus.

use super::facts::Facts;
use super::{broken, Check};
use crate::client::ClientReply;
use crate::protocols::ceph::messages::{Epoch, Version};
use crate::protocols::ceph::{Ceph, MonState, Monitor, PaxosState};
use crate::ranks::RankSet;
use crate::sim::World;
use crate::sorted::SortedMap;
use crate::trace::{TraceEvent, TraceKind};

pub const WITHIN: &str = "read-fresh-within-epoch";
pub const ACROSS: &str = "read-fresh-across-epochs";
pub const UNDER_LEASE: &str = "read-under-lease";

/// Spec 14.14: a monitor readable at `lc` in `epoch` must hold that epoch's latest commit
/// (`latest`, the highest lc any leader or peon of the epoch reached). What is wrong, if
/// anything. Shared by the run's checker and the model checker.
pub fn behind_in_epoch(epoch: Epoch, lc: Version, latest: Version) -> Option<String> {
    (lc < latest).then(|| format!("readable at lc {lc} while epoch {epoch} reached lc {latest}"))
}

/// Spec 10.5: a monitor answers a read from its own store only as a leader or peon whose Paxos
/// is settled (active, updating or writing), with something committed, and, in a quorum of
/// more than one, under a lease that has not expired on its own clock (`local_now_ms`). What
/// was missing when `m` answered a read, if anything. Shared by the run's checker (for every
/// read answered) and the model checker (for every read its client sends).
pub fn unleased_read(m: &Monitor, local_now_ms: u64) -> Option<String> {
    if !matches!(m.state, MonState::Leader | MonState::Peon) {
        return Some(format!("answered a read while {}", m.state.name()));
    }
    let settled = matches!(
        m.paxos.state,
        PaxosState::Active | PaxosState::Updating | PaxosState::Writing
    );
    if !settled {
        return Some(format!(
            "answered a read while Paxos was {}",
            m.paxos.state.name()
        ));
    }
    if m.store.last_committed == 0 {
        return Some("answered a read with nothing committed".into());
    }
    if m.quorum.len() > 1 && local_now_ms >= m.paxos.lease_expire_ms {
        return Some(if m.paxos.lease_expire_ms == 0 {
            format!(
                "answered a read at lc {} without a lease",
                m.store.last_committed
            )
        } else {
            format!(
                "answered a read at lc {} {} ms after its lease expired",
                m.store.last_committed,
                local_now_ms - m.paxos.lease_expire_ms
            )
        });
    }
    None
}

/// Every read answered in this step was answered under a lease (`unleased_read`).
pub fn check_replies(world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    for e in log {
        let (
            TraceKind::ClientReply {
                reply: ClientReply::Value { .. },
                ..
            },
            Some(r),
        ) = (&e.kind, e.node)
        else {
            continue;
        };
        let Some(m) = world.node(r) else { continue };
        let local = world.slot(r).clock.local_ms(world.now_ms());
        if let Some(detail) = unleased_read(m, local) {
            return broken(UNDER_LEASE, r, detail);
        }
    }
    Ok(())
}

/// Returns the within-epoch result (a safety rule) and, separately, a broken across-epochs
/// timing claim: that one is a finding about the lease margin, not a consensus failure.
pub fn check(f: &mut Facts, world: &World<Ceph>) -> (Check, Option<super::Broken>) {
    // Only nodes that took part in this step can have changed; a lease only runs out.
    let mut raised = false;
    // A node whose role, epoch and lc are unchanged (see `Facts::changed`) raised its
    // epoch's max lc to its lc already.
    for r in f.changed.iter() {
        let Some(m) = world.node(r) else { continue };
        if matches!(m.state, MonState::Leader | MonState::Peon) {
            raised |= raise_max_lc(&mut f.max_lc_in_epoch, m.epoch, m.store.last_committed);
        }
    }
    let across_claimed = f.default_timing;
    let examine = if raised {
        RankSet::all(world.n())
    } else {
        f.touched
    };
    if examine.is_empty() {
        return (Ok(()), None);
    }
    // The newest epoch with a commit is nearly always the node's own: no search then.
    let newest = f.max_lc_in_epoch.last_key_value().map(|(e, v)| (*e, *v));
    for r in examine.iter() {
        let Some(m) = world.node(r) else { continue };
        // Only a leader or a peon is ever readable.
        if !matches!(m.state, MonState::Leader | MonState::Peon) {
            continue;
        }
        let lc = m.store.last_committed;
        let latest = match newest {
            Some((e, v)) if e == m.epoch => v,
            _ => f.max_lc_in_epoch.get(&m.epoch).copied().unwrap_or(0),
        };
        let behind = lc < latest;
        let newer_epochs = across_claimed && newest.is_some_and(|(e, _)| e > m.epoch);
        // Up to date in its epoch with no newer epoch to compare: it passes whether readable or
        // not, so the clock and the lease are read only for the other nodes.
        if !behind && !newer_epochs {
            continue;
        }
        let local = world.slot(r).clock.local_ms(world.now_ms());
        if !m.is_readable_at(local) {
            continue;
        }
        if let Some(detail) = behind_in_epoch(m.epoch, lc, latest) {
            return (broken(WITHIN, r, detail), None);
        }
        if let Some((e, newer)) = f
            .max_lc_in_epoch
            .range(m.epoch + 1..)
            .find(|(_, v)| **v > lc)
        {
            let detail = format!(
                "still readable in epoch {} at lc {lc} after epoch {e} committed v{newer}",
                m.epoch
            );
            return (Ok(()), broken(ACROSS, r, detail).err());
        }
    }
    (Ok(()), None)
}

/// Raise the highest lc seen in `epoch` to `lc`; true if it rose. The epoch is nearly always
/// the newest one, which `SortedMap` finds without a search.
fn raise_max_lc(
    max_lc_in_epoch: &mut SortedMap<Epoch, Version>,
    epoch: Epoch,
    lc: Version,
) -> bool {
    let rise = |max: &mut Version| {
        let rose = lc > *max;
        *max = (*max).max(lc);
        rose
    };
    rise(max_lc_in_epoch.entry(epoch).or_default())
}
