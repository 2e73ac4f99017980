//! The event loop. The world owns simulated time, the nodes, the bus, the timers and the
//! randomness; nodes only see inputs and their own clock. Events are ordered by
//! (time, class, ordinal): scenario actions first at a given millisecond, in scenario order,
//! then everything else in the order it was scheduled. Nothing else influences the order,
//! so a seed and a scenario determine the run.

use super::armed::ArmedTimers;
use super::bus::Bus;
use super::clock::NodeClock;
use super::history::ClientHistory;
use super::queue::{EventKey, EventQueue, Handle};
use super::rng::{SimRng, Stream};
use crate::actor::{Effect, Input, MembershipChange, NodeStatus, Protocol, Rank};
use crate::client::{ClientOp, ClientReply, ClientRequest, ReqId};
use crate::protocols::ceph::config::Config;
use crate::scenario::{Action, Allowance, MonmapChange, Scenario, TimedAction};
use crate::sorted::SortedSet;
use crate::trace::{TraceEvent, TraceKind};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Most simulator events a run may process within one whole simulated second (from `k` s up
/// to, not including, `k + 1` s); the session stops a run that goes over (`budget.rs`).
/// Measured (events per simulated second): Ceph's defaults idle 3 with five monitors and 6
/// with nine, under the bench's client load 35; a burst of `MAX_ACTIONS` client requests in
/// one second about 26,000 in that second; a 1 ms lease renewal 8,800 with five monitors and
/// 16,600 with nine; nine monitors at zero latency with every timeout 1 ms over 330,000; a
/// lease of 1 ms at zero latency (its renewal rounds down to 0 ms) an unbounded number within
/// a single millisecond. docs/scenario-format.md ("Run budget") has the table.
pub const MAX_EVENTS_PER_SIM_S: u64 = 100_000;

/// How long `crash-in-commit` waits for a leader's commit write before it lapses.
pub const CRASH_IN_COMMIT_WINDOW_MS: u64 = 10_000;

/// One node's place in the world: the running process (if up), its clock and bookkeeping.
#[derive(Clone, Debug)]
pub struct Slot<P: Protocol> {
    /// `None` while crashed.
    pub node: Option<P::Node>,
    /// The store a crashed node will restart from.
    pub durable_while_down: Option<P::Durable>,
    pub paused: bool,
    /// Inputs that arrived while paused, delivered in order on resume.
    held: Vec<Ev<P>>,
    pub clock: NodeClock,
    /// Bumped at each crash so timers armed by an earlier life never fire.
    incarnation: u64,
    timer_gen: ArmedTimers<P::Timer>,
}

/// A client request's life, for the UI and the linearizability check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRecord {
    pub id: ReqId,
    pub node: Rank,
    pub op: ClientOp,
    pub invoke_ms: u64,
    pub complete_ms: Option<u64>,
    pub reply: Option<ClientReply>,
}

#[derive(Clone, Debug)]
enum Ev<P: Protocol> {
    Deliver {
        from: Rank,
        to: Rank,
        id: u64,
        msg: Rc<P::Msg>,
        sent_ms: u64,
    },
    Timer {
        node: Rank,
        timer: P::Timer,
        gen: u64,
        incarnation: u64,
    },
    Client {
        node: Rank,
        req: ClientRequest,
    },
    /// A monmap change held for a paused node.
    Monmap {
        node: Rank,
        change: MonmapChange,
    },
    Action(usize),
}

/// A message on the wire, for the UI's animation and hover cards.
#[derive(Clone, Debug)]
pub struct InFlight<'a, P: Protocol> {
    pub from: Rank,
    pub to: Rank,
    pub id: u64,
    pub sent_ms: u64,
    pub arrive_ms: u64,
    pub msg: &'a P::Msg,
}

/// Ordinals of ordinary events count up from here and those of `push_first` down, so both fit
/// below the queue's class bit and every `push_first` sorts before every ordinary event.
const SEQ_BASE: u64 = 1 << 62;

