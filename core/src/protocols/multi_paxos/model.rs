//! Exhaustive model check of the real Multi-Paxos handlers (`Node::handle`), breadth first,
//! within small bounds: 3 servers, α = 2, a few client commands, a bound on proposal rounds
//! (one leader change per extra round) and on crashes.
//!
//! The network is the set of messages in flight: any of them may be delivered next (reordering
//! without limit), up to `losses` of them lost and up to `duplicates` delivered twice; an
//! identical message sent while one is in flight joins it (a copy of it is a duplicate). Time:
//! with `quiet_timers` (the default) a timer fires only while no message is in flight, any
//! armed one in any order (every network delay below every timeout, as Ceph's model check
//! assumes); without, any armed timer may fire at any time. A crashed node may restart from its
//! disk whenever it likes. Client command k (a put of `x`) reaches any running node at any
//! time, in order.
//!
//! Each step feeds its sends and disk writes to `rules::facts::Facts`, then every running
//! replica's applied sequence is compared with the chosen log: the same calls the run's
//! checker (`checker::check_step`) makes after every event. Not checked here: the key-value
//! history's linearizability, which needs the clients' real times (the campaign checks it).
//!
//! Exactness: nodes, messages and facts are interned by their full `Debug` text (every field),
//! a state is those ids, the armed timers and the bitset of messages sent, and states are
//! compared exactly. Each handler runs once per distinct (node, input).

use super::config::{MultiConfig, Mutation};
use super::durable::Durable;
use super::messages::Msg;
use super::node::{Effect, Input, Node, Timer};
use super::rules::facts::Facts;
use super::rules::Violation;
use crate::actor::Rank;
use crate::client::{ClientOp, ClientRequest};
use crate::model::fx::{FxMap, FxSet};
use std::collections::VecDeque;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub struct Bounds {
    /// The highest proposal round a node may use (1: one election, possibly contested; 2: one
    /// leader change on top).
    pub max_round: u32,
    pub crashes: u8,
    /// Client commands (puts), submitted one after the other to any running node among the
    /// first `client_nodes`.
    pub commands: u8,
    pub client_nodes: u8,
    /// Messages that may be lost, and delivered twice, in all.
    pub losses: u8,
    pub duplicates: u8,
    /// Timers fire only while no message is in flight.
    pub quiet_timers: bool,
    /// Stop after this many states (a safety net: the report says it was cut short).
    pub max_states: u64,
    /// Check only what a user would (every replica applies the same sequence), as the
    /// campaign's blind canaries do.
    pub blind: bool,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_round: 1,
            crashes: 0,
            commands: 2,
            client_nodes: 3,
            losses: 1,
            duplicates: 0,
            quiet_timers: true,
            max_states: 5_000_000,
            blind: false,
        }
    }
}

/// Three servers, all members, α = 2, with `mutation` switched on.
pub fn model_config(mutation: Option<Mutation>) -> MultiConfig {
    let mut c = MultiConfig::new(3, 3, 2, 10);
    c.mutations.extend(mutation);
    c
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub states: u64,
    pub transitions: u64,
    pub max_depth: u32,
    /// States in which every node is up and has applied every command.
    pub all_applied_states: u64,
    /// Distinct messages, node states and node-level steps met.
    pub messages: usize,
    pub node_states: usize,
    pub node_steps: usize,
    /// Every reachable state within the bounds was visited.
    pub complete: bool,
    /// The first broken rule met and the steps from the boot that reach it.
    pub violation: Option<(Violation, Vec<String>)>,
}

const TIMERS: [Timer; 4] = [
    Timer::Heartbeat,
    Timer::LeaderTimeout,
    Timer::Resend,
    Timer::Retry,
];

fn timer_bit(t: Timer) -> u64 {
    1 << TIMERS.iter().position(|x| *x == t).expect("a known timer")
}

/// What a node can be given.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Event {
    Deliver(u32),
    Fire(Timer),
    /// Client command `k`.
    Client(u8),
    /// Boot from the disk and start (also the first boot, from an empty disk).
    Boot,
}

/// One transition of the whole system.
#[derive(Clone, Copy, Debug)]
enum Step {
    Deliver(u32),
    /// Deliver a copy and keep the message in flight.
    Duplicate(u32),
    Lose(u32),
    Fire(Rank, Timer),
    Client(Rank, u8),
    Crash(Rank),
    Restart(Rank),
}

