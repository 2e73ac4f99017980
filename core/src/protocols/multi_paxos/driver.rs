//! A small deterministic driver for the unit tests: N nodes, messages delivered in time order
//! with a fixed latency unless the test's filter drops them, timers fired at their deadlines
//! (a jittered one at its base delay plus a draw from a seeded stream, as the simulator does),
//! crashes and restarts. Every step is checked with the rules (`rules::facts`).

use super::config::MultiConfig;
use super::durable::Durable;
use super::messages::Msg;
use super::node::{Effect, Input, Node, Timer};
use super::rules::facts::Facts;
use super::rules::Violation;
use crate::actor::Rank;
use crate::client::{ClientOp, ClientReply, ClientRequest, ReqId};
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

type Filter = Box<dyn Fn(&Packet) -> bool>;

pub struct Driver {
    pub config: Rc<MultiConfig>,
    pub nodes: Vec<Option<Node>>,
    disks: Vec<Durable>,
    pub wire: Vec<Packet>,
    pub timers: Vec<BTreeMap<Timer, u64>>,
    pub facts: Facts,
    pub violations: Vec<Violation>,
    pub notes: Vec<(Rank, String)>,
    pub replies: Vec<(ReqId, ClientReply)>,
    pub sent: Vec<Packet>,
    /// Messages for which this returns true are dropped at send time.
    pub drop: Option<Filter>,
    pub now_ms: u64,
    pub latency_ms: u64,
    next_req: ReqId,
    rng: SimRng,
}

impl Driver {
    pub fn new(config: MultiConfig) -> Driver {
        let config = Rc::new(config);
        let n = config.nodes as usize;
        let mut d = Driver {
            nodes: (0..n)
                .map(|r| Some(Node::boot(r as Rank, config.clone(), Durable::default())))
                .collect(),
            disks: vec![Durable::default(); n],
            wire: Vec::new(),
            timers: vec![BTreeMap::new(); n],
            facts: Facts::new(config.initial, config.alpha),
            violations: Vec::new(),
            notes: Vec::new(),
            replies: Vec::new(),
            sent: Vec::new(),
            drop: None,
            now_ms: 0,
            latency_ms: 10,
            next_req: 0,
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

    pub fn input(&mut self, r: Rank, input: Input) {
        let Some(node) = self.nodes[r as usize].as_mut() else {
            return;
        };
        let mut out = Vec::new();
        node.handle(self.now_ms, input, &mut out);
        for e in out {
            self.effect(r, e);
        }
        self.check_applied();
    }

    fn effect(&mut self, r: Rank, e: Effect) {
        match e {
            Effect::Send { to, msg } => {
                let p = Packet {
                    from: r,
                    to,
                    msg,
                    at_ms: self.now_ms + self.latency_ms,
                };
                let res = self.facts.sent(r, &p.msg);
                self.record(res);
                self.sent.push(p.clone());
                if !self.drop.as_ref().is_some_and(|f| f(&p)) {
                    self.wire.push(p);
                }
            }
            Effect::SetTimer { timer, after_ms } => {
                self.timers[r as usize].insert(timer, self.now_ms + after_ms);
            }
            Effect::SetTimerJittered {
                timer,
                after_ms,
                jitter_ms,
            } => {
                let extra = self.rng.range(0, jitter_ms);
                self.timers[r as usize].insert(timer, self.now_ms + after_ms + extra);
            }
            Effect::CancelTimer(t) => {
                self.timers[r as usize].remove(&t);
            }
            Effect::Persist(ws) => {
                let res = self.facts.persisted(r, &ws);
                self.record(res);
            }
            Effect::Reply { req_id, reply } => self.replies.push((req_id, reply)),
            Effect::Note(s) => self.notes.push((r, s)),
            Effect::Transition(_) => {}
        }
    }

    fn record(&mut self, r: Result<(), Violation>) {
        if let Err(v) = r {
            self.violations.push(v);
        }
    }

    fn check_applied(&mut self) {
        for r in 0..self.nodes.len() {
            if let Some(n) = &self.nodes[r] {
                let res = self.facts.applied(r as Rank, n.applied, n.digest);
                self.record(res);
            }
        }
    }

    pub fn client(&mut self, r: Rank, op: ClientOp) -> ReqId {
        self.next_req += 1;
        let id = self.next_req;
        self.input(r, Input::Client(ClientRequest { id, origin: r, op }));
        id
    }

    pub fn put(&mut self, r: Rank, key: &str, value: &str) -> ReqId {
        self.client(
            r,
            ClientOp::Put {
                key: key.into(),
                value: value.into(),
            },
        )
    }

    pub fn crash(&mut self, r: Rank) {
        let node = self.nodes[r as usize].take().expect("up");
        self.disks[r as usize] = node.durable;
        self.timers[r as usize].clear();
    }

    pub fn restart(&mut self, r: Rank) {
        let disk = std::mem::take(&mut self.disks[r as usize]);
        self.nodes[r as usize] = Some(Node::boot(r, self.config.clone(), disk));
        self.input(r, Input::Start);
    }

    /// The next event (a delivery or a timer), in time order; false when nothing is due by
    /// `until_ms`.
    pub fn step(&mut self, until_ms: u64) -> bool {
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
            .filter(|(r, _)| self.nodes[*r].is_some())
            .flat_map(|(r, ts)| ts.iter().map(move |(t, at)| (*at, r as Rank, *t)))
            .min();
        let take_msg = match (msg, timer) {
            (Some((m, _)), Some((t, _, _))) => m <= t,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return false,
        };
        if take_msg {
            let (at, i) = msg.expect("a message");
            if at > until_ms {
                return false;
            }
            let p = self.wire.remove(i);
            self.now_ms = self.now_ms.max(p.at_ms);
            self.input(
                p.to,
                Input::Deliver {
                    from: p.from,
                    msg: p.msg,
                },
            );
        } else {
            let (at, r, t) = timer.expect("a timer");
            if at > until_ms {
                return false;
            }
            self.now_ms = self.now_ms.max(at);
            self.timers[r as usize].remove(&t);
            self.input(r, Input::Timeout(t));
        }
        true
    }

    pub fn run_until(&mut self, until_ms: u64) {
        while self.step(until_ms) {}
        self.now_ms = self.now_ms.max(until_ms);
    }

    /// Run until `f` holds (checked after every step), at most until `limit_ms`.
    pub fn run_while(&mut self, limit_ms: u64, mut f: impl FnMut(&Driver) -> bool) -> bool {
        while f(self) {
            if !self.step(limit_ms) {
                return false;
            }
        }
        true
    }

    pub fn leader(&self) -> Option<Rank> {
        (0..self.nodes.len() as Rank).find(|r| {
            self.nodes[*r as usize]
                .as_ref()
                .is_some_and(|n| n.is_leader())
        })
    }
}
