//! A run as the front ends use it: the world, the checker after every event, the recorded
//! trace, and snapshots for time travel. The UI, the CLI and the campaign all drive this.

use crate::actor::{Protocol, RunChecker};
use crate::budget::{self, Budget, BudgetExceeded, Kept, WorldSize};
use crate::check::Violation;
use crate::protocols::ceph::messages::ReqId;
use crate::protocols::ceph::Ceph;
use crate::scenario::{Action, Scenario, TimedAction};
use crate::sim::World;
use crate::trace::{ContentHash, TraceEvent, TraceHasher};

/// Most events a run may process in all (the budget, `budget.rs`): a few seconds of an
/// unrecorded run natively (a recorded one reaches `MAX_KEPT_BYTES` first, near a million
/// events). A day of Ceph's defaults idle is 260,000 events (490,000 with nine monitors).
pub const MAX_RUN_EVENTS: u64 = 10_000_000;
/// Most bytes a run may keep, as estimated from its counts (`budget::Kept`): trace entries,
/// client records, the live world and checker, and every time-travel snapshot.
pub const MAX_KEPT_BYTES: u64 = 256 * 1024 * 1024;
/// The memory estimate is checked at every this many events (and the event-rate and event
/// limits after every event): an estimate costs a pass over the monitors' stores.
pub const MEMORY_CHECK_EVERY_EVENTS: u64 = 1_024;

/// A saved world and checker at an event boundary.
///
/// The world is saved without its client history, which grows with the run: the live world's
/// history is rewound in place instead (to `clients_len` requests with `pending` unanswered,
/// see `sim/history.rs`). That keeps a snapshot's size independent of the run's length.
#[derive(Clone, Debug)]
struct Snapshot<P: Protocol> {
    events: u64,
    t_ms: u64,
    world: World<P>,
    checker: P::Checker,
    clients_len: usize,
    pending: Vec<ReqId>,
    /// Its estimated size (the memory budget).
    bytes: u64,
}

///
/// Generic over the protocol (`Session<BasicPaxos>`); `Session` alone is Ceph's. Its checker
/// is the protocol's own (`Protocol::Checker`).
#[derive(Clone, Debug)]
pub struct Session<P: Protocol = Ceph> {
    /// The scenario this run replays: the base plus every user action, in time order.
    scenario: Scenario,
    world: World<P>,
    checker: P::Checker,
    trace: Vec<TraceEvent<P>>,
    record: bool,
    snapshots: Vec<Snapshot<P>>,
    /// Take a snapshot every this many events (0 = never).
    snapshot_every: u64,
    violation: Option<Violation>,
    hash: TraceHasher,
    /// Events processed by the furthest run so far.
    frontier_events: u64,
    last_step_len: usize,
    /// The latest step's entries when not recording.
    unrecorded: Vec<TraceEvent<P>>,
    /// The budget this run went over: it stands still at that event.
    exceeded: Option<BudgetExceeded>,
    /// Estimated bytes of every snapshot together.
    snapshot_bytes: u64,
    budget: Budget,
}

/// Ceph's constructors: `Session::new(scenario)` is a Ceph run (like `HashMap::new`, they
/// pin the default type; `Session::<P>::open` is the same for any protocol).
impl Session<Ceph> {
    pub fn new(scenario: Scenario) -> Self {
        Session::open(scenario)
    }

    /// `record`: keep the trace (the campaign and the bench can skip it);
    /// `snapshot_every`: events between time-travel snapshots (0 = none).
    pub fn with_options(scenario: Scenario, record: bool, snapshot_every: u64) -> Self {
        Session::open_with(scenario, record, snapshot_every)
    }
}

impl<P: Protocol> Session<P> {
    /// A recorded run of `scenario` with protocol `P`, a snapshot every 2,000 events.
    pub fn open(scenario: Scenario) -> Self {
        Session::open_with(scenario, true, 2_000)
    }

    /// `record`: keep the trace (the campaign and the bench can skip it);
    /// `snapshot_every`: events between time-travel snapshots (0 = none).
    pub fn open_with(scenario: Scenario, record: bool, snapshot_every: u64) -> Self {
        let world = World::new(&scenario);
        let checker = P::Checker::new(&world);
        let mut s = Session {
            scenario,
            world,
            checker,
            trace: Vec::new(),
            record,
            snapshots: Vec::new(),
            snapshot_every,
            violation: None,
            hash: TraceHasher::default(),
            frontier_events: 0,
            last_step_len: 0,
            unrecorded: Vec::new(),
            exceeded: None,
            snapshot_bytes: 0,
            budget: Budget::DEFAULT,
        };
        s.absorb_step();
        s.take_snapshot();
        s
    }

