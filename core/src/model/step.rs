//! The transition relation: which actions a state allows, and what one action does. Every
//! protocol step is a call of the real `Monitor::handle` (through the `Protocol` trait); its
//! effects are interpreted here: Send appends to the link, SetTimer/CancelTimer arm and disarm
//! (checked against the monitor's own timer table), Persist is replayed on a shadow store so
//! each Send can be checked against what was durable when it left, Reply is checked against
//! the stores.

use super::fingerprint::fingerprint;
use super::invariants;
use super::memo::{self, Cache, CacheSizes, Event};
use super::state::{link, Action, Budget, Ghost, MonitorExt, State, N, T0_MS};
use super::ModelConfig;
use crate::actor::{Effect, Input, Protocol, Rank};
use crate::check::{Broken, Check};
use crate::client::{ClientOp, ClientReply, ClientRequest};
use crate::protocols::ceph::messages::Msg;
use crate::protocols::ceph::store::Semantics;
use crate::protocols::ceph::{Ceph, Config, MonState, Monitor, Store};
use crate::scenario::Mutation;
use std::cell::RefCell;
use std::rc::Rc;

/// The request id of every read (puts are numbered from 1).
const READ_ID: u64 = 1_000;
/// Compare-and-sets are numbered from `CAS_ID + 1`.
const CAS_ID: u64 = 500;

/// The model: its bounds and the protocol configuration the monitors run with.
pub struct Model {
    pub bounds: ModelConfig,
    pub protocol: Rc<Config>,
    /// Highest epoch explored past (from `bounds.elections` and the start state).
    max_epoch: u64,
    /// How the monitors evaluate committed client operations (for the shadow store).
    semantics: Semantics,
    /// Canonical monitors and messages, and the memoised handler calls (`memo`).
    cache: RefCell<Cache>,
    /// Use the memo (off only in tests that compare it with fresh handler calls).
    memoize: bool,
}

/// What one action led to.
pub enum Step {
    Next(State),
    /// The action changed nothing (a read): the successor is the state itself.
    Same,
    /// A step rule broke during the action.
    Broken(Broken),
}

impl Model {
    pub fn new(bounds: ModelConfig) -> Model {
        let protocol = Config {
            monitors: N as u8,
            mutations: bounds.mutations.iter().copied().collect(),
            ..Config::default()
        };
        let semantics = Semantics {
            cas_ignores_expected: protocol.broken(Mutation::CasIgnoresExpected),
        };
        let mut model = Model {
            bounds,
            protocol: Rc::new(protocol),
            max_epoch: u64::MAX,
            semantics,
            cache: RefCell::new(Cache::default()),
            memoize: true,
        };
        let start_epoch = match model.initial() {
            Ok(s) => Self::highest_epoch(&s),
            Err(_) => 0,
        };
        model.max_epoch = start_epoch + 2 * model.bounds.elections;
        model
    }

    fn highest_epoch(s: &State) -> u64 {
        s.monitors
            .iter()
            .map(|m| m.epoch.max(m.store.election_epoch))
            .max()
            .unwrap_or(0)
    }

    /// Count the bound's elections from `start` instead of the model's start state (for an
    /// exploration that begins at a state reached by a directed prefix).
    pub fn count_elections_from(&mut self, start: &State) {
        self.max_epoch = Self::highest_epoch(start) + 2 * self.bounds.elections;
    }

    /// The same model calling the handler afresh on every step instead of through the memo
    /// (for tests that check the memo changes nothing).
    pub fn without_memo(mut self) -> Model {
        self.memoize = false;
        self
    }

    /// Every state predicate (`invariants::check_state`), judged first from each monitor's and
    /// message's facts, kept once per value (`memo::Cache::state_holds`); only a state where
    /// they do not all hold is checked rule by rule, for the first broken rule.
    pub fn check_state(&self, s: &State) -> Check {
        if self.memoize && self.cache.borrow_mut().state_holds(s) {
            return Ok(());
        }
        invariants::check_state(s)
    }

    /// What the memo holds so far.
    pub fn cache_sizes(&self) -> CacheSizes {
        self.cache.borrow().sizes()
    }