/// The outcome of one node-level step, computed once per `(node, event)`.
struct Local {
    /// Its index in `Tables::locals` (the facts' memo key).
    idx: u32,
    rank: Rank,
    node: u32,
    set: u64,
    clear: u64,
    sends: Vec<u32>,
    /// What the rules judge, in the handler's order.
    effects: Vec<Effect>,
}

/// Items stored once each, named by their index; compared by their full `Debug` text.
struct Interned<T> {
    all: Vec<T>,
    ids: FxMap<String, u32>,
}

impl<T: std::fmt::Debug> Interned<T> {
    fn new() -> Self {
        Interned {
            all: Vec::new(),
            ids: FxMap::default(),
        }
    }
    fn id(&mut self, item: T) -> u32 {
        let key = format!("{item:?}");
        if let Some(id) = self.ids.get(&key) {
            return *id;
        }
        let id = u32::try_from(self.all.len()).expect("fewer than 2^32 items");
        self.all.push(item);
        self.ids.insert(key, id);
        id
    }
}

struct Tables {
    config: Rc<MultiConfig>,
    /// (from, to, message).
    msgs: Interned<(Rank, Rank, Rc<Msg>)>,
    nodes: Interned<Node>,
    disks: Interned<(Rank, Durable)>,
    facts: Interned<Facts>,
    steps: FxMap<(u32, Event), Rc<Local>>,
    locals: u32,
    /// (facts, local step) -> the facts after it, or the rule it breaks.
    judged: FxMap<(u32, u32), Result<u32, Violation>>,
}

impl Tables {
    /// Node `id` (for `Event::Boot`, disk `id`) given `ev`: the real handler, once.
    fn local(&mut self, id: u32, ev: Event) -> Rc<Local> {
        if let Some(l) = self.steps.get(&(id, ev)) {
            return l.clone();
        }
        let (mut node, input) = match ev {
            Event::Boot => {
                let (rank, d) = self.disks.all[id as usize].clone();
                (Node::boot(rank, self.config.clone(), d), Input::Start)
            }
            Event::Deliver(m) => {
                let (from, _, msg) = &self.msgs.all[m as usize];
                let input = Input::Deliver {
                    from: *from,
                    msg: msg.clone(),
                };
                (self.nodes.all[id as usize].clone(), input)
            }
            Event::Fire(t) => (self.nodes.all[id as usize].clone(), Input::Timeout(t)),
            Event::Client(k) => {
                let node = self.nodes.all[id as usize].clone();
                (node.clone(), Input::Client(command(node.rank, k)))
            }
        };
        let rank = node.rank;
        let mut out: Vec<Effect> = Vec::new();
        node.handle(0, input, &mut out);
        let (mut set, mut clear) = (0u64, 0u64);
        let (mut sends, mut effects) = (Vec::new(), Vec::new());
        for e in out {
            match &e {
                Effect::Send { to, msg } => {
                    sends.push(self.msgs.id((rank, *to, msg.clone())));
                    effects.push(e);
                }
                Effect::SetTimer { timer, .. } | Effect::SetTimerJittered { timer, .. } => {
                    set |= timer_bit(*timer);
                    clear &= !timer_bit(*timer);
                }
                Effect::CancelTimer(timer) => {
                    clear |= timer_bit(*timer);
                    set &= !timer_bit(*timer);
                }
                Effect::Persist(_) => effects.push(e),
                _ => {}
            }
        }
        self.locals += 1;
        let l = Rc::new(Local {
            idx: self.locals - 1,
            rank,
            node: self.nodes.id(node),
            set,
            clear,
            sends,
            effects,
        });
        self.steps.insert((id, ev), l.clone());
        l
    }

    /// The facts after local step `l` from facts `f`: the run checker's calls, in order.
    fn judge(&mut self, f: u32, l: &Local) -> Result<u32, Violation> {
        if l.effects.is_empty() {
            return Ok(f);
        }
        if let Some(r) = self.judged.get(&(f, l.idx)) {
            return r.clone();
        }
        let mut facts = self.facts.all[f as usize].clone();
        let r = feed(&mut facts, l).map(|()| self.facts.id(facts));
        self.judged.insert((f, l.idx), r.clone());
        r
    }
}

fn feed(facts: &mut Facts, l: &Local) -> Result<(), Violation> {
    for e in &l.effects {
        match e {
            Effect::Send { msg, .. } => facts.sent(l.rank, msg)?,
            Effect::Persist(writes) => facts.persisted(l.rank, writes)?,
            _ => {}
        }
    }
    Ok(())
}