    /// This session with other limits than `Budget::DEFAULT` (benchmarks of large runs).
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// Switch every protocol invariant off for this run (blind canaries): the checker keeps
    /// its facts and timing findings, and reports no violation.
    pub fn disable_all_invariants(&mut self) {
        self.checker.disable_all();
        for snap in &mut self.snapshots {
            snap.checker.disable_all();
        }
        self.violation = None;
    }

    pub fn world(&self) -> &World<P> {
        &self.world
    }
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    pub fn trace(&self) -> &[TraceEvent<P>] {
        &self.trace
    }
    /// The trace entries of the latest step (recorded or not).
    pub fn last_step(&self) -> &[TraceEvent<P>] {
        if self.record && self.unrecorded.is_empty() {
            &self.trace[self.trace.len() - self.last_step_len..]
        } else {
            &self.unrecorded
        }
    }
    pub fn violation(&self) -> Option<&Violation> {
        self.violation.as_ref()
    }
    /// The budget the run went over, if it did: the run then goes no further than that event
    /// (seeking back and replaying up to it still works).
    pub fn budget_exceeded(&self) -> Option<&BudgetExceeded> {
        self.exceeded.as_ref()
    }
    /// True when the run cannot go on: a violation, or the budget at the frontier.
    pub fn stopped(&self) -> bool {
        self.violation.is_some()
            || self
                .exceeded
                .as_ref()
                .is_some_and(|b| self.world.events() >= b.event)
    }
    /// What the run keeps, counted (the memory budget's estimate and its parts).
    pub fn kept(&self) -> Kept {
        Kept {
            trace_entries: self.trace.len() as u64,
            client_records: self.world.clients().len() as u64,
            live: self.world_size(),
            snapshots: self.snapshots.len() as u64,
            snapshot_bytes: self.snapshot_bytes,
        }
    }
    pub fn checker(&self) -> &P::Checker {
        &self.checker
    }
    pub fn now_ms(&self) -> u64 {
        self.world.now_ms()
    }
    /// Hash of everything recorded so far: equal hashes mean the same run.
    pub fn trace_hash(&self) -> u64 {
        self.hash.finish()
    }

    /// Process one event. False when the queue is empty or a violation stopped the run.
    pub fn step(&mut self) -> bool {
        if self.stopped() || !self.world.step() {
            return false;
        }
        self.absorb_step();
        if self.snapshot_every > 0 && self.world.events().is_multiple_of(self.snapshot_every) {
            self.take_snapshot();
        }
        true
    }

    /// Run every event up to `t_ms` (or until a violation), then stand at `t_ms`.
    pub fn run_until(&mut self, t_ms: u64) {
        while self.world.next_event_ms().is_some_and(|t| t <= t_ms) && self.step() {}
        if !self.stopped() {
            self.world.run_until(t_ms);
        }
    }

    /// Like `run_until`, but at most `max_events` events: a front end that must stay
    /// responsive runs a long stretch in slices. True once the run stands at `t_ms` (or
    /// stopped: a violation or the budget).
    pub fn run_until_at_most(&mut self, t_ms: u64, max_events: u64) -> bool {
        for _ in 0..max_events {
            if !self.world.next_event_ms().is_some_and(|t| t <= t_ms) || !self.step() {
                break;
            }
        }
        if self.world.next_event_ms().is_some_and(|t| t <= t_ms) && !self.stopped() {
            return false;
        }
        self.run_until(t_ms);
        true
    }

    /// Check the step; record and hash it only if it is new (past the frontier): after a
    /// seek, replaying the known future must not record it twice.
    fn absorb_step(&mut self) {
        // The log is read where the world wrote it, then moved out in one swap.
        if let Err(v) = self.checker.after_step(&self.world, &self.world.step_log) {
            self.violation = Some(v);
        }
        let is_new = self.world.events() > self.frontier_events || self.world.events() == 0;
        self.last_step_len = self.world.step_log.len();
        if !is_new {
            self.keep_unrecorded();
            return;
        }
        self.frontier_events = self.world.events();
        self.world.client_history_mut().caught_up();
        for e in &self.world.step_log {
            e.hash_into(&mut self.hash);
        }
        if self.record {
            self.unrecorded.clear();
            // Leaves the world an empty buffer with room: no allocation next step.
            self.trace.append(&mut self.world.step_log);
        } else {
            self.keep_unrecorded();
        }
        if self.exceeded.is_none() {
            self.exceeded = self.over_budget();
        }
    }

