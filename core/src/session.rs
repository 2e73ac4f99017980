//! A run as the front ends use it: the world, the checker after every event, the recorded
//! trace, and snapshots for time travel. The UI, the CLI and the campaign all drive this.
//!
//! The trace is kept in a window: the entries from a snapshot somewhat before the playhead
//! up to the furthest point replayed since. A session that keeps the whole trace (the
//! default: the CLI and the tests read it all) never trims the window; a windowed one
//! (`Session::windowed`, the playground and the memory bench) trims it at each snapshot, and
//! re-derives any older part by replay (`Session::replay_entries`): the run is deterministic,
//! so a replay from a snapshot gives back exactly the entries recorded.

use crate::actor::{Protocol, RunChecker};
use crate::budget::{self, Budget, BudgetExceeded, Kept, WorldSize};
use crate::check::Violation;
use crate::client::ReqId;
use crate::protocols::ceph::Ceph;
use crate::scenario::{Action, Scenario, TimedAction};
use crate::sim::World;
use crate::trace::{ContentHash, TraceEvent, TraceHasher};
use std::rc::Rc;

/// Most events a run may process in all (the budget, `budget.rs`): a few seconds of an
/// unrecorded run natively. A recorded run that keeps its whole trace reaches `MAX_KEPT_BYTES`
/// first, near a million events; the playground's windowed run reaches this first (10^7
/// events of the bench's client load keep ~700 MB by the estimate, 69 bytes per event
/// measured natively, see `MAX_WINDOWED_KEPT_BYTES`). A day of Ceph's defaults idle is
/// 260,000 events (490,000 with nine monitors).
pub const MAX_RUN_EVENTS: u64 = 10_000_000;
/// Most bytes a run may keep, as estimated from its counts (`budget::Kept`): trace entries,
/// client records, the live world and checker, and every time-travel snapshot.
pub const MAX_KEPT_BYTES: u64 = 256 * 1024 * 1024;
/// The same for a windowed run (`Session::windowed`, the playground), whose trace is a
/// window: set so that `MAX_RUN_EVENTS` of the bench's client load (one request every ~7
/// events) fit, 701 MB estimated for 687 MB live natively at 10^7 events (docs/performance.md,
/// "Cost growth"); wasm32's narrower pointers keep less.
pub const MAX_WINDOWED_KEPT_BYTES: u64 = 768 * 1024 * 1024;
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
    /// Trace entries recorded before it (its position in the trace).
    entries: usize,
    /// The hash of those entries (a fork restarts hashing from here).
    hash: TraceHasher,
}

