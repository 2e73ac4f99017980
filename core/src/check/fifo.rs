//! Links are FIFO. Ceph's messenger gives monitor sessions reliable, in-order delivery, and
//! the spec (section 5) has the simulator keep each link's order because rules lean on it: a
//! VICTORY lands before the COLLECT after it, and a peon that drops its lease at BEGIN cannot
//! get the older LEASE afterwards. A rule of the simulator, not of the protocol: once a message
//! has been delivered on a link, nothing sent before it on that link arrives any more (is
//! delivered, or dropped on arrival). Message ids grow with every send, so on each link every
//! arrival's id must exceed the last delivered one. Drops do not raise that bound: a paused
//! monitor holds what reached it and handles it when it resumes, so a message it held is
//! delivered after a later one that was lost on arrival meanwhile, and that is in order. Off
//! when the scenario allows reordering or duplicates ("beyond the assumptions"), which break it
//! on purpose.

use super::facts::Facts;
use super::{broken, Check};
use crate::actor::Rank;
use crate::protocols::ceph::Ceph;
use crate::trace::{TraceEvent, TraceKind};

pub const NAME: &str = "link-fifo";

/// The highest message id delivered on each link, `from * n + to`.
#[derive(Clone, Debug, Default)]
pub struct Arrivals {
    n: usize,
    last_delivered: Vec<u64>,
}

impl Arrivals {
    pub fn new(n: u8) -> Self {
        let n = n as usize;
        Arrivals {
            n,
            last_delivered: vec![0; n * n],
        }
    }

    /// Record that message `id` arrived on `from -> to` (`delivered`, or lost on arrival);
    /// `Err` with the id of a message sent later on that link that was delivered before it.
    fn arrive(&mut self, from: Rank, to: Rank, id: u64, delivered: bool) -> Result<(), u64> {
        let last = &mut self.last_delivered[from as usize * self.n + to as usize];
        if id <= *last {
            return Err(*last);
        }
        if delivered {
            *last = id;
        }
        Ok(())
    }
}

/// Called for every step of a run inside the assumptions.
pub fn check(f: &mut Facts, log: &[TraceEvent<Ceph>]) -> Check {
    for e in log {
        let Some(to) = e.node else { continue };
        let (from, id, msg, delivered) = match &e.kind {
            TraceKind::Deliver { from, id, msg } => (*from, *id, msg, true),
            // A drop logged at the sender is a loss at send time, not an arrival.
            TraceKind::Drop { from, id, msg, .. } if *from != to => (*from, *id, msg, false),
            _ => continue,
        };
        if let Err(later) = f.arrivals.arrive(from, to, id, delivered) {
            return broken(
                NAME,
                to,
                format!(
                    "{} #{id} from mon.{from} arrived after #{later}, sent later on the same link, was delivered",
                    msg.kind()
                ),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::ceph::messages::{Paxos, PaxosOp};
    use crate::protocols::ceph::Msg;
    use crate::scenario::parse;
    use crate::sim::World;
    use std::rc::Rc;

    fn world() -> World<Ceph> {
        World::new(&parse("paxoscope scenario v1\nset monitors 3\n").expect("a valid scenario"))
    }

    fn arrival(from: Rank, to: Rank, id: u64, delivered: bool) -> TraceEvent<Ceph> {
        let msg = Rc::new(Msg::Paxos(Paxos::new(PaxosOp::Lease, 2)));
        let kind = if delivered {
            TraceKind::Deliver { from, id, msg }
        } else {
            TraceKind::Drop {
                from,
                to,
                id,
                msg,
                reason: "link cut",
            }
        };
        TraceEvent {
            event: id,
            t_ms: id,
            node: Some(to),
            kind,
        }
    }

    fn run(steps: &[TraceEvent<Ceph>]) -> Result<(), String> {
        let w = world();
        let mut f = Facts::new(&w);
        for e in steps {
            check(&mut f, std::slice::from_ref(e)).map_err(|b| b.detail)?;
        }
        Ok(())
    }

    #[test]
    fn arrivals_in_send_order_pass_on_every_link() {
        // Two links interleaved, each in order; a drop on arrival counts as an arrival.
        let steps = [
            arrival(0, 1, 3, true),
            arrival(1, 0, 4, true),
            arrival(0, 1, 5, false),
            arrival(0, 2, 6, true),
            arrival(0, 1, 9, true),
        ];
        assert_eq!(run(&steps), Ok(()));
    }

    #[test]
    fn an_overtaken_message_is_caught_where_it_arrives() {
        let steps = [arrival(0, 1, 5, true), arrival(0, 1, 3, true)];
        let err = run(&steps).unwrap_err();
        assert!(
            err.contains("lease #3 from mon.0 arrived after #5"),
            "{err}"
        );
        // A drop on arrival that comes too late is caught the same way.
        let steps = [arrival(2, 0, 8, true), arrival(2, 0, 7, false)];
        assert!(run(&steps).is_err());
    }

    #[test]
    fn a_held_message_is_delivered_after_a_later_one_lost_on_arrival() {
        // mon.0 paused with #177 held; #178 is lost at the cut link; mon.0 resumes and handles
        // #177 (as in campaign seed 1796211524), then the link carries on.
        let steps = [
            arrival(2, 0, 178, false),
            arrival(2, 0, 177, true),
            arrival(2, 0, 180, true),
        ];
        assert_eq!(run(&steps), Ok(()));
    }

    #[test]
    fn a_loss_at_send_time_is_not_an_arrival() {
        let w = world();
        let mut f = Facts::new(&w);
        let mut lost = arrival(0, 1, 9, false);
        lost.node = Some(0); // logged at the sender
        check(&mut f, &[arrival(0, 1, 5, true), lost])
            .map_err(|b| b.detail)
            .unwrap();
        check(&mut f, &[arrival(0, 1, 7, true)])
            .map_err(|b| b.detail)
            .unwrap();
    }
}
