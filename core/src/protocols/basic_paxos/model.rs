//! Exhaustive model check of the real Basic Paxos handlers (`Node::handle`), breadth first.
//!
//! The network is the set of every message ever sent, never emptied: any message may be
//! delivered at any time, any number of times, or never. That one choice covers loss,
//! duplication (without a bound on the copies) and reordering at once, as in the usual TLA+
//! specification of Paxos, and it is sound to keep one copy of identical messages: a second
//! copy adds no behaviour the first does not have. Any armed timer may fire at any time (so
//! every timeout and backoff delay is covered); up to `crashes` crashes, each node restarting
//! from its disk whenever it likes. Bounds: each proposer uses at most `max_round` rounds.
//! Each new state is checked with the rules of `rules/` through `rules::facts`, exactly as a
//! campaign run checks its events.
//!
//! Speed, soundly (every reachable state is still visited, each exactly once):
//! * Interning: each distinct message, node and disk is stored once and named by a small
//!   number; a state is those numbers, the armed timers and a bitset of the messages sent so
//!   far. States are compared exactly (no hashing away of collisions).
//! * Memoized handlers: a node's step depends only on the node and its input, so the outcome
//!   of `(node, input)` is computed once and reused in every state that contains them.
//! * No symmetry reduction: the two proposers differ (value and rank break ties in proposal
//!   numbers) and node 2 is the only learner, so no permutation of nodes is a symmetry.

use super::config::{BasicConfig, Mutation};
use super::declaration::{proposer, PROPOSER};
use super::durable::{Durable, Write};
use super::messages::{Msg, Pn, Value};
use super::node::{Effect, Input, Learner, Node, Proposer, Timer};
use super::rules::facts::Facts;
use super::rules::{Acceptance, Violation};
use crate::actor::Rank;
use crate::machine::StateId;
use crate::model::fx::{FxMap, FxSet};
use crate::model::{Frontier, Search};
use crate::sorted::SortedMap;
use std::hash::Hash;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub struct Bounds {
    /// Rounds a proposer may start (1: no retry).
    pub max_round: u32,
    pub crashes: u8,
    /// Stop after this many states (a safety net: the check reports it was cut short).
    pub max_states: u64,
    /// Check only what a user would (one value chosen, learners agree), as the campaign's
    /// canaries do: is a bug caught without the rule written for it?
    pub blind: bool,
    /// Merge the states that behave alike (canonical nodes, dead messages dropped). Off: every
    /// message stays and nodes are compared field by field (slower; for the test that the
    /// reduction loses nothing).
    pub reduce: bool,
    /// Record what each state shows of the protocol (`Report::observed`), for that test.
    pub observe: bool,
    /// Breadth first (shortest paths) or depth first (deep paths first: `forget-round`).
    pub search: Search,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_round: 1,
            crashes: 1,
            max_states: 20_000_000,
            blind: false,
            reduce: true,
            observe: false,
            search: Search::Bfs,
        }
    }
}

/// Three nodes, each an acceptor; the first `proposers` (1 or 2) also propose ("A", "B"),
/// node 2 is the one learner (each learner multiplies the states by the subsets of `accepted`
/// it has seen). No learner asks the others (`ask_ms` 0) and no backoff is drawn: any timer
/// may fire at any time anyway.
pub fn model_config(proposers: u8, mutation: Option<Mutation>) -> BasicConfig {
    assert!((1..=2).contains(&proposers), "1 or 2 proposers");
    let mut c = BasicConfig::all_roles(3, proposers, 10);
    c.learners = [2].into();
    c.ask_ms = 0;
    c.backoff_ms = 0;
    c.mutations.extend(mutation);
    c
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub states: u64,
    pub transitions: u64,
    pub max_depth: u32,
    /// States in which a value was chosen.
    pub chosen_states: u64,
    /// States in which every learner knows the chosen value.
    pub all_learned_states: u64,
    /// Distinct messages, node states and node-level steps met (the interning tables).
    pub messages: usize,
    pub node_states: usize,
    pub node_steps: usize,
    /// Every reachable state within the bounds was visited.
    pub complete: bool,
    /// With `Bounds::observe`: each state's facts (acceptances, highest promises, proposals),
    /// disks and decisions, in words.
    pub observed: std::collections::BTreeSet<String>,
    pub violation: Option<(Violation, Vec<String>)>,
}

/// A node without its (shared) configuration and without what its handlers can no longer
/// read: the interning key of a node state. Two nodes with one key behave alike forever:
/// * a proposer's `highest_seen` only matters above the rounds it used (`max(used, seen)`);
/// * its promises only while preparing, its accepts and proposal only while accepting, its
///   round number only while in a round (each is reset when the next round starts).
#[derive(Clone, PartialEq, Eq, Hash)]
struct NodeKey {
    rank: Rank,
    durable: Durable,
    proposer: Option<Proposer>,
    learner: Option<Learner>,
    states: [StateId; 3],
}

