//! Memoised handler calls. A monitor's `handle` is a pure function of the monitor, the clock
//! and the input (the configuration is the model's one), and the explorer makes the same call
//! millions of times: 12.6 million transitions of the default run touch about 65 000 distinct
//! monitors. So the part of a step that depends on the monitor and the input alone (the handler
//! call, its effects read in order, the store and timer cross-checks, the step rules that look
//! only at that monitor) is computed once per (monitor, input) and kept as an `Outcome`; the
//! part that depends on the rest of the state (ghost variables, who is up, the other stores) is
//! replayed from it on every step, in the original order (`Model::handle`).
//!
//! Keys are addresses of `Rc`s that the cache keeps alive (an address is never reused while it
//! is a key), and every monitor and message a memoised step produces is canonical: one `Rc` per
//! distinct value (found by its fingerprint, as the explorer's interning tables find states).
//! So a state's monitors and messages are the same `Rc`s from one step to the next, and the
//! memo finds them by address without hashing them again.

use super::fingerprint::fingerprint;
use super::fx::FxMap;
use super::invariants::{self, Delivered};
use super::state::{normalize_monitor, normalize_msg};
use crate::actor::{Effect, Input, Protocol, Rank};
use crate::check::Check;
use crate::client::{ClientReply, ReqId};
use crate::protocols::ceph::declaration::CEPH;
use crate::protocols::ceph::messages::{Msg, Pn, Version};
use crate::protocols::ceph::store::Semantics;
use crate::protocols::ceph::{Ceph, Monitor, Store, Timer, Value};
use std::borrow::Cow;
use std::rc::Rc;

/// One effect of a handler call that the rest of the state sees, in the order it was emitted.
pub enum Event {
    /// A message left. `durable` is the verdict of the rules that look only at the store as
    /// it stood when the message left (`invariants::check_send_durable`); `own_report` is the
    /// sender's own uncommitted value at that moment (a COLLECT's ghost bookkeeping).
    Send {
        to: Rank,
        msg: Rc<Msg>,
        durable: Check,
        own_report: Vec<(Pn, Version, Rc<Value>)>,
    },
    /// A note for a printed path (kept only when the call was made for one).
    Note(String),
}

/// What one handler call did, as far as it depends on the monitor and the input alone.
pub struct Outcome {
    /// The monitor after the call, in canonical time (the same `Rc` as before if unchanged).
    pub after: Rc<Monitor>,
    /// The Paxos message delivered, for the ghost bookkeeping.
    pub delivered: Option<Delivered>,
    pub events: Vec<Event>,
    /// `durable_monotone` and `epoch-filter` (`invariants::check_handled_alone`).
    pub handled_alone: Check,
    /// The election rules (`check::elections::check_handled`).
    pub elections: Check,
    /// The call took a leader out of recovery.
    pub left_recovery: bool,
    pub replies: Vec<(ReqId, ClientReply)>,
}

