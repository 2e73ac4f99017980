//! One run of a campaign scenario and its verdict: the safety checker after every event
//! through the fault phase and the heal; after the heal, the service probe (`probe.rs`) and
//! the liveness rule within a bound derived from the configuration (`liveness_bound_ms`),
//! with the monitors' committed service states compared at every poll; then the
//! linearizability of the whole client history, refused and retried requests included.

use super::coverage::{Coverage, ProtocolPath};
use super::generate::{MAX_DRIFT_PPM, MAX_PAUSE_MS, MAX_SKEW_MS};
use super::probe::{self, Probe};
use crate::check::linearizability::{
    check_history_with_budget, HistoryEntry, KvOp, KvResult, LinOutcome,
};
use crate::check::Violation;
use crate::client::{proposal, ClientOp, ClientReply, Proposal, ReqId};
use crate::protocols::ceph::config::Config;
use crate::protocols::ceph::messages::Msg;
use crate::protocols::ceph::wording::client_op;
use crate::protocols::ceph::{Ceph, MonState, PaxosState, ValueOp, DEFER_EXTRA_MS};
use crate::scenario::{Action, Scenario};
use crate::session::Session;
use crate::sim::{ClientRecord, World};
use crate::trace::TraceKind;
use std::collections::BTreeSet;

/// How often liveness is tested after the heal (simulated time).
pub const LIVENESS_POLL_MS: u64 = 100;
/// Search budget of the linearizability check (configurations visited, all keys together).
pub const LIN_BUDGET_STATES: u64 = 5_000_000;

/// Election rounds the bound allows after the longest wait: the first can be overtaken by a
/// monitor that comes back while it runs (its probe makes the quorum elect again).
pub const BOUND_ELECTION_ROUNDS: u64 = 2;
/// One-way hops of the way back into a quorum: probe and reply, propose, ack and victory,
/// collect and last, begin, accept and commit, lease.
pub const BOUND_REJOIN_HOPS: u64 = 11;
/// One-way hops of one probe stage: client's monitor to the leader (forward), begin, accept,
/// the answer back (forward reply), and the commit and lease that make a peon readable again.
pub const BOUND_STAGE_HOPS: u64 = 6;

/// How long after the heal liveness may take, derived from the configuration (each term is
/// documented in docs/campaign.md, "Liveness rule and bound"):
///
/// * **waiting**: the longest timer a monitor can be waiting on at the heal: a sync requester
///   whose answer was lost waits `mon_sync_timeout`; a leader waits at most its lease-ack or
///   accept timeout, a peon its lease timeout;
/// * **rejoining**: it bootstraps and probes (at most `mon_probe_timeout`), then up to
///   `BOUND_ELECTION_ROUNDS` elections, each at most `mon_election_timeout` plus the 1 s a
///   deferring monitor adds, then recovery: `BOUND_REJOIN_HOPS` one-way latencies (with
///   jitter) and the commit write;
/// * **serving**: the probe's four stages one after the other, each one Paxos round: the
///   batching wait (`paxos_propose_interval` after a recent commit, `paxos_min_wait`), the
///   commit write, `BOUND_STAGE_HOPS` latencies, and one liveness poll to notice it.
pub fn liveness_bound_ms(c: &Config) -> u64 {
    let hop_ms = c.latency_ms + c.jitter_ms;
    let waiting_ms = c
        .sync_timeout_ms
        .max(c.lease_ack_timeout_ms)
        .max(c.accept_timeout_ms);
    let rejoin_ms = c.probe_timeout_ms
        + BOUND_ELECTION_ROUNDS * (c.election_timeout_ms + DEFER_EXTRA_MS)
        + BOUND_REJOIN_HOPS * hop_ms
        + c.commit_write_ms;
    let stage_ms = c.propose_interval_ms
        + c.min_wait_ms
        + c.commit_write_ms
        + BOUND_STAGE_HOPS * hop_ms
        + LIVENESS_POLL_MS;
    waiting_ms + rejoin_ms + probe::STAGES * stage_ms
}

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
    /// Switch every protocol invariant of the checker off, so only the client-facing checks
    /// judge the run (blind canaries: linearizability, liveness with the service probe,
    /// agreement of the committed service states).
    pub blind: bool,
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
            blind: false,
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
    /// No moment between the heal and the bound had the service probe done, one leader,
    /// every monitor active, every acknowledged write committed everywhere and every request
    /// answered; or the probe got an answer no recovery excuses. `reason` says which.
    Liveness {
        heal_ms: u64,
        bound_ms: u64,
        reason: String,
    },
    /// Two monitors at the same committed version hold different service states (what a
    /// client reads), at the poll at `t_ms`.
    Agreement { t_ms: u64, detail: String },
}

