//! Basic Paxos in the run summary (`export::summary_json`, the `summary` line of `paxoscope
//! run`): each node's roles, state, promise, accepted proposal and decision, and the value
//! chosen in the run (a majority of acceptors accepted it, as the run checker saw).

use super::{BasicPaxos, Durable};
use crate::actor::{Protocol, Rank};
use crate::export::Summary;
use crate::json::Object;
use crate::machine::Position;
use crate::session::Session;

impl Summary for BasicPaxos {
    fn node_json(session: &Session<BasicPaxos>, rank: Rank) -> Object {
        let world = session.world();
        let o = Object::new().field("rank", rank);
        let (o, durable) = match world.node(rank) {
            Some(node) => {
                let state = Position::of(Self::DECLARATION, |m| Self::state_of(node, m)).label();
                let o = o
                    .field("up", true)
                    .field("state", state)
                    .field("roles", super::seam::role_name(node));
                (o, &node.durable)
            }
            None => {
                let o = o
                    .field("up", false)
                    .field("state", Position::new(Self::DECLARATION).label())
                    .field("roles", None::<&str>);
                (o, world.durable(rank))
            }
        };
        durable_fields(o, durable)
    }

    fn run_json(session: &Session<BasicPaxos>, o: Object) -> Object {
        let chosen = session.checker().chosen_value();
        o.field("protocol", Self::ID.name())
            .field("chosen", chosen.as_deref())
    }
}

/// What the node's disk holds: `promised` and `accepted` as `round.proposer`, the decision.
fn durable_fields(o: Object, d: &Durable) -> Object {
    o.field("promised", d.promised.map(|n| n.to_string()))
        .field(
            "accepted_n",
            d.accepted.as_ref().map(|(n, _)| n.to_string()),
        )
        .field(
            "accepted_v",
            d.accepted.as_ref().map(|(_, v)| v.to_string()),
        )
        .field("learned", d.learned.as_deref())
}
