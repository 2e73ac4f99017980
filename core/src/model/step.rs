//! The transition relation: which actions a state allows, and what one action does. Every
//! protocol step is a call of the real `Monitor::handle` (through the `Protocol` trait); its
//! effects are interpreted here: Send appends to the link, SetTimer/CancelTimer arm and disarm
//! (checked against the monitor's own timer table), Persist is replayed on a shadow store so
//! each Send can be checked against what was durable when it left, Reply is checked against
//! the stores.

use super::fingerprint::fingerprint;
use super::invariants::{self, Delivered};
use super::state::{
    link, normalize_monitor, normalize_msg, Action, Budget, Ghost, MonitorExt, State, N, T0_MS,
};
use super::ModelConfig;
use crate::actor::{Effect, Input, Protocol, Rank};
use crate::check::{Broken, Check};
use crate::client::{ClientOp, ClientReply, ClientRequest};
use crate::protocols::ceph::declaration::CEPH;
use crate::protocols::ceph::messages::Msg;
use crate::protocols::ceph::store::Semantics;
use crate::protocols::ceph::{Ceph, Config, Monitor, Store, Timer};
use crate::scenario::Mutation;
use std::borrow::Cow;
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
        };
        let start_epoch = match model.initial() {
            Ok(s) => s
                .monitors
                .iter()
                .map(|m| m.epoch.max(m.store.election_epoch))
                .max()
                .unwrap_or(0),
            Err(_) => 0,
        };
        // An election moves the epoch from even to odd and on to even: two per election (from
        // boot the epoch starts at 0 and the first election ends at 2).
        model.max_epoch = start_epoch + 2 * model.bounds.elections;
        model
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
    /// returns is checked (`read-under-lease`). What a read does depends on that monitor alone
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
                    if let ClientReply::Value { .. } = reply {
                        invariants::read_under_lease(r, before)?;
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
        s.monitors[i] = Rc::new(self.fresh(r, s.monitors[i].store.clone()));
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
        for m in s.monitors.iter_mut() {
            normalize_monitor(Rc::make_mut(m), delta_ms);
        }
        for q in s.links.iter_mut() {
            for msg in q.iter_mut() {
                if let Some(shifted) = normalize_msg(msg, delta_ms) {
                    *msg = Rc::new(shifted);
                }
            }
        }
    }

    /// One call of the real handler on monitor `r` at time `now_ms`, its effects interpreted.
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
        let fired = match &input {
            Input::Timeout(t) => Some(*t),
            _ => None,
        };
        let delivered = match &input {
            Input::Deliver { from, msg } => Delivered::of(*from, msg),
            _ => None,
        };
        let mut m = (*before).clone();
        let mut out: Vec<Effect<Ceph>> = Vec::new();
        <Ceph as Protocol>::handle(&mut m, now_ms, input, &mut out);

        let mut ghost = (*s.ghosts[i]).clone();
        if let Some(d) = &delivered {
            d.record(&mut ghost);
        }
        let mut durable: Cow<Store> = Cow::Borrowed(&before.store);
        // The armed timers as a bit set (`Timer::slot`): this runs on every step.
        let bit = |t: Timer| 1u64 << t.slot();
        let mut armed: u64 = before.timers.keys().fold(0, |a, t| a | bit(t));
        if let Some(t) = fired {
            armed &= !bit(t); // a timer that fires is no longer armed
        }
        let mut sent_paxos = false;
        let mut replies = Vec::new();
        for effect in out {
            match effect {
                Effect::Persist(txn) => {
                    // Evaluated as the monitor evaluates committed operations (a mutation may
                    // change how a compare-and-set applies).
                    durable.to_mut().apply_with(&txn, self.semantics);
                }
                Effect::Send { to, msg } => {
                    invariants::check_send(r, &durable, &msg, &mut ghost)?;
                    sent_paxos |= matches!(*msg, Msg::Paxos(_));
                    self.put_on_wire(s, r, to, msg, notes.as_deref_mut());
                }
                Effect::SetTimer { timer, .. } | Effect::SetTimerJittered { timer, .. } => {
                    armed |= bit(timer)
                }
                Effect::CancelTimer(timer) => armed &= !bit(timer),
                Effect::Reply { req_id, reply } => replies.push((req_id, reply)),
                Effect::Note(text) => {
                    if let Some(n) = notes.as_deref_mut() {
                        n.push(format!("mon.{r}: {text}"));
                    }
                }
                // Every state change the explorer reaches must be one the declaration allows
                // (the funnel's own check is a debug assertion; this one holds in release).
                Effect::Transition(t) => {
                    assert!(CEPH.allows(t), "mon.{r}: undeclared transition {t:?}")
                }
            }
        }
        // The store a Persist-only replay builds must be the monitor's store, and the timers its
        // effects armed must be the ones it records: otherwise the model misreads the protocol.
        assert!(
            *durable == m.store,
            "mon.{r}: the Persist effects do not rebuild its store"
        );
        assert!(
            armed == m.timers.keys().fold(0, |a, t| a | bit(t)),
            "mon.{r}: timer effects disagree with its timer table"
        );

        invariants::check_handled(r, &before, &m, delivered.as_ref(), sent_paxos, &mut ghost)?;
        if invariants::left_recovery(&before, &m) {
            invariants::one_leader_recovers(r, m.epoch, &s.ghosts)?;
            ghost.recovered.insert(m.epoch);
        }
        // Canonical form at the handler's own instant; a timer firing later in the future shifts
        // the whole state (this monitor included) in `advance_clock`.
        normalize_monitor(&mut m, 0);
        // An unchanged monitor (a message it dropped) keeps its `Rc` too.
        if m != *before {
            s.monitors[i] = Rc::new(m);
        }
        // An unchanged ghost keeps its `Rc`: the explorer then finds it by address, unhashed.
        if ghost != *s.ghosts[i] {
            s.ghosts[i] = Rc::new(ghost);
        }
        for (req_id, reply) in replies {
            match &reply {
                ClientReply::Written { version } => {
                    invariants::acknowledged_write(r, s, req_id, *version)?;
                }
                ClientReply::CasDone {
                    applied,
                    current,
                    version,
                } => {
                    invariants::acknowledged_write(r, s, req_id, *version)?;
                    invariants::cas_answer(r, s, req_id, *applied, current.as_deref(), *version)?;
                }
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
        let msg = normalize_msg(&msg, 0).map_or(msg, Rc::new);
        s.links[link(from, to)].push(msg);
    }
}
