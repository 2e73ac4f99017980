//! One Multi-Paxos node, sans-IO: `handle(now_ms, input, out)` in, effects out. Every node is
//! a replica (it keeps the log and applies it), an acceptor (it promises and accepts) and a
//! would-be leader. The rules:
//!
//! * **Election** (docs/protocols.md): the leader sends heartbeats; a member that hears none
//!   for `leader_timeout_ms` (plus a backoff the simulator draws) becomes a candidate. Safety
//!   never depends on it: two candidates or two leaders are ordinary, the ids sort them out.
//! * **Phase 1** once, over [first unchosen slot, ∞), with a globally unique id `round.node`.
//!   A promise reports every entry accepted at or above the start and every value known
//!   chosen there. With promises from a majority of every configuration of its range, the
//!   candidate leads: per slot up to the highest reported, it re-proposes the highest-id
//!   value, and fills the slots nobody reported with a no-op (seed 001).
//! * **Phase 2 alone** while it leads: accept(id, slot, value), at most α slots beyond the
//!   first unchosen one; commands queue beyond. A slot is chosen once a majority of the
//!   configuration in force at that slot accepted it; the leader tells every replica
//!   (commit). Replicas apply strictly in slot order, never past a hole; one behind the
//!   leader's heartbeat asks for the entries it misses (catch up).
//! * **Durable before replying**: a promise or an accept is on disk before the answer leaves.
//! * **Configuration**: a config command at slot i takes effect at slot i + α; the leader
//!   proposes one change at a time.

use super::config::{MultiConfig, Mutation};
use super::declaration::{replica, DECLARATION, REPLICA};
use super::durable::{Durable, Write};
use super::messages::{describe_slots, Command, Members, Msg, Pid, Reported, Slot, Value};
use super::rules::config::members_at;
use super::MultiPaxos;
use crate::actor::{MembershipChange, Rank, TimerName};
use crate::client::{ClientOp, ClientReply, ClientRequest, ReqId, Text};
use crate::machine::{MachineId, StateId, Transition};
use crate::trace::{ContentHash, TraceHasher};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

pub type Input = crate::actor::Input<MultiPaxos>;
pub type Effect = crate::actor::Effect<MultiPaxos>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// The leader's heartbeat.
    Heartbeat,
    /// No leader heard: stand (or, as a candidate, try again with a higher id).
    LeaderTimeout,
    /// The leader (or candidate) resends what got no answer.
    Resend,
    /// Re-forward this replica's clients' commands that are not applied yet.
    Retry,
}

impl TimerName for Timer {
    fn name(&self) -> &'static str {
        match self {
            Timer::Heartbeat => "heartbeat",
            Timer::LeaderTimeout => "leader-timeout",
            Timer::Resend => "resend",
            Timer::Retry => "client-retry",
        }
    }
}

/// A slot the leader proposed and does not know chosen yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub value: Value,
    /// Members of the slot's configuration that accepted it.
    pub accepts: BTreeSet<Rank>,
}

/// A candidate's or leader's volatile state (lost at a crash or when it steps down).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lead {
    pub id: Pid,
    /// Phase 1 covers [start, ∞).
    pub start: Slot,
    pub promises: BTreeSet<Rank>,
    /// The highest-id entry reported per slot.
    pub reported: BTreeMap<Slot, (Pid, Value)>,
    /// Values reported chosen.
    pub told_chosen: BTreeMap<Slot, Value>,
    /// Phase 2: slots proposed, not known chosen yet (at most α).
    pub in_flight: BTreeMap<Slot, InFlight>,
    /// Phase 1's outcome waiting for room in the window (re-proposals and no-ops).
    pub refill: BTreeMap<Slot, Value>,
    /// The next slot for a new command.
    pub next_slot: Slot,
    /// Commands waiting for room in the window.
    pub queue: VecDeque<Command>,
    /// Commands queued or proposed in this leadership (a re-forwarded one is not taken twice).
    pub taken: BTreeSet<(Rank, ReqId)>,
    /// The log said the window is full since the queue was last empty (once per burst).
    pub said_full: bool,
}

impl Lead {
    fn new(id: Pid, start: Slot) -> Lead {
        Lead {
            id,
            start,
            promises: BTreeSet::new(),
            reported: BTreeMap::new(),
            told_chosen: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            refill: BTreeMap::new(),
            next_slot: start,
            queue: VecDeque::new(),
            taken: BTreeSet::new(),
            said_full: false,
        }
    }
}

