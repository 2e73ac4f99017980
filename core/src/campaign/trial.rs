//! One run of a campaign scenario and its verdict: the safety checker after every event
//! through the fault phase and the heal, liveness within the bound after the heal, then the
//! linearizability of the whole client history.

use super::coverage::{Coverage, ProtocolPath};
use super::generate::{MAX_DRIFT_PPM, MAX_PAUSE_MS, MAX_SKEW_MS};
use crate::check::linearizability::{
    check_history_with_budget, HistoryEntry, KvOp, KvResult, LinOutcome,
};
use crate::check::Violation;
use crate::protocols::ceph::messages::{ClientOp, ClientReply, ReqId};
use crate::protocols::ceph::{Ceph, MonState, PaxosState, ValueOp};
use crate::scenario::{Action, Scenario};
use crate::session::Session;
use crate::sim::{ClientRecord, World};
use crate::trace::TraceKind;
use std::collections::BTreeSet;

/// How often liveness is tested after the heal (simulated time).
pub const LIVENESS_POLL_MS: u64 = 100;
/// Search budget of the linearizability check (configurations visited, all keys together).
pub const LIN_BUDGET_STATES: u64 = 5_000_000;

/// A scenario plus the two times that give it a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trial {
    /// Ends at `live_by_ms` (`end_ms`), so a replay in the playground covers the whole check.
    pub scenario: Scenario,
    /// Every fault is undone at this time (the heal actions are in the scenario).
    pub heal_ms: u64,
    /// Liveness must hold at some poll in `heal_ms..=live_by_ms`.
    pub live_by_ms: u64,
    /// Fail on every stale read, even one the lease timing argument's gap explains (used to
    /// shrink such a finding into a scenario that shows it).
    pub strict_reads: bool,
}

impl Trial {
    pub fn new(mut scenario: Scenario, heal_ms: u64, live_by_ms: u64) -> Trial {
        assert!(
            heal_ms <= live_by_ms,
            "the liveness deadline follows the heal"
        );
        scenario.end_ms = Some(live_by_ms);
        Trial {
            scenario,
            heal_ms,
            live_by_ms,
            strict_reads: false,
        }
    }
}

/// Why a seed failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The checker found a broken invariant (spec section 14) after some event.
    Safety(Violation),
    /// The client history has no linearization.
    Linearizability { key: String, explanation: String },
    /// No moment between the heal and the bound had one leader, every monitor active and
    /// every acknowledged write committed everywhere; `reason` is the last poll's complaint.
    Liveness {
        heal_ms: u64,
        bound_ms: u64,
        reason: String,
    },
}

impl Failure {
    /// `safety`, `linearizability` or `liveness`.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Safety(_) => "safety",
            Failure::Linearizability { .. } => "linearizability",
            Failure::Liveness { .. } => "liveness",
        }
    }

    /// What a shrunk schedule must still break: the kind, and for safety the invariant.
    pub fn signature(&self) -> String {
        match self {
            Failure::Safety(v) => format!("safety:{}", v.invariant),
            other => other.kind().to_string(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Safety(v) => write!(f, "safety: {v}"),
            // The checker's explanation starts with the key.
            Failure::Linearizability { explanation, .. } => {
                write!(
                    f,
                    "linearizability: {}",
                    explanation.lines().next().unwrap_or("")
                )
            }
            Failure::Liveness {
                heal_ms,
                bound_ms,
                reason,
            } => {
                write!(
                    f,
                    "liveness: not live within {bound_ms} ms of the heal at {heal_ms} ms: {reason}"
                )
            }
        }
    }
}

/// What the linearizability check saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinStats {
    /// The check ran (it does not after a safety violation).
    pub ran: bool,
    /// Operations in the history it was given.
    pub ops: usize,
    /// The budget ran out before every key was decided.
    pub undecided: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub failure: Option<Failure>,
    pub paths: BTreeSet<ProtocolPath>,
    /// Simulated time at which the run stopped.
    pub ended_ms: u64,
    /// Time from the heal until liveness held.
    pub live_after_ms: Option<u64>,
    /// Client requests issued.
    pub client_ops: usize,
    pub lin: LinStats,
    /// Broken timing claims (read freshness across epochs): reported, not failures.
    pub findings: Vec<Violation>,
    /// Reads answered under an unexpired lease by a monitor of an older epoch after a newer
    /// epoch committed a version it lacked: possible inside the assumptions, because the lease
    /// margin of spec 10.6 is a timing argument that asymmetric partitions defeat (see
    /// docs/campaign.md).
    pub stale_reads: BTreeSet<ReqId>,
    /// The history was linearizable only without those reads: the checker's explanation.
    pub stale_read_finding: Option<String>,
    pub events: u64,
}

