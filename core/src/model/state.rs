//! One state of the model: three monitors (the real `protocols::ceph::Monitor`), a FIFO queue per
//! directed link, who is up, the checker's ghost variables and what is left of the fault and
//! workload budgets. Also the time normalisation that keeps the state space finite.

use crate::actor::Rank;
use crate::protocols::ceph::messages::{Epoch, Msg, PaxosOp, Pn, Version};
use crate::protocols::ceph::{Monitor, Timer, Value};
use crate::ranks::RankSet;
use serde::Serialize;
use std::rc::Rc;

/// Monitors in the model.
pub const N: usize = 3;

/// The canonical "now". Every state is stored as if the global clock read this value: when a
/// timer fires at `T0_MS + d`, every absolute time in the state is shifted back by `d`.
/// Large, so that times in the past (a commit 1 s ago) stay representable as `u64`.
pub const T0_MS: u64 = 1 << 40;

/// Index of the directed link `from -> to` in `State::links`.
pub fn link(from: Rank, to: Rank) -> usize {
    from as usize * N + to as usize
}

/// The ends of link index `l`.
pub fn ends(l: usize) -> (Rank, Rank) {
    ((l / N) as Rank, (l % N) as Rank)
}

/// What the checker remembers about one monitor beyond the monitor's own state. Kept small
/// and cleared as soon as it is no longer needed, because it is part of the state's identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ghost {
    /// Highest pn this monitor ever promised in a LAST, over all its lives (crashes included).
    pub max_promise: Pn,
    /// As leader: (epoch, pn) of the COLLECT it is recovering with.
    pub collect: Option<(Epoch, Pn)>,
    /// Quorum members whose LAST for `collect` was delivered to it.
    pub lasts: RankSet,
    /// Uncommitted values reported for `collect` (its own included): (uncommitted pn, version, value).
    pub reports: Vec<(Pn, Version, Rc<Value>)>,
    /// The first BEGIN after `collect` has not been checked against `reports` yet.
    pub first_begin_unchecked: bool,
    /// As leader: (epoch, pn, lc) of the BEGIN it is waiting on.
    pub begin: Option<(Epoch, Pn, Version)>,
    /// Quorum members whose ACCEPT for `begin` was delivered to it.
    pub accepts: RankSet,
    /// Epochs this monitor led past recovery, over all its lives.
    pub recovered: EpochSet,
}

/// A set of epochs below 128, as a bit set: a ghost is copied on every step, and a copy of
/// this allocates nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EpochSet(u128);

impl EpochSet {
    /// Add `epoch`; true if it was not there.
    pub fn insert(&mut self, epoch: Epoch) -> bool {
        assert!(
            epoch < 128,
            "epoch {epoch}: the model's ghost records epochs below 128 (fewer --elections)"
        );
        let had = self.contains(&epoch);
        self.0 |= 1 << epoch;
        !had
    }

    pub fn contains(&self, epoch: &Epoch) -> bool {
        *epoch < 128 && self.0 & (1 << *epoch) != 0
    }
}

impl Ghost {
    /// What survives a crash: the record of promises made and of epochs led.
    pub fn after_crash(&self) -> Ghost {
        Ghost {
            max_promise: self.max_promise,
            recovered: self.recovered,
            ..Ghost::default()
        }
    }

    /// A monitor that is not leader keeps no leader bookkeeping.
    pub fn forget_leadership(&mut self) {
        if *self != self.after_crash() {
            *self = self.after_crash();
        }
    }
}

/// What is left of the bounded choices. Part of the state: the same monitors with a loss
/// still available are a different state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Budget {
    pub losses: u8,
    pub duplicates: u8,
    pub reorders: u8,
    pub crashes: u8,
    pub restarts: u8,
    /// Client puts injected so far.
    pub puts_sent: u8,
    /// Client compare-and-sets injected so far.
    pub cas_sent: u8,
}

