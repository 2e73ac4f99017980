//! Ceph's monitor Paxos as the playground shows it: the legend, the inspector's fields, the
//! ring's lines (`view::Presentation`, `Protocol::inspect`, `Protocol::brief`).

use super::monitor::{MonState, Monitor, PaxosState, Timer};
use super::store::Store;
use crate::actor::Protocol;
use crate::actor::Rank;
use crate::scenario::Mutation;
use crate::view::{Brief, Inspection, ListRow, Listing, NodeLog, Presentation, Slot, SlotState};

/// Versions the inspector lists, newest first.
const VERSIONS_SHOWN: usize = 8;

fn mutations() -> Vec<(Mutation, &'static str, &'static str)> {
    Mutation::ALL
        .iter()
        .map(|m| (*m, m.name(), m.describe()))
        .collect()
}

pub static PRESENTATION: Presentation = Presentation {
    tagline: "Ceph monitor Paxos, visible",
    // Five monitors and nothing scripted. Links are slowed to 100-150 ms (a stretched
    // cluster) so that messages are visible at 1x; Ceph's timeouts are untouched.
    default_scenario: "paxoscope scenario v1\nname \"Playground\"\nseed 42\nset latency_ms 100\nset jitter_ms 50\n",
    families: &[
        ("probe", "probe"),
        ("election", "election"),
        ("recovery", "collect / last"),
        ("update", "begin / accept"),
        ("commit", "commit"),
        ("lease", "lease / ack"),
        ("sync", "sync"),
        ("client", "client forward"),
    ],
    client_help: "No requests yet. Writes to a peon are forwarded to the leader; reads are answered locally under a lease.",
    client_target: 2,
    mutations,
    leases: true,
    meta_legend: "e2 · lc 1 under a monitor: election epoch 2, last committed version 1",
    needs_fifo: true,
    messenger: "Ceph's messenger delivers each message once and in order on a session; Paxos's \
                recovery relies on it. These switches go beyond those assumptions:",
};

fn row(k: &str, v: String) -> (String, String) {
    (k.to_string(), v)
}

pub fn inspect(node: Option<&Monitor>, store: &Store, now_ms: u64) -> Inspection {
    let volatile = node.map_or_else(Vec::new, |n| {
        let s = super::Ceph::status(n, now_ms);
        vec![
            row("state", format!("{} / {}", s.role, s.phase)),
            row("epoch", s.epoch.to_string()),
            row(
                "leader",
                s.leader
                    .map(|l| format!("mon.{l}"))
                    .unwrap_or_else(|| "none".into()),
            ),
            row(
                "lease left",
                if s.lease_left_ms > 0 {
                    format!("{}.{:03} s", s.lease_left_ms / 1000, s.lease_left_ms % 1000)
                } else {
                    "none".into()
                },
            ),
            row(
                "reads",
                if s.readable {
                    "served locally".into()
                } else {
                    "refused".into()
                },
            ),
        ]
    });
    let uncommitted = store.uncommitted().map(|v| {
        let pn = if store.pending_v == store.last_committed + 1 {
            store.pending_pn
        } else {
            store.accepted_pn
        };
        format!("v{} (pn {pn}): {}", store.last_committed + 1, v.describe())
    });
    let durable = vec![
        row("last_pn", store.last_pn.to_string()),
        row("accepted_pn", store.accepted_pn.to_string()),
        row("first_committed", store.first_committed.to_string()),
        row("last_committed", store.last_committed.to_string()),
        row("election_epoch", store.election_epoch.to_string()),
        row("uncommitted", uncommitted.unwrap_or_else(|| "none".into())),
    ];
    let versions = store
        .values
        .iter()
        .rev()
        .take(VERSIONS_SHOWN)
        .map(|(v, val)| {
            let committed = *v <= store.last_committed;
            ListRow {
                head: format!("v{v}"),
                text: format!(
                    "{}{}",
                    if committed { " " } else { " (uncommitted) " },
                    val.describe()
                ),
                dim: !committed,
            }
        })
        .collect();
    let kv = store
        .kv
        .iter()
        .map(|(k, v)| ListRow {
            head: k.to_string(),
            text: v.to_string(),
            dim: false,
        })
        .collect();
    Inspection {
        volatile,
        durable,
        lists: vec![
            Listing {
                title: format!(
                    "Versions held ({} stored, newest first)",
                    store.values.len()
                ),
                pairs: false,
                rows: versions,
                empty: "none",
            },
            Listing {
                title: format!("Key-value state (service version {})", store.kv_version),
                pairs: true,
                rows: kv,
                empty: "empty",
            },
        ],
    }
}