/// A slot as the log view shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlotState {
    /// Nothing known here: a hole if a later slot is known.
    Empty,
    /// Accepted by this node, not known chosen.
    Accepted,
    /// Known chosen, not applied yet (waits behind a hole).
    Chosen,
    /// Applied to the key-value state.
    Applied,
    /// Chosen as a no-op.
    Noop,
}

/// A replica's log at a glance (for the page's log view).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogView {
    /// Slots 1..=last, each with its state.
    pub slots: Vec<SlotState>,
    pub first_unchosen: Slot,
    pub applied: Slot,
    pub alpha: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub rank: Rank,
    pub config: Rc<MultiConfig>,
    pub durable: Durable,
    pub state: StateId,
    /// The leader this node last heard from.
    pub leader: Option<Rank>,
    /// The highest proposal id heard of (promised, or in any message).
    pub highest: Option<Pid>,
    pub lead: Option<Lead>,
    /// Slots 1..=applied are applied to `kv`.
    pub applied: Slot,
    pub kv: BTreeMap<Text, Text>,
    /// Commands applied, by (origin, request): one applies once even from two slots.
    pub done: BTreeSet<(Rank, ReqId)>,
    /// A hash chain over the (slot, value) pairs applied, in order: the run's checker compares
    /// it with the chosen log's.
    pub digest: u64,
    /// The chosen configuration commands, by slot.
    pub configs: BTreeMap<Slot, Members>,
    /// This replica's clients' commands not applied yet.
    pub pending: BTreeMap<ReqId, Command>,
    pub retry_armed: bool,
    /// Configuration changes the operator asked for, not in force yet.
    pub wanted: Vec<MembershipChange>,
}

impl Node {
    pub fn boot(rank: Rank, config: Rc<MultiConfig>, mut durable: Durable) -> Node {
        if config.broken(Mutation::ForgetAccepted) {
            // The bug: the acceptor's writes never reached the disk.
            durable.promised = None;
            durable.accepted.clear();
        }
        let configs = durable
            .chosen
            .iter()
            .filter_map(|(s, v)| match v {
                Value::Config(m) => Some((*s, *m)),
                _ => None,
            })
            .collect();
        Node {
            rank,
            highest: durable.promised,
            durable,
            config,
            state: DECLARATION.machines[0].initial,
            leader: None,
            lead: None,
            applied: 0,
            kv: BTreeMap::new(),
            done: BTreeSet::new(),
            digest: 0,
            configs,
            pending: BTreeMap::new(),
            retry_armed: false,
            wanted: Vec::new(),
        }
    }

