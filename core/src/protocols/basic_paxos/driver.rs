//! A small deterministic driver for the unit tests: N nodes over a list of messages in flight
//! that the test delivers, drops or duplicates one by one, or plays in time order with a fixed
//! latency (`run_until`). The randomized backoff's extra delay is drawn here, from a seeded
//! stream, as the simulator does. Every step is checked with the rules (`rules::facts`).

use super::config::BasicConfig;
use super::durable::Durable;
use super::messages::{Msg, Value};
use super::node::{Effect, Input, Node, Timer};
use super::rules::facts::Facts;
use super::rules::Violation;
use crate::actor::Rank;
use crate::machine::Transition;
use crate::sim::rng::{SimRng, Stream};
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub struct Packet {
    pub from: Rank,
    pub to: Rank,
    pub msg: Rc<Msg>,
    pub at_ms: u64,
}

pub struct Driver {
    pub config: Rc<BasicConfig>,
    pub nodes: Vec<Option<Node>>,
    /// The disk of each node while it is down.
    disks: Vec<Durable>,
    pub wire: Vec<Packet>,
    /// Armed timers: deadline in ms, and the extra delay drawn for backoff (0 if none).
    pub timers: Vec<BTreeMap<Timer, (u64, u64)>>,
    pub facts: Facts,
    pub violations: Vec<Violation>,
    pub notes: Vec<String>,
    /// Every message sent, in order (for assertions on what went out).
    pub sent: Vec<Packet>,
    /// Every state change the nodes emitted (`Effect::Transition`), in order.
    pub transitions: Vec<(Rank, Transition)>,
    pub now_ms: u64,
    pub latency_ms: u64,
    /// One-way latency of `accept` messages (a slow phase 2, as with a slow disk or link).
    pub accept_latency_ms: u64,
    rng: SimRng,
}

impl Driver {
    pub fn new(config: BasicConfig) -> Driver {
        config.validate().expect("a valid test config");
        let config = Rc::new(config);
        let n = config.nodes as usize;
        let mut d = Driver {
            nodes: (0..n)
                .map(|r| Some(Node::boot(r as Rank, config.clone(), Durable::default())))
                .collect(),
            disks: vec![Durable::default(); n],
            wire: Vec::new(),
            timers: vec![BTreeMap::new(); n],
            facts: Facts::new(config.majority()),
            violations: Vec::new(),
            notes: Vec::new(),
            sent: Vec::new(),
            transitions: Vec::new(),
            now_ms: 0,
            latency_ms: 10,
            accept_latency_ms: 10,
            rng: SimRng::new(7, Stream::Backoff),
            config,
        };
        for r in 0..n {
            d.input(r as Rank, Input::Start);
        }
        d
    }

    pub fn node(&self, r: Rank) -> &Node {
        self.nodes[r as usize].as_ref().expect("node is up")
    }

    /// Hand `input` to node `r` and carry out its effects.
    pub fn input(&mut self, r: Rank, input: Input) {
        let mut out = Vec::new();
        let Some(node) = self.nodes[r as usize].as_mut() else {
            return;
        };
        node.handle(self.now_ms, input, &mut out);
        self.carry_out(r, out);
    }

    /// Node `r` proposes `v` (as a client's put would make it).
    pub fn propose(&mut self, r: Rank, v: &str) {
        let mut out = Vec::new();
        let node = self.nodes[r as usize].as_mut().expect("up");
        node.propose(v.into(), &mut out);
        self.carry_out(r, out);
    }

    fn carry_out(&mut self, r: Rank, out: Vec<Effect>) {
        for e in out {
            let checked = match e {
                Effect::Send { to, msg } => {
                    let latency_ms = match *msg {
                        Msg::Accept { .. } => self.accept_latency_ms,
                        _ => self.latency_ms,
                    };
                    let p = Packet {
                        from: r,
                        to,
                        msg: msg.clone(),
                        at_ms: self.now_ms + latency_ms,
                    };
                    self.sent.push(p.clone());
                    self.wire.push(p);
                    self.facts.sent(r, &msg, self.nodes[r as usize].as_ref())
                }
                Effect::SetTimer { timer, after_ms } => {
                    self.timers[r as usize].insert(timer, (self.now_ms + after_ms, 0));
                    Ok(())
                }
                Effect::SetTimerJittered {
                    timer,
                    after_ms,
                    jitter_ms,
                } => {
                    let extra = self.rng.range(0, jitter_ms);
                    self.timers[r as usize].insert(timer, (self.now_ms + after_ms + extra, extra));
                    Ok(())
                }
                Effect::CancelTimer(timer) => {
                    self.timers[r as usize].remove(&timer);
                    Ok(())
                }
                Effect::Persist(writes) => self.facts.persisted(r, &writes),
                Effect::Reply { .. } => Ok(()),
                Effect::Transition(t) => {
                    self.transitions.push((r, t));
                    Ok(())
                }
                Effect::Note(text) => {
                    self.notes.push(format!("node {r}: {text}"));
                    Ok(())
                }
            };
            if let Err(v) = checked {
                self.violations.push(v);
            }
        }
        let learned = self.learned();
        if let Err(v) = self.facts.check_state(&learned) {
            self.violations.push(v);
        }
    }

