//! Multi-Paxos as the playground shows it: the legend, the inspector's fields (the log's
//! window, the leader's slots in flight, the promise, the log itself), the ring's lines.

use super::config::Mutation;
use super::durable::Durable;
use super::messages::describe_slots;
use super::node::{Node, SlotState};
use super::seam;
use crate::scenario::Mutation as ScenarioMutation;
use crate::view::{Brief, Inspection, ListRow, Listing, Presentation};

fn mutations() -> Vec<(ScenarioMutation, &'static str, &'static str)> {
    Mutation::ALL
        .iter()
        .map(|m| (seam::ceph_stand_in(*m), m.name(), m.describe()))
        .collect()
}

pub static PRESENTATION: Presentation = Presentation {
    tagline: "Multi-Paxos, visible",
    // Five replicas; once a leader is elected a client writes three keys through node 1.
    default_scenario: "paxoscope scenario v1\nname \"Multi-Paxos\"\nprotocol multi-paxos\nseed 42\nset latency_ms 40\nset jitter_ms 20\nat 2s put 1 a 1\nat 2s put 1 b 2\nat 2s put 1 c 3\nat 2s put 1 d 4\nat 3s get 2 a\n",
    families: &[
        ("phase1", "prepare / promise"),
        ("reject", "nack"),
        ("phase2", "accept / accepted"),
        ("learn", "commit / catch up"),
        ("leader", "heartbeat"),
        ("client", "forward"),
    ],
    client_help: "No requests yet. Any replica takes a request: it forwards it to the leader, \
                  which puts it in the next free slot; the replica answers once it applied that \
                  slot (gets go through the log too).",
    client_target: 0,
    mutations,
    leases: false,
    meta_legend: "",
    needs_fifo: false,
    messenger: "Multi-Paxos tolerates lost, duplicated and reordered messages: they are ordinary \
                faults here (the leader resends, replicas catch up). Switch them on to watch it \
                cope:",
};

fn row(k: &str, v: String) -> (String, String) {
    (k.to_string(), v)
}

pub fn inspect(node: Option<&Node>, d: &Durable, _now_ms: u64) -> Inspection {
    let mut volatile = Vec::new();
    let mut lists = Vec::new();
    if let Some(n) = node {
        let first = n.first_unchosen();
        volatile.push(row("state", n.state_name().to_string()));
        volatile.push(row(
            "leader",
            n.leader.map_or("unknown".into(), |l| format!("node.{l}")),
        ));
        volatile.push(row(
            "configuration",
            n.members_at(n.applied + 1).to_string(),
        ));
        volatile.push(row("applied", format!("slots 1..{}", n.applied)));
        volatile.push(row(
            "window (α)",
            format!(
                "slots {first}..{} (α = {})",
                first + n.config.alpha - 1,
                n.config.alpha
            ),
        ));
        if let Some(l) = &n.lead {
            volatile.push(row("id", l.id.to_string()));
            volatile.push(row(
                "in flight",
                describe_slots(l.in_flight.keys().copied()),
            ));
            volatile.push(row("queued", format!("{} command(s)", l.queue.len())));
            volatile.push(row(
                "promises",
                l.promises
                    .iter()
                    .map(|r| format!("node.{r}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        volatile.push(row("waiting clients", n.pending.len().to_string()));
        let view = n.log_view();
        let from = view.slots.len().saturating_sub(24);
        let rows = view.slots[from..]
            .iter()
            .enumerate()
            .rev()
            .map(|(i, st)| {
                let slot = (from + i + 1) as u64;
                let text = match (st, d.chosen.get(&slot), d.accepted.get(&slot)) {
                    (SlotState::Empty, _, _) => " hole".to_string(),
                    (SlotState::Accepted, _, Some((id, v))) => format!(" accepted {id}: {v}"),
                    (s, Some(v), _) => format!(" {}: {v}", format!("{s:?}").to_lowercase()),
                    _ => String::new(),
                };
                ListRow {
                    head: slot.to_string(),
                    text,
                    dim: matches!(st, SlotState::Empty),
                }
            })
            .collect();
        lists.push(Listing {
            title: "Log (latest slots first)".into(),
            pairs: false,
            rows,
            empty: "empty",
        });
    }
    let durable = vec![
        row(
            "promised",
            d.promised.map_or("none".into(), |p| p.to_string()),
        ),
        row("accepted", describe_slots(d.accepted.keys().copied())),
        row("chosen", describe_slots(d.chosen.keys().copied())),
        row("max_round", d.max_round.to_string()),
    ];
    Inspection {
        volatile,
        durable,
        lists,
    }
}

pub fn brief(node: Option<&Node>, d: &Durable) -> Brief {
    match node {
        Some(n) => Brief {
            role: n.state_name(),
            phase: seam::status(n).phase,
            epoch: n.highest.map_or(0, |h| u64::from(h.round)),
            last_committed: n.applied,
            meta: format!("applied {} · next {}", n.applied, n.first_unchosen()),
        },
        None => Brief {
            role: "down",
            phase: "down",
            epoch: u64::from(d.max_round),
            last_committed: 0,
            meta: format!("chosen {}", describe_slots(d.chosen.keys().copied())),
        },
    }
}