#[derive(Clone, Debug)]
pub struct World<P: Protocol> {
    /// The simulator's settings (node count, latency, jitter) and Ceph's.
    pub config: Rc<Config>,
    /// The protocol's own settings (`Protocol::configure`), shared by every node it boots.
    protocol: Rc<P::Config>,
    pub seed: u64,
    allow_reorder: bool,
    allow_duplicate: bool,
    now_ms: u64,
    nodes: Vec<Slot<P>>,
    pub bus: Bus,
    queue: EventQueue<Ev<P>>,
    /// Ordinal of the latest ordinary event (class 1), counting up from `SEQ_BASE`.
    seq: u64,
    /// Ordinal of the latest event pushed ahead of the others at its time (`push_first`),
    /// counting down from `SEQ_BASE`.
    first_seq: u64,
    /// The scenario the world was made from, shared (an `Rc`) with the session that runs it
    /// and with every snapshot: its actions are not copied (under a scripted client load they
    /// were 11 of a recorded run's 65 bytes per event). `script.actions[..scripted]` are the
    /// actions with index below `scripted`, in time order; they are not in `queue` but taken
    /// in turn from `next_scripted`, with the same (time, class 0, index) key a queue entry
    /// would have. This keeps a snapshot's queue small in a long scripted run.
    script: Rc<Scenario>,
    scripted: usize,
    /// The actions injected while running (all of the scenario's, if they were not in time
    /// order), action `scripted + j` at `injected[j]`. Shared with snapshots: only an
    /// injection copies it.
    injected: Rc<Vec<TimedAction>>,
    next_scripted: usize,
    rng_latency: SimRng,
    rng_loss: SimRng,
    rng_beyond: SimRng,
    rng_backoff: SimRng,
    next_msg_id: u64,
    next_timer_gen: u64,
    /// `crash-in-commit` armed until this time (it lapses if no commit write starts by then).
    crash_in_commit_until: Option<u64>,
    clients: ClientHistory,
    /// Requests not answered yet (ids): a snapshot saves just these, see `history.rs`.
    pending_clients: SortedSet<ReqId>,
    events: u64,
    /// The whole simulated second the latest event fell in, and how many events fell in it
    /// (the event-rate budget, `MAX_EVENTS_PER_SIM_S`).
    rate_second: u64,
    events_this_second: u64,
    /// Trace entries produced by the latest step (the caller drains or copies them).
    pub step_log: Vec<TraceEvent<P>>,
    effects: Vec<Effect<P>>,
}

/// Build the configuration a scenario asks for.
pub fn config_for(scenario: &Scenario) -> Config {
    let mut c = Config::default();
    for (k, v) in &scenario.overrides {
        c.set(*k, *v);
    }
    c.mutations = scenario.mutations.iter().copied().collect();
    c.election_strategy = scenario.election;
    c.disallowed_leaders = scenario.disallowed.iter().copied().collect();
    c.pinging = scenario.pinging;
    c
}

impl<P: Protocol> World<P> {
    /// A world at time 0 with every node booted and the scenario's actions scheduled.
    pub fn new(scenario: &Scenario) -> Self {
        Self::shared(Rc::new(scenario.clone()))
    }

    /// `new`, keeping the scenario's actions in `scenario` itself (no copy).
    pub fn shared(scenario: Rc<Scenario>) -> Self {
        assert_eq!(
            scenario.protocol,
            P::ID,
            "a World<{}> runs scenarios that say `protocol {}`",
            P::NAME,
            P::ID
        );
        let config = Rc::new(config_for(&scenario));
        let protocol = Rc::new(P::configure(&scenario));
        let n = config.monitors;
        let seed = scenario.seed;
        let mut w = World {
            allow_reorder: scenario.allowances.contains(&Allowance::Reorder),
            allow_duplicate: scenario.allowances.contains(&Allowance::Duplicate),
            now_ms: 0,
            nodes: (0..n).map(|r| Self::fresh_slot(r, &protocol)).collect(),
            bus: Bus::new(n),
            queue: EventQueue::default(),
            seq: SEQ_BASE,
            first_seq: SEQ_BASE,
            script: Rc::clone(&scenario),
            scripted: 0,
            injected: Rc::new(Vec::new()),
            next_scripted: 0,
            rng_latency: SimRng::new(seed, Stream::Latency),
            rng_loss: SimRng::new(seed, Stream::Loss),
            rng_beyond: SimRng::new(seed, Stream::Beyond),
            rng_backoff: SimRng::new(seed, Stream::Backoff),
            next_msg_id: 0,
            next_timer_gen: 0,
            crash_in_commit_until: None,
            clients: ClientHistory::default(),
            pending_clients: SortedSet::new(),
            events: 0,
            rate_second: 0,
            events_this_second: 0,
            step_log: Vec::new(),
            effects: Vec::new(),
            config,
            protocol,
            seed,
        };
        if scenario
            .actions
            .windows(2)
            .all(|p| p[0].at_ms <= p[1].at_ms)
        {
            w.scripted = scenario.actions.len();
            // As if each had been pushed: keeps later ordinals exactly as they always were.
            w.seq += scenario.actions.len() as u64;
        } else {
            for ta in &scenario.actions {
                w.schedule_action(ta.clone());
            }
        }
        for r in 0..n {
            w.run_node(r, Input::Start);
        }
        w
    }