impl NodeKey {
    fn of(n: &Node, reduce: bool) -> NodeKey {
        let state = n.state(PROPOSER);
        let proposer = n.proposer.clone().map(|mut p| {
            if !reduce {
                return p;
            }
            if p.highest_seen <= n.durable.max_round.max(p.mem_round) {
                p.highest_seen = 0;
            }
            if state != proposer::PREPARING {
                p.promises.clear();
            }
            if state != proposer::ACCEPTING {
                p.accepts.clear();
                p.proposal = None;
            }
            if state != proposer::PREPARING && state != proposer::ACCEPTING {
                p.n = None;
            }
            p
        });
        NodeKey {
            rank: n.rank,
            durable: n.durable.clone(),
            proposer,
            learner: n.learner.clone(),
            states: n.states,
        }
    }
}

const TIMERS: [Timer; 4] = [Timer::Start, Timer::Phase, Timer::Retry, Timer::Ask];

fn timer_bit(t: Timer) -> u8 {
    1 << TIMERS.iter().position(|x| *x == t).expect("a known timer")
}

/// What a node input the explorer can give.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Event {
    Deliver(u16),
    Fire(Timer),
    /// Boot from the disk and start (the restart after a crash).
    Boot,
}

/// An effect the rules judge, in the order the handler produced it: the sends of promises and
/// accept requests, and the writes of an acceptance or a decision (`Facts` ignores the rest).
enum Judged {
    Send(u16),
    Persist(Vec<Write>),
}

/// The outcome of one node-level step, computed once per `(node, event)`.
struct Local {
    node: u32,
    /// The node after the step as the handler left it (the rules read a proposer's promises).
    after: Rc<Node>,
    /// Timers set and cancelled (the last operation on a timer wins).
    set: u8,
    clear: u8,
    sends: Vec<u16>,
    judged: Vec<Judged>,
    /// An acceptance or a decision was written: the chosen value or a learner's may change.
    persisted: bool,
}

/// One transition of the whole system.
#[derive(Clone, Copy, Debug)]
enum Step {
    Deliver(u16),
    Fire(Rank, Timer),
    Crash(Rank),
    Restart(Rank),
}

/// What the rules remember of the past (`Facts`), as items of a bitset: each acceptor's
/// highest promise, every acceptance, every proposal sent in an accept request.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Fact {
    Promised(Rank, Pn),
    Accepted(Acceptance),
    Proposed(Pn, Value),
}

/// Everything seen so far, each stored once.
struct Tables {
    config: Rc<BasicConfig>,
    reduce: bool,
    msgs: Vec<(Rank, Rank, Rc<Msg>)>,
    msg_ids: FxMap<(Rank, Rank, Rc<Msg>), u16>,
    /// The messages to each node, as a bitset.
    to: [[u64; WORDS]; MAX_NODES],
    nodes: Vec<Node>,
    node_ids: FxMap<NodeKey, u32>,
    disks: Vec<(Rank, Durable)>,
    disk_ids: FxMap<(Rank, Durable), u32>,
    facts: Vec<Fact>,
    fact_ids: FxMap<Fact, u16>,
    steps: FxMap<(u32, Event), Rc<Local>>,
    crashed: FxMap<u32, u32>,
}

fn intern<K: Clone + Eq + Hash>(all: &mut Vec<K>, ids: &mut FxMap<K, u16>, k: K) -> u16 {
    if let Some(id) = ids.get(&k) {
        return *id;
    }
    let id = u16::try_from(all.len()).expect("fewer than 65536 distinct items");
    assert!((id as usize) < WORDS * 64, "at most {} items", WORDS * 64);
    all.push(k.clone());
    ids.insert(k, id);
    id
}

impl Tables {
    fn msg(&mut self, from: Rank, to: Rank, msg: Rc<Msg>) -> u16 {
        let m = intern(&mut self.msgs, &mut self.msg_ids, (from, to, msg));
        set_bit(&mut self.to[to as usize], m);
        m
    }

    fn fact(&mut self, f: Fact) -> u16 {
        intern(&mut self.facts, &mut self.fact_ids, f)
    }

    fn node(&mut self, n: Node) -> u32 {
        let key = NodeKey::of(&n, self.reduce);
        if let Some(id) = self.node_ids.get(&key) {
            return *id;
        }
        let id = self.nodes.len() as u32;
        assert!(u64::from(id) < SLOT_CRASHED, "node states fit in 31 bits");
        self.nodes.push(n);
        self.node_ids.insert(key, id);
        id
    }

    fn disk(&mut self, rank: Rank, d: Durable) -> u32 {
        let key = (rank, d);
        if let Some(id) = self.disk_ids.get(&key) {
            return *id;
        }
        let id = self.disks.len() as u32;
        self.disks.push(key.clone());
        self.disk_ids.insert(key, id);
        id
    }