/// Run the real handler on a copy of `before` and read its effects. `keep_notes`: keep the
/// monitor's notes (for printed paths).
pub fn compute(
    before: &Rc<Monitor>,
    r: Rank,
    now_ms: u64,
    input: Input<Ceph>,
    semantics: Semantics,
    keep_notes: bool,
) -> Outcome {
    let fired = match &input {
        Input::Timeout(t) => Some(*t),
        _ => None,
    };
    let delivered = match &input {
        Input::Deliver { from, msg } => Delivered::of(*from, msg),
        _ => None,
    };
    let mut m = (**before).clone();
    let mut out: Vec<Effect<Ceph>> = Vec::new();
    <Ceph as Protocol>::handle(&mut m, now_ms, input, &mut out);

    let mut durable: Cow<Store> = Cow::Borrowed(&before.store);
    // The armed timers as a bit set (`Timer::slot`).
    let bit = |t: Timer| 1u64 << t.slot();
    let mut armed: u64 = before.timers.keys().fold(0, |a, t| a | bit(t));
    if let Some(t) = fired {
        armed &= !bit(t); // a timer that fires is no longer armed
    }
    let mut sent_paxos = false;
    let mut events = Vec::new();
    let mut replies = Vec::new();
    for effect in out {
        match effect {
            Effect::Persist(txn) => {
                // Evaluated as the monitor evaluates committed operations (a mutation may
                // change how a compare-and-set applies).
                durable.to_mut().apply_with(&txn, semantics);
            }
            Effect::Send { to, msg } => {
                sent_paxos |= matches!(*msg, Msg::Paxos(_));
                let check = invariants::check_send_durable(r, &durable, &msg);
                let own_report = invariants::collect_report(&durable, &msg);
                let msg = normalize_msg(&msg, 0).map_or(msg, Rc::new);
                events.push(Event::Send {
                    to,
                    msg,
                    durable: check,
                    own_report,
                });
            }
            Effect::SetTimer { timer, .. } | Effect::SetTimerJittered { timer, .. } => {
                armed |= bit(timer)
            }
            Effect::CancelTimer(timer) => armed &= !bit(timer),
            Effect::Reply { req_id, reply } => replies.push((req_id, reply)),
            Effect::Note(text) if keep_notes => {
                events.push(Event::Note(format!("mon.{r}: {text}")))
            }
            Effect::Note(_) => {}
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
    let handled_alone =
        invariants::check_handled_alone(r, before, &m, delivered.as_ref(), sent_paxos);
    let elections = crate::check::elections::check_handled(r, before, &m);
    let left_recovery = invariants::left_recovery(before, &m);
    // Canonical form at the handler's own instant; a timer firing later in the future shifts
    // the whole state (this monitor included) in `Model::advance_clock`.
    normalize_monitor(&mut m, 0);
    // An unchanged monitor (a message it dropped) keeps its `Rc`.
    let after = if m == **before {
        before.clone()
    } else {
        Rc::new(m)
    };
    Outcome {
        after,
        delivered,
        events,
        handled_alone,
        elections,
        left_recovery,
        replies,
    }
}

/// The memo's key for one handler call: the monitor's address and the input.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKey {
    Start,
    /// The message's address (a canonical `Rc` the entry keeps alive).
    Deliver {
        from: Rank,
        msg: usize,
    },
    Timeout(Timer),
    /// A client request, by its fingerprint.
    Client(u128),
}

impl InputKey {
    pub fn of(input: &Input<Ceph>) -> InputKey {
        match input {
            Input::Start => InputKey::Start,
            Input::Deliver { from, msg } => InputKey::Deliver {
                from: *from,
                msg: Rc::as_ptr(msg) as usize,
            },
            Input::Timeout(t) => InputKey::Timeout(*t),
            Input::Client(req) => InputKey::Client(fingerprint(req)),
            other => panic!("the model never gives a monitor {other:?}"),
        }
    }
}

/// The `Rc`s an entry keeps alive so that the addresses in its key stay unique.
struct Entry<T> {
    _monitor: Rc<Monitor>,
    _msg: Option<Rc<Msg>>,
    value: T,
}

impl<T: Clone> Entry<T> {
    /// Keep `value`, computed from `monitor` (and `msg`), under `key` in `map`; return it.
    fn keep<K: std::hash::Hash + Eq>(
        map: &mut FxMap<K, Entry<T>>,
        key: K,
        monitor: &Rc<Monitor>,
        msg: Option<Rc<Msg>>,
        value: T,
    ) -> T {
        let entry = Entry {
            _monitor: monitor.clone(),
            _msg: msg,
            value: value.clone(),
        };
        map.insert(key, entry);
        value
    }
}

/// Canonical values and memoised steps of one model.
#[derive(Default)]
pub struct Cache {
    monitors: FxMap<u128, Rc<Monitor>>,
    msgs: FxMap<u128, Rc<Msg>>,
    handled: FxMap<(usize, InputKey), Entry<Rc<Outcome>>>,
    /// (monitor, clock advance) -> the monitor with its times shifted back.
    shifted: FxMap<(usize, u64), Entry<Rc<Monitor>>>,
    /// (message, clock advance) -> the message with its times shifted back.
    shifted_msgs: FxMap<(usize, u64), (Rc<Msg>, Rc<Msg>)>,
    /// monitor -> the monitor a crash leaves (booted from its store).
    crashed: FxMap<usize, Entry<Rc<Monitor>>>,
    monitor_facts: FxMap<usize, Entry<Rc<MonitorFacts>>>,
    /// (message, sender) -> its facts.
    msg_facts: FxMap<(usize, Rank), (Rc<Msg>, Rc<MsgFacts>)>,
}

/// What the cache holds (for the report).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheSizes {
    pub outcomes: usize,
    pub monitors: usize,
}