    /// `s` with every monitor and message replaced by the memo's canonical `Rc` of its value
    /// (a start state built outside the memo, so that the explorer meets one `Rc` per value).
    pub fn canonical(&self, mut s: State) -> State {
        let mut cache = self.cache.borrow_mut();
        for m in s.monitors.iter_mut() {
            *m = cache.monitor(m.clone());
        }
        for q in s.links.iter_mut() {
            for msg in q.iter_mut() {
                *msg = cache.msg(msg.clone());
            }
        }
        s
    }

    /// Where exploration starts: the boot state, or (with `start_in_quorum`) the stable quorum
    /// that the canonical schedule reaches from it. `Err` if a rule broke on the way there
    /// (possible with a mutation): the canonical actions taken and the broken rule.
    pub fn initial(&self) -> Result<State, (Vec<Action>, Broken)> {
        let boot = self.boot();
        if !self.bounds.start_in_quorum {
            return Ok(boot);
        }
        self.canonical_quorum(boot).map(|(state, _)| state)
    }

    /// The actions of the canonical schedule from boot to the start state (empty from boot).
    pub fn prefix(&self) -> Vec<Action> {
        if !self.bounds.start_in_quorum {
            return Vec::new();
        }
        match self.canonical_quorum(self.boot()) {
            Ok((_, taken)) | Err((taken, _)) => taken,
        }
    }

    /// The canonical schedule: deliver the head of the lowest non-empty link, else fire the
    /// earliest timer (lowest rank first), with no loss, crash or client, until all three
    /// monitors are in one quorum with something committed, Paxos active and the links empty.
    /// Every step is checked like any other.
    #[allow(clippy::type_complexity)]
    pub fn canonical_quorum(
        &self,
        mut s: State,
    ) -> Result<(State, Vec<Action>), (Vec<Action>, Broken)> {
        let mut taken = Vec::new();
        while !Self::settled_quorum(&s) {
            assert!(
                taken.len() < 10_000,
                "the canonical schedule did not reach a quorum"
            );
            let action = match s.links.iter().position(|q| !q.is_empty()) {
                Some(l) => {
                    let (from, to) = super::state::ends(l);
                    Action::Deliver { from, to, index: 0 }
                }
                None => *self
                    .actions(&s)
                    .iter()
                    .find(|a| matches!(a, Action::Fire { .. }))
                    .expect("a quiet system has an armed timer"),
            };
            taken.push(action);
            s = match self.step(&s, action, None) {
                Step::Next(next) => next,
                Step::Same => unreachable!("the canonical schedule only delivers and fires"),
                Step::Broken(b) => return Err((taken, b)),
            };
            if let Err(b) = super::invariants::check_state(&s) {
                return Err((taken, b));
            }
        }
        Ok((s, taken))
    }

    fn settled_quorum(s: &State) -> bool {
        use crate::protocols::ceph::{MonState, PaxosState};
        let leader = s.monitors.iter().find(|m| m.state == MonState::Leader);
        let Some(l) = leader else { return false };
        s.links.iter().all(|q| q.is_empty())
            && l.quorum.len() == N
            && l.paxos.state == PaxosState::Active
            && s.monitors.iter().all(|m| {
                m.epoch == l.epoch
                    && matches!(m.state, MonState::Leader | MonState::Peon)
                    && m.store.last_committed == l.store.last_committed
                    && m.store.last_committed > 0
            })
    }

    /// Three monitors with empty stores, each after its `Start` at the same instant (the boot
    /// is not a choice: each start only sends probes and arms a timer).
    pub fn boot(&self) -> State {
        let b = &self.bounds;
        let mut s = State {
            monitors: std::array::from_fn(|r| Rc::new(self.fresh(r as Rank, Store::default()))),
            up: [true; N],
            links: std::array::from_fn(|_| Vec::new()),
            ghosts: std::array::from_fn(|_| Rc::new(Ghost::default())),
            budget: Budget {
                losses: b.losses,
                duplicates: b.duplicates,
                reorders: b.reorders,
                crashes: b.crashes,
                restarts: b.restarts,
                puts_sent: 0,
                cas_sent: 0,
            },
        };
        for r in 0..N as Rank {
            if let Err(e) = self.handle(&mut s, r, T0_MS, Input::Start, None) {
                panic!("the boot step broke {}: {}", e.invariant, e.detail);
            }
        }
        s
    }