    /// The disk a crash of node `id` leaves.
    fn crash(&mut self, id: u32) -> u32 {
        if let Some(d) = self.crashed.get(&id) {
            return *d;
        }
        let n = &self.nodes[id as usize];
        let d = self.disk(n.rank, n.durable.clone());
        self.crashed.insert(id, d);
        d
    }

    /// Node `id` (or, for `Event::Boot`, disk `id`) given `ev`: run the real handler once.
    fn local(&mut self, id: u32, ev: Event) -> Rc<Local> {
        if let Some(l) = self.steps.get(&(id, ev)) {
            return l.clone();
        }
        let (mut node, input) = match ev {
            Event::Boot => {
                let (rank, d) = self.disks[id as usize].clone();
                (Node::boot(rank, self.config.clone(), d), Input::Start)
            }
            Event::Deliver(m) => {
                let (from, _, msg) = &self.msgs[m as usize];
                let input = Input::Deliver {
                    from: *from,
                    msg: msg.clone(),
                };
                (self.nodes[id as usize].clone(), input)
            }
            Event::Fire(t) => (self.nodes[id as usize].clone(), Input::Timeout(t)),
        };
        let rank = node.rank;
        let mut out: Vec<Effect> = Vec::new();
        node.handle(0, input, &mut out);
        let (mut set, mut clear, mut persisted) = (0u8, 0u8, false);
        let (mut sends, mut judged) = (Vec::new(), Vec::new());
        for e in out {
            match e {
                Effect::Send { to, msg } => {
                    let is_judged = matches!(*msg, Msg::Promise { .. } | Msg::Accept { .. });
                    let m = self.msg(rank, to, msg);
                    sends.push(m);
                    if is_judged {
                        judged.push(Judged::Send(m));
                    }
                }
                Effect::SetTimer { timer, .. } | Effect::SetTimerJittered { timer, .. } => {
                    set |= timer_bit(timer);
                    clear &= !timer_bit(timer);
                }
                Effect::CancelTimer(timer) => {
                    clear |= timer_bit(timer);
                    set &= !timer_bit(timer);
                }
                // Only an acceptance or a decision changes what the rules see (a promise
                // counts when it is sent).
                Effect::Persist(writes)
                    if writes
                        .iter()
                        .any(|w| matches!(w, Write::Accepted(..) | Write::Learned(_))) =>
                {
                    persisted = true;
                    judged.push(Judged::Persist(writes));
                }
                Effect::Persist(_) => {}
                Effect::Reply { .. } | Effect::Note(_) | Effect::Transition(_) => {}
            }
        }
        let after = Rc::new(node.clone());
        let l = Rc::new(Local {
            node: self.node(node),
            after,
            set,
            clear,
            sends,
            judged,
            persisted,
        });
        self.steps.insert((id, ev), l.clone());
        l
    }
}

/// A node's slot in a state: a node id (up) or a disk id (crashed, `SLOT_CRASHED` set), and
/// its armed timers.
const SLOT_CRASHED: u64 = 1 << 31;
const SLOT_ID: u64 = SLOT_CRASHED - 1;
/// Words of a bitset (of messages, of facts): up to 512 of each.
const WORDS: usize = 8;
const MAX_NODES: usize = 4;

fn slot(id: u32, crashed: bool, timers: u8) -> u64 {
    u64::from(id) | if crashed { SLOT_CRASHED } else { 0 } | u64::from(timers) << 32
}

/// A state: one slot per node, the crashes so far, the facts the rules remember, and the
/// messages still able to make a difference (any of them may be delivered, again and again).
#[derive(Clone, Copy, PartialEq, Eq)]
struct St {
    slots: [u64; MAX_NODES],
    crashes: u8,
    facts: [u64; WORDS],
    net: [u64; WORDS],
}

/// A state, exactly, as stored: the slots, then `crashes | facts words << 8`, then the facts
/// bitset, then the messages bitset (trailing zero words trimmed: one state, one key).
type Key = Box<[u64]>;

/// The set bits of a bitset, lowest first.
fn bits(words: &[u64]) -> impl Iterator<Item = u16> + '_ {
    words.iter().enumerate().flat_map(|(w, b)| {
        let mut rest = *b;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let i = rest.trailing_zeros();
                rest &= rest - 1;
                (w * 64) as u16 + i as u16
            })
        })
    })
}

fn set_bit(words: &mut [u64; WORDS], i: u16) {
    words[i as usize / 64] |= 1 << (i % 64);
}

fn used_words(w: &[u64; WORDS]) -> usize {
    w.iter().rposition(|x| *x != 0).map_or(0, |i| i + 1)
}

impl St {
    fn encode(&self, n: usize) -> Key {
        let fw = used_words(&self.facts);
        let nw = used_words(&self.net);
        let mut k = Vec::with_capacity(n + 1 + fw + nw);
        k.extend_from_slice(&self.slots[..n]);
        k.push(u64::from(self.crashes) | (fw as u64) << 8);
        k.extend_from_slice(&self.facts[..fw]);
        k.extend_from_slice(&self.net[..nw]);
        k.into()
    }