impl Cache {
    pub fn sizes(&self) -> CacheSizes {
        CacheSizes {
            outcomes: self.handled.len(),
            monitors: self.monitors.len(),
        }
    }

    /// The one `Rc` holding a monitor equal to `m`.
    pub fn monitor(&mut self, m: Rc<Monitor>) -> Rc<Monitor> {
        self.monitors.entry(fingerprint(&*m)).or_insert(m).clone()
    }

    /// The one `Rc` holding a message equal to `msg`.
    pub fn msg(&mut self, msg: Rc<Msg>) -> Rc<Msg> {
        self.msgs.entry(fingerprint(&*msg)).or_insert(msg).clone()
    }

    /// The memoised outcome of `input` at monitor `before`, computed by `make` the first time
    /// (its monitor and messages made canonical).
    pub fn outcome(
        &mut self,
        before: &Rc<Monitor>,
        input: &Input<Ceph>,
        make: impl FnOnce() -> Outcome,
    ) -> Rc<Outcome> {
        let key = (Rc::as_ptr(before) as usize, InputKey::of(input));
        if let Some(e) = self.handled.get(&key) {
            return e.value.clone();
        }
        let mut o = make();
        if !Rc::ptr_eq(&o.after, before) {
            o.after = self.monitor(o.after);
        }
        for e in o.events.iter_mut() {
            if let Event::Send { msg, .. } = e {
                *msg = self.msg(msg.clone());
            }
        }
        let msg = match input {
            Input::Deliver { msg, .. } => Some(msg.clone()),
            _ => None,
        };
        Entry::keep(&mut self.handled, key, before, msg, Rc::new(o))
    }

    /// `m` with its times shifted back by `delta_ms` (`normalize_monitor`), canonical.
    pub fn shifted(&mut self, m: &Rc<Monitor>, delta_ms: u64) -> Rc<Monitor> {
        let key = (Rc::as_ptr(m) as usize, delta_ms);
        if let Some(e) = self.shifted.get(&key) {
            return e.value.clone();
        }
        let mut moved = (**m).clone();
        normalize_monitor(&mut moved, delta_ms);
        let value = self.monitor(Rc::new(moved));
        Entry::keep(&mut self.shifted, key, m, None, value)
    }

    /// `msg` with its times shifted back by `delta_ms` (`normalize_msg`), canonical.
    pub fn shifted_msg(&mut self, msg: &Rc<Msg>, delta_ms: u64) -> Rc<Msg> {
        let key = (Rc::as_ptr(msg) as usize, delta_ms);
        if let Some((_, shifted)) = self.shifted_msgs.get(&key) {
            return shifted.clone();
        }
        let shifted = match normalize_msg(msg, delta_ms) {
            Some(moved) => self.msg(Rc::new(moved)),
            None => msg.clone(),
        };
        self.shifted_msgs
            .insert(key, (msg.clone(), shifted.clone()));
        shifted
    }

    /// The monitor a crash of `m` leaves, made by `boot` the first time, canonical.
    pub fn crashed(&mut self, m: &Rc<Monitor>, boot: impl FnOnce() -> Monitor) -> Rc<Monitor> {
        let key = Rc::as_ptr(m) as usize;
        if let Some(e) = self.crashed.get(&key) {
            return e.value.clone();
        }
        let value = self.monitor(Rc::new(boot()));
        Entry::keep(&mut self.crashed, key, m, None, value)
    }
}