impl Failure {
    /// `safety`, `linearizability`, `liveness` or `agreement`.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Safety(_) => "safety",
            Failure::Linearizability { .. } => "linearizability",
            Failure::Liveness { .. } => "liveness",
            Failure::Agreement { .. } => "agreement",
        }
    }

    /// Whether a client could see this failure: everything but a broken protocol rule.
    pub fn client_facing(&self) -> bool {
        !matches!(self, Failure::Safety(_))
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
            Failure::Agreement { t_ms, detail } => {
                write!(f, "agreement: at {t_ms} ms {detail}")
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
    /// Requests the service probe sent after the heal.
    pub probe_requests: usize,
    /// Requests left unanswered because their monitor crashed, or the network dropped their
    /// forward to the leader or the leader's answer (see `every_request_answered`).
    pub lost_requests: usize,
}

/// Run a trial. `record` keeps the full trace in the returned session (for replays).
pub fn run(trial: &Trial, record: bool) -> (Outcome, Session) {
    let snapshot_every = if record { 2_000 } else { 0 };
    let mut session = Session::with_options(trial.scenario.clone(), record, snapshot_every);
    if trial.blind {
        session.disable_all_invariants();
    }
    let mut watch = Watch::default();
    watch.observe(&session);
    let mut out = Outcome::default();
    drive(&mut session, &mut watch, trial.heal_ms);
    let mut liveness = None;
    if session.violation().is_none() {
        liveness = liveness_phase(&mut session, &mut watch, trial, &mut out);
    }
    out.stale_reads = std::mem::take(&mut watch.stale_reads);
    out.lost_requests = session
        .world()
        .clients()
        .iter()
        .filter(|rec| rec.reply.is_none() && watch.lost.contains(&rec.id))
        .count();
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
    /// Requests no monitor will answer, and whose clients know it or Ceph would: the network
    /// dropped their forward to the leader or its answer, or their monitor crashed.
    lost: BTreeSet<ReqId>,
}

impl Watch {
    fn observe(&mut self, session: &Session) {
        let (world, log) = (session.world(), session.last_step());
        self.coverage.observe(world, log);
        let max_lc = &session.checker().facts().max_lc_in_epoch;
        for e in log {
            if let TraceKind::Drop { msg, .. } = &e.kind {
                match &**msg {
                    Msg::Forward { req, .. } => self.lost.insert(req.id),
                    Msg::ForwardReply { req_id, .. } => self.lost.insert(*req_id),
                    _ => false,
                };
            }
            if let (TraceKind::Crash, Some(r)) = (&e.kind, e.node) {
                // The clients waiting on it see their session drop.
                let waiting = world
                    .clients()
                    .iter()
                    .filter(|rec| rec.node == r && rec.reply.is_none());
                self.lost.extend(waiting.map(|rec| rec.id));
            }
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

/// Poll until liveness holds or the bound passes, running the service probe and comparing
/// the monitors' service states at every poll; a safety violation ends it early (`None`).
fn liveness_phase(
    session: &mut Session,
    watch: &mut Watch,
    trial: &Trial,
    out: &mut Outcome,
) -> Option<Failure> {
    let mut t = trial.heal_ms;
    let mut probe = Probe::new(session.world().n());
    let bound_ms = trial.live_by_ms - trial.heal_ms;
    let liveness = |reason: String| Failure::Liveness {
        heal_ms: trial.heal_ms,
        bound_ms,
        reason,
    };
    loop {
        if let Err(detail) = service_states_agree(session.world()) {
            return Some(Failure::Agreement { t_ms: t, detail });
        }
        probe.poll(session);
        out.probe_requests = probe.requests;
        if let Some(why) = probe.broken() {
            return Some(liveness(format!("service probe: {why}")));
        }
        let verdict = probe
            .done()
            .and_then(|()| liveness_holds(session.world(), &watch.lost));
        if verdict.is_ok() || t >= trial.live_by_ms {
            // The end of the run: the monitors' logs must agree too.
            if let Err(detail) = committed_values_agree(session.world()) {
                return Some(Failure::Agreement { t_ms: t, detail });
            }
        }
        match verdict {
            Ok(()) => {
                out.live_after_ms = Some(t - trial.heal_ms);
                return None;
            }
            Err(reason) if t >= trial.live_by_ms => return Some(liveness(reason)),
            Err(_) => {}
        }
        t = (t + LIVENESS_POLL_MS).min(trial.live_by_ms);
        drive(session, watch, t);
        if session.violation().is_some() {
            return None;
        }
    }
}

/// Agreement as a client sees it: monitors at the same committed version hold the same
/// service state (the key-value map reads are answered from). `Err` names two that differ.
pub fn service_states_agree(world: &World<Ceph>) -> Result<(), String> {
    let n = world.n();
    for a in 0..n {
        let sa = world.durable(a);
        for b in a + 1..n {
            let sb = world.durable(b);
            if sa.last_committed != sb.last_committed || sa.kv == sb.kv {
                continue;
            }
            let key = sa
                .kv
                .keys()
                .chain(sb.kv.keys())
                .find(|k| sa.kv.get(*k) != sb.kv.get(*k))
                .expect("different maps differ at some key");
            let show =
                |v: Option<&crate::client::Text>| v.map_or("absent".to_string(), |v| v.to_string());
            return Err(format!(
                "mon.{a} and mon.{b} both committed v{} but hold {key}={} and {key}={}",
                sa.last_committed,
                show(sa.kv.get(key)),
                show(sb.kv.get(key))
            ));
        }
    }
    Ok(())
}

/// Agreement of the committed values: every version that two monitors both committed and
/// still store holds the same value on both. `Err` names the version and the two monitors.
pub fn committed_values_agree(world: &World<Ceph>) -> Result<(), String> {
    let n = world.n();
    let stores: Vec<_> = (0..n).map(|r| world.durable(r)).collect();
    let newest = stores.iter().map(|s| s.last_committed).max().unwrap_or(0);
    let oldest = stores.iter().map(|s| s.first_committed).min().unwrap_or(0);
    for v in oldest.max(1)..=newest {
        let mut first: Option<(u8, &std::rc::Rc<crate::protocols::ceph::Value>)> = None;
        for (r, s) in stores.iter().enumerate() {
            let Some(value) = s.values.get(&v).filter(|_| v <= s.last_committed) else {
                continue;
            };
            match first {
                None => first = Some((r as u8, value)),
                Some((a, other)) if !std::rc::Rc::ptr_eq(other, value) && other != value => {
                    return Err(format!(
                        "v{v} is committed as [{}] on mon.{a} but as [{}] on mon.{r}",
                        other.describe(),
                        value.describe()
                    ))
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// The liveness rule: exactly one leader, every monitor `active` in its quorum and epoch,
/// every acknowledged write committed on every monitor, and every request answered but those
/// in `lost` (see `every_request_answered`). `Err` says what is missing.
pub fn liveness_holds(world: &World<Ceph>, lost: &BTreeSet<ReqId>) -> Result<(), String> {
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
    acked_writes_everywhere(world)?;
    every_request_answered(world, lost)
}

/// Every request got an answer: a result, a refusal with its reason, or "retry". Exempt are
/// the requests in `lost`. Those whose monitor crashed: the client sees its session drop (a
/// Ceph client resends elsewhere). Those whose forward to the leader, or whose answer, the
/// network dropped while the quorum survived, so nobody resets and answers "retry": Ceph's
/// monitors talk over lossless sessions that resend after a reconnect, so there such a request
/// is answered; the simulator's lossy links have no resend, and the monitor no timeout for it.
fn every_request_answered(world: &World<Ceph>, lost: &BTreeSet<ReqId>) -> Result<(), String> {
    let unanswered = |rec: &&ClientRecord| rec.reply.is_none() && !lost.contains(&rec.id);
    match world.clients().iter().find(unanswered) {
        None => Ok(()),
        Some(rec) => Err(format!(
            "req {} ({} at mon.{}, sent at {} ms) has no answer",
            rec.id,
            client_op(&rec.op),
            rec.node,
            rec.invoke_ms
        )),
    }
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
    clients.iter().map(entry).collect()
}

fn entry(rec: &ClientRecord) -> HistoryEntry {
    if let Some(e) = proposal_entry(rec) {
        return e;
    }
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
        // Every refusal is given before the request could take effect: a read without a
        // lease, a request at a monitor outside any quorum or down (`service.rs`, `World`).
        // They stay in the history, marked as having had no effect.
        Some(ClientReply::Refused { .. }) => Some(KvResult::Refused),
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
        // "Retry" or no answer: the write may still commit later, or never. (A leader that
        // drops its own unproposed writes at a reset also answers "retry"; counting those as
        // possibly applied too is conservative: it can hide a bug, never invent one.)
        Some(ClientReply::Retry { .. }) | None => None,
    };
    let complete_ms = result.as_ref().and(rec.complete_ms);
    HistoryEntry {
        id: rec.id,
        client: rec.id as u32,
        op,
        invoke_ms: rec.invoke_ms,
        complete_ms,
        result,
    }
}

/// A proposal (`client::proposal`) answered with its own value: a put. Answered with another:
/// a compare-and-set from absent that found that one.
fn proposal_entry(rec: &ClientRecord) -> Option<HistoryEntry> {
    let ClientOp::Put { key, value } = &rec.op else {
        return None;
    };
    let found = proposal(value, rec.reply.as_ref())?;
    let (key, value) = (key.to_string(), value.to_string());
    let (op, result) = match found {
        Proposal::Chosen => (KvOp::Put { key, value }, KvResult::Ok),
        Proposal::Found(chosen) => {
            let op = KvOp::Cas {
                key,
                expected: None,
                value,
            };
            let current = Some(chosen.to_string());
            (op, KvResult::CasFailed { current })
        }
    };
    Some(HistoryEntry {
        id: rec.id,
        client: rec.id as u32,
        op,
        invoke_ms: rec.invoke_ms,
        complete_ms: rec.complete_ms,
        result: Some(result),
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