    fn decode(k: &[u64], n: usize) -> St {
        let mut s = St {
            slots: [0; MAX_NODES],
            crashes: k[n] as u8,
            facts: [0; WORDS],
            net: [0; WORDS],
        };
        s.slots[..n].copy_from_slice(&k[..n]);
        let fw = (k[n] >> 8) as usize;
        s.facts[..fw].copy_from_slice(&k[n + 1..n + 1 + fw]);
        let rest = &k[n + 1 + fw..];
        s.net[..rest.len()].copy_from_slice(rest);
        s
    }

    fn up(&self, r: usize) -> Option<u32> {
        (self.slots[r] & SLOT_CRASHED == 0).then_some((self.slots[r] & SLOT_ID) as u32)
    }

    fn timers(&self, r: usize) -> u8 {
        (self.slots[r] >> 32) as u8
    }
}

struct Explorer {
    t: Tables,
    bounds: Bounds,
    n: usize,
    /// A proposer's round only grows (it is on disk): with `ForgetRound`, only once no crash
    /// is left.
    rounds_grow: bool,
}

impl Explorer {
    fn steps(&self, s: &St) -> Vec<Step> {
        let mut v = Vec::new();
        for m in bits(&s.net) {
            let to = self.t.msgs[m as usize].1 as usize;
            if s.up(to).is_some() {
                v.push(Step::Deliver(m));
            }
        }
        for r in 0..self.n {
            let Some(id) = s.up(r) else {
                v.push(Step::Restart(r as Rank));
                continue;
            };
            let ts = s.timers(r);
            for t in TIMERS {
                if ts & timer_bit(t) == 0 {
                    continue;
                }
                if matches!(t, Timer::Retry | Timer::Start) && !self.may_retry(id) {
                    continue; // the round bound
                }
                v.push(Step::Fire(r as Rank, t));
            }
            if s.crashes < self.bounds.crashes {
                v.push(Step::Crash(r as Rank));
            }
        }
        v
    }

    fn may_retry(&self, id: u32) -> bool {
        let node = &self.t.nodes[id as usize];
        let p = node
            .proposer
            .as_ref()
            .expect("only proposers arm start and retry");
        let used = node.durable.max_round.max(p.mem_round);
        used.max(p.highest_seen) < self.bounds.max_round
    }

    fn facts(&self, s: &St) -> Facts {
        let mut f = Facts::new(self.t.config.majority());
        f.user_facing_only = self.bounds.blind;
        for i in bits(&s.facts) {
            match &self.t.facts[i as usize] {
                Fact::Promised(a, n) => f.raise_promise(*a, *n),
                Fact::Accepted(a) => {
                    f.accepts.insert(a.clone());
                }
                Fact::Proposed(n, v) => {
                    f.proposed.insert(*n, v.clone());
                }
            }
        }
        f.first_learned = self.learned(s);
        f
    }

    /// `f` as a bitset (each acceptor's highest promise only: the rules read no other).
    fn fact_bits(&mut self, f: &Facts) -> [u64; WORDS] {
        let mut w = [0; WORDS];
        for (a, n) in &f.promised {
            set_bit(&mut w, self.t.fact(Fact::Promised(*a, *n)));
        }
        for a in &f.accepts {
            set_bit(&mut w, self.t.fact(Fact::Accepted(a.clone())));
        }
        for (n, v) in &f.proposed {
            set_bit(&mut w, self.t.fact(Fact::Proposed(*n, v.clone())));
        }
        w
    }