// ------------------------------------------------------------------ state predicates, quickly

/// What the state predicates need of one monitor, computed once per canonical monitor.
pub struct MonitorFacts {
    /// `contiguity` and the monitor's half of `pn-shape-and-freshness` hold.
    pub(super) ok_alone: bool,
    /// Its committed values (`[fc, lc]`), for `agreement`.
    pub(super) committed: Vec<(Version, Rc<Value>)>,
    /// Its pending value (pn, version, value), for `one-value-in-flight`.
    pub(super) pending: Option<(Pn, Version, Rc<Value>)>,
}

/// What the state predicates need of one message on the wire.
pub struct MsgFacts {
    /// The message's halves of `one-value-in-flight` (a BEGIN's shape),
    /// `pn-shape-and-freshness` and `epoch-parity` hold.
    pub(super) ok_alone: bool,
    /// The committed part it carries (COMMIT, LAST, sync chunks), for `agreement`.
    pub(super) committed: Vec<(Version, Rc<Value>)>,
    /// A BEGIN's proposal (pn, version, value), for `one-value-in-flight`.
    pub(super) begin: Option<(Pn, Version, Rc<Value>)>,
}

impl Cache {
    fn monitor_facts(&mut self, m: &Rc<Monitor>) -> Rc<MonitorFacts> {
        let key = Rc::as_ptr(m) as usize;
        if let Some(e) = self.monitor_facts.get(&key) {
            return e.value.clone();
        }
        let value = Rc::new(invariants::monitor_facts(m));
        Entry::keep(&mut self.monitor_facts, key, m, None, value)
    }

    fn msg_facts(&mut self, from: Rank, msg: &Rc<Msg>) -> Rc<MsgFacts> {
        let key = (Rc::as_ptr(msg) as usize, from);
        if let Some((_, facts)) = self.msg_facts.get(&key) {
            return facts.clone();
        }
        let value = Rc::new(invariants::msg_facts(from, msg));
        self.msg_facts.insert(key, (msg.clone(), value.clone()));
        value
    }

    /// True if every state predicate holds in `s` (`invariants::check_state` is `Ok`), judged
    /// from each monitor's and message's facts, computed once. False does not say which rule
    /// broke: the caller asks `check_state` for that.
    pub fn state_holds(&mut self, s: &super::State) -> bool {
        let monitors: [Rc<MonitorFacts>; super::N] =
            std::array::from_fn(|r| self.monitor_facts(&s.monitors[r]));
        let mut committed: Vec<&(Version, Rc<Value>)> = Vec::with_capacity(32);
        let mut proposed: Vec<&(Pn, Version, Rc<Value>)> = Vec::with_capacity(4);
        for f in &monitors {
            if !f.ok_alone {
                return false;
            }
            committed.extend(f.committed.iter());
            proposed.extend(f.pending.iter());
        }
        let mut msgs: Vec<Rc<MsgFacts>> = Vec::with_capacity(16);
        for (l, q) in s.links.iter().enumerate() {
            let from = super::state::ends(l).0;
            msgs.extend(q.iter().map(|m| self.msg_facts(from, m)));
        }
        for f in &msgs {
            if !f.ok_alone {
                return false;
            }
            committed.extend(f.committed.iter());
            proposed.extend(f.begin.iter());
        }
        let same = |a: &Rc<Value>, b: &Rc<Value>| Rc::ptr_eq(a, b) || a == b;
        let mut chosen: Vec<&(Version, Rc<Value>)> = Vec::with_capacity(8);
        for claim in committed {
            match chosen.iter().find(|(v, _)| *v == claim.0) {
                Some((_, first)) if !same(first, &claim.1) => return false,
                Some(_) => {}
                None => chosen.push(claim),
            }
        }
        let one_value = proposed.iter().enumerate().all(|(i, (pn, v, val))| {
            proposed[..i]
                .iter()
                .all(|(qn, w, other)| (qn, w) != (pn, v) || same(val, other))
        });
        one_value && invariants::monitors_at_even_epochs(s) && invariants::read_fresh(s).is_ok()
    }
}
