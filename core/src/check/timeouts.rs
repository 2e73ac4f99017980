//! Spec 1.3: any Paxos timeout is a full restart. A leader whose collect, accept or lease-ack
//! timeout fires (a quorum member did not answer in time) has lost its quorum as far as it
//! can tell: it bootstraps (probes, and an election follows) in the very step that handles
//! the timeout. A leader that stays leader through one would keep serving a quorum that may
//! already have elected another leader behind it.

use super::{broken, Check};
use crate::protocols::ceph::{Ceph, MonState, Monitor, Timer};
use crate::sim::World;
use crate::trace::{TraceEvent, TraceKind};

pub const NAME: &str = "paxos-timeout-bootstraps";

/// `m` has just handled its `timer`: what is wrong, if anything (one of the leader's Paxos
/// timeouts left it leading). Shared by the run's checker and the model checker.
pub fn still_leading(timer: Timer, m: &Monitor) -> Option<String> {
    let leaders_timeout = matches!(timer, Timer::Collect | Timer::Accept | Timer::LeaseAck);
    (leaders_timeout && m.state == MonState::Leader).then(|| {
        format!(
            "still leader of epoch {} after its {} fired (a Paxos timeout bootstraps)",
            m.epoch,
            timer.name()
        )
    })
}

/// Every timeout handled in this step left its monitor where spec 1.3 says.
pub fn check(world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    for e in log {
        let (TraceKind::Timer(timer), Some(r)) = (&e.kind, e.node) else {
            continue;
        };
        let Some(m) = world.node(r) else { continue };
        if let Some(detail) = still_leading(*timer, m) {
            return broken(NAME, r, detail);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    /// The leader of a settled five-monitor run (the default scenario at 10 s).
    fn settled_leader() -> Monitor {
        let text = "paxoscope scenario v1\nseed 3\nat 2s put 1 k v\n";
        let mut s = Session::new(crate::scenario::parse(text).unwrap());
        s.run_until(10_000);
        let w = s.world();
        (0..w.n())
            .filter_map(|r| w.node(r))
            .find(|m| m.state == MonState::Leader)
            .expect("a leader")
            .clone()
    }

    #[test]
    fn a_leader_that_outlives_its_paxos_timeout_breaks_the_rule_and_a_prober_does_not() {
        let mut m = settled_leader();
        for timer in [Timer::Collect, Timer::Accept, Timer::LeaseAck] {
            let detail = still_leading(timer, &m).expect("still leading");
            assert!(detail.contains(timer.name()), "{detail}");
        }
        assert_eq!(
            still_leading(Timer::Propose, &m),
            None,
            "not a Paxos timeout"
        );
        m.state = MonState::Probing;
        assert_eq!(still_leading(Timer::LeaseAck, &m), None);
    }
}