/// Run a trial. `record` keeps the full trace in the returned session (for replays).
pub fn run(trial: &Trial, record: bool) -> (Outcome, Session) {
    let snapshot_every = if record { 2_000 } else { 0 };
    let mut session = Session::with_options(trial.scenario.clone(), record, snapshot_every);
    let mut watch = Watch::default();
    watch.observe(&session);
    let mut out = Outcome::default();
    drive(&mut session, &mut watch, trial.heal_ms);
    let mut liveness = None;
    if session.violation().is_none() {
        liveness = liveness_phase(&mut session, &mut watch, trial, &mut out);
    }
    out.stale_reads = std::mem::take(&mut watch.stale_reads);
    out.failure = session.violation().cloned().map(Failure::Safety);
    if out.failure.is_none() {
        let excusable = !trial.strict_reads && within_timing_assumptions(&trial.scenario);
        out.failure = check_linearizable(session.world().clients(), excusable, &mut out);
    }
    if out.failure.is_none() {
        out.failure = liveness;
    }
    out.paths = watch.coverage.hit;
    out.ended_ms = session.now_ms();
    out.client_ops = session.world().clients().len();
    out.findings = session.checker().findings().to_vec();
    out.events = session.world().events();
    (out, session)
}

/// What the run watches after every step besides the checker.
#[derive(Default)]
struct Watch {
    coverage: Coverage,
    stale_reads: BTreeSet<ReqId>,
}

impl Watch {
    fn observe(&mut self, session: &Session) {
        let (world, log) = (session.world(), session.last_step());
        self.coverage.observe(world, log);
        let max_lc = &session.checker().facts().max_lc_in_epoch;
        for e in log {
            let (
                TraceKind::ClientReply {
                    req_id,
                    reply: ClientReply::Value { .. },
                },
                Some(r),
            ) = (&e.kind, e.node)
            else {
                continue;
            };
            let Some(m) = world.node(r) else { continue };
            // Only a read under a lease that had not expired on the monitor's own clock: the
            // timing argument's gap, not a monitor ignoring its lease.
            let lease_unexpired = m.now_ms < m.paxos.lease_expire_ms;
            let newer_commit = max_lc
                .range(m.epoch + 1..)
                .any(|(_, lc)| *lc > m.store.last_committed);
            if lease_unexpired && newer_commit {
                self.stale_reads.insert(*req_id);
            }
        }
    }
}

/// Step the session up to `until_ms`, showing every step to the watchers.
fn drive(session: &mut Session, watch: &mut Watch, until_ms: u64) {
    while session
        .world()
        .next_event_ms()
        .is_some_and(|t| t <= until_ms)
        && session.step()
    {
        watch.observe(session);
    }
    if !session.stopped() {
        session.run_until(until_ms);
    }
}

/// Poll until liveness holds or the bound passes; a safety violation ends it early (`None`).
fn liveness_phase(
    session: &mut Session,
    watch: &mut Watch,
    trial: &Trial,
    out: &mut Outcome,
) -> Option<Failure> {
    let mut t = trial.heal_ms;
    loop {
        match liveness_holds(session.world()) {
            Ok(()) => {
                out.live_after_ms = Some(t - trial.heal_ms);
                return None;
            }
            Err(reason) if t >= trial.live_by_ms => {
                let bound_ms = trial.live_by_ms - trial.heal_ms;
                return Some(Failure::Liveness {
                    heal_ms: trial.heal_ms,
                    bound_ms,
                    reason,
                });
            }
            Err(_) => {}
        }
        t = (t + LIVENESS_POLL_MS).min(trial.live_by_ms);
        drive(session, watch, t);
        if session.violation().is_some() {
            return None;
        }
    }
}

/// The liveness rule: exactly one leader, every monitor `active` in its quorum and epoch,
/// and every acknowledged write committed on every monitor. `Err` says what is missing.
pub fn liveness_holds(world: &World<Ceph>) -> Result<(), String> {
    let n = world.n();
    let leaders: Vec<u8> = (0..n)
        .filter(|r| world.node(*r).is_some_and(|m| m.state == MonState::Leader))
        .collect();
    let [leader] = leaders[..] else {
        return Err(format!("{} leaders {:?}", leaders.len(), leaders));
    };
    let lead = world.node(leader).expect("a leader is up");
    for r in 0..n {
        let Some(m) = world.node(r) else {
            return Err(format!("mon.{r} is down"));
        };
        if !matches!(m.state, MonState::Leader | MonState::Peon)
            || m.paxos.state != PaxosState::Active
        {
            return Err(format!(
                "mon.{r} is {}/{}",
                m.state.name(),
                m.paxos.state.name()
            ));
        }
        if m.epoch != lead.epoch || m.leader != Some(leader) || !lead.quorum.contains(&r) {
            return Err(format!(
                "mon.{r} is not in mon.{leader}'s quorum of epoch {}",
                lead.epoch
            ));
        }
    }
    acked_writes_everywhere(world)
}