    /// A monitor booted from `store` (first boot or restart), its clock at the canonical now.
    fn fresh(&self, r: Rank, store: Store) -> Monitor {
        let mut m = <Ceph as Protocol>::boot(r, &self.protocol, store);
        m.now_ms = T0_MS;
        m
    }

    /// Is this state inside the bounds (so its successors are explored)?
    pub fn within_bounds(&self, s: &State) -> bool {
        let max_epoch = self.max_epoch;
        s.monitors
            .iter()
            .all(|m| m.epoch <= max_epoch && m.store.election_epoch <= max_epoch)
            && s.links.iter().all(|q| q.len() <= self.bounds.link_capacity)
    }

    /// Every action the state allows, in a fixed order.
    pub fn actions(&self, s: &State) -> Vec<Action> {
        let mut out = Vec::new();
        for (l, q) in s.links.iter().enumerate() {
            if q.is_empty() {
                continue;
            }
            let (from, to) = super::state::ends(l);
            out.push(Action::Deliver { from, to, index: 0 });
            if s.budget.losses > 0 {
                out.push(Action::Drop { from, to });
            }
            if s.budget.reorders > 0 {
                out.extend((1..q.len()).map(|i| Action::Deliver {
                    from,
                    to,
                    index: i as u8,
                }));
            }
            if s.budget.duplicates > 0 {
                out.extend((0..q.len()).map(|i| Action::Duplicate {
                    from,
                    to,
                    index: i as u8,
                }));
            }
        }
        let quiet = s.links.iter().all(|q| q.is_empty());
        let timers_may_fire = quiet || !self.bounds.quiet_timers;
        if let (Some(next), true) = (s.next_deadline_ms(), timers_may_fire) {
            for r in (0..N).filter(|r| s.up[*r]) {
                for (timer, at) in s.monitors[r].timers.iter() {
                    if *at == next {
                        out.push(Action::Fire {
                            node: r as Rank,
                            timer,
                        });
                    }
                }
            }
        }
        for r in 0..N {
            let rank = r as Rank;
            if s.up[r] && s.budget.crashes > 0 {
                out.push(Action::Crash(rank));
            }
            if !s.up[r] && s.budget.restarts > 0 {
                out.push(Action::Restart(rank));
            }
            // Only a monitor in a quorum does anything with a put (others refuse it at once,
            // changing nothing), so a put elsewhere would only use up the workload.
            let in_quorum = s.monitors[r].is_leader_or_peon();
            if s.up[r] && in_quorum && s.budget.puts_sent < self.bounds.puts {
                out.push(Action::Put(rank));
            }
            if s.up[r] && in_quorum && s.budget.cas_sent < self.bounds.cas {
                out.push(Action::Cas {
                    node: rank,
                    stale: false,
                });
                // Before any put both expect "absent": one choice.
                if s.budget.puts_sent > 0 {
                    out.push(Action::Cas {
                        node: rank,
                        stale: true,
                    });
                }
            }
        }
        out
    }

    /// Apply one action. `notes` collects the monitors' explanations (for printed paths).
    pub fn step(&self, s: &State, action: Action, notes: Option<&mut Vec<String>>) -> Step {
        if let Action::Get(r) = action {
            return match self.read(s, r, notes) {
                Ok(()) => Step::Same,
                Err(b) => Step::Broken(b),
            };
        }
        let mut next = s.clone();
        let result = self.apply(&mut next, action, notes);
        match result {
            Ok(()) => Step::Next(next),
            Err(b) => Step::Broken(b),
        }
    }

    /// Hand `msg` from `from` to monitor `to` (model messages arrive at the quiet time T0).
    fn deliver(
        &self,
        s: &mut State,
        from: Rank,
        to: Rank,
        msg: Rc<Msg>,
        notes: Option<&mut Vec<String>>,
    ) -> Check {
        let input = Input::Deliver { from, msg };
        self.handle(s, to, T0_MS, input, notes)
    }