    fn durable<'a>(&'a self, s: &St, r: usize) -> &'a Durable {
        match s.up(r) {
            Some(id) => &self.t.nodes[id as usize].durable,
            None => &self.t.disks[(s.slots[r] & SLOT_ID) as usize].1,
        }
    }

    fn learned(&self, s: &St) -> SortedMap<Rank, Value> {
        (0..self.n)
            .filter_map(|r| {
                let d = self.durable(s, r);
                d.learned.clone().map(|v| (r as Rank, v))
            })
            .collect()
    }

    /// Can message `m` never again change anything, whatever happens next? Then the state
    /// without it behaves exactly like the state with it. Each case leans on a fact of the
    /// handlers (node.rs), stated here:
    /// * A proposer acts on `promise(n)` only while preparing `n`, on `accepted(n)` only while
    ///   accepting `n`, and its rounds only grow (they are on disk): once it is past round
    ///   `n`, they are dead; a repeated promise or acceptance it counted already is too.
    /// * `nack(n, promised)` raises the proposer's `highest_seen`, which only counts above the
    ///   rounds it used: dead once it is past `n` and has used `promised`'s round.
    /// * A learner that decided (on disk) reads no `accepted` again; with no crash left, one
    ///   it counted already is dead too.
    fn dead(&self, s: &St, m: u16) -> bool {
        if !self.t.reduce {
            return false;
        }
        let (from, to, msg) = &self.t.msgs[m as usize];
        let r = *to as usize;
        let c = &self.t.config;
        let node = s.up(r).map(|id| &self.t.nodes[id as usize]);
        let proposer_dead = |n: Pn, counted: &dyn Fn(&Proposer) -> bool| {
            if !c.proposers.contains(to) {
                return true;
            }
            if !self.rounds_grow && s.crashes < self.bounds.crashes {
                return false; // a restart may take its rounds back
            }
            let Some(node) = node else {
                return n.round <= self.durable(s, r).max_round;
            };
            let p = node.proposer.as_ref().expect("a proposer");
            let used = node.durable.max_round;
            let state = node.state(PROPOSER);
            let current =
                p.n == Some(n) && (state == proposer::PREPARING || state == proposer::ACCEPTING);
            n.proposer != *to
                || n.round < used
                || (n.round == used && !current)
                || (current && counted(p))
        };
        match &**msg {
            Msg::Promise { n, accepted } => proposer_dead(*n, &|p| {
                node.is_some_and(|x| x.state(PROPOSER) == proposer::ACCEPTING)
                    || p.promises.get(from) == Some(accepted)
            }),
            Msg::Nack { n, promised } => {
                let past = proposer_dead(*n, &|_| false);
                past && promised.round <= self.durable(s, r).max_round
            }
            Msg::Accepted { n, .. } => {
                let proposer = proposer_dead(*n, &|p| {
                    node.is_some_and(|x| x.state(PROPOSER) == proposer::ACCEPTING)
                        && p.accepts.contains(from)
                });
                let learner = !c.learners.contains(to)
                    || self.durable(s, r).learned.is_some()
                    || (s.crashes >= self.bounds.crashes
                        && node
                            .and_then(|x| x.learner.as_ref())
                            .and_then(|l| l.votes.get(n))
                            .is_some_and(|(_, who)| who.contains(from)));
                proposer && learner
            }
            _ => false,
        }
    }

    /// Drop the dead messages to node `r` (every node: `None`).
    fn sweep(&self, s: &mut St, r: Option<Rank>) {
        let mut candidates = s.net;
        if let Some(r) = r {
            for (c, mask) in candidates.iter_mut().zip(&self.t.to[r as usize]) {
                *c &= mask;
            }
        }
        for m in bits(&candidates) {
            if self.dead(s, m) {
                s.net[m as usize / 64] &= !(1 << (m % 64));
            }
        }
    }

    /// The state after `step`, checking the rules on what it did.
    fn apply(&mut self, s: &St, facts: &Facts, step: Step) -> Result<St, Violation> {
        let mut next = *s;
        let (r, id, ev, timers_before) = match step {
            Step::Crash(r) => {
                let node = s.up(r as usize).expect("up");
                next.slots[r as usize] = slot(self.t.crash(node), true, 0);
                next.crashes += 1;
                self.sweep(&mut next, None);
                return Ok(next);
            }
            Step::Restart(r) => {
                let disk = (s.slots[r as usize] & SLOT_ID) as u32;
                (r, disk, Event::Boot, 0)
            }
            Step::Deliver(m) => {
                let r = self.t.msgs[m as usize].1;
                let id = s.up(r as usize).expect("up");
                (r, id, Event::Deliver(m), s.timers(r as usize))
            }
            Step::Fire(r, t) => {
                let id = s.up(r as usize).expect("up");
                (r, id, Event::Fire(t), s.timers(r as usize) & !timer_bit(t))
            }
        };
        let l = self.t.local(id, ev);
        let timers = (timers_before & !l.clear) | l.set;
        next.slots[r as usize] = slot(l.node, false, timers);
        for m in &l.sends {
            set_bit(&mut next.net, *m);
        }
        if !l.judged.is_empty() {
            let mut f = facts.clone();
            for j in &l.judged {
                match j {
                    Judged::Send(m) => f.sent(r, &self.t.msgs[*m as usize].2, Some(&l.after))?,
                    Judged::Persist(writes) => f.persisted(r, writes)?,
                }
            }
            if l.persisted {
                f.check_state(&self.learned(&next))?;
            }
            next.facts = self.fact_bits(&f);
        }
        // The step changed node r and sent messages to others: only those can have died.
        self.sweep(&mut next, Some(r));
        for m in &l.sends {
            if self.dead(&next, *m) {
                next.net[*m as usize / 64] &= !(1 << (m % 64));
            }
        }
        Ok(next)
    }

    fn describe(&self, step: Step) -> String {
        match step {
            Step::Deliver(m) => {
                let (f, t, msg) = &self.t.msgs[m as usize];
                format!("deliver {} from {f} to {t}", msg.summary())
            }
            Step::Fire(r, t) => format!("node {r}: timer {t:?} fires"),
            Step::Crash(r) => format!("node {r} crashes"),
            Step::Restart(r) => format!("node {r} restarts from its disk"),
        }
    }
}