/// A model state, with every part shared (`Rc`) so that a successor copies only what its
/// action changed. Fixed-size arrays: a copy allocates only for the links that hold messages.
#[derive(Clone, Debug)]
pub struct State {
    /// A crashed monitor is kept as `Monitor::from_store` of its store: only the store matters.
    pub monitors: [Rc<Monitor>; N],
    pub up: [bool; N],
    /// In-flight messages per directed link (`link(from, to)`), oldest first.
    pub links: [Vec<Rc<Msg>>; N * N],
    pub ghosts: [Rc<Ghost>; N],
    pub budget: Budget,
}

impl State {
    pub fn in_flight(&self) -> impl Iterator<Item = (Rank, Rank, &Msg)> + '_ {
        self.links.iter().enumerate().flat_map(|(l, q)| {
            let (from, to) = ends(l);
            q.iter().map(move |m| (from, to, &**m))
        })
    }

    /// The earliest armed deadline among running monitors.
    pub fn next_deadline_ms(&self) -> Option<u64> {
        (0..N)
            .filter(|r| self.up[*r])
            .flat_map(|r| self.monitors[r].timers.values().copied())
            .min()
    }

    /// One line per monitor: role, phase, epoch, lc, leader.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = (0..N)
            .map(|r| {
                let m = &self.monitors[r];
                if !self.up[r] {
                    return format!("mon.{r} down (lc {})", m.store.last_committed);
                }
                format!(
                    "mon.{r} {} {} e{} lc {}{}",
                    m.state.name(),
                    m.paxos.state.name(),
                    m.epoch,
                    m.store.last_committed,
                    if m.store.pending_v == m.store.last_committed + 1 {
                        format!(
                            " (v{} pending pn {})",
                            m.store.pending_v, m.store.pending_pn
                        )
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        parts.join(" | ")
    }
}

/// Small accessors the model needs on a monitor.
pub trait MonitorExt {
    fn is_leader_or_peon(&self) -> bool;
}

impl MonitorExt for Monitor {
    fn is_leader_or_peon(&self) -> bool {
        matches!(
            self.state,
            crate::protocols::ceph::MonState::Leader | crate::protocols::ceph::MonState::Peon
        )
    }
}

/// Shift every absolute time in `m` back by `delta_ms` (the clock advanced by that much) and
/// clamp times whose exact value can no longer matter, so that equivalent states coincide:
/// an expired lease reads as "no lease" (0), and a last commit older than
/// `propose_interval_ms` reads as exactly that old.
pub fn normalize_monitor(m: &mut Monitor, delta_ms: u64) {
    m.now_ms = T0_MS;
    for deadline in m.timers.values_mut() {
        assert!(
            *deadline >= T0_MS + delta_ms,
            "a timer deadline is in the past: timers fire in deadline order"
        );
        *deadline -= delta_ms;
    }
    m.paxos.lease_expire_ms = shift_expiry(m.paxos.lease_expire_ms, delta_ms);
    let oldest = T0_MS - m.config.propose_interval_ms - 1;
    m.paxos.last_commit_time_ms = m
        .paxos
        .last_commit_time_ms
        .saturating_sub(delta_ms)
        .max(oldest);
}

fn shift_expiry(at_ms: u64, delta_ms: u64) -> u64 {
    let shifted = at_ms.saturating_sub(delta_ms);
    if shifted <= T0_MS {
        0
    } else {
        shifted
    }
}

/// The same normalisation for a message on the wire. A LEASE carries an expiry on the
/// leader's clock (the one global clock here): expired reads as 0, which its receiver treats
/// exactly like any other past time (`max` with its own expiry). A LEASE_ACK's timestamp is
/// never read by its receiver, so it is erased. Returns `None` if nothing changed.
pub fn normalize_msg(msg: &Msg, delta_ms: u64) -> Option<Msg> {
    let Msg::Paxos(p) = msg else { return None };
    let ts = match p.op {
        PaxosOp::Lease => shift_expiry(p.lease_timestamp_ms, delta_ms),
        PaxosOp::LeaseAck => 0,
        _ => return None,
    };
    if ts == p.lease_timestamp_ms {
        return None;
    }
    let mut q = p.clone();
    q.lease_timestamp_ms = ts;
    Some(Msg::Paxos(q))
}

/// One nondeterministic choice of the explorer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Deliver the message at `index` of the link (0 = the head; more only with reordering).
    Deliver {
        from: Rank,
        to: Rank,
        index: u8,
    },
    /// Deliver a copy of the message at `index` and leave it on the link (duplication).
    Duplicate {
        from: Rank,
        to: Rank,
        index: u8,
    },
    /// Lose the head of the link.
    Drop {
        from: Rank,
        to: Rank,
    },
    /// The clock advances to this timer's deadline (the earliest armed) and it fires.
    Fire {
        node: Rank,
        timer: Timer,
    },
    Crash(Rank),
    Restart(Rank),
    /// A client sends the next put to this monitor.
    Put(Rank),
    /// A client sends the next compare-and-set of `x` to this monitor, expecting the value of
    /// the latest put sent (`stale: false`; absent before any put) or of the put before it
    /// (`stale: true`: a client that read before the latest put).
    Cas {
        node: Rank,
        stale: bool,
    },
    /// A client reads `x` at this monitor (a leader or peon). A read changes nothing (the step
    /// asserts it), so it leads back to the same state and needs no budget. Its answer depends
    /// on that monitor alone, so the explorer reads each distinct leader or peon once, in the
    /// first state it appears in.
    Get(Rank),
}

impl Action {
    /// Readable, using the state the action applies to (`before`).
    pub fn describe(&self, before: &State) -> String {
        let msg_at = |from: Rank, to: Rank, i: u8| {
            before.links[link(from, to)]
                .get(i as usize)
                .map(|m| m.summary())
                .unwrap_or_else(|| "?".into())
        };
        match *self {
            Action::Deliver { from, to, index: 0 } => {
                format!("deliver mon.{from} -> mon.{to}: {}", msg_at(from, to, 0))
            }
            Action::Deliver { from, to, index } => {
                format!(
                    "deliver OUT OF ORDER (#{index} on the link) mon.{from} -> mon.{to}: {}",
                    msg_at(from, to, index)
                )
            }
            Action::Duplicate { from, to, index } => {
                format!(
                    "deliver a DUPLICATE mon.{from} -> mon.{to} (copy stays in flight): {}",
                    msg_at(from, to, index)
                )
            }
            Action::Drop { from, to } => {
                format!("lose mon.{from} -> mon.{to}: {}", msg_at(from, to, 0))
            }
            Action::Fire { node, timer } => {
                let at = before.monitors[node as usize]
                    .timers
                    .get(&timer)
                    .copied()
                    .unwrap_or(T0_MS);
                format!(
                    "+{} ms: mon.{node} {} fires",
                    at.saturating_sub(T0_MS),
                    timer.name()
                )
            }
            Action::Crash(r) => format!("crash mon.{r}"),
            Action::Restart(r) => format!("restart mon.{r}"),
            Action::Put(r) => format!("client put x={} at mon.{r}", before.budget.puts_sent + 1),
            Action::Cas { node, stale } => {
                let (expected, value) = cas_op(&before.budget, stale);
                format!(
                    "client cas x: expected {} -> {value} at mon.{node}",
                    expected.as_deref().unwrap_or("absent")
                )
            }
            Action::Get(r) => format!("client get x at mon.{r}"),
        }
    }
}

/// The compare-and-set a client sends next (`Action::Cas`): the value it expects (the latest
/// put's, or with `stale` the one before; `None`: absent) and the value it writes (`c1`, ...).
pub fn cas_op(budget: &Budget, stale: bool) -> (Option<String>, String) {
    let latest = budget.puts_sent;
    let seen = if stale {
        latest.checked_sub(1)
    } else {
        Some(latest)
    };
    let expected = seen.filter(|k| *k > 0).map(|k| k.to_string());
    (expected, format!("c{}", budget.cas_sent + 1))
}