/// Client command `k` at node `rank`: a put of `x`, its value the command's number.
fn command(rank: Rank, k: u8) -> ClientRequest {
    ClientRequest {
        id: u64::from(k) + 1,
        origin: rank,
        op: ClientOp::Put {
            key: "x".into(),
            value: format!("{}", k + 1).into(),
        },
    }
}

/// A node's slot in a state: a node id (up) or a disk id (crashed), and its armed timers.
const CRASHED: u64 = 1 << 31;
const ID: u64 = CRASHED - 1;
const N: usize = 3;

fn slot(id: u32, crashed: bool, timers: u64) -> u64 {
    assert!(u64::from(id) < CRASHED, "ids fit in 31 bits");
    u64::from(id) | if crashed { CRASHED } else { 0 } | timers << 32
}

/// A state: the three nodes' slots, then the meta word (`Meta`), then the bitset of the
/// messages in flight (trailing zero words trimmed: one state, one key).
#[derive(Clone, PartialEq, Eq, Hash)]
struct St(Box<[u64]>);

impl St {
    fn up(&self, r: usize) -> Option<u32> {
        (self.0[r] & CRASHED == 0).then_some((self.0[r] & ID) as u32)
    }
    fn timers(&self, r: usize) -> u64 {
        self.0[r] >> 32
    }
    fn meta(&self) -> Meta {
        let w = self.0[N];
        Meta {
            facts: w as u32,
            crashes: (w >> 32) as u8,
            commands: (w >> 40) as u8,
            losses: (w >> 48) as u8,
            duplicates: (w >> 56) as u8,
        }
    }
    fn quiet(&self) -> bool {
        self.0.len() == N + 1
    }
    fn net(&self) -> impl Iterator<Item = u32> + '_ {
        self.0[N + 1..].iter().enumerate().flat_map(|(w, b)| {
            let mut rest = *b;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let i = rest.trailing_zeros();
                    rest &= rest - 1;
                    (w * 64) as u32 + i
                })
            })
        })
    }
    /// This state with node `r`'s slot (if any), `meta`, message `gone` out of flight and the
    /// messages `sent` in.
    fn with(&self, r: Option<(usize, u64)>, meta: Meta, gone: Option<u32>, sent: &[u32]) -> St {
        let mut v = self.0.to_vec();
        if let Some((r, s)) = r {
            v[r] = s;
        }
        v[N] = meta.word();
        if let Some(m) = gone {
            v[N + 1 + m as usize / 64] &= !(1 << (m % 64));
        }
        for m in sent {
            let w = N + 1 + *m as usize / 64;
            if v.len() <= w {
                v.resize(w + 1, 0);
            }
            v[w] |= 1 << (m % 64);
        }
        while v.len() > N + 1 && v.last() == Some(&0) {
            v.pop();
        }
        St(v.into())
    }
}

/// A state's counters: its facts (interned), and the crashes, commands, losses and
/// duplicates used so far.
#[derive(Clone, Copy)]
struct Meta {
    facts: u32,
    crashes: u8,
    commands: u8,
    losses: u8,
    duplicates: u8,
}

impl Meta {
    fn word(self) -> u64 {
        u64::from(self.facts)
            | u64::from(self.crashes) << 32
            | u64::from(self.commands) << 40
            | u64::from(self.losses) << 48
            | u64::from(self.duplicates) << 56
    }
}

struct Explorer {
    t: Tables,
    bounds: Bounds,
}

impl Explorer {
    fn steps(&self, s: &St) -> Vec<Step> {
        let (b, meta) = (&self.bounds, s.meta());
        let mut v = Vec::new();
        for m in s.net() {
            if s.up(self.t.msgs.all[m as usize].1 as usize).is_some() {
                v.push(Step::Deliver(m));
                if meta.duplicates < b.duplicates {
                    v.push(Step::Duplicate(m));
                }
            }
            if meta.losses < b.losses {
                v.push(Step::Lose(m));
            }
        }
        let timers_may_fire = s.quiet() || !b.quiet_timers;
        for r in 0..N {
            let rank = r as Rank;
            let Some(id) = s.up(r) else {
                v.push(Step::Restart(rank));
                continue;
            };
            for t in TIMERS {
                let armed = s.timers(r) & timer_bit(t) != 0;
                if armed && timers_may_fire && self.may_fire(id, t) {
                    v.push(Step::Fire(rank, t));
                }
            }
            if meta.commands < b.commands && rank < b.client_nodes {
                v.push(Step::Client(rank, meta.commands));
            }
            if meta.crashes < b.crashes {
                v.push(Step::Crash(rank));
            }
        }
        v
    }