    pub fn state(&self, machine: MachineId) -> StateId {
        assert_eq!(machine, REPLICA, "Multi-Paxos runs one machine");
        self.state
    }
    pub fn state_name(&self) -> &'static str {
        DECLARATION.state(REPLICA, self.state).name
    }
    pub fn is_leader(&self) -> bool {
        self.state == replica::LEADER
    }
    /// The configuration in force at `slot`, as this replica's chosen log says.
    pub fn members_at(&self, slot: Slot) -> Members {
        members_at(self.config.initial, &self.configs, self.config.alpha, slot)
    }
    /// Is this node a member for the next slot it applies?
    pub fn is_member(&self) -> bool {
        self.members_at(self.applied + 1).contains(self.rank)
    }
    pub fn first_unchosen(&self) -> Slot {
        self.durable.first_unchosen()
    }

    /// The log at a glance: per slot empty, accepted, chosen, applied or no-op, up to the
    /// highest slot known; the first unchosen slot and α (the window is [first unchosen,
    /// first unchosen + α)).
    pub fn log_view(&self) -> LogView {
        let last = [
            self.durable.chosen.keys().next_back(),
            self.durable.accepted.keys().next_back(),
        ]
        .into_iter()
        .flatten()
        .max()
        .copied()
        .unwrap_or(0);
        let slots = (1..=last)
            .map(|s| match self.durable.chosen.get(&s) {
                Some(Value::Noop) => SlotState::Noop,
                Some(_) if s <= self.applied => SlotState::Applied,
                Some(_) => SlotState::Chosen,
                None if self.durable.accepted.contains_key(&s) => SlotState::Accepted,
                None => SlotState::Empty,
            })
            .collect();
        LogView {
            slots,
            first_unchosen: self.first_unchosen(),
            applied: self.applied,
            alpha: self.config.alpha,
        }
    }

    pub fn handle(&mut self, _now_ms: u64, input: Input, out: &mut Vec<Effect>) {
        match input {
            Input::Start => self.on_start(out),
            Input::Deliver { from, msg } => self.on_message(from, &msg, out),
            Input::Timeout(t) => self.on_timer(t, out),
            Input::Client(req) => self.on_client(req, out),
            Input::Membership(change) => self.on_membership(change, out),
            Input::Monmap(_) => {} // no monmap: the parser refuses `election` and `disallow`
        }
    }

    /// The single funnel for state changes: asserts the declaration allows it and emits it.
    fn set_state(&mut self, to: StateId, out: &mut Vec<Effect>) {
        let from = self.state;
        if from == to {
            return;
        }
        let t = Transition {
            machine: REPLICA,
            from,
            to,
        };
        assert!(
            DECLARATION.allows(t),
            "node {}: may not go from {} to {} (not in the declaration)",
            self.rank,
            DECLARATION.state(REPLICA, from).name,
            DECLARATION.state(REPLICA, to).name
        );
        self.state = to;
        out.push(Effect::Transition(t));
    }

    fn on_start(&mut self, out: &mut Vec<Effect>) {
        // The key-value state is the chosen log applied again, without answers.
        self.apply_ready(out);
        if self.is_member() {
            self.arm_leader_timeout(out);
        } else {
            self.set_state(replica::LEARNER, out);
        }
    }

    fn arm_leader_timeout(&self, out: &mut Vec<Effect>) {
        out.push(Effect::SetTimerJittered {
            timer: Timer::LeaderTimeout,
            after_ms: self.config.leader_timeout_ms,
            jitter_ms: self.config.backoff_ms,
        });
    }

    fn on_timer(&mut self, t: Timer, out: &mut Vec<Effect>) {
        match t {
            Timer::Heartbeat => {
                if let Some(id) = self
                    .lead
                    .as_ref()
                    .filter(|_| self.is_leader())
                    .map(|l| l.id)
                {
                    let upto = self.first_unchosen();
                    self.broadcast(Msg::Heartbeat { id, upto }, out);
                    out.push(Effect::SetTimer {
                        timer: Timer::Heartbeat,
                        after_ms: self.config.heartbeat_ms,
                    });
                }
            }
            Timer::LeaderTimeout => {
                if self.is_member() && !self.is_leader() {
                    self.start_phase1(out);
                }
            }
            Timer::Resend => self.resend(out),
            Timer::Retry => {
                self.retry_armed = false;
                let cmds: Vec<Command> = self.pending.values().cloned().collect();
                for cmd in cmds {
                    self.submit(cmd, out);
                }
                self.arm_retry(out);
            }
        }
    }

    fn arm_retry(&mut self, out: &mut Vec<Effect>) {
        if !self.retry_armed && !self.pending.is_empty() {
            self.retry_armed = true;
            out.push(Effect::SetTimer {
                timer: Timer::Retry,
                after_ms: self.config.retry_ms,
            });
        }
    }

    fn on_message(&mut self, from: Rank, msg: &Msg, out: &mut Vec<Effect>) {
        match msg {
            Msg::Prepare { id, start } => self.handle_prepare(from, *id, *start, out),
            Msg::Promise {
                id,
                accepted,
                chosen,
                ..
            } => self.handle_promise(from, *id, accepted, chosen, out),
            Msg::Nack { id, promised } => self.handle_nack(*id, *promised, out),
            Msg::Accept { id, slot, value } => self.handle_accept(from, *id, *slot, value, out),
            Msg::Accepted { id, slot } => self.handle_accepted(from, *id, *slot, out),
            Msg::Commit { slot, value } => self.learn(*slot, value.clone(), out),
            Msg::Heartbeat { id, upto } => self.handle_heartbeat(from, *id, *upto, out),
            Msg::CatchUp { from: start } => {
                let entries: Vec<(Slot, Value)> = self
                    .durable
                    .chosen
                    .range(*start..)
                    .take(self.config.catch_up_max as usize)
                    .map(|(s, v)| (*s, v.clone()))
                    .collect();
                if !entries.is_empty() {
                    send(
                        out,
                        from,
                        Msg::Entries {
                            entries: entries.into(),
                        },
                    );
                }
            }
            Msg::Entries { entries } => {
                for (s, v) in entries.iter() {
                    self.learn(*s, v.clone(), out);
                }
            }
            Msg::Forward { cmd } => {
                if self.is_leader() {
                    self.enqueue(cmd.clone());
                    self.pump(out);
                }
            }
        }
    }

    // ----- election and phase 1 -----

    /// A message carried `id`: remember the highest, and step down before a higher one.
    fn hear_id(&mut self, id: Pid, out: &mut Vec<Effect>) {
        if self.highest.is_none_or(|h| h < id) {
            self.highest = Some(id);
        }
        if self.lead.as_ref().is_some_and(|l| l.id < id) {
            self.step_down(&format!("heard the higher id {id}"), out);
        }
    }

    fn step_down(&mut self, why: &str, out: &mut Vec<Effect>) {
        self.lead = None;
        out.push(Effect::Note(format!("steps down: {why}")));
        out.push(Effect::CancelTimer(Timer::Heartbeat));
        out.push(Effect::CancelTimer(Timer::Resend));
        if self.is_member() {
            self.set_state(replica::FOLLOWER, out);
            self.arm_leader_timeout(out);
        } else {
            self.set_state(replica::LEARNER, out);
        }
    }

    /// Phase 1a: a fresh id above every one heard, on disk before the prepare leaves.
    fn start_phase1(&mut self, out: &mut Vec<Effect>) {
        let round = self
            .durable
            .max_round
            .max(self.highest.map_or(0, |h| h.round))
            + 1;
        let w = Write::MaxRound(round);
        self.durable.apply(&w);
        out.push(Effect::Persist(vec![w]));
        let node = if self.config.broken(Mutation::IdWithoutNode) {
            0
        } else {
            self.rank
        };
        let id = Pid::new(round, node);
        let start = self.first_unchosen();
        let mut lead = Lead::new(id, start);
        if let Some(old) = self.lead.take() {
            lead.queue = old.queue; // a candidate trying again keeps its commands
        }
        self.lead = Some(lead);
        self.highest = Some(id);
        self.leader = None;
        self.set_state(replica::CANDIDATE, out);
        out.push(Effect::Note(format!(
            "no leader heard: stands with id {id}, phase 1 over [{start}, ∞)"
        )));
        // Its own promise, durable first.
        let w = Write::Promised(id);
        self.durable.apply(&w);
        out.push(Effect::Persist(vec![w]));
        let (accepted, chosen) = self.report(start);
        self.record_promise(self.rank, id, &accepted, &chosen);
        self.broadcast(Msg::Prepare { id, start }, out);
        out.push(Effect::SetTimer {
            timer: Timer::Resend,
            after_ms: self.config.resend_ms,
        });
        self.arm_leader_timeout(out);
        self.check_phase1(out);
    }

    /// What this acceptor reports from `start` on: its accepted entries and its chosen values.
    fn report(&self, start: Slot) -> (Vec<Reported>, Vec<(Slot, Value)>) {
        let accepted = self
            .durable
            .accepted
            .range(start..)
            .map(|(s, (p, v))| (*s, *p, v.clone()))
            .collect();
        let chosen = self
            .durable
            .chosen
            .range(start..)
            .map(|(s, v)| (*s, v.clone()))
            .collect();
        (accepted, chosen)
    }

    /// Phase 1b: promise unless promised above `id`; durable before the answer leaves.
    fn handle_prepare(&mut self, from: Rank, id: Pid, start: Slot, out: &mut Vec<Effect>) {
        if let Some(p) = self.durable.promised.filter(|p| id < *p) {
            send(out, from, Msg::Nack { id, promised: p });
            return;
        }
        self.hear_id(id, out);
        if self.durable.promised != Some(id) {
            let w = Write::Promised(id);
            self.durable.apply(&w);
            out.push(Effect::Persist(vec![w]));
        }
        let (accepted, chosen) = self.report(start);
        out.push(Effect::Note(format!(
            "promises {id} from slot {start}: reports accepted {} and chosen {}",
            describe_slots(accepted.iter().map(|e| e.0)),
            describe_slots(chosen.iter().map(|e| e.0))
        )));
        send(
            out,
            from,
            Msg::Promise {
                id,
                start,
                accepted: accepted.into(),
                chosen: chosen.into(),
            },
        );
        if !self.is_leader() && self.is_member() {
            self.arm_leader_timeout(out); // give the candidate time
        }
    }

    fn record_promise(
        &mut self,
        from: Rank,
        id: Pid,
        accepted: &[Reported],
        chosen: &[(Slot, Value)],
    ) {
        let Some(lead) = self.lead.as_mut().filter(|l| l.id == id) else {
            return;
        };
        lead.promises.insert(from);
        for (s, p, v) in accepted {
            if *s < lead.start {
                continue;
            }
            let e = lead.reported.entry(*s).or_insert((*p, v.clone()));
            if e.0 < *p {
                *e = (*p, v.clone());
            }
        }
        for (s, v) in chosen {
            lead.told_chosen.insert(*s, v.clone());
        }
    }

    fn handle_promise(
        &mut self,
        from: Rank,
        id: Pid,
        accepted: &[Reported],
        chosen: &[(Slot, Value)],
        out: &mut Vec<Effect>,
    ) {
        if self.state != replica::CANDIDATE || self.lead.as_ref().is_none_or(|l| l.id != id) {
            return; // an old round's promise, or one after phase 1
        }
        self.record_promise(from, id, accepted, chosen);
        self.check_phase1(out);
    }

    /// The configurations phase 1 must hear a majority of: the one in force at the start, and
    /// every configuration command reported at or above it (it may take effect in the range).
    fn phase1_configs(&self, lead: &Lead) -> Vec<Members> {
        let mut v = vec![self.members_at(lead.start)];
        let reported = lead.reported.values().map(|(_, v)| v);
        let chosen = lead.told_chosen.values();
        let own = self.durable.chosen.range(lead.start..).map(|(_, v)| v);
        for value in reported.chain(chosen).chain(own) {
            if let Value::Config(m) = value {
                v.push(*m);
            }
        }
        v
    }

    fn check_phase1(&mut self, out: &mut Vec<Effect>) {
        let Some(lead) = self.lead.as_ref() else {
            return;
        };
        let configs = self.phase1_configs(lead);
        if configs.iter().all(|m| m.has_majority(&lead.promises)) {
            self.become_leader(out);
        }
    }

    /// Phase 1 is done: learn what the promises said was chosen, then re-propose the
    /// highest-id value of every other reported slot and fill the rest with no-ops.
    fn become_leader(&mut self, out: &mut Vec<Effect>) {
        let mut lead = self.lead.take().expect("a candidate");
        let ignore = self.config.broken(Mutation::NoopOverAccepted);
        if !ignore {
            for (s, v) in std::mem::take(&mut lead.told_chosen) {
                self.learn_quietly(s, v, out);
            }
        }
        let start = self.first_unchosen().max(lead.start);
        let last = [
            lead.reported.keys().next_back().copied(),
            (!ignore)
                .then(|| lead.told_chosen.keys().next_back().copied())
                .flatten(),
            self.durable.chosen.keys().next_back().copied(),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
        let (mut again, mut noops) = (Vec::new(), Vec::new());
        for s in start..=last {
            if self.durable.chosen.contains_key(&s) {
                continue;
            }
            let value = match lead.reported.get(&s) {
                Some((_, v)) if !ignore => {
                    again.push(s);
                    v.clone()
                }
                _ => {
                    noops.push(s);
                    Value::Noop
                }
            };
            // A command re-proposed here is not queued again from a replica's retry.
            for c in value.commands() {
                lead.taken.insert((c.origin, c.req));
            }
            lead.refill.insert(s, value);
        }
        lead.next_slot = (last + 1).max(start);
        let id = lead.id;
        out.push(Effect::Note(format!(
            "leads with id {id}: promises from {}; re-proposes {}, fills {} with no-ops, new commands from slot {}",
            lead.promises.iter().map(|r| format!("node.{r}")).collect::<Vec<_>>().join(", "),
            describe_slots(again.into_iter()),
            describe_slots(noops.into_iter()),
            lead.next_slot
        )));
        self.lead = Some(lead);
        self.leader = Some(self.rank);
        self.set_state(replica::LEADER, out);
        out.push(Effect::CancelTimer(Timer::LeaderTimeout));
        let upto = self.first_unchosen();
        self.broadcast(Msg::Heartbeat { id, upto }, out);
        out.push(Effect::SetTimer {
            timer: Timer::Heartbeat,
            after_ms: self.config.heartbeat_ms,
        });
        out.push(Effect::SetTimer {
            timer: Timer::Resend,
            after_ms: self.config.resend_ms,
        });
        let mine: Vec<Command> = self.pending.values().cloned().collect();
        for cmd in mine {
            self.enqueue(cmd);
        }
        self.pump(out);
    }

    fn handle_nack(&mut self, id: Pid, promised: Pid, out: &mut Vec<Effect>) {
        if self.highest.is_none_or(|h| h < promised) {
            self.highest = Some(promised);
        }
        if self.lead.as_ref().is_some_and(|l| l.id == id) {
            self.step_down(&format!("an acceptor promised {promised}, above {id}"), out);
        }
    }

    fn handle_heartbeat(&mut self, from: Rank, id: Pid, upto: Slot, out: &mut Vec<Effect>) {
        if let Some(p) = self.durable.promised.filter(|p| id < *p) {
            send(out, from, Msg::Nack { id, promised: p });
            return;
        }
        self.hear_id(id, out);
        if self.lead.is_some() {
            return; // a candidate or leader with the same id (only a broken id can do this)
        }
        if self.leader != Some(from) {
            self.leader = Some(from);
            let cmds: Vec<Command> = self.pending.values().cloned().collect();
            for cmd in cmds {
                self.submit(cmd, out);
            }
        }
        if self.is_member() {
            self.arm_leader_timeout(out);
        }
        let mine = self.first_unchosen();
        if mine < upto {
            send(out, from, Msg::CatchUp { from: mine });
        }
    }

    fn resend(&mut self, out: &mut Vec<Effect>) {
        let Some(lead) = self.lead.as_ref() else {
            return;
        };
        let id = lead.id;
        if self.state == replica::CANDIDATE {
            let start = lead.start;
            let missing: Vec<Rank> = (0..self.config.nodes)
                .filter(|r| !lead.promises.contains(r))
                .collect();
            for r in missing {
                send(out, r, Msg::Prepare { id, start });
            }
        } else {
            let mut sends = Vec::new();
            for (slot, f) in &lead.in_flight {
                for r in self.members_at(*slot).iter() {
                    if r != self.rank && !f.accepts.contains(&r) {
                        sends.push((r, *slot, f.value.clone()));
                    }
                }
            }
            for (r, slot, value) in sends {
                send(out, r, Msg::Accept { id, slot, value });
            }
        }
        out.push(Effect::SetTimer {
            timer: Timer::Resend,
            after_ms: self.config.resend_ms,
        });
    }

    // ----- phase 2: the leader -----

    fn enqueue(&mut self, cmd: Command) {
        let key = (cmd.origin, cmd.req);
        if self.done.contains(&key) {
            return;
        }
        let Some(lead) = self.lead.as_mut() else {
            return;
        };
        if lead.taken.insert(key) {
            lead.queue.push_back(cmd);
        }
    }

    /// Propose while the window has room: phase 1's slots first, then new commands.
    fn pump(&mut self, out: &mut Vec<Effect>) {
        if !self.is_leader() {
            return;
        }
        loop {
            let limit = self.first_unchosen() + self.config.alpha;
            let lead = self.lead.as_mut().expect("a leader");
            if let Some((&slot, _)) = lead.refill.first_key_value() {
                if slot >= limit {
                    return;
                }
                let value = lead.refill.remove(&slot).expect("present");
                self.propose(slot, value, out);
                continue;
            }
            let slot = lead.next_slot;
            if slot >= limit {
                if !lead.queue.is_empty() && !lead.said_full {
                    lead.said_full = true;
                    out.push(Effect::Note(format!(
                        "α = {}: slots {}-{} in flight, {} command(s) wait",
                        self.config.alpha,
                        limit - self.config.alpha,
                        limit - 1,
                        lead.queue.len()
                    )));
                }
                return;
            }
            let Some(value) = self.next_value(slot, out) else {
                // The queue is empty: the next time the window fills is worth a line again.
                self.lead.as_mut().expect("a leader").said_full = false;
                return;
            };
            self.lead.as_mut().expect("a leader").next_slot = slot + 1;
            self.propose(slot, value, out);
        }
    }

    /// The next slot's value: a wanted configuration change when none is pending, else the
    /// queued commands (one, or a batch with group commit).
    fn next_value(&mut self, slot: Slot, out: &mut Vec<Effect>) -> Option<Value> {
        if let Some(m) = self.next_config(slot, out) {
            return Some(Value::Config(m));
        }
        let batch = if self.config.group_commit {
            self.config.batch_max
        } else {
            1
        };
        let lead = self.lead.as_mut().expect("a leader");
        let n = lead.queue.len().min(batch);
        if n == 0 {
            return None;
        }
        let cmds: Vec<Command> = lead.queue.drain(..n).collect();
        Some(Value::Commands(cmds.into()))
    }

    /// A configuration change to propose at `slot`, if one is wanted and the last one is in
    /// force (one at a time: a change at slot i is in force from slot i + α).
    fn next_config(&mut self, slot: Slot, out: &mut Vec<Effect>) -> Option<Members> {
        let alpha = self.config.alpha;
        let lead = self.lead.as_ref().expect("a leader");
        let proposing = lead
            .in_flight
            .values()
            .map(|f| &f.value)
            .chain(lead.refill.values())
            .any(|v| matches!(v, Value::Config(_)));
        let latest = self.configs.keys().next_back().copied();
        if proposing || latest.is_some_and(|j| j + alpha > slot) {
            return None;
        }
        let now = self.members_at(slot);
        let nodes = self.config.nodes;
        self.wanted.retain(|c| match *c {
            MembershipChange::Add(r) => r < nodes && !now.contains(r),
            MembershipChange::Remove(r) => now.contains(r) && now.len() > 1,
        });
        let change = *self.wanted.first()?;
        let m = match change {
            MembershipChange::Add(r) => now.with(r),
            MembershipChange::Remove(r) => now.without(r),
        };
        out.push(Effect::Note(format!(
            "proposes the configuration {m} at slot {slot}: in force from slot {}",
            slot + alpha
        )));
        Some(m)
    }

    /// Phase 2a for one slot: accept it locally (durable first), send it to the other members.
    fn propose(&mut self, slot: Slot, value: Value, out: &mut Vec<Effect>) {
        let lead = self.lead.as_mut().expect("a leader");
        let id = lead.id;
        lead.in_flight.insert(
            slot,
            InFlight {
                value: value.clone(),
                accepts: BTreeSet::new(),
            },
        );
        let members = self.members_at(slot);
        let w = Write::Accepted(slot, id, value.clone());
        self.durable.apply(&w);
        out.push(Effect::Persist(vec![w]));
        for r in members.iter().filter(|r| *r != self.rank) {
            send(
                out,
                r,
                Msg::Accept {
                    id,
                    slot,
                    value: value.clone(),
                },
            );
        }
        self.count_accept(self.rank, slot, out);
    }

    fn handle_accepted(&mut self, from: Rank, id: Pid, slot: Slot, out: &mut Vec<Effect>) {
        if !self.is_leader() || self.lead.as_ref().is_none_or(|l| l.id != id) {
            return;
        }
        self.count_accept(from, slot, out);
    }

    fn count_accept(&mut self, from: Rank, slot: Slot, out: &mut Vec<Effect>) {
        let members = self.members_at(slot);
        let on_one = self.config.broken(Mutation::CommitOnOne);
        let lead = self.lead.as_mut().expect("a leader");
        let Some(f) = lead.in_flight.get_mut(&slot) else {
            return;
        };
        if members.contains(from) {
            f.accepts.insert(from);
        }
        let chosen = members.has_majority(&f.accepts) || (on_one && !f.accepts.is_empty());
        if !chosen {
            return;
        }
        let f = lead.in_flight.remove(&slot).expect("present");
        self.learn(slot, f.value.clone(), out);
        self.broadcast(
            Msg::Commit {
                slot,
                value: f.value,
            },
            out,
        );
        self.pump(out);
    }

    // ----- the acceptor -----

    /// Phase 2b: accept unless promised above `id`; durable before `accepted` leaves.
    fn handle_accept(
        &mut self,
        from: Rank,
        id: Pid,
        slot: Slot,
        value: &Value,
        out: &mut Vec<Effect>,
    ) {
        let promised = self.durable.promised;
        let below = promised.is_some_and(|p| id < p);
        if below && !self.config.broken(Mutation::AcceptBelowPromise) {
            let p = promised.expect("checked");
            send(out, from, Msg::Nack { id, promised: p });
            return;
        }
        self.hear_id(id, out);
        if self.lead.is_none() {
            self.leader = Some(from);
            if self.is_member() {
                self.arm_leader_timeout(out);
            }
        }
        if let Some(v) = self.durable.chosen.get(&slot) {
            // Already chosen: tell the leader instead of voting again.
            let value = v.clone();
            send(out, from, Msg::Commit { slot, value });
            return;
        }
        let mut txn = Vec::new();
        if !below && promised != Some(id) {
            txn.push(Write::Promised(id));
        }
        txn.push(Write::Accepted(slot, id, value.clone()));
        for w in &txn {
            self.durable.apply(w);
        }
        out.push(Effect::Persist(txn));
        send(out, from, Msg::Accepted { id, slot });
    }

    // ----- the replica -----

    /// `slot` is chosen with `value`: on disk, then apply what is now contiguous.
    fn learn(&mut self, slot: Slot, value: Value, out: &mut Vec<Effect>) {
        if self.learn_quietly(slot, value, out) {
            self.apply_ready(out);
        }
    }

    /// Write a chosen value; true if it was new.
    fn learn_quietly(&mut self, slot: Slot, value: Value, out: &mut Vec<Effect>) -> bool {
        if self.durable.chosen.contains_key(&slot) {
            return false;
        }
        if let Value::Config(m) = value {
            self.configs.insert(slot, m);
        }
        let w = Write::Chosen(slot, value);
        self.durable.apply(&w);
        out.push(Effect::Persist(vec![w]));
        if let Some(lead) = self.lead.as_mut() {
            lead.in_flight.remove(&slot);
            lead.refill.remove(&slot);
        }
        true
    }

    /// Apply the chosen slots right after `applied`, in order; stop at a hole.
    fn apply_ready(&mut self, out: &mut Vec<Effect>) {
        loop {
            let next = self.applied + 1;
            match self.durable.chosen.get(&next).cloned() {
                Some(v) => self.apply(next, &v, out),
                None => {
                    let past = self.config.broken(Mutation::ApplyPastHole)
                        && self.durable.chosen.range(next..).next().is_some();
                    if !past {
                        break;
                    }
                    // The bug: the hole is skipped as if it held nothing.
                    self.digest = chain(self.digest, next, None);
                    self.applied = next;
                }
            }
        }
        self.update_role(out);
    }

    fn apply(&mut self, slot: Slot, v: &Value, out: &mut Vec<Effect>) {
        self.digest = chain(self.digest, slot, Some(v));
        self.applied = slot;
        for cmd in v.commands() {
            if !self.done.insert((cmd.origin, cmd.req)) {
                continue; // the same request in an earlier slot
            }
            let reply = self.execute(&cmd.op, slot);
            if cmd.origin == self.rank && self.pending.remove(&cmd.req).is_some() {
                out.push(Effect::Reply {
                    req_id: cmd.req,
                    reply,
                });
                if self.pending.is_empty() && self.retry_armed {
                    self.retry_armed = false;
                    out.push(Effect::CancelTimer(Timer::Retry));
                }
            }
        }
    }

    fn execute(&mut self, op: &ClientOp, version: Slot) -> ClientReply {
        match op {
            ClientOp::Put { key, value } => {
                self.kv.insert(key.clone(), value.clone());
                ClientReply::Written { version }
            }
            ClientOp::Get { key } => ClientReply::Value {
                value: self.kv.get(key).cloned(),
                version,
            },
            ClientOp::Cas {
                key,
                expected,
                value,
            } => {
                let current = self.kv.get(key).cloned();
                let applied = current == *expected;
                if applied {
                    self.kv.insert(key.clone(), value.clone());
                }
                ClientReply::CasDone {
                    applied,
                    current,
                    version,
                }
            }
        }
    }

    /// In or out of the configuration as of the next slot to apply.
    fn update_role(&mut self, out: &mut Vec<Effect>) {
        let member = self.is_member();
        if !member && self.state != replica::LEARNER {
            if self.lead.is_some() {
                self.lead = None;
                out.push(Effect::CancelTimer(Timer::Heartbeat));
                out.push(Effect::CancelTimer(Timer::Resend));
            }
            out.push(Effect::CancelTimer(Timer::LeaderTimeout));
            out.push(Effect::Note(format!(
                "out of the configuration {} from slot {}: a learner now",
                self.members_at(self.applied + 1),
                self.applied + 1
            )));
            self.set_state(replica::LEARNER, out);
        } else if member && self.state == replica::LEARNER {
            out.push(Effect::Note(format!(
                "in the configuration {} from slot {}",
                self.members_at(self.applied + 1),
                self.applied + 1
            )));
            self.set_state(replica::FOLLOWER, out);
            self.arm_leader_timeout(out);
        }
    }

    // ----- clients and the operator -----

    fn on_client(&mut self, req: ClientRequest, out: &mut Vec<Effect>) {
        let cmd = Command {
            origin: self.rank,
            req: req.id,
            op: req.op,
        };
        self.pending.insert(cmd.req, cmd.clone());
        self.submit(cmd, out);
        self.arm_retry(out);
    }

    /// Hand a command to the leader (this node, or the one it last heard).
    fn submit(&mut self, cmd: Command, out: &mut Vec<Effect>) {
        if self.is_leader() {
            self.enqueue(cmd);
            self.pump(out);
        } else if let Some(l) = self.leader.filter(|l| *l != self.rank) {
            send(out, l, Msg::Forward { cmd });
        }
    }

    fn on_membership(&mut self, change: MembershipChange, out: &mut Vec<Effect>) {
        if !self.wanted.contains(&change) {
            self.wanted.push(change);
        }
        self.pump(out);
    }

    fn broadcast(&self, msg: Msg, out: &mut Vec<Effect>) {
        let msg = Rc::new(msg);
        for r in (0..self.config.nodes).filter(|r| *r != self.rank) {
            out.push(Effect::Send {
                to: r,
                msg: Rc::clone(&msg),
            });
        }
    }
}

/// The applied-sequence hash chain: the previous link, the slot and its value (`None`: a
/// hole skipped, which no correct replica does).
pub fn chain(prev: u64, slot: Slot, v: Option<&Value>) -> u64 {
    let mut h = TraceHasher::default();
    h.write_u64(prev);
    h.write_u64(slot);
    match v {
        Some(v) => {
            h.write_u64(1);
            v.hash_into(&mut h);
        }
        None => h.write_u64(0),
    }
    h.finish()
}

fn send(out: &mut Vec<Effect>, to: Rank, msg: Msg) {
    out.push(Effect::Send {
        to,
        msg: Rc::new(msg),
    });
}