///
/// Generic over the protocol (`Session<BasicPaxos>`); `Session` alone is Ceph's. Its checker
/// is the protocol's own (`Protocol::Checker`).
#[derive(Clone, Debug)]
pub struct Session<P: Protocol = Ceph> {
    /// The scenario this run replays: the base plus every user action, in time order. Shared
    /// with the worlds (`World::shared`) until the first user action, which copies it.
    scenario: Rc<Scenario>,
    world: World<P>,
    checker: P::Checker,
    /// The entries kept: `window[0]` is entry number `window_start` of the trace.
    window: Vec<TraceEvent<P>>,
    window_start: usize,
    /// Entries recorded up to the frontier (the trace's length).
    trace_len: usize,
    /// Entries up to the playhead: the position in the trace of the next step's entries.
    replay_pos: usize,
    /// The entries of event 0 (boots), kept for replays from the first snapshot.
    boot: Vec<TraceEvent<P>>,
    /// Trim the window at every snapshot (`windowed`), instead of keeping the whole trace.
    trim: bool,
    record: bool,
    snapshots: Vec<Snapshot<P>>,
    /// Take a snapshot every this many events (0 = never).
    snapshot_every: u64,
    violation: Option<Violation>,
    hash: TraceHasher,
    /// Events processed by the furthest run so far.
    frontier_events: u64,
    /// Where the latest step's entries are in the trace (recorded runs).
    last_step_pos: usize,
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
        let scenario = Rc::new(scenario);
        let world = World::shared(Rc::clone(&scenario));
        let checker = P::Checker::new(&world);
        let mut s = Session {
            scenario,
            world,
            checker,
            window: Vec::new(),
            window_start: 0,
            trace_len: 0,
            replay_pos: 0,
            boot: Vec::new(),
            trim: false,
            record,
            snapshots: Vec::new(),
            snapshot_every,
            violation: None,
            hash: TraceHasher::default(),
            frontier_events: 0,
            last_step_pos: 0,
            last_step_len: 0,
            unrecorded: Vec::new(),
            exceeded: None,
            snapshot_bytes: 0,
            budget: Budget::DEFAULT,
        };
        s.absorb_step();
        if s.record {
            s.boot = s.window.clone();
        }
        s.take_snapshot();
        s
    }

    /// This session keeping only a window of the trace around the playhead (the playground):
    /// memory per event then no longer grows with the entries of each event, only with the
    /// snapshots and the client history. Older entries are re-derived by replay. The default
    /// budget becomes `Budget::WINDOWED` (more bytes kept, since they are no trace).
    pub fn windowed(mut self) -> Self {
        assert!(
            self.snapshot_every > 0,
            "a windowed session re-derives its trace from snapshots: snapshot_every must be > 0"
        );
        self.trim = true;
        if self.budget == Budget::DEFAULT {
            self.budget = Budget::WINDOWED;
        }
        self
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
    /// The whole trace up to the frontier. Only a session that keeps it (not `windowed`):
    /// a windowed one re-derives it with `replay_entries`.
    pub fn trace(&self) -> &[TraceEvent<P>] {
        assert!(
            !self.trim && self.window_start == 0,
            "Session::trace needs the whole trace, which a windowed session does not keep: \
             use replay_entries or resident()"
        );
        &self.window[..self.trace_len]
    }
    /// Entries recorded up to the frontier.
    pub fn trace_len(&self) -> usize {
        self.trace_len
    }
    /// The entries kept now, and the position in the trace of the first: at least from a
    /// snapshot before the playhead (`snapshot_every` events or more of history) up to the
    /// playhead, often further.
    pub fn resident(&self) -> (usize, &[TraceEvent<P>]) {
        (self.window_start, &self.window)
    }
    /// The saved world where the window starts (None at the start of the run, where every
    /// node is at its initial state).
    pub fn window_start_world(&self) -> Option<&World<P>> {
        if self.window_start == 0 {
            return None;
        }
        let i = self
            .snapshots
            .iter()
            .rposition(|s| s.entries <= self.window_start)?;
        debug_assert_eq!(
            self.snapshots[i].entries, self.window_start,
            "windows start at snapshots"
        );
        Some(&self.snapshots[i].world)
    }
    /// Entry `i` of the trace, if it is kept now (`resident`).
    pub fn entry(&self, i: usize) -> Option<&TraceEvent<P>> {
        self.window.get(i.checked_sub(self.window_start)?)
    }
    /// The trace entries of the latest step (recorded or not).
    pub fn last_step(&self) -> &[TraceEvent<P>] {
        if self.record {
            let at = self.last_step_pos - self.window_start;
            &self.window[at..at + self.last_step_len]
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
            trace_entries: self.window.len() as u64,
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
            self.trim_window();
        }
        true
    }

    /// A windowed session keeps the entries from the snapshot before the latest one at or
    /// behind the playhead: at least `snapshot_every` events of history for the views.
    fn trim_window(&mut self) {
        if !self.trim {
            return;
        }
        let at = self
            .snapshots
            .partition_point(|s| s.entries <= self.replay_pos);
        let Some(keep) = at.checked_sub(2).map(|i| self.snapshots[i].entries) else {
            return;
        };
        if keep > self.window_start {
            self.window.drain(..keep - self.window_start);
            self.window_start = keep;
        }
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
    /// seek, replaying the known future must not record it twice. A replayed step's entries
    /// join the window if it reaches them (they equal the ones recorded: the run is
    /// deterministic).
    fn absorb_step(&mut self) {
        // The log is read where the world wrote it, then moved out in one swap.
        if let Err(v) = self.checker.after_step(&self.world, &self.world.step_log) {
            self.violation = Some(v);
        }
        let is_new = self.world.events() > self.frontier_events || self.world.events() == 0;
        self.last_step_len = self.world.step_log.len();
        self.last_step_pos = self.replay_pos;
        if is_new {
            self.frontier_events = self.world.events();
            self.world.client_history_mut().caught_up();
            for e in &self.world.step_log {
                e.hash_into(&mut self.hash);
            }
        }
        if !self.record {
            self.keep_unrecorded();
        } else {
            let window_end = self.window_start + self.window.len();
            debug_assert!(
                self.replay_pos <= window_end,
                "the window reaches the playhead"
            );
            if self.replay_pos == window_end {
                // Leaves the world an empty buffer with room: no allocation next step.
                self.window.append(&mut self.world.step_log);
            } else {
                debug_assert_eq!(
                    self.window.get(self.replay_pos - self.window_start),
                    self.world.step_log.first(),
                    "a replay gives back the entries recorded"
                );
                self.world.step_log.clear();
            }
            self.replay_pos += self.last_step_len;
            if is_new {
                self.trace_len = self.replay_pos;
            }
        }
        if is_new && self.exceeded.is_none() {
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
        self.world.share_durables();
        let history = self.world.take_client_history();
        let world = self.world.clone();
        self.world.put_client_history(history);
        let bytes = self.world_size().bytes();
        self.snapshot_bytes += bytes;
        debug_assert!(
            !self.record || self.world.events() == self.frontier_events,
            "snapshots are taken at the frontier, where the hash is the playhead's"
        );
        self.snapshots.push(Snapshot {
            bytes,
            entries: self.replay_pos,
            hash: self.hash.clone(),
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
    /// When the window does not hold the entries from the snapshot before that one, the
    /// replay starts there instead, to bring them back (at most twice `snapshot_every`
    /// events replayed).
    pub fn seek(&mut self, t_ms: u64) {
        let Some(mut i) = self.snapshots.iter().rposition(|s| s.t_ms <= t_ms) else {
            return;
        };
        let window_end = self.window_start + self.window.len();
        let from = i.saturating_sub(1);
        let held = |s: &Snapshot<P>| (self.window_start..=window_end).contains(&s.entries);
        if self.record && !(held(&self.snapshots[from]) && held(&self.snapshots[i])) {
            i = from;
            self.window.clear();
            self.window_start = self.snapshots[i].entries;
            if i == 0 {
                // From the run's start: its boot entries too.
                self.window.extend(self.boot.iter().cloned());
                self.window_start = 0;
            }
        }
        self.restore(i);
        self.run_until(t_ms);
    }

    /// Stand at snapshot `i`: its world and checker, the client history rewound.
    fn restore(&mut self, i: usize) {
        let mut history = self.world.take_client_history();
        let snap = &self.snapshots[i];
        history.rewind(snap.clients_len, snap.pending.iter().copied());
        self.world = snap.world.clone();
        self.world.put_client_history(history);
        self.checker = snap.checker.clone();
        self.replay_pos = snap.entries;
        self.violation = None;
    }

    /// The trace entries of events `first..=last` (up to the frontier), re-derived by replay
    /// from the nearest snapshot where the window does not hold them: exports of a whole run
    /// use it. The run stands where it stood before (the world and history put back, the
    /// checker untouched: it only watches, so a replay without it gives the same entries).
    pub fn replay_entries(&mut self, first: u64, last: u64) -> Vec<TraceEvent<P>> {
        assert!(
            self.record,
            "an unrecorded session has no trace to re-derive"
        );
        let last = last.min(self.frontier_events);
        let (start, held) = self.resident();
        let window_first = held.first().map_or(u64::MAX, |e| e.event);
        let reaches_back = start == 0 || window_first <= first;
        let reaches_on =
            self.trace_len == start + held.len() || held.last().is_some_and(|e| e.event > last);
        if reaches_back && reaches_on {
            let from = held.partition_point(|e| e.event < first);
            let to = held.partition_point(|e| e.event <= last);
            return held[from..to].to_vec();
        }
        let i = self
            .snapshots
            .iter()
            .rposition(|s| s.events < first.max(1))
            .expect("the first snapshot is at event 0");
        let mut out: Vec<TraceEvent<P>> = if i == 0 {
            self.boot
                .iter()
                .filter(|e| e.event >= first)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        // Save where the run stands, replay on a copy of snapshot i's world, put it back.
        let (clients_len, pending): (usize, Vec<ReqId>) = (
            self.world.clients().len(),
            self.world.pending_client_ids().iter().copied().collect(),
        );
        let mut history = self.world.take_client_history();
        let here = self.world.clone();
        let snap = &self.snapshots[i];
        history.rewind(snap.clients_len, snap.pending.iter().copied());
        let mut world = snap.world.clone();
        world.put_client_history(history);
        while world.events() < last && world.step() {
            if world.events() >= first {
                out.append(&mut world.step_log);
            } else {
                world.step_log.clear();
            }
        }
        let mut history = world.take_client_history();
        history.rewind(clients_len, pending);
        self.world = here;
        self.world.put_client_history(history);
        out
    }

    /// The entries up to the playhead whose time is within `[from_ms, to_ms]`, re-derived by
    /// replay from the snapshot before `from_ms` where the window does not hold them.
    pub fn entries_between_ms(&mut self, from_ms: u64, to_ms: u64) -> Vec<TraceEvent<P>> {
        let first = self
            .snapshots
            .iter()
            .rposition(|s| s.t_ms < from_ms)
            .map_or(0, |i| self.snapshots[i].events + 1);
        let mut out = self.replay_entries(first, self.world.events());
        out.retain(|e| (from_ms..=to_ms).contains(&e.t_ms));
        out
    }

    /// Position in the trace just after the entries of `event` and before, when the window
    /// holds them; otherwise where the window starts (earlier entries are not kept).
    pub fn trace_end_at(&self, event: u64) -> usize {
        self.window_start + self.window.partition_point(|e| e.event <= event)
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
        Rc::make_mut(&mut self.scenario)
            .actions
            .insert(pos, TimedAction { at_ms, action });
        Ok(at_ms)
    }

    /// Throw the recorded future away. Scripted actions still ahead stay; the user's actions
    /// ahead are dropped, from the scenario and from every world (live and saved).
    fn fork_at_playhead(&mut self) {
        let events = self.world.events();
        let now = self.world.now_ms();
        if self.record {
            self.window.truncate(self.replay_pos - self.window_start);
            self.trace_len = self.replay_pos;
        }
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
        let scripted = self.world.scripted_actions();
        let ahead = &scripted[scripted.partition_point(|a| a.at_ms <= now)..];
        let total = self.scenario.actions.len();
        let past = self.scenario.actions.partition_point(|a| a.at_ms <= now);
        if total - past > ahead.len() {
            let kept = scripted_among(&self.scenario.actions[past..], ahead);
            let actions = &mut Rc::make_mut(&mut self.scenario).actions;
            actions.truncate(past);
            actions.extend(kept);
        }
        debug_assert_eq!(self.scenario.actions.len(), past + ahead.len());
        self.hash = self.hash_at_playhead();
    }

    /// The hash of the entries up to the playhead: the latest snapshot's, then the entries
    /// after it, which the window holds (it reaches back at least to that snapshot).
    fn hash_at_playhead(&self) -> TraceHasher {
        let snap = self
            .snapshots
            .last()
            .expect("the first snapshot is at event 0");
        let mut hash = snap.hash.clone();
        if self.record {
            let from = snap.entries - self.window_start;
            for e in &self.window[from..self.replay_pos - self.window_start] {
                e.hash_into(&mut hash);
            }
        }
        hash
    }
}

/// The scenario's actions ahead of a fork that are the script's own (`ahead`, in script order),
/// dropping the user's: one pass over both, since both are in time order and `Session::inject`
/// puts a user action after every action of the same millisecond. (A search of the script for
/// each action made a fork quadratic in a long scenario's actions.)
fn scripted_among(actions: &[TimedAction], ahead: &[TimedAction]) -> Vec<TimedAction> {
    let mut kept = Vec::with_capacity(ahead.len());
    for a in actions {
        if ahead.get(kept.len()) == Some(a) {
            kept.push(a.clone());
        }
    }
    assert_eq!(
        kept.len(),
        ahead.len(),
        "every scripted action ahead is in the scenario"
    );
    kept
}