    fn apply(&self, s: &mut State, action: Action, notes: Option<&mut Vec<String>>) -> Check {
        match action {
            Action::Deliver { from, to, index } => {
                let msg = s.links[link(from, to)].remove(index as usize);
                if index > 0 {
                    s.budget.reorders -= 1;
                }
                self.deliver(s, from, to, msg, notes)
            }
            Action::Duplicate { from, to, index } => {
                // The copy stays queued: the link delivers it again later.
                let msg = s.links[link(from, to)][index as usize].clone();
                s.budget.duplicates -= 1;
                self.deliver(s, from, to, msg, notes)
            }
            Action::Drop { from, to } => {
                s.links[link(from, to)].remove(0);
                s.budget.losses -= 1;
                Ok(())
            }
            Action::Fire { node, timer } => {
                let at = s.monitors[node as usize].timers[&timer];
                self.handle(s, node, at, Input::Timeout(timer), notes)?;
                invariants::timeout_bootstraps(node, timer, &s.monitors[node as usize])?;
                self.advance_clock(s, at - T0_MS);
                Ok(())
            }
            Action::Crash(r) => {
                self.crash(s, r);
                Ok(())
            }
            Action::Restart(r) => {
                s.budget.restarts -= 1;
                s.up[r as usize] = true;
                self.handle(s, r, T0_MS, Input::Start, notes)
            }
            Action::Get(r) => self.read(s, r, notes),
            Action::Put(r) => {
                s.budget.puts_sent += 1;
                let id = s.budget.puts_sent as u64;
                let op = ClientOp::Put {
                    key: "x".into(),
                    value: id.to_string().into(),
                };
                self.handle(
                    s,
                    r,
                    T0_MS,
                    Input::Client(ClientRequest { id, origin: r, op }),
                    notes,
                )
            }
            Action::Cas { node, stale } => {
                let (expected, value) = super::state::cas_op(&s.budget, stale);
                s.budget.cas_sent += 1;
                let id = CAS_ID + s.budget.cas_sent as u64;
                let op = ClientOp::Cas {
                    key: "x".into(),
                    expected: expected.map(Into::into),
                    value: value.into(),
                };
                let request = ClientRequest {
                    id,
                    origin: node,
                    op,
                };
                self.handle(s, node, T0_MS, Input::Client(request), notes)
            }
        }
    }

    /// A client reads `x` at `r` through the real handler, on a copy: a read must change
    /// nothing and send nothing, so the state is left as it was (`Step::Same`). A value it
    /// returns is checked (`read-under-lease`), and so is a refusal
    /// (`reads-served-under-lease`). What a read does depends on that monitor alone
    /// (and the clock, always `T0_MS`), so the explorer reads each distinct monitor once.
    pub fn read(&self, s: &State, r: Rank, mut notes: Option<&mut Vec<String>>) -> Check {
        let i = r as usize;
        let before = &s.monitors[i];
        let mut m = (**before).clone();
        let mut out: Vec<Effect<Ceph>> = Vec::new();
        let op = ClientOp::Get { key: "x".into() };
        let id = READ_ID;
        <Ceph as Protocol>::handle(
            &mut m,
            T0_MS,
            Input::Client(ClientRequest { id, origin: r, op }),
            &mut out,
        );
        debug_assert_eq!(
            fingerprint(&m),
            fingerprint(&**before),
            "mon.{r}: a read changed the monitor"
        );
        for effect in out {
            match effect {
                Effect::Reply { reply, .. } => {
                    match reply {
                        ClientReply::Value { .. } => invariants::read_under_lease(r, before)?,
                        ClientReply::Refused { .. } => invariants::read_refusal(r, before)?,
                        _ => {}
                    }
                    if let Some(n) = notes.as_deref_mut() {
                        n.push(format!("mon.{r}: reply to get: {reply:?}"));
                    }
                }
                Effect::Note(_) => {}
                other => panic!("mon.{r}: a read had an effect other than its reply: {other:?}"),
            }
        }
        Ok(())
    }

    /// A crash keeps only the store; messages on the way to the node die with its sessions;
    /// what it already sent stays on the wire.
    fn crash(&self, s: &mut State, r: Rank) {
        let i = r as usize;
        s.budget.crashes -= 1;
        s.up[i] = false;
        let m = &s.monitors[i];
        s.monitors[i] = self
            .cache
            .borrow_mut()
            .crashed(m, || self.fresh(r, m.store.clone()));
        s.ghosts[i] = Rc::new(s.ghosts[i].after_crash());
        for from in 0..N as Rank {
            s.links[link(from, r)].clear();
        }
    }