fn acked_writes_everywhere(world: &World<Ceph>) -> Result<(), String> {
    for rec in world.clients() {
        let version = match rec.reply {
            Some(ClientReply::Written { version }) | Some(ClientReply::CasDone { version, .. }) => {
                version
            }
            _ => continue,
        };
        for r in 0..world.n() {
            let store = world.durable(r);
            if store.last_committed < version {
                return Err(format!(
                    "write req {} acknowledged at v{version}, mon.{r} has lc {}",
                    rec.id, store.last_committed
                ));
            }
            // A trimmed version was committed before it was trimmed; a stored one must hold it.
            let holds = |v: &crate::protocols::ceph::Value| {
                v.ops
                    .iter()
                    .any(|op| matches!(op, ValueOp::Client(q) if q.id == rec.id))
            };
            if version >= store.first_committed
                && !store.values.get(&version).is_some_and(|v| holds(v))
            {
                return Err(format!(
                    "write req {} acknowledged at v{version}, not in mon.{r}'s v{version}",
                    rec.id
                ));
            }
        }
    }
    Ok(())
}

/// The client history as the linearizability checker wants it (see its module docs).
pub fn history(clients: &[ClientRecord]) -> Vec<HistoryEntry> {
    clients.iter().filter_map(entry).collect()
}

fn entry(rec: &ClientRecord) -> Option<HistoryEntry> {
    let op = match &rec.op {
        ClientOp::Put { key, value } => KvOp::Put {
            key: key.to_string(),
            value: value.to_string(),
        },
        ClientOp::Get { key } => KvOp::Get {
            key: key.to_string(),
        },
        ClientOp::Cas {
            key,
            expected,
            value,
        } => KvOp::Cas {
            key: key.to_string(),
            expected: expected.as_deref().map(str::to_owned),
            value: value.to_string(),
        },
    };
    let result = match &rec.reply {
        // Refused requests had no effect: a read without a lease, a write outside a quorum.
        Some(ClientReply::Refused { .. }) => return None,
        Some(ClientReply::Written { .. }) => Some(KvResult::Ok),
        Some(ClientReply::Value { value, .. }) => {
            Some(KvResult::Value(value.as_deref().map(str::to_owned)))
        }
        Some(ClientReply::CasDone { applied: true, .. }) => Some(KvResult::CasOk),
        Some(ClientReply::CasDone {
            applied: false,
            current,
            ..
        }) => Some(KvResult::CasFailed {
            current: current.as_deref().map(str::to_owned),
        }),
        // "Retry" or no answer: the write may still commit later, or never.
        Some(ClientReply::Retry { .. }) | None => None,
    };
    let complete_ms = result.as_ref().and(rec.complete_ms);
    Some(HistoryEntry {
        id: rec.id,
        client: rec.id as u32,
        op,
        invoke_ms: rec.invoke_ms,
        complete_ms,
        result,
    })
}

/// True when the scenario stays inside the assumptions the lease timing argument makes of
/// clocks, processes and links: FIFO, no duplicates, every skew and drift within the
/// campaign's bounds, every pause shorter than `MAX_PAUSE_MS`. Only then is a stale read
/// under a valid lease the argument's own gap (a finding) rather than a failure.
pub fn within_timing_assumptions(s: &Scenario) -> bool {
    let clocks_ok = s.actions.iter().all(|a| match a.action {
        Action::Skew(_, ms) => ms.abs() <= MAX_SKEW_MS,
        Action::Drift(_, ppm) => ppm.abs() <= MAX_DRIFT_PPM,
        _ => true,
    });
    let pauses_ok = s.actions.iter().enumerate().all(|(i, a)| {
        let Action::Pause(r) = a.action else {
            return true;
        };
        let resumed = s.actions[i + 1..]
            .iter()
            .find(|b| b.action == Action::Resume(r));
        resumed.is_some_and(|b| b.at_ms - a.at_ms <= MAX_PAUSE_MS)
    });
    s.allowances.is_empty() && clocks_ok && pauses_ok
}

/// Check the history; if it fails only because of reads the lease timing argument does not
/// cover (`out.stale_reads`) in a run inside its assumptions (`excusable`), that is a
/// finding, not a failure.
fn check_linearizable(
    clients: &[ClientRecord],
    excusable: bool,
    out: &mut Outcome,
) -> Option<Failure> {
    let h = history(clients);
    let report = check_history_with_budget(&h, LIN_BUDGET_STATES);
    out.lin = LinStats {
        ran: true,
        ops: h.len(),
        undecided: report.outcome == LinOutcome::Unknown,
    };
    let full = report.failure()?;
    if excusable && !out.stale_reads.is_empty() {
        let rest: Vec<HistoryEntry> = h
            .iter()
            .filter(|e| !out.stale_reads.contains(&e.id))
            .cloned()
            .collect();
        let again = check_history_with_budget(&rest, LIN_BUDGET_STATES);
        match again.failure() {
            None => {
                out.stale_read_finding = Some(format!("key {}: {}", full.key, full.explanation));
                return None;
            }
            Some(f) => {
                return Some(Failure::Linearizability {
                    key: f.key.clone(),
                    explanation: f.explanation.clone(),
                })
            }
        }
    }
    Some(Failure::Linearizability {
        key: full.key.clone(),
        explanation: full.explanation.clone(),
    })
}