    /// The round bound: a leader timeout fires only if the round it would stand with is
    /// within it.
    fn may_fire(&self, id: u32, t: Timer) -> bool {
        if t != Timer::LeaderTimeout {
            return true;
        }
        let n = &self.t.nodes.all[id as usize];
        let round = n.durable.max_round.max(n.highest.map_or(0, |h| h.round)) + 1;
        round <= self.bounds.max_round
    }

    fn apply(&mut self, s: &St, step: Step) -> Result<St, Violation> {
        let mut meta = s.meta();
        let mut gone = None;
        let (r, id, ev, timers) = match step {
            Step::Crash(r) => {
                let node = &self.t.nodes.all[s.up(r as usize).expect("up") as usize];
                let disk = self.t.disks.id((r, node.durable.clone()));
                meta.crashes += 1;
                let next = s.with(Some((r as usize, slot(disk, true, 0))), meta, None, &[]);
                return Ok(self.drop_to_crashed(next));
            }
            Step::Lose(m) => {
                meta.losses += 1;
                return Ok(s.with(None, meta, Some(m), &[]));
            }
            Step::Restart(r) => (r, (s.0[r as usize] & ID) as u32, Event::Boot, 0),
            Step::Deliver(m) | Step::Duplicate(m) => {
                let r = self.t.msgs.all[m as usize].1;
                let id = s.up(r as usize).expect("up");
                if matches!(step, Step::Deliver(_)) {
                    gone = Some(m);
                } else {
                    meta.duplicates += 1;
                }
                (r, id, Event::Deliver(m), s.timers(r as usize))
            }
            Step::Fire(r, t) => {
                let id = s.up(r as usize).expect("up");
                (r, id, Event::Fire(t), s.timers(r as usize) & !timer_bit(t))
            }
            Step::Client(r, k) => {
                let id = s.up(r as usize).expect("up");
                (r, id, Event::Client(k), s.timers(r as usize))
            }
        };
        let l = self.t.local(id, ev);
        meta.facts = self.t.judge(meta.facts, &l)?;
        meta.commands += u8::from(matches!(step, Step::Client(..)));
        let timers = (timers & !l.clear) | l.set;
        let slot = slot(l.node, false, timers);
        let next = s.with(Some((r as usize, slot)), meta, gone, &l.sends);
        self.check_replicas(&next)?;
        Ok(self.drop_to_crashed(next))
    }

    /// A message to a crashed node is lost with it (its connections die); after a restart only
    /// what is sent anew reaches it. So a crash leaves no message waiting forever, and the
    /// quiet network the timers wait for comes.
    fn drop_to_crashed(&self, mut s: St) -> St {
        let dead: Vec<u32> = s
            .net()
            .filter(|m| s.up(self.t.msgs.all[*m as usize].1 as usize).is_none())
            .collect();
        if dead.is_empty() {
            return s;
        }
        let mut v = s.0.to_vec();
        for m in dead {
            v[N + 1 + m as usize / 64] &= !(1 << (m % 64));
        }
        while v.len() > N + 1 && v.last() == Some(&0) {
            v.pop();
        }
        s.0 = v.into();
        s
    }

    /// Every running replica's applied sequence against the chosen log (`Facts::applied`).
    fn check_replicas(&self, s: &St) -> Result<(), Violation> {
        let facts = &self.t.facts.all[s.meta().facts as usize];
        for r in 0..N {
            if let Some(id) = s.up(r) {
                let n = &self.t.nodes.all[id as usize];
                facts.applied(r as Rank, n.applied, n.digest)?;
            }
        }
        Ok(())
    }

    fn all_applied(&self, s: &St) -> bool {
        let all = usize::from(self.bounds.commands);
        (0..N).all(|r| {
            s.up(r)
                .is_some_and(|id| self.t.nodes.all[id as usize].done.len() == all)
        })
    }

    fn describe(&self, step: Step) -> String {
        match step {
            Step::Deliver(m) | Step::Duplicate(m) | Step::Lose(m) => {
                let (f, t, msg) = &self.t.msgs.all[m as usize];
                let what = match step {
                    Step::Deliver(_) => "deliver",
                    Step::Duplicate(_) => "deliver a copy of",
                    _ => "lose",
                };
                format!("{what} {} from node.{f} to node.{t}", msg.summary())
            }
            Step::Fire(r, t) => format!("node.{r}: timer {t:?} fires"),
            Step::Client(r, k) => format!("a client puts x={} at node.{r}", k + 1),
            Step::Crash(r) => format!("node.{r} crashes"),
            Step::Restart(r) => format!("node.{r} restarts from its disk"),
        }
    }
}

