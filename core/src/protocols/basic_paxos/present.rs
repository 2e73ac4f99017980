//! Basic Paxos as the playground shows it: the legend, the inspector's fields (the acceptor's
//! promise and accepted proposal, the proposer's round, phase and value, the learner's
//! decision), the ring's lines (`view::Presentation`, `Protocol::inspect`, `Protocol::brief`).

use super::config::Mutation;
use super::declaration::{ACCEPTOR, LEARNER, PROPOSER};
use super::durable::Durable;
use super::messages::describe_proposal;
use super::node::Node;
use super::seam;
use crate::scenario::Mutation as ScenarioMutation;
use crate::view::{Brief, Inspection, ListRow, Listing, NodeLog, Presentation, Slot, SlotState};

/// What each deliberate bug breaks, in Basic Paxos's words.
fn describe(m: Mutation) -> &'static str {
    match m {
        Mutation::ForgetPromise => {
            "an acceptor's writes never reach its disk: a restart forgets its promise and what it accepted"
        }
        Mutation::AcceptBelowPromise => "an acceptor accepts a proposal numbered below its promise",
        Mutation::IgnorePromisedValue => {
            "a proposer ignores the proposals reported in the promises and proposes its own value"
        }
        Mutation::LearnOnMinority => {
            "a learner decides as soon as one acceptor (a minority) accepted a proposal"
        }
        Mutation::ForgetRound => {
            "a proposer keeps its round in memory only: after a restart it reuses proposal numbers"
        }
    }
}

/// The scenario's `break` switches for Basic Paxos (the names they go by in the scenario).
fn mutations() -> Vec<(ScenarioMutation, &'static str, &'static str)> {
    Mutation::ALL
        .iter()
        .map(|m| (seam::ceph_stand_in(*m), m.name(), describe(*m)))
        .collect()
}

pub static PRESENTATION: Presentation = Presentation {
    tagline: "Basic Paxos, visible",
    // Five nodes, all acceptors and learners, the first two also proposers; a client asks
    // each proposer to propose its value, the second a little after the first.
    default_scenario: "paxoscope scenario v1\nname \"Basic Paxos\"\nprotocol basic-paxos\nseed 42\nset latency_ms 100\nset jitter_ms 50\nat 500ms put 0 x A\nat 700ms put 1 x B\n",
    families: &[
        ("phase1", "prepare / promise"),
        ("reject", "nack"),
        ("phase2", "accept"),
        ("learn", "accepted / chosen"),
    ],
    client_help:
        "No requests yet. A put to a proposer makes it propose its value and answers with the \
                  value chosen (which may be another's); a put to any other node is refused. A get \
                  returns what that node learned.",
    client_target: 0,
    mutations,
    leases: false,
    meta_legend: "",
    needs_fifo: false,
    messenger: "Basic Paxos tolerates lost, duplicated and reordered messages: they are ordinary \
                faults here, not beyond its assumptions (contrast Ceph's monitors, which rely on \
                in-order, exactly-once sessions). Switch them on to watch it cope:",
};

fn row(k: &str, v: String) -> (String, String) {
    (k.to_string(), v)
}

fn or_none<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "none".into(), |v| v.to_string())
}

fn quoted(v: Option<&super::Value>) -> String {
    v.map_or_else(|| "none".into(), |v| format!("\"{v}\""))
}

pub fn inspect(node: Option<&Node>, d: &Durable, _now_ms: u64) -> Inspection {
    let mut volatile = Vec::new();
    let mut lists = Vec::new();
    if let Some(n) = node {
        volatile.push(row("roles", seam::role_name(n).replace('+', ", ")));
        if let Some(p) = &n.proposer {
            volatile.push(row("proposer", n.state_name(PROPOSER).to_string()));
            volatile.push(row("round", or_none(p.n)));
            volatile.push(row("own value", quoted(p.own.as_ref())));
            volatile.push(row("phase-2 value", quoted(p.proposal.as_ref())));
            volatile.push(row(
                "promises",
                format!("{} of {} needed", p.promises.len(), n.config.majority()),
            ));
            volatile.push(row(
                "accepts",
                format!("{} of {} needed", p.accepts.len(), n.config.majority()),
            ));
        }
        if n.is_acceptor() {
            volatile.push(row("acceptor", n.state_name(ACCEPTOR).to_string()));
        }
        if let Some(l) = &n.learner {
            volatile.push(row("learner", n.state_name(LEARNER).to_string()));
            let votes = l
                .votes
                .iter()
                .rev()
                .map(|(pn, (v, from))| ListRow {
                    head: pn.to_string(),
                    text: format!(
                        " \"{v}\" accepted by {}",
                        from.iter()
                            .map(|r| format!("node.{r}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    dim: from.len() < n.config.majority(),
                })
                .collect();
            lists.push(Listing {
                title: format!(
                    "Accepted messages seen (a majority is {})",
                    n.config.majority()
                ),
                pairs: false,
                rows: votes,
                // A learner that decided drops its counts (node.rs `learn`): say so.
                empty: if d.learned.is_some() {
                    "no longer counted: this learner has decided"
                } else {
                    "none yet"
                },
            });
        }
    }
    let durable = vec![
        row("promised", or_none(d.promised)),
        row("accepted", describe_proposal(&d.accepted)),
        row("max_round", d.max_round.to_string()),
        row("learned", quoted(d.learned.as_ref())),
    ];
    Inspection {
        volatile,
        durable,
        lists,
    }
}

pub fn brief(node: Option<&Node>, d: &Durable) -> Brief {
    let (role, phase, round) = match node {
        Some(n) => (
            if n.is_proposer() {
                "proposer"
            } else if n.is_acceptor() {
                "acceptor"
            } else {
                "learner"
            },
            seam::phase_name(n),
            n.proposer
                .as_ref()
                .and_then(|p| p.n)
                .map_or(0, |n| u64::from(n.round)),
        ),
        None => ("down", "down", u64::from(d.max_round)),
    };
    let meta = match (&d.learned, d.promised) {
        (Some(v), _) => format!("learned \"{v}\""),
        (None, Some(p)) => format!("promised {p}"),
        (None, None) => "no promise".into(),
    };
    Brief {
        role,
        phase,
        epoch: round,
        last_committed: u64::from(d.learned.is_some()),
        meta,
    }
}

/// Basic Paxos decides one value: a log of one slot, empty, accepted (the acceptor's
/// proposal) or chosen (the learner learned it). Nothing is applied: there is no state
/// machine behind the one decree.
pub fn log(d: &Durable, from: u64, to: u64) -> NodeLog {
    let chosen = d.learned.is_some();
    let state = match (chosen, &d.accepted) {
        (true, _) => SlotState::Chosen,
        (false, Some(_)) => SlotState::Accepted,
        (false, None) => SlotState::Empty,
    };
    NodeLog {
        applied: 0,
        first_unchosen: if chosen { 2 } else { 1 },
        alpha: u64::from(!chosen),
        highest: u64::from(state != SlotState::Empty),
        slots: (from..=to)
            .map(|i| Slot {
                state: if i == 1 { state } else { SlotState::Empty },
                noop: false,
            })
            .collect(),
    }
}
