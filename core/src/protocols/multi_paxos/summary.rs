//! Multi-Paxos in the run summary (`paxoscope run`'s `summary` line): each node's state, its
//! promise, its log (first unchosen slot, applied, accepted entries) and the run's leader.

use super::MultiPaxos;
use crate::actor::Rank;
use crate::export::Summary;
use crate::json::Object;
use crate::session::Session;

impl Summary for MultiPaxos {
    fn node_json(session: &Session<MultiPaxos>, rank: Rank) -> Object {
        let world = session.world();
        let o = Object::new().field("rank", rank);
        let o = match world.node(rank) {
            Some(n) => o
                .field("up", true)
                .field("roles", "replica+acceptor+leader")
                .field("state", n.state_name())
                .field("applied", n.applied)
                .field("member", n.is_member()),
            None => o
                .field("up", false)
                .field("roles", None::<&str>)
                .field("state", None::<&str>)
                .field("applied", None::<u64>)
                .field("member", None::<bool>),
        };
        let d = world.durable(rank);
        o.field("promised", d.promised.map(|p| p.to_string()))
            .field("first_unchosen", d.first_unchosen())
            .field("chosen", d.chosen.len() as u64)
            .field("accepted", d.accepted.len() as u64)
    }

    fn run_json(session: &Session<MultiPaxos>, o: Object) -> Object {
        let world = session.world();
        let leader = (0..world.n()).find(|r| world.node(*r).is_some_and(|n| n.is_leader()));
        let chosen = session.checker().facts().chosen.len() as u64;
        o.field("protocol", "multi-paxos")
            .field("leader", leader)
            .field("chosen_slots", chosen)
    }
}