/// Explore every state reachable within `bounds` from the boot of `config`'s nodes.
pub fn check(config: BasicConfig, bounds: Bounds) -> Report {
    let (mut ex, init) = explorer(config, bounds);
    let mut report = Report::default();
    search(&mut ex, init, &[], None, &mut report);
    finish(report, &ex)
}

/// A named directed start of the Basic Paxos check: a protocol situation a teacher would name,
/// reached breadth first from boot by the model's own steps (the prefix), then explored breadth
/// first within the same bounds. The default check's second phase (docs/model-checking.md).
pub struct Directed {
    pub name: &'static str,
    pub about: &'static str,
    reached: fn(&Explorer, &St) -> bool,
}

/// Every directed start of the Basic Paxos check.
pub const DIRECTED: [Directed; 1] = [Directed {
    name: "proposer-dies-mid-duel",
    about: "two proposers duel: an acceptor has accepted the lower round's value, and the \
            higher round's proposer has crashed (the crash spent) with its accept requests for \
            another value still in the network",
    reached: proposer_dies_mid_duel,
}];

/// Some proposer is down, the crash budget spent, with an accept request of its own in the
/// network whose value differs from one an acceptor accepted under a lower number.
fn proposer_dies_mid_duel(ex: &Explorer, s: &St) -> bool {
    if s.crashes < ex.bounds.crashes {
        return false;
    }
    let lower_other = |n: &Pn, v: &Value| {
        (0..ex.n).any(|a| {
            ex.durable(s, a)
                .accepted
                .as_ref()
                .is_some_and(|(an, av)| an < n && av != v)
        })
    };
    bits(&s.net).any(|m| {
        let (from, _, msg) = &ex.t.msgs[m as usize];
        s.up(*from as usize).is_none()
            && matches!(&**msg, Msg::Accept { n, v } if lower_other(n, v))
    })
}

/// What a directed start did: the prefix (described, from boot) and the exploration from its
/// end. `report.violation`'s path begins at boot, prefix included.
pub struct DirectedReport {
    pub prefix: Vec<String>,
    /// States the walk to the directed start visited.
    pub prefix_states: u64,
    /// The directed start was reached (a mutation can make it unreachable).
    pub reached: bool,
    pub report: Report,
}

/// Walk breadth first from boot to the first state of `d`, checking every rule on the way,
/// then explore from it within the same bounds.
pub fn check_directed(config: BasicConfig, bounds: Bounds, d: &Directed) -> DirectedReport {
    let (mut ex, init) = explorer(config, bounds);
    let mut walk = Report::default();
    let found = search(&mut ex, init, &[], Some(d.reached), &mut walk);
    let Some((start, prefix)) = found else {
        return DirectedReport {
            prefix: Vec::new(),
            prefix_states: walk.states,
            reached: false,
            report: finish(walk, &ex),
        };
    };
    let mut report = Report::default();
    search(&mut ex, start, &prefix, None, &mut report);
    DirectedReport {
        prefix: prefix.iter().map(|s| ex.describe(*s)).collect(),
        prefix_states: walk.states,
        reached: true,
        report: finish(report, &ex),
    }
}

/// A fresh explorer over `config` and the boot state.
fn explorer(config: BasicConfig, bounds: Bounds) -> (Explorer, St) {
    let config = Rc::new(config);
    let n = config.nodes as usize;
    assert!(n <= MAX_NODES, "at most {MAX_NODES} nodes");
    let mut ex = Explorer {
        rounds_grow: !config.broken(Mutation::ForgetRound),
        t: Tables {
            config: config.clone(),
            reduce: bounds.reduce,
            msgs: Vec::new(),
            msg_ids: FxMap::default(),
            to: [[0; WORDS]; MAX_NODES],
            nodes: Vec::new(),
            node_ids: FxMap::default(),
            disks: Vec::new(),
            disk_ids: FxMap::default(),
            facts: Vec::new(),
            fact_ids: FxMap::default(),
            steps: FxMap::default(),
            crashed: FxMap::default(),
        },
        bounds,
        n,
    };
    // Boot: every node starts from an empty disk (no message is sent at boot).
    let mut init = St {
        slots: [0; MAX_NODES],
        crashes: 0,
        facts: [0; WORDS],
        net: [0; WORDS],
    };
    for r in 0..n {
        let disk = ex.t.disk(r as Rank, Durable::default());
        let l = ex.t.local(disk, Event::Boot);
        assert!(
            l.sends.is_empty() && l.judged.is_empty(),
            "a boot sends nothing"
        );
        init.slots[r] = slot(l.node, false, l.set);
    }
    (ex, init)
}

