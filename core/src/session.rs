//! A run as the front ends use it: the world, the checker after every event, the recorded
//! trace, and snapshots for time travel. The UI, the CLI and the campaign all drive this.

use crate::check::{Checker, Violation};
use crate::protocols::ceph::messages::{ClientReply, ReqId, Text};
use crate::protocols::ceph::Ceph;
use crate::scenario::{Action, Scenario, TimedAction};
use crate::sim::World;
use crate::trace::{TraceEvent, TraceHasher, TraceKind};

/// A saved world and checker at an event boundary.
///
/// The world is saved without its client history, which grows with the run: the live world's
/// history is rewound in place instead (to `clients_len` requests with `pending` unanswered,
/// see `sim/history.rs`). That keeps a snapshot's size independent of the run's length.
#[derive(Clone, Debug)]
struct Snapshot {
    events: u64,
    t_ms: u64,
    world: World<Ceph>,
    checker: Checker,
    clients_len: usize,
    pending: Vec<ReqId>,
}

#[derive(Clone, Debug)]
pub struct Session {
    /// The scenario this run replays: the base plus every user action, in time order.
    scenario: Scenario,
    world: World<Ceph>,
    checker: Checker,
    trace: Vec<TraceEvent<Ceph>>,
    record: bool,
    snapshots: Vec<Snapshot>,
    /// Take a snapshot every this many events (0 = never).
    snapshot_every: u64,
    violation: Option<Violation>,
    hash: TraceHasher,
    /// Events processed by the furthest run so far.
    frontier_events: u64,
    last_step_len: usize,
    /// The latest step's entries when not recording.
    unrecorded: Vec<TraceEvent<Ceph>>,
}

impl Session {
    pub fn new(scenario: Scenario) -> Self {
        Session::with_options(scenario, true, 2_000)
    }

    /// `record`: keep the trace (the campaign and the bench can skip it);
    /// `snapshot_every`: events between time-travel snapshots (0 = none).
    pub fn with_options(scenario: Scenario, record: bool, snapshot_every: u64) -> Self {
        let world = World::new(&scenario);
        let checker = Checker::new(&world);
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
        };
        s.absorb_step();
        s.take_snapshot();
        s
    }

    pub fn world(&self) -> &World<Ceph> {
        &self.world
    }
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    pub fn trace(&self) -> &[TraceEvent<Ceph>] {
        &self.trace
    }
    /// The trace entries of the latest step (recorded or not).
    pub fn last_step(&self) -> &[TraceEvent<Ceph>] {
        if self.record && self.unrecorded.is_empty() {
            &self.trace[self.trace.len() - self.last_step_len..]
        } else {
            &self.unrecorded
        }
    }
    pub fn violation(&self) -> Option<&Violation> {
        self.violation.as_ref()
    }
    pub fn checker(&self) -> &Checker {
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
        if self.violation.is_some() || !self.world.step() {
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
        while self.violation.is_none() && self.world.next_event_ms().is_some_and(|t| t <= t_ms) {
            self.step();
        }
        if self.violation.is_none() {
            self.world.run_until(t_ms);
        }
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
            hash_event(&mut self.hash, e);
        }
        if self.record {
            self.unrecorded.clear();
            // Leaves the world an empty buffer with room: no allocation next step.
            self.trace.append(&mut self.world.step_log);
        } else {
            self.keep_unrecorded();
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
        self.snapshots.push(Snapshot {
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
            hash_event(&mut self.hash, e);
        }
    }
}

/// Feed the parts of an event that define the run into the hash (not display strings).
/// docs/trace-format.md lists what is hashed; keep the two in step.
fn hash_event(h: &mut TraceHasher, e: &TraceEvent<Ceph>) {
    h.write_u64(e.event);
    h.write_u64(e.t_ms);
    h.write_u64(e.node.map_or(255, |n| n as u64));
    h.write_str(e.kind.name());
    match &e.kind {
        TraceKind::Send { to, id, msg } => {
            h.write_u64(*to as u64);
            h.write_u64(*id);
            h.write_str(msg.kind());
            if let Some(p) = msg.paxos() {
                h.write_u64(p.pn);
                h.write_u64(p.last_committed);
                h.write_u64(p.epoch);
            }
        }
        TraceKind::Deliver { id, .. } | TraceKind::Drop { id, .. } => h.write_u64(*id),
        TraceKind::Transition(t) => {
            h.write_u64(t.machine.0 as u64);
            h.write_u64(t.from.0 as u64);
            h.write_u64(t.to.0 as u64);
        }
        TraceKind::ClientReply { req_id, reply } => {
            h.write_u64(*req_id);
            hash_reply(h, reply);
        }
        _ => {}
    }
}

/// A client reply field by field: the variant's position, then its fields in order (an
/// absent string as 0, a present one as 1 and the string).
fn hash_reply(h: &mut TraceHasher, reply: &ClientReply) {
    let optional = |h: &mut TraceHasher, s: &Option<Text>| match s {
        None => h.write_u64(0),
        Some(s) => {
            h.write_u64(1);
            h.write_str(s);
        }
    };
    match reply {
        ClientReply::Written { version } => {
            h.write_u64(0);
            h.write_u64(*version);
        }
        ClientReply::Value { value, version } => {
            h.write_u64(1);
            optional(h, value);
            h.write_u64(*version);
        }
        ClientReply::CasDone {
            applied,
            current,
            version,
        } => {
            h.write_u64(2);
            h.write_bool(*applied);
            optional(h, current);
            h.write_u64(*version);
        }
        ClientReply::Refused { reason } => {
            h.write_u64(3);
            h.write_str(reason);
        }
        ClientReply::Retry { reason } => {
            h.write_u64(4);
            h.write_str(reason);
        }
    }
}