/// Explore every state reachable within `bounds` from the boot of `config`'s three nodes.
pub fn check(config: MultiConfig, bounds: Bounds) -> Report {
    assert_eq!(config.nodes as usize, N, "the model runs {N} nodes");
    let config = Rc::new(config);
    let mut facts = Facts::new(config.initial, config.alpha);
    facts.user_facing_only = bounds.blind;
    let mut ex = Explorer {
        t: Tables {
            config,
            msgs: Interned::new(),
            nodes: Interned::new(),
            disks: Interned::new(),
            facts: Interned::new(),
            steps: FxMap::default(),
            locals: 0,
            judged: FxMap::default(),
        },
        bounds,
    };
    let f0 = ex.t.facts.id(facts);
    let mut init = vec![0u64; N + 1];
    init[N] = Meta {
        facts: f0,
        crashes: 0,
        commands: 0,
        losses: 0,
        duplicates: 0,
    }
    .word();
    for (r, slot_word) in init.iter_mut().take(N).enumerate() {
        let disk = ex.t.disks.id((r as Rank, Durable::default()));
        let l = ex.t.local(disk, Event::Boot);
        assert!(
            l.effects.is_empty(),
            "a boot from an empty disk sends and writes nothing"
        );
        *slot_word = slot(l.node, false, l.set);
    }
    let init = St(init.into());
    let mut report = Report::default();
    let mut seen: FxSet<St> = FxSet::default();
    // Each state's parent (index into `trail`) and the step that reached it, for a path.
    let mut trail: Vec<(u32, Option<Step>)> = vec![(u32::MAX, None)];
    let mut queue: VecDeque<(St, u32, u32)> = VecDeque::new();
    seen.insert(init.clone());
    queue.push_back((init, 0, 0));
    report.states = 1;
    while let Some((s, depth, at)) = queue.pop_front() {
        report.max_depth = report.max_depth.max(depth);
        if ex.all_applied(&s) {
            report.all_applied_states += 1;
        }
        for step in ex.steps(&s) {
            report.transitions += 1;
            match ex.apply(&s, step) {
                Err(v) => {
                    let mut path = vec![ex.describe(step)];
                    let mut i = at;
                    while let Some(s) = trail[i as usize].1 {
                        path.push(ex.describe(s));
                        i = trail[i as usize].0;
                    }
                    path.push("boot".into());
                    path.reverse();
                    report.violation = Some((v, path));
                    return finish(report, &ex);
                }
                Ok(next) => {
                    if next == s || seen.contains(&next) {
                        continue;
                    }
                    seen.insert(next.clone());
                    report.states += 1;
                    if report.states >= ex.bounds.max_states {
                        return finish(report, &ex);
                    }
                    trail.push((at, Some(step)));
                    let idx = u32::try_from(trail.len() - 1).expect("fewer than 2^32 states");
                    queue.push_back((next, depth + 1, idx));
                }
            }
        }
    }
    report.complete = true;
    finish(report, &ex)
}

fn finish(mut report: Report, ex: &Explorer) -> Report {
    report.messages = ex.t.msgs.all.len();
    report.node_states = ex.t.nodes.all.len();
    report.node_steps = ex.t.steps.len();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Not a test of the counts (core/tests/multi_model.rs pins them): the figures of each bound.
    #[test]
    #[ignore]
    fn print_figures() {
        let cases = [
            (1, 0, 2, 0, 3),
            (1, 0, 2, 0, 1),
            (1, 0, 2, 1, 1),
            (2, 0, 1, 0, 1),
            (2, 1, 1, 0, 1),
            (2, 0, 2, 0, 1),
            (1, 1, 2, 0, 1),
        ];
        for (rounds, crashes, commands, losses, client_nodes) in cases {
            let t0 = std::time::Instant::now();
            let b = Bounds {
                max_round: rounds,
                crashes,
                commands,
                losses,
                client_nodes,
                max_states: 3_000_000,
                ..Bounds::default()
            };
            let r = check(model_config(None), b);
            let s = t0.elapsed().as_secs_f64();
            eprintln!(
                "r{rounds} c{crashes} k{commands} l{losses} at{client_nodes}: {} states {} transitions depth {} msgs {} nodes {} steps {} all-applied {} complete {} viol {:?} {s:.2}s {:.0}/s",
                r.states, r.transitions, r.max_depth, r.messages, r.node_states, r.node_steps,
                r.all_applied_states, r.complete,
                r.violation.as_ref().map(|v| v.0.to_string()), r.states as f64 / s
            );
        }
    }
}