/// Breadth (or depth) first from `init`, reached from boot by `prefix`, checking the rules on
/// every step, into `report`. With a `goal`: stop at the first new state that holds it and
/// return it with its steps from boot. A violation's path begins at boot.
fn search(
    ex: &mut Explorer,
    init: St,
    prefix: &[Step],
    goal: Option<fn(&Explorer, &St) -> bool>,
    report: &mut Report,
) -> Option<(St, Vec<Step>)> {
    let n = ex.n;
    let learners = ex.t.config.learners.len();
    let mut seen: FxSet<Key> = FxSet::default();
    // Each state's parent (index into `trail`) and the step that reached it, for a path.
    let mut trail: Vec<(u32, Option<Step>)> = vec![(u32::MAX, None)];
    let steps_to = |trail: &[(u32, Option<Step>)], at: u32| {
        let mut path = Vec::new();
        let mut i = at;
        while let Some(s) = trail[i as usize].1 {
            path.push(s);
            i = trail[i as usize].0;
        }
        path.extend(prefix.iter().rev());
        path.reverse();
        path
    };
    if goal.is_some_and(|g| g(ex, &init)) {
        return Some((init, prefix.to_vec()));
    }
    let mut queue: Frontier<(Key, u32, u32)> = Frontier::new(ex.bounds.search);
    let key = init.encode(n);
    seen.insert(key.clone());
    queue.push((key, 0, 0));
    report.states = 1;
    while let Some((key, depth, at)) = queue.pop() {
        report.max_depth = report.max_depth.max(depth);
        let s = St::decode(&key, n);
        let facts = ex.facts(&s);
        if ex.bounds.observe {
            let disks: Vec<&Durable> = (0..n).map(|r| ex.durable(&s, r)).collect();
            report.observed.insert(format!(
                "accepts {:?} promised {:?} proposed {:?} disks {disks:?}",
                facts.accepts, facts.promised, facts.proposed
            ));
        }
        if let Some(v) = facts.chosen_value() {
            report.chosen_states += 1;
            let l = &facts.first_learned;
            if l.len() == learners && l.values().all(|x| *x == v) {
                report.all_learned_states += 1;
            }
        }
        for step in ex.steps(&s) {
            report.transitions += 1;
            match ex.apply(&s, &facts, step) {
                Err(v) => {
                    let mut path = steps_to(&trail, at);
                    path.push(step);
                    let mut words = vec!["boot".to_string()];
                    words.extend(path.iter().map(|s| ex.describe(*s)));
                    report.violation = Some((v, words));
                    return None;
                }
                Ok(next) if next == s => {}
                Ok(next) => {
                    let key = next.encode(n);
                    if seen.contains(&key) {
                        continue;
                    }
                    seen.insert(key.clone());
                    report.states += 1;
                    trail.push((at, Some(step)));
                    let idx = u32::try_from(trail.len() - 1).expect("fewer than 2^32 states");
                    if goal.is_some_and(|g| g(ex, &next)) {
                        return Some((next, steps_to(&trail, idx)));
                    }
                    if report.states >= ex.bounds.max_states {
                        return None;
                    }
                    queue.push((key, depth + 1, idx));
                }
            }
        }
    }
    report.complete = true;
    None
}