    /// The global clock moved forward by `delta_ms`: shift every stored time back.
    fn advance_clock(&self, s: &mut State, delta_ms: u64) {
        if delta_ms == 0 {
            return;
        }
        let mut cache = self.cache.borrow_mut();
        for m in s.monitors.iter_mut() {
            *m = cache.shifted(m, delta_ms);
        }
        for q in s.links.iter_mut() {
            for msg in q.iter_mut() {
                *msg = cache.shifted_msg(msg, delta_ms);
            }
        }
    }

    /// One call of the real handler on monitor `r` at time `now_ms`, its effects interpreted:
    /// the part that depends on the monitor and the input alone comes from the memo
    /// (`memo::compute`, once per monitor and input), the rest is replayed here on the state,
    /// in the order the effects were emitted.
    fn handle(
        &self,
        s: &mut State,
        r: Rank,
        now_ms: u64,
        input: Input<Ceph>,
        mut notes: Option<&mut Vec<String>>,
    ) -> Check {
        let i = r as usize;
        debug_assert!(s.up[i], "only running monitors handle inputs");
        let before = s.monitors[i].clone();
        let compute =
            |input| memo::compute(&before, r, now_ms, input, self.semantics, notes.is_some());
        let outcome = if notes.is_some() || !self.memoize {
            Rc::new(compute(input))
        } else {
            let input_copy = input.clone();
            self.cache
                .borrow_mut()
                .outcome(&before, &input_copy, || compute(input))
        };

        let mut ghost = (*s.ghosts[i]).clone();
        if let Some(d) = &outcome.delivered {
            d.record(&mut ghost);
        }
        for event in &outcome.events {
            match event {
                Event::Send {
                    to,
                    msg,
                    durable,
                    own_report,
                } => {
                    durable.clone()?;
                    invariants::record_send(r, msg, own_report, &mut ghost)?;
                    self.put_on_wire(s, r, *to, msg.clone(), notes.as_deref_mut());
                }
                Event::Note(text) => {
                    if let Some(n) = notes.as_deref_mut() {
                        n.push(text.clone());
                    }
                }
            }
        }
        let after = &outcome.after;
        outcome.handled_alone.clone()?;
        invariants::every_member(r, &before, after, &mut ghost)?;
        outcome.elections.clone()?;
        if after.state != MonState::Leader {
            ghost.forget_leadership();
        }
        if outcome.left_recovery {
            invariants::one_leader_recovers(r, after.epoch, &s.ghosts)?;
            ghost.recovered.insert(after.epoch);
        }
        s.monitors[i] = after.clone();
        // An unchanged ghost keeps its `Rc`: the explorer then finds it by address, unhashed.
        if ghost != *s.ghosts[i] {
            s.ghosts[i] = Rc::new(ghost);
        }
        for (req_id, reply) in &outcome.replies {
            match reply {
                ClientReply::Written { version } => {
                    invariants::acknowledged_write(r, s, *req_id, *version)?;
                }
                ClientReply::CasDone {
                    applied,
                    current,
                    version,
                } => {
                    invariants::acknowledged_write(r, s, *req_id, *version)?;
                    invariants::cas_answer(r, s, *req_id, *applied, current.as_deref(), *version)?;
                }
                ClientReply::Refused { .. } => invariants::write_refusal(r, &s.monitors[i])?,
                _ => {}
            }
            if let Some(n) = notes.as_deref_mut() {
                n.push(format!("mon.{r}: reply to request {req_id}: {reply:?}"));
            }
        }
        Ok(())
    }

    fn put_on_wire(
        &self,
        s: &mut State,
        from: Rank,
        to: Rank,
        msg: Rc<Msg>,
        notes: Option<&mut Vec<String>>,
    ) {
        if !s.up[to as usize] {
            if let Some(n) = notes {
                n.push(format!(
                    "mon.{from} -> mon.{to} {} lost: mon.{to} is down",
                    msg.summary()
                ));
            }
            return;
        }
        // Normalised when it left (`memo::compute`).
        s.links[link(from, to)].push(msg);
    }
}