    /// The budget this new step went over, if any (`budget.rs`). Checked only past the
    /// frontier: a replay repeats the run up to where it stopped.
    fn over_budget(&self) -> Option<BudgetExceeded> {
        let (second, in_second) = self.world.events_this_second();
        let at = budget::Progress {
            events: self.world.events(),
            second,
            in_second,
            now_ms: self.world.now_ms(),
        };
        self.budget.exceeded(&self.scenario, at, &|| self.kept())
    }

    fn world_size(&self) -> WorldSize {
        WorldSize {
            checker_entries: self.checker.kept_entries(),
            ..self.world.size()
        }
    }

    /// Keep the step's entries for `last_step` and hand the old buffer back to the world,
    /// so an unrecorded run allocates no new log per step.
    fn keep_unrecorded(&mut self) {
        std::mem::swap(&mut self.unrecorded, &mut self.world.step_log);
        self.world.step_log.clear();
    }

    fn take_snapshot(&mut self) {
        if self
            .snapshots
            .last()
            .is_some_and(|s| s.events >= self.world.events())
        {
            return;
        }
        let history = self.world.take_client_history();
        let world = self.world.clone();
        self.world.put_client_history(history);
        let bytes = self.world_size().bytes();
        self.snapshot_bytes += bytes;
        self.snapshots.push(Snapshot {
            bytes,
            events: self.world.events(),
            t_ms: self.world.now_ms(),
            clients_len: self.world.clients().len(),
            pending: self.world.pending_client_ids().iter().copied().collect(),
            world,
            checker: self.checker.clone(),
        });
    }

    /// Time travel: the exact state at `t_ms`, rebuilt from the nearest earlier snapshot and
    /// replayed silently up to the frontier; past the frontier the run goes on recording.
    pub fn seek(&mut self, t_ms: u64) {
        let Some(i) = self.snapshots.iter().rposition(|s| s.t_ms <= t_ms) else {
            return;
        };
        let mut history = self.world.take_client_history();
        let snap = &self.snapshots[i];
        history.rewind(snap.clients_len, snap.pending.iter().copied());
        self.world = snap.world.clone();
        self.world.put_client_history(history);
        self.checker = snap.checker.clone();
        self.violation = None;
        self.run_until(t_ms);
    }

    /// Events recorded so far (the frontier of the run).
    pub fn known_events(&self) -> u64 {
        self.frontier_events
    }

    /// A user action now. If the playhead is behind the frontier, the future is thrown away
    /// (a fork): user actions after now are dropped and the run continues from here.
    pub fn inject(&mut self, action: Action) -> Result<u64, String> {
        let now_events = self.world.events();
        if now_events < self.known_events() {
            self.fork_at_playhead();
        }
        let at_ms = self.world.inject(action.clone())?;
        // Every saved world is behind it: a replay from any of them must meet it too.
        for snap in &mut self.snapshots {
            snap.world.share_injected_action(&self.world);
        }
        let pos = self.scenario.actions.partition_point(|a| a.at_ms <= at_ms);
        self.scenario
            .actions
            .insert(pos, TimedAction { at_ms, action });
        Ok(at_ms)
    }

    /// Throw the recorded future away. Scripted actions still ahead stay; the user's actions
    /// ahead are dropped, from the scenario and from every world (live and saved).
    fn fork_at_playhead(&mut self) {
        let events = self.world.events();
        let now = self.world.now_ms();
        self.trace.retain(|e| e.event <= events);
        self.snapshots.retain(|s| s.events <= events);
        self.snapshot_bytes = self.snapshots.iter().map(|s| s.bytes).sum();
        if self.exceeded.as_ref().is_some_and(|b| b.event > events) {
            // It was hit in the future just thrown away.
            self.exceeded = None;
        }
        self.frontier_events = events;
        self.world.client_history_mut().forget_future();
        self.world.drop_injected_actions_after(now);
        for snap in &mut self.snapshots {
            snap.world.drop_injected_actions_after(now);
        }
        self.scenario
            .actions
            .retain(|a| a.at_ms <= now || self.world.scripted_actions().contains(a));
        self.hash = TraceHasher::default();
        for e in &self.trace {
            e.hash_into(&mut self.hash);
        }
    }
}