    /// Every learner's decision (up or down: a decision is on disk).
    pub fn learned(&self) -> crate::sorted::SortedMap<Rank, Value> {
        (0..self.config.nodes)
            .filter(|r| self.config.learners.contains(r))
            .filter_map(|r| self.durable(r).learned.clone().map(|v| (r, v)))
            .collect()
    }

    pub fn durable(&self, r: Rank) -> &Durable {
        match &self.nodes[r as usize] {
            Some(n) => &n.durable,
            None => &self.disks[r as usize],
        }
    }

    /// Deliver the first message in flight that `pred` matches; false if none does. A message
    /// to a node that is down is lost.
    pub fn deliver(&mut self, pred: impl Fn(&Packet) -> bool) -> bool {
        let Some(i) = self.wire.iter().position(pred) else {
            return false;
        };
        let p = self.wire.remove(i);
        self.input(
            p.to,
            Input::Deliver {
                from: p.from,
                msg: p.msg,
            },
        );
        true
    }

    /// Deliver everything in flight, in send order, until the wire is empty.
    pub fn deliver_all(&mut self) {
        for _ in 0..100_000 {
            if !self.deliver(|_| true) {
                return;
            }
        }
        panic!("the wire never emptied");
    }

    /// Drop every message in flight that `pred` matches; returns how many.
    pub fn drop_where(&mut self, pred: impl Fn(&Packet) -> bool) -> usize {
        let before = self.wire.len();
        self.wire.retain(|p| !pred(p));
        before - self.wire.len()
    }

    /// Fire an armed timer now, whatever its deadline.
    pub fn fire(&mut self, r: Rank, timer: Timer) {
        assert!(
            self.timers[r as usize].remove(&timer).is_some(),
            "node {r}: timer {timer:?} is not armed"
        );
        self.input(r, Input::Timeout(timer));
    }

    pub fn crash(&mut self, r: Rank) {
        let node = self.nodes[r as usize].take().expect("up");
        self.disks[r as usize] = node.durable;
        self.timers[r as usize].clear();
    }

    pub fn restart(&mut self, r: Rank) {
        assert!(self.nodes[r as usize].is_none(), "node {r} is up");
        let disk = std::mem::take(&mut self.disks[r as usize]);
        self.nodes[r as usize] = Some(Node::boot(r, self.config.clone(), disk));
        self.input(r, Input::Start);
    }

    /// Play in time order (messages after `latency_ms`, timers at their deadline) until
    /// `t_ms` or until nothing is left.
    pub fn run_until(&mut self, t_ms: u64) {
        loop {
            let msg = self
                .wire
                .iter()
                .enumerate()
                .min_by_key(|(i, p)| (p.at_ms, *i))
                .map(|(i, p)| (p.at_ms, i));
            let timer = self
                .timers
                .iter()
                .enumerate()
                .flat_map(|(r, ts)| ts.iter().map(move |(t, (at, _))| (*at, r as Rank, *t)))
                .min();
            let next_msg = msg.filter(|(at, _)| *at <= t_ms);
            let next_timer = timer.filter(|(at, _, _)| *at <= t_ms);
            match (next_msg, next_timer) {
                (Some((at, i)), tm) if tm.is_none_or(|(tat, _, _)| at <= tat) => {
                    self.now_ms = at;
                    let p = self.wire.remove(i);
                    self.input(
                        p.to,
                        Input::Deliver {
                            from: p.from,
                            msg: p.msg,
                        },
                    );
                }
                (_, Some((at, r, t))) => {
                    self.now_ms = at;
                    self.timers[r as usize].remove(&t);
                    self.input(r, Input::Timeout(t));
                }
                _ => break,
            }
        }
        self.now_ms = self.now_ms.max(t_ms);
    }
}