    fn fresh_slot(rank: Rank, config: &Rc<P::Config>) -> Slot<P> {
        Slot {
            node: Some(P::boot(rank, config, P::Durable::default())),
            durable_while_down: None,
            paused: false,
            held: Vec::new(),
            clock: NodeClock::default(),
            incarnation: 0,
            timer_gen: ArmedTimers::default(),
        }
    }

    // ----- reading the world -----

    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }
    /// The protocol's own settings (`Protocol::configure`).
    pub fn protocol_config(&self) -> &Rc<P::Config> {
        &self.protocol
    }
    /// Number of events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }
    pub fn n(&self) -> u8 {
        self.config.monitors
    }
    /// The whole simulated second of the latest event and the events processed in it so far.
    pub fn events_this_second(&self) -> (u64, u64) {
        (self.rate_second, self.events_this_second)
    }
    /// What this world holds that grows with the run, for the memory budget (`budget.rs`).
    pub fn size(&self) -> crate::budget::WorldSize {
        let held: usize = self.nodes.iter().map(|s| s.held.len()).sum();
        crate::budget::WorldSize {
            queued_events: (self.queue.len() + held) as u64,
            stored_entries: (0..self.n())
                .map(|r| P::durable_entries(self.durable(r)))
                .sum(),
            checker_entries: 0,
        }
    }
    pub fn node(&self, r: Rank) -> Option<&P::Node> {
        self.nodes.get(r as usize).and_then(|s| s.node.as_ref())
    }
    pub fn slot(&self, r: Rank) -> &Slot<P> {
        &self.nodes[r as usize]
    }
    pub fn status(&self, r: Rank) -> Option<NodeStatus> {
        let local_ms = self.nodes[r as usize].clock.local_ms(self.now_ms);
        self.node(r).map(|n| P::status(n, local_ms))
    }
    /// The durable store of a node, whether it is up or down.
    pub fn durable(&self, r: Rank) -> &P::Durable {
        let s = &self.nodes[r as usize];
        match &s.node {
            Some(n) => P::durable(n),
            None => s
                .durable_while_down
                .as_ref()
                .expect("a down node keeps its store"),
        }
    }
    /// Let every running node's store share memory with the first one's where they hold the
    /// same entries (`Protocol::share_durable`): what the world is does not change, only how
    /// much of it a snapshot copies.
    pub(crate) fn share_durables(&mut self) {
        let first = self.durable(0).clone();
        for slot in self.nodes.iter_mut().skip(1) {
            if let Some(node) = slot.node.as_mut() {
                P::share_durable(node, &first);
            }
        }
    }
    pub fn clients(&self) -> &[ClientRecord] {
        self.clients.visible()
    }
    /// The client request with this id, if it was made by now.
    pub fn client(&self, id: ReqId) -> Option<&ClientRecord> {
        self.clients.get(id)
    }
    /// The scenario's own actions (the rest were injected while running).
    pub fn scripted_actions(&self) -> &[TimedAction] {
        &self.script.actions[..self.scripted]
    }
    /// Action `i`, scripted or injected.
    fn action(&self, i: usize) -> &TimedAction {
        match i.checked_sub(self.scripted) {
            None => &self.script.actions[i],
            Some(j) => &self.injected[j],
        }
    }
    /// Take the client history out (a session snapshots the world without it, see
    /// `history.rs`); `put_client_history` puts one back.
    pub(crate) fn take_client_history(&mut self) -> ClientHistory {
        std::mem::take(&mut self.clients)
    }
    pub(crate) fn put_client_history(&mut self, history: ClientHistory) {
        self.clients = history;
        debug_assert!(self
            .pending_clients
            .iter()
            .all(|id| self.clients()[*id as usize - 1].complete_ms.is_none()));
    }
    /// Past the frontier again, or forking: see `ClientHistory`.
    pub(crate) fn client_history_mut(&mut self) -> &mut ClientHistory {
        &mut self.clients
    }
    /// Requests not answered yet, by id.
    pub(crate) fn pending_client_ids(&self) -> &SortedSet<ReqId> {
        &self.pending_clients
    }
    pub fn reorder_allowed(&self) -> bool {
        self.allow_reorder
    }
    pub fn duplicate_allowed(&self) -> bool {
        self.allow_duplicate
    }
    /// Time of the next event, if any.
    pub fn next_event_ms(&self) -> Option<u64> {
        let queued = self.queue.peek_key().map(|k| k.t_ms);
        match self.next_scripted_key() {
            Some(k) => Some(queued.map_or(k.t_ms, |q| q.min(k.t_ms))),
            None => queued,
        }
    }
    pub fn in_flight(&self) -> Vec<InFlight<'_, P>> {
        let mut v: Vec<InFlight<'_, P>> = self
            .queue
            .iter()
            .filter_map(|(key, ev)| match ev {
                Ev::Deliver {
                    from,
                    to,
                    id,
                    msg,
                    sent_ms,
                } => Some(InFlight {
                    from: *from,
                    to: *to,
                    id: *id,
                    sent_ms: *sent_ms,
                    arrive_ms: key.t_ms,
                    msg: &**msg,
                }),
                _ => None,
            })
            .collect();
        crate::sorted::sort_by_u64_pair(&mut v, |m| (m.arrive_ms, m.id));
        v
    }
    /// Armed timers of a node: (timer, deadline in true time).
    pub fn pending_timers(&self, r: Rank) -> Vec<(P::Timer, u64)> {
        let mut v = self.armed_timers(r).collect::<Vec<_>>();
        v.sort();
        v
    }

    /// When node `r`'s timer `which` fires (true time), if it is armed. No sort, no list: the
    /// page asks this every frame, and a sort instantiated for it costs wasm.
    pub fn timer_deadline(&self, r: Rank, which: P::Timer) -> Option<u64> {
        self.armed_timers(r)
            .filter(|(t, _)| *t == which)
            .map(|(_, at)| at)
            .min()
    }

    /// Armed timers of a node, in queue order.
    fn armed_timers(&self, r: Rank) -> impl Iterator<Item = (P::Timer, u64)> + '_ {
        let slot = &self.nodes[r as usize];
        self.queue.iter().filter_map(move |(key, ev)| match ev {
            Ev::Timer {
                node,
                timer,
                gen,
                incarnation,
            } if *node == r
                && *incarnation == slot.incarnation
                && slot.timer_gen.generation(timer) == Some(*gen) =>
            {
                Some((*timer, key.t_ms))
            }
            _ => None,
        })
    }

    // ----- scheduling -----

    fn push(&mut self, t_ms: u64, ev: Ev<P>) -> Handle {
        self.seq += 1;
        let (class, ordinal) = match ev {
            Ev::Action(i) => (0, i as u64),
            _ => (1, self.seq),
        };
        self.push_keyed(t_ms, class, ordinal, ev)
    }

    /// Queues `ev` at `t_ms` ahead of every other non-action event queued for that time, and
    /// behind those pushed first before it. Resume uses it: the inputs a paused node held
    /// arrived before anything else that is due now, and a link must stay FIFO.
    fn push_first(&mut self, t_ms: u64, ev: Ev<P>) -> Handle {
        debug_assert!(!matches!(ev, Ev::Action(_)), "actions keep their own order");
        self.first_seq -= 1;
        self.push_keyed(t_ms, 1, self.first_seq, ev)
    }

    fn push_keyed(&mut self, t_ms: u64, class: u8, ordinal: u64, ev: Ev<P>) -> Handle {
        self.queue.push(
            EventKey {
                t_ms,
                class,
                ordinal,
            },
            ev,
        )
    }

    fn schedule_action(&mut self, ta: TimedAction) {
        let i = self.scripted + self.injected.len();
        let at = ta.at_ms;
        Rc::make_mut(&mut self.injected).push(ta);
        self.push(at, Ev::Action(i));
    }

    /// The queue key of the next scripted action not yet run.
    fn next_scripted_key(&self) -> Option<EventKey> {
        let i = self.next_scripted;
        (i < self.scripted).then(|| EventKey {
            t_ms: self.script.actions[i].at_ms,
            class: 0,
            ordinal: i as u64,
        })
    }

    /// The next event: the queue's head or the next scripted action, whichever key is lower.
    fn pop_next(&mut self) -> Option<(EventKey, Ev<P>)> {
        if let Some(key) = self.next_scripted_key() {
            if self.queue.peek_key().is_none_or(|head| key < head) {
                self.next_scripted += 1;
                return Some((key, Ev::Action(key.ordinal as usize)));
            }
        }
        self.queue.pop()
    }

    /// A user action now: it runs at the next millisecond, so a replay of the scenario with
    /// this action at that time gives exactly the same run. Returns the time it runs at.
    pub fn inject(&mut self, action: Action) -> Result<u64, String> {
        self.validate(&action)?;
        let at_ms = self.now_ms + 1;
        self.schedule_action(TimedAction { at_ms, action });
        Ok(at_ms)
    }

    /// Give this saved world (a time-travel snapshot, behind `live`) the action just injected
    /// into `live`, so that a replay from it meets that action too. Both then share one
    /// action list, with the action at the same index, so they order events alike.
    pub(crate) fn share_injected_action(&mut self, live: &World<P>) {
        let j = self.injected.len();
        assert_eq!(
            live.injected.len(),
            j + 1,
            "one action was injected into the live world"
        );
        debug_assert!(
            Rc::ptr_eq(&live.script, &self.script) && live.injected[..j] == self.injected[..],
            "the worlds had the same actions"
        );
        let i = self.scripted + j;
        let at_ms = live.injected[j].at_ms;
        assert!(
            at_ms > self.now_ms,
            "a saved world is behind the injected action"
        );
        self.injected = Rc::clone(&live.injected);
        self.push(at_ms, Ev::Action(i));
    }

    /// Forget the injected actions due after `t_ms` (a fork drops the future the user made).
    /// They stay in `injected`, so indices do not move; they only leave the queue.
    pub(crate) fn drop_injected_actions_after(&mut self, t_ms: u64) {
        let (scripted, injected) = (self.scripted, &self.injected);
        self.queue.retain(|ev| match ev {
            Ev::Action(i) => *i < scripted || injected[*i - scripted].at_ms <= t_ms,
            _ => true,
        });
    }

    fn validate(&self, action: &Action) -> Result<(), String> {
        let n = self.n();
        let check = |r: Rank| {
            if r < n {
                Ok(())
            } else {
                Err(format!("unknown node mon.{r}: ranks are 0-{}", n - 1))
            }
        };
        match action {
            Action::Partition(groups) => groups.iter().flatten().try_for_each(|r| check(*r)),
            _ => action_node(action).map_or(Ok(()), check),
        }
    }

    // ----- running -----

    /// Process the next event. Returns false when nothing is left to do.
    pub fn step(&mut self) -> bool {
        let Some((key, ev)) = self.pop_next() else {
            return false;
        };
        debug_assert!(key.t_ms >= self.now_ms, "time never goes back");
        self.now_ms = key.t_ms;
        self.step_log.clear();
        self.events += 1;
        let second = key.t_ms / 1000;
        if second != self.rate_second {
            self.rate_second = second;
            self.events_this_second = 0;
        }
        self.events_this_second += 1;
        match ev {
            Ev::Deliver {
                from,
                to,
                id,
                msg,
                sent_ms,
            } => self.deliver(from, to, id, msg, sent_ms),
            Ev::Timer {
                node,
                timer,
                gen,
                incarnation,
            } => self.fire_timer(node, timer, gen, incarnation),
            Ev::Client { node, req } => self.client_input(node, req),
            Ev::Monmap { node, change } => self.run_node(node, Input::Monmap(change)),
            Ev::Action(i) => {
                let action = self.action(i).action.clone();
                self.apply_action(action);
            }
        }
        self.maybe_crash_in_commit();
        true
    }

    /// Process every event up to and including `t_ms`, then stand at `t_ms`.
    pub fn run_until(&mut self, t_ms: u64) {
        while self.next_event_ms().is_some_and(|t| t <= t_ms) {
            self.step();
        }
        self.now_ms = self.now_ms.max(t_ms);
    }

    fn log(&mut self, node: Option<Rank>, kind: TraceKind<P>) {
        self.step_log.push(TraceEvent {
            event: self.events,
            t_ms: self.now_ms,
            node,
            kind,
        });
    }

    /// Message `id` from `from` to `to` is dropped, seen at node `at` (the sender when cut at
    /// send time, the receiver when it arrives at a cut link or a down monitor).
    fn log_drop(
        &mut self,
        at: Rank,
        from: Rank,
        to: Rank,
        id: u64,
        msg: Rc<P::Msg>,
        reason: &'static str,
    ) {
        let drop = TraceKind::Drop {
            from,
            to,
            id,
            msg,
            reason,
        };
        self.log(Some(at), drop);
    }

    fn deliver(&mut self, from: Rank, to: Rank, id: u64, msg: Rc<P::Msg>, sent_ms: u64) {
        let slot = &mut self.nodes[to as usize];
        if slot.node.is_none() {
            self.log_drop(to, from, to, id, msg, "destination down");
        } else if self.bus.link(from, to).cut {
            self.log_drop(to, from, to, id, msg, "link cut");
        } else if slot.paused {
            slot.held.push(Ev::Deliver {
                from,
                to,
                id,
                msg,
                sent_ms,
            });
        } else {
            let logged = Rc::clone(&msg);
            self.log(
                Some(to),
                TraceKind::Deliver {
                    from,
                    id,
                    msg: logged,
                },
            );
            self.run_node(to, Input::Deliver { from, msg });
        }
    }

    fn fire_timer(&mut self, node: Rank, timer: P::Timer, gen: u64, incarnation: u64) {
        let slot = &mut self.nodes[node as usize];
        if slot.incarnation != incarnation
            || slot.timer_gen.generation(&timer) != Some(gen)
            || slot.node.is_none()
        {
            // Re-arming, cancelling and crashing take a firing out of the queue, so none of
            // these can come up; the check stays as a guard.
            debug_assert!(
                false,
                "a stale firing of {timer:?} at mon.{node} was queued"
            );
            return;
        }
        if slot.paused {
            slot.held.push(Ev::Timer {
                node,
                timer,
                gen,
                incarnation,
            });
            return;
        }
        slot.timer_gen.disarm(&timer);
        self.log(Some(node), TraceKind::Timer(timer));
        self.run_node(node, Input::Timeout(timer));
    }

    fn client_input(&mut self, node: Rank, req: ClientRequest) {
        let slot = &mut self.nodes[node as usize];
        if slot.node.is_none() {
            let reply = ClientReply::Refused {
                reason: format!("mon.{node} is down"),
            };
            self.complete_client(node, req.id, reply);
        } else if slot.paused {
            slot.held.push(Ev::Client { node, req });
        } else {
            self.run_node(node, Input::Client(req));
        }
    }

    /// Hand one input to a node and carry out its effects, in order.
    fn run_node(&mut self, rank: Rank, input: Input<P>) {
        let now = self.now_ms;
        let slot = &mut self.nodes[rank as usize];
        let Some(node) = slot.node.as_mut() else {
            return;
        };
        let local_ms = slot.clock.local_ms(now);
        let mut effects = std::mem::take(&mut self.effects);
        P::handle(node, local_ms, input, &mut effects);
        for e in effects.drain(..) {
            self.carry_out(rank, e);
        }
        self.effects = effects;
    }

    fn carry_out(&mut self, rank: Rank, effect: Effect<P>) {
        match effect {
            Effect::Send { to, msg } => self.send(rank, to, msg),
            Effect::SetTimerJittered {
                timer,
                after_ms,
                jitter_ms,
            } => {
                let extra_ms = self.rng_backoff.range(0, jitter_ms);
                self.arm_timer(rank, timer, after_ms + extra_ms);
            }
            Effect::SetTimer { timer, after_ms } => self.arm_timer(rank, timer, after_ms),
            Effect::CancelTimer(timer) => {
                if let Some(firing) = self.nodes[rank as usize].timer_gen.disarm(&timer) {
                    self.queue.cancel(firing);
                }
            }
            Effect::Persist(writes) => self.log(Some(rank), TraceKind::Persist(writes)),
            Effect::Reply { req_id, reply } => self.complete_client(rank, req_id, reply),
            Effect::Note(text) => self.log(Some(rank), TraceKind::Note(text)),
            Effect::Transition(t) => self.log(Some(rank), TraceKind::Transition(t)),
        }
    }

    /// Arm (or re-arm) `timer` of node `rank` to fire after `after_ms` of its own clock.
    fn arm_timer(&mut self, rank: Rank, timer: P::Timer, after_ms: u64) {
        // A world-wide counter, so a re-armed timer never matches an older firing.
        self.next_timer_gen += 1;
        let gen = self.next_timer_gen;
        let slot = &self.nodes[rank as usize];
        let at = self.now_ms + slot.clock.true_duration_ms(after_ms);
        let incarnation = slot.incarnation;
        let firing = self.push(
            at,
            Ev::Timer {
                node: rank,
                timer,
                gen,
                incarnation,
            },
        );
        let armed = &mut self.nodes[rank as usize].timer_gen;
        if let Some(old) = armed.arm(timer, gen, firing) {
            self.queue.cancel(old);
        }
    }

    fn send(&mut self, from: Rank, to: Rank, msg: Rc<P::Msg>) {
        self.next_msg_id += 1;
        let id = self.next_msg_id;
        let link = self.bus.link(from, to);
        if link.cut {
            self.log_drop(from, from, to, id, msg, "link cut");
            return;
        }
        let loss = link.loss_pct as u64;
        let extra = link.extra_delay_ms;
        if self.rng_loss.chance_pct(loss) {
            self.log_drop(from, from, to, id, msg, "lost");
            return;
        }
        let jitter = if self.config.jitter_ms > 0 {
            self.rng_latency.range(0, self.config.jitter_ms)
        } else {
            0
        };
        let mut arrive = self.now_ms + self.config.latency_ms + jitter + extra;
        if self.allow_reorder {
            arrive += self.rng_beyond.below(self.config.latency_ms * 8 + 20);
        } else {
            // FIFO session: never overtake the previous message on this link.
            let link = self.bus.link_mut(from, to);
            arrive = arrive.max(link.last_arrival_ms);
            link.last_arrival_ms = arrive;
        }
        if self.allow_duplicate && self.rng_beyond.chance_pct(5) {
            let again = arrive + self.rng_beyond.range(1, self.config.latency_ms * 4 + 10);
            self.push(
                again,
                Ev::Deliver {
                    from,
                    to,
                    id,
                    msg: Rc::clone(&msg),
                    sent_ms: self.now_ms,
                },
            );
        }
        self.log(
            Some(from),
            TraceKind::Send {
                to,
                id,
                msg: Rc::clone(&msg),
            },
        );
        let sent_ms = self.now_ms;
        self.push(
            arrive,
            Ev::Deliver {
                from,
                to,
                id,
                msg,
                sent_ms,
            },
        );
    }

    // ----- clients -----

    fn start_client(&mut self, node: Rank, op: ClientOp) {
        let id = self.clients.start(node, &op, self.now_ms);
        self.pending_clients.insert(id);
        self.log(
            Some(node),
            TraceKind::ClientRequest {
                req_id: id,
                op: op.clone(),
            },
        );
        self.client_input(
            node,
            ClientRequest {
                id,
                origin: node,
                op,
            },
        );
    }

    fn complete_client(&mut self, node: Rank, req_id: ReqId, reply: ClientReply) {
        let Some(rec) = self.clients.get_mut(req_id) else {
            return;
        };
        if rec.complete_ms.is_some() {
            return;
        }
        rec.complete_ms = Some(self.now_ms);
        self.pending_clients.remove(&req_id);
        rec.reply = Some(reply.clone());
        self.log(Some(node), TraceKind::ClientReply { req_id, reply });
    }

    // ----- faults and scenario actions -----

    fn apply_action(&mut self, action: Action) {
        let node = action_node(&action);
        self.log(node, TraceKind::Action(action.clone()));
        match action {
            Action::Partition(groups) => self.bus.partition(&groups),
            Action::Isolate(r) => self.bus.isolate(r),
            Action::Cut(sel) => self.bus.set_cut(sel, true),
            Action::Heal(sel) => self.bus.heal(sel),
            Action::Loss(sel, pct) => self.bus.set_loss(sel, pct),
            Action::Delay(sel, ms) => self.bus.set_delay(sel, ms),
            Action::Crash(r) => self.crash(r),
            Action::CrashInCommit => {
                self.crash_in_commit_until = Some(self.now_ms + CRASH_IN_COMMIT_WINDOW_MS)
            }
            Action::Restart(r) => self.restart(r),
            Action::Pause(r) => self.nodes[r as usize].paused = true,
            Action::Resume(r) => self.resume(r),
            Action::Skew(r, ms) => self.nodes[r as usize].clock.set_skew(self.now_ms, ms),
            Action::Drift(r, ppm) => self.nodes[r as usize].clock.set_drift(self.now_ms, ppm),
            Action::Put { node, key, value } => {
                self.start_client(node, ClientOp::Put { key, value })
            }
            Action::Get { node, key } => self.start_client(node, ClientOp::Get { key }),
            Action::Cas {
                node,
                key,
                expected,
                value,
            } => self.start_client(
                node,
                ClientOp::Cas {
                    key,
                    expected,
                    value,
                },
            ),
            Action::Note(_) => {}
            Action::AddServer(r) => self.membership(MembershipChange::Add(r)),
            Action::RemoveServer(r) => self.membership(MembershipChange::Remove(r)),
            Action::Election(s) => self.change_monmap(MonmapChange::Strategy(s)),
            Action::Disallow(ranks) => self.change_monmap(MonmapChange::DisallowedLeaders(ranks)),
        }
    }

    /// Tell every running node that the operator wants a configuration change (a down or
    /// paused node misses it, as it would miss an operator's command).
    fn membership(&mut self, change: MembershipChange) {
        for r in 0..self.n() {
            let slot = &self.nodes[r as usize];
            if slot.node.is_some() && !slot.paused {
                self.run_node(r, Input::Membership(change));
            }
        }
    }

    /// An operator's monmap change reaches every running monitor (Ceph commits it through
    /// Paxos first; a monitor that is down misses it here). A paused monitor takes it on
    /// resuming.
    fn change_monmap(&mut self, change: MonmapChange) {
        for r in 0..self.n() {
            let slot = &mut self.nodes[r as usize];
            if slot.node.is_none() {
                continue;
            }
            if slot.paused {
                slot.held.push(Ev::Monmap {
                    node: r,
                    change: change.clone(),
                });
            } else {
                self.run_node(r, Input::Monmap(change.clone()));
            }
        }
    }

    /// The process dies: memory and armed timers are gone, the durable store stays.
    pub fn crash(&mut self, r: Rank) {
        let slot = &mut self.nodes[r as usize];
        let Some(node) = slot.node.take() else { return };
        slot.durable_while_down = Some(P::durable(&node).clone());
        slot.incarnation += 1;
        for firing in slot.timer_gen.clear() {
            self.queue.cancel(firing);
        }
        slot.held.clear();
        slot.paused = false;
        self.log(Some(r), TraceKind::Crash);
    }

    fn restart(&mut self, r: Rank) {
        let slot = &mut self.nodes[r as usize];
        if slot.node.is_some() {
            return;
        }
        let durable = slot
            .durable_while_down
            .take()
            .expect("a down node keeps its store");
        slot.node = Some(P::boot(r, &self.protocol, durable));
        self.log(Some(r), TraceKind::Boot);
        self.run_node(r, Input::Start);
    }

    fn resume(&mut self, r: Rank) {
        let slot = &mut self.nodes[r as usize];
        if !slot.paused {
            return;
        }
        slot.paused = false;
        let held = std::mem::take(&mut slot.held);
        // Last held first: each `push_first` goes ahead of the one before, so they run in the
        // order they arrived, and before anything that arrives now (the link stays FIFO).
        for ev in held.into_iter().rev() {
            let timer = match &ev {
                Ev::Timer { timer, gen, .. } => Some((*timer, *gen)),
                _ => None,
            };
            let firing = self.push_first(self.now_ms, ev);
            if let Some((timer, gen)) = timer {
                self.nodes[r as usize]
                    .timer_gen
                    .requeued(&timer, gen, firing);
            }
        }
    }

    /// `crash-in-commit`: crash the leader between queuing its commit write and its durability.
    fn maybe_crash_in_commit(&mut self) {
        let Some(until) = self.crash_in_commit_until else {
            return;
        };
        if self.now_ms > until {
            self.crash_in_commit_until = None;
            return;
        }
        let victim = (0..self.n()).find(|r| self.node(*r).is_some_and(P::mid_commit_write));
        if let Some(r) = victim {
            self.crash_in_commit_until = None;
            self.log(
                Some(r),
                TraceKind::Note("crash-in-commit: the leader dies mid-write".into()),
            );
            self.crash(r);
        }
    }
}

fn action_node(a: &Action) -> Option<Rank> {
    match a {
        Action::Isolate(r)
        | Action::Crash(r)
        | Action::Restart(r)
        | Action::AddServer(r)
        | Action::RemoveServer(r)
        | Action::Pause(r)
        | Action::Resume(r) => Some(*r),
        Action::Skew(r, _) | Action::Drift(r, _) => Some(*r),
        Action::Put { node, .. } | Action::Get { node, .. } | Action::Cas { node, .. } => {
            Some(*node)
        }
        _ => None,
    }
}