fn finish(mut report: Report, ex: &Explorer) -> Report {
    report.messages = ex.t.msgs.len();
    report.node_states = ex.t.nodes.len();
    report.node_steps = ex.t.steps.len();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(max_round: u32, crashes: u8) -> Bounds {
        Bounds {
            max_round,
            crashes,
            ..Bounds::default()
        }
    }

    /// The exact number of states of small bounds, as stateright pins its examples: a change
    /// to the handlers or to the explorer that adds or loses states shows here. Each count is
    /// of a complete exploration with every rule holding.
    #[test]
    fn small_bounds_have_these_exact_state_counts() {
        let cases = [
            // (proposers, rounds, crashes, states)
            (1, 1, 0, 241),
            (1, 1, 1, 978),
            (1, 2, 0, 6_360),
            (1, 2, 1, 24_541),
            (2, 1, 0, 130_847),
        ];
        for (p, rounds, crashes, states) in cases {
            let r = check(model_config(p, None), bounds(rounds, crashes));
            assert!(r.violation.is_none(), "{:?}", r.violation);
            assert!(
                r.complete,
                "{p} proposers, {rounds} rounds, {crashes} crashes: cut short"
            );
            assert_eq!(
                r.states, states,
                "{p} proposers, {rounds} rounds, {crashes} crashes"
            );
            assert!(r.all_learned_states > 0, "some state has the value learned");
        }
    }

    /// The reduction (canonical nodes, dead messages dropped) merges states but loses none
    /// of what the rules look at: the same facts, disks and decisions are reachable with it
    /// and without it.
    #[test]
    fn the_reduction_reaches_the_same_facts_as_the_plain_exploration() {
        for (p, rounds, crashes) in [(1, 1, 0), (1, 1, 1)] {
            let observe = |reduce| {
                let b = Bounds {
                    reduce,
                    observe: true,
                    ..bounds(rounds, crashes)
                };
                let r = check(model_config(p, None), b);
                assert!(r.complete && r.violation.is_none());
                (r.states, r.observed)
            };
            let (reduced, with) = observe(true);
            let (plain, without) = observe(false);
            assert!(reduced < plain, "{reduced} states reduced, {plain} plain");
            assert_eq!(
                with, without,
                "{p} proposers, {rounds} rounds, {crashes} crashes"
            );
        }
    }

    /// Every deliberate bug but `forget-round` is caught by the exhaustive check of the
    /// issue's configuration (2 proposers, 3 acceptors, one round each, one crash) through
    /// what a user relies on: a second chosen value, or learners that disagree. Blind: every
    /// other rule is off. (`forget-round` voids the dead-message reduction for proposers
    /// while a crash is left, and the search from boot takes minutes: it is caught from the
    /// directed start, `forget_round_is_caught_from_the_directed_start`.)
    #[test]
    fn every_canary_is_caught_blind_by_a_second_value_or_disagreeing_learners() {
        for m in Mutation::ALL
            .into_iter()
            .filter(|m| *m != Mutation::ForgetRound)
        {
            let b = Bounds {
                blind: true,
                ..bounds(1, 1)
            };
            let r = check(model_config(2, Some(m)), b);
            let (v, path) = r
                .violation
                .unwrap_or_else(|| panic!("{} not caught in {} states", m.name(), r.states));
            assert!(
                v.rule == "one-value-chosen" || v.rule == "learners-agree",
                "{}: {v}",
                m.name()
            );
            assert!(path.len() > 3, "{path:?}");
        }
    }

    #[test]
    fn a_broken_learner_is_caught_with_a_path() {
        let r = check(
            model_config(2, Some(Mutation::LearnOnMinority)),
            bounds(1, 0),
        );
        let (v, path) = r.violation.expect("caught");
        assert_eq!(v.rule, "learners-agree", "{v}");
        assert!(path.iter().any(|s| s.contains("accepted(n=")), "{path:?}");
    }

    /// The default check's directed start (the configuration): reached by a 12-step
    /// prefix, and the correct protocol is exhaustive from it with these counts (computed facts
    /// of the code).
    #[test]
    fn the_correct_protocol_is_exhaustive_from_the_directed_start() {
        let d = &DIRECTED[0];
        let run = check_directed(model_config(2, None), Bounds::default(), d);
        assert!(run.reached, "{} not reached", d.name);
        let r = &run.report;
        assert!(r.complete && r.violation.is_none(), "{:?}", r.violation);
        assert_eq!(run.prefix.len(), 12, "{:?}", run.prefix);
        assert_eq!(run.prefix[11], "node 1 crashes", "{:?}", run.prefix);
        assert_eq!(run.prefix_states, 25_403);
        assert_eq!((r.states, r.transitions, r.max_depth), (1_084, 16_840, 10));
    }

    /// `forget-round`, which the breadth-first search from boot does not reach in minutes, is
    /// caught from the directed start: the restarted proposer reuses 1.1 for "A" while its
    /// accept(1.1, "B") is in the network. With every rule on, by `unique-numbers`; blind, by
    /// a second chosen value.
    #[test]
    fn forget_round_is_caught_from_the_directed_start() {
        let d = &DIRECTED[0];
        for (blind, rule, steps, states) in [
            (false, "unique-numbers", 17, 1_135),
            (true, "one-value-chosen", 21, 30_393),
        ] {
            let b = Bounds {
                blind,
                ..Bounds::default()
            };
            let run = check_directed(model_config(2, Some(Mutation::ForgetRound)), b, d);
            let (v, path) = run.report.violation.expect("forget-round caught");
            assert_eq!(v.rule, rule, "{v}");
            assert_eq!(path.len() - 1, steps, "{path:?}");
            assert_eq!(path[0], "boot");
            assert_eq!(
                path[12], "node 1 crashes",
                "the prefix is in the path: {path:?}"
            );
            assert_eq!(run.report.states, states);
        }
    }

    /// Not a test of the counts (see the pinned test): prints the figures of each bound.
    #[test]
    #[ignore]
    fn print_figures() {
        for (p, rounds, crashes) in [(1, 1, 1), (1, 2, 1), (2, 1, 0), (2, 1, 1)] {
            let t0 = std::time::Instant::now();
            let r = check(model_config(p, None), bounds(rounds, crashes));
            let s = t0.elapsed().as_secs_f64();
            eprintln!("p{p} r{rounds} c{crashes}: {} states {} transitions depth {} msgs {} nodes {} steps {} complete {} viol {:?} {s:.2}s {:.0}/s", r.states, r.transitions, r.max_depth, r.messages, r.node_states, r.node_steps, r.complete, r.violation.as_ref().map(|v| v.0.to_string()), r.states as f64 / s);
        }
    }
}