pub fn brief(node: Option<&Monitor>, store: &Store) -> Brief {
    let (role, phase, epoch) = match node {
        // Paxos runs only in a quorum: a probing, electing or syncing monitor has no phase
        // (its Paxos state stays at the initial `recovering` until it joins one).
        Some(n) if n.is_leader() || n.is_peon() => (n.state.name(), n.paxos.state.name(), n.epoch),
        Some(n) => (n.state.name(), "", n.epoch),
        // A crashed monitor shows what its durable store says.
        None => ("down", "down", store.election_epoch),
    };
    let lc = store.last_committed;
    Brief {
        role,
        phase,
        epoch,
        last_committed: lc,
        meta: format!("e{epoch} · lc {lc}"),
    }
}

/// What a monitor waits for and the timer that gives up on it (the ring's "waiting" line).
pub fn waiting(n: &Monitor) -> Option<(String, Option<Timer>)> {
    let leader = n
        .leader
        .map_or("the leader".to_string(), |l| format!("mon.{l}"));
    // The quorum members (but this monitor) not in `got`.
    let missing = |got: &dyn Fn(Rank) -> bool| {
        let names: Vec<String> = n
            .quorum
            .iter()
            .filter(|r| **r != n.rank && !got(**r))
            .map(|r| format!("mon.{r}"))
            .collect();
        names.join(", ")
    };
    let wait = |what: String, t: Timer| Some((what, Some(t)));
    match (n.state, n.paxos.state) {
        (MonState::Electing, _) => wait("the election's outcome".into(), Timer::Election),
        (MonState::Synchronizing, _) => wait("sync chunks from a provider".into(), Timer::Sync),
        (MonState::Leader, PaxosState::Recovering) => wait(
            format!("LAST from {}", missing(&|r| n.paxos.last_from.contains(r))),
            Timer::Collect,
        ),
        (MonState::Leader, PaxosState::Updating | PaxosState::UpdatingPrevious) => wait(
            format!("ACCEPT from {}", missing(&|r| n.paxos.accepted.contains(r))),
            Timer::Accept,
        ),
        (MonState::Leader, PaxosState::Writing | PaxosState::WritingPrevious) => {
            wait("its commit write".into(), Timer::CommitWrite)
        }
        (MonState::Peon, PaxosState::Recovering) => {
            wait(format!("COLLECT from {leader}"), Timer::Lease)
        }
        (MonState::Peon, PaxosState::Updating) => {
            wait(format!("COMMIT from {leader}"), Timer::Lease)
        }
        (MonState::Peon, PaxosState::Active) if n.paxos.lease_expire_ms <= n.now_ms => {
            wait(format!("a LEASE from {leader}"), Timer::Lease)
        }
        _ => None,
    }
}

/// A monitor's versions as a log (α = 1): versions up to `last_committed` are committed and
/// applied (the commit write applies the value's operations); the leader's value whose commit
/// write is queued (`commit_in_flight`) is chosen, every ACCEPT in; a value at `lc + 1`
/// is accepted. Versions below `first_committed` were trimmed after being applied.
pub fn log(node: Option<&Monitor>, store: &Store, from: u64, to: u64) -> NodeLog {
    let lc = store.last_committed;
    let chosen = node.and_then(|n| n.commit_in_flight);
    assert!(
        chosen.is_none_or(|v| v == lc + 1),
        "the commit write targets lc+1"
    );
    let slot = |v: u64| Slot {
        state: if v <= lc {
            SlotState::Applied
        } else if chosen == Some(v) {
            SlotState::Chosen
        } else if v == lc + 1 && store.uncommitted().is_some() {
            SlotState::Accepted
        } else {
            SlotState::Empty
        },
        noop: false,
    };
    let held = store.values.last_key_value().map_or(0, |(v, _)| *v);
    NodeLog {
        applied: lc,
        first_unchosen: lc + 1 + u64::from(chosen.is_some()),
        alpha: 1,
        highest: held.max(lc),
        slots: (from..=to).map(slot).collect(),
    }
}
