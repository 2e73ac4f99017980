//! The service's duties, the converse of spec 10.5's limits: a monitor that may answer a read
//! from its own store (leader or peon, Paxos settled, something committed, under a lease)
//! answers it rather than refusing it; and a write that reaches a leader or a peon is taken
//! (proposed, or forwarded to the leader), never refused: Ceph queues a write until it can
//! commit it, and only a monitor outside any quorum turns one away. A build that refuses what
//! it could serve breaks no rule of consensus, yet the service is broken; these rules see it
//! at the refusal, where the campaign's service probe sees it only as a missing answer.

use super::reads::unleased_read;
use super::{broken, Check};
use crate::client::{ClientOp, ClientReply};
use crate::protocols::ceph::{Ceph, MonState, Monitor};
use crate::sim::World;
use crate::trace::{TraceEvent, TraceKind};

pub const READS_SERVED: &str = "reads-served-under-lease";
pub const WRITES_TAKEN: &str = "writes-taken-in-quorum";

/// `m` refused a read at `local_now_ms` on its own clock: what it held that made the read
/// servable, if it did. Shared by the run's checker and the model checker.
pub fn refused_servable_read(m: &Monitor, local_now_ms: u64) -> Option<String> {
    unleased_read(m, local_now_ms).is_none().then(|| {
        let lease = if m.quorum.len() > 1 {
            let left_ms = m.paxos.lease_expire_ms - local_now_ms;
            format!("its lease good for {left_ms} ms more")
        } else {
            "a quorum of one, which needs no lease".to_string()
        };
        format!(
            "refused a read as {} at lc {} though it could serve it (Paxos {}, {lease})",
            m.state.name(),
            m.store.last_committed,
            m.paxos.state.name(),
        )
    })
}

/// `m` refused a write: why that breaks the duty, if it does (it is a leader or a peon).
/// Shared by the run's checker and the model checker.
pub fn refused_write_in_quorum(m: &Monitor) -> Option<String> {
    matches!(m.state, MonState::Leader | MonState::Peon).then(|| {
        format!(
            "a write was refused by a {} of epoch {} (a quorum member queues writes)",
            m.state.name(),
            m.epoch
        )
    })
}

/// Every refusal answered in this step: a read the monitor could serve, or a write refused
/// inside a quorum, breaks its duty.
pub fn check_refusals(world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    for e in log {
        let (
            TraceKind::ClientReply {
                req_id,
                reply: ClientReply::Refused { .. },
            },
            Some(r),
        ) = (&e.kind, e.node)
        else {
            continue;
        };
        let Some(m) = world.node(r) else { continue };
        let Some(rec) = world.client(*req_id) else {
            continue;
        };
        let duty = match rec.op {
            ClientOp::Get { .. } => {
                let local = world.slot(r).clock.local_ms(world.now_ms());
                refused_servable_read(m, local).map(|d| (READS_SERVED, d))
            }
            _ => refused_write_in_quorum(m).map(|d| (WRITES_TAKEN, d)),
        };
        if let Some((rule, detail)) = duty {
            return broken(rule, r, detail);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::ceph::PaxosState;
    use crate::session::Session;

    /// A settled five-monitor run: mon.1 a peon under a lease, as the default scenario has it
    /// at 10 s.
    fn settled_peon() -> (Monitor, u64) {
        let text = "paxoscope scenario v1\nseed 3\nat 2s put 1 k v\n";
        let mut s = Session::new(crate::scenario::parse(text).unwrap());
        s.run_until(10_000);
        let m = s.world().node(1).expect("mon.1 runs").clone();
        (m, s.world().slot(1).clock.local_ms(s.world().now_ms()))
    }

    #[test]
    fn a_read_refused_under_a_lease_breaks_the_duty_and_one_refused_without_does_not() {
        let (mut m, now_ms) = settled_peon();
        assert_eq!(m.state, MonState::Peon);
        assert_eq!(m.paxos.state, PaxosState::Active);
        let detail = refused_servable_read(&m, now_ms).expect("a leased peon serves reads");
        assert!(detail.contains("refused a read as peon"), "{detail}");
        assert!(detail.contains("ms more"), "{detail}");
        assert_eq!(
            refused_servable_read(&m, m.paxos.lease_expire_ms),
            None,
            "lease over"
        );
        m.paxos.state = PaxosState::Recovering;
        assert_eq!(refused_servable_read(&m, now_ms), None, "Paxos not settled");
    }

    #[test]
    fn a_write_refused_by_a_quorum_member_breaks_the_duty_and_one_refused_outside_does_not() {
        let (mut m, _) = settled_peon();
        let detail = refused_write_in_quorum(&m).expect("a peon forwards writes");
        assert!(detail.contains("refused by a peon"), "{detail}");
        m.state = MonState::Electing;
        assert_eq!(refused_write_in_quorum(&m), None);
    }
}
