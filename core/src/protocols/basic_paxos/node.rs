//! One Basic Paxos node, sans-IO: `handle(now_ms, input, out)` in, effects out. A node plays
//! any of three roles (proposer, acceptor, learner), each in its own small struct, with the
//! durable part in `durable` (see durable.rs). The rules follow "Paxos Made Simple" 2.2–2.3.
//!
//! Randomized backoff: a node never draws a random number. A proposer that gives a round up
//! asks for its retry timer with `Effect::SetTimerJittered { after_ms: retry_ms, jitter_ms:
//! backoff_ms }`; the simulator draws the extra delay in `0..=jitter_ms` from its own seeded
//! stream (`Stream::Backoff`), and a test driver or the model checker choose it themselves.

use super::config::{BasicConfig, Mutation};
use super::declaration::{
    self, acceptor, learner, proposer, ACCEPTOR, DECLARATION, LEARNER, PROPOSER,
};
use super::durable::{Durable, Write};
use super::messages::{describe_proposal, Msg, Pn, Proposal, Value};
use super::BasicPaxos;
use crate::actor::{Rank, TimerName};
use crate::machine::{MachineId, StateId, Transition};
use crate::sorted::{SortedMap, SortedSet};
use std::rc::Rc;

pub type Input = crate::actor::Input<BasicPaxos>;
pub type Effect = crate::actor::Effect<BasicPaxos>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A proposer's first proposal, `start_ms` after boot.
    Start,
    /// The current phase had no majority in time.
    Phase,
    /// Retry a given-up round (with backoff when configured).
    Retry,
    /// A learner that knows nothing asks the others.
    Ask,
}

impl TimerName for Timer {
    fn name(&self) -> &'static str {
        match self {
            Timer::Start => "start",
            Timer::Phase => "phase-timeout",
            Timer::Retry => "retry",
            Timer::Ask => "ask",
        }
    }
}

/// A proposer's volatile state (lost at a crash; its round is durable).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Proposer {
    /// The value it would like chosen (its own, or a client's).
    pub own: Option<Value>,
    /// The current round's number.
    pub n: Option<Pn>,
    /// Promises for `n`, by acceptor, with what each had accepted.
    pub promises: SortedMap<Rank, Option<Proposal>>,
    /// The value sent in phase 2 for `n`.
    pub proposal: Option<Value>,
    /// Acceptors that accepted (`n`, `proposal`).
    pub accepts: SortedSet<Rank>,
    /// The highest round seen in a nack: the next round goes above it.
    pub highest_seen: u32,
    /// `ForgetRound` only: the round kept in memory instead of on disk.
    pub mem_round: u32,
    /// The chosen value, once known.
    pub chosen: Option<Value>,
    /// Client requests waiting for the outcome.
    pub clients: Vec<u64>,
}

/// A learner's volatile state: who accepted what.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Learner {
    pub votes: SortedMap<Pn, (Value, SortedSet<Rank>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub rank: Rank,
    pub config: Rc<BasicConfig>,
    pub durable: Durable,
    pub proposer: Option<Proposer>,
    pub learner: Option<Learner>,
    /// Current state of each machine (indexed by `MachineId`); a role the node does not play
    /// stays in its initial state.
    pub states: [StateId; 3],
}

impl Node {
    /// A node booting from its durable state (empty on first boot).
    pub fn boot(rank: Rank, config: Rc<BasicConfig>, durable: Durable) -> Node {
        let plays = |set: &SortedSet<Rank>| set.contains(&rank);
        Node {
            rank,
            proposer: plays(&config.proposers).then(Proposer::default),
            learner: plays(&config.learners).then(Learner::default),
            durable: if config.broken(Mutation::ForgetPromise) && config.acceptors.contains(&rank) {
                // The bug: the acceptor's writes never reached the disk.
                Durable {
                    promised: None,
                    accepted: None,
                    ..durable
                }
            } else {
                durable
            },
            states: [
                DECLARATION.machines[0].initial,
                DECLARATION.machines[1].initial,
                DECLARATION.machines[2].initial,
            ],
            config,
        }
    }

    pub fn is_proposer(&self) -> bool {
        self.proposer.is_some()
    }
    pub fn is_acceptor(&self) -> bool {
        self.config.acceptors.contains(&self.rank)
    }
    pub fn is_learner(&self) -> bool {
        self.learner.is_some()
    }
    /// Does the node play the role whose machine `machine` is?
    pub fn plays(&self, machine: MachineId) -> bool {
        match machine {
            PROPOSER => self.is_proposer(),
            ACCEPTOR => self.is_acceptor(),
            LEARNER => self.is_learner(),
            _ => false,
        }
    }
    pub fn state(&self, machine: MachineId) -> StateId {
        self.states[machine.0 as usize]
    }
    /// The acceptor's promise.
    pub fn promised(&self) -> Option<Pn> {
        self.durable.promised
    }

    pub fn handle(&mut self, _now_ms: u64, input: Input, out: &mut Vec<Effect>) {
        match input {
            Input::Start => self.on_start(out),
            Input::Deliver { from, msg } => self.on_message(from, &msg, out),
            Input::Timeout(t) => self.on_timer(t, out),
            Input::Client(req) => super::seam::on_client(self, req, out),
            Input::Membership(_) => {} // no configuration: its scenarios cannot say it
            Input::Monmap(_) => {}     // Basic Paxos has no monmap (the parser refuses the actions)
        }
    }

    /// The single funnel for state changes: asserts the declaration allows it and emits it
    /// (`Effect::Transition`, in order with the sends around it).
    pub(crate) fn set_state(&mut self, machine: MachineId, to: StateId, out: &mut Vec<Effect>) {
        let from = self.state(machine);
        if from == to {
            return;
        }
        let t = Transition { machine, from, to };
        assert!(
            DECLARATION.allows(t),
            "node {}: {} may not go from {} to {} (not in the declaration)",
            self.rank,
            DECLARATION.machine(machine).name,
            DECLARATION.state(machine, from).name,
            DECLARATION.state(machine, to).name
        );
        self.states[machine.0 as usize] = to;
        out.push(Effect::Transition(t));
    }

    fn on_start(&mut self, out: &mut Vec<Effect>) {
        if self.is_acceptor() {
            // A restarted acceptor resumes where its disk says.
            if self.durable.accepted.is_some() {
                self.set_state(ACCEPTOR, acceptor::ACCEPTED, out);
            } else if self.durable.promised.is_some() {
                self.set_state(ACCEPTOR, acceptor::PROMISED, out);
            }
        }
        if self.is_learner() {
            if let Some(v) = self.durable.learned.clone() {
                self.set_state(LEARNER, learner::LEARNED, out);
                self.proposer_knows_chosen(v, out);
            } else if self.config.ask_ms > 0 {
                out.push(Effect::SetTimer {
                    timer: Timer::Ask,
                    after_ms: self.config.ask_ms,
                });
            }
        }
        let index = self.config.proposer_index(self.rank);
        if let (Some(i), Some(start_ms)) = (index, self.config.start_ms) {
            if self.state(PROPOSER) == proposer::IDLE {
                out.push(Effect::SetTimer {
                    timer: Timer::Start,
                    after_ms: start_ms + i as u64 * self.config.start_stagger_ms,
                });
            }
        }
    }

    fn on_timer(&mut self, t: Timer, out: &mut Vec<Effect>) {
        match t {
            Timer::Start => {
                if let Some(v) = self.config.own_value(self.rank) {
                    self.propose(v.into(), out);
                }
            }
            Timer::Phase => {
                let s = self.state(PROPOSER);
                if s == proposer::PREPARING || s == proposer::ACCEPTING {
                    self.give_up("no majority before the phase timeout", out);
                }
            }
            Timer::Retry => {
                if self.state(PROPOSER) == proposer::WAITING {
                    self.start_round(out);
                }
            }
            Timer::Ask => {
                if self.durable.learned.is_none() {
                    for &l in &self.config.learners {
                        if l != self.rank {
                            send(out, l, Msg::Ask);
                        }
                    }
                    out.push(Effect::SetTimer {
                        timer: Timer::Ask,
                        after_ms: self.config.ask_ms,
                    });
                }
            }
        }
    }

    fn on_message(&mut self, from: Rank, msg: &Msg, out: &mut Vec<Effect>) {
        match msg {
            Msg::Prepare { n } if self.is_acceptor() => self.handle_prepare(from, *n, out),
            Msg::Accept { n, v } if self.is_acceptor() => self.handle_accept(from, *n, v, out),
            Msg::Promise { n, accepted } => self.handle_promise(from, *n, accepted, out),
            Msg::Nack { n, promised } => self.handle_nack(*n, *promised, out),
            Msg::Accepted { n, v } => {
                self.proposer_count_accepted(from, *n, v, out);
                self.learner_count_accepted(from, *n, v, out);
            }
            Msg::Ask => {
                if let (true, Some(v)) = (self.is_learner(), self.durable.learned.clone()) {
                    send(out, from, Msg::Chosen { v });
                }
            }
            Msg::Chosen { v } => {
                if self.is_learner() {
                    self.learn(v.clone(), "another learner told it", out);
                }
            }
            Msg::Prepare { .. } | Msg::Accept { .. } => {}
        }
    }

    // ----- proposer -----

    /// Start proposing `v` (a client's or the proposer's own value), unless already busy.
    pub fn propose(&mut self, v: Value, out: &mut Vec<Effect>) {
        let Some(p) = self.proposer.as_mut() else {
            return;
        };
        if p.own.is_none() {
            p.own = Some(v);
        }
        if self.state(PROPOSER) == proposer::IDLE {
            self.start_round(out);
        }
    }

    /// Phase 1a: a number above every round this proposer used or saw, on disk before it is sent.
    fn start_round(&mut self, out: &mut Vec<Effect>) {
        let forget = self.config.broken(Mutation::ForgetRound);
        let p = self.proposer.as_mut().expect("a proposer");
        let used = if forget {
            p.mem_round
        } else {
            self.durable.max_round
        };
        let round = used.max(p.highest_seen) + 1;
        let n = Pn::new(round, self.rank);
        if forget {
            p.mem_round = round;
        } else {
            let w = Write::MaxRound(round);
            self.durable.apply(&w);
            out.push(Effect::Persist(vec![w]));
        }
        p.n = Some(n);
        p.promises.clear();
        p.accepts.clear();
        p.proposal = None;
        self.set_state(PROPOSER, proposer::PREPARING, out);
        for &a in &self.config.acceptors {
            send(out, a, Msg::Prepare { n });
        }
        out.push(Effect::SetTimer {
            timer: Timer::Phase,
            after_ms: self.config.phase_timeout_ms,
        });
    }

    /// The current round, if it is in `phase`.
    fn current(&self, phase: StateId) -> Option<Pn> {
        let p = self.proposer.as_ref()?;
        (self.state(PROPOSER) == phase).then_some(p.n?)
    }

    /// Phase 1b received; with a majority, phase 2a.
    fn handle_promise(
        &mut self,
        from: Rank,
        n: Pn,
        accepted: &Option<Proposal>,
        out: &mut Vec<Effect>,
    ) {
        if self.current(proposer::PREPARING) != Some(n) {
            return; // an old round's promise, or a duplicate after phase 1
        }
        let majority = self.config.majority();
        let ignore = self.config.broken(Mutation::IgnorePromisedValue);
        let p = self.proposer.as_mut().expect("a proposer");
        p.promises.insert(from, accepted.clone());
        if p.promises.len() < majority {
            return;
        }
        let own = p.own.clone().expect("a proposer in a round has a value");
        let highest = highest_accepted(p.promises.values());
        let (v, why) = match highest {
            Some((hn, hv)) if !ignore => (
                hv.clone(),
                format!("takes over \"{hv}\", the highest-numbered accepted proposal ({hn}) among the promises"),
            ),
            _ => (own.clone(), format!("no promise carries an accepted proposal: proposes its own \"{own}\"")),
        };
        p.proposal = Some(v.clone());
        out.push(Effect::Note(format!(
            "proposer: majority of promises for {n}; {why}"
        )));
        self.set_state(PROPOSER, proposer::ACCEPTING, out);
        for &a in &self.config.acceptors {
            send(out, a, Msg::Accept { n, v: v.clone() });
        }
        out.push(Effect::SetTimer {
            timer: Timer::Phase,
            after_ms: self.config.phase_timeout_ms,
        });
    }

    fn handle_nack(&mut self, n: Pn, promised: Pn, out: &mut Vec<Effect>) {
        let Some(p) = self.proposer.as_mut() else {
            return;
        };
        p.highest_seen = p.highest_seen.max(promised.round);
        let current = p.n == Some(n);
        let s = self.state(PROPOSER);
        if current && (s == proposer::PREPARING || s == proposer::ACCEPTING) {
            self.give_up(&format!("an acceptor promised {promised}, above {n}"), out);
        }
    }

    /// The round failed: wait, then retry with a higher number.
    fn give_up(&mut self, why: &str, out: &mut Vec<Effect>) {
        self.set_state(PROPOSER, proposer::WAITING, out);
        out.push(Effect::CancelTimer(Timer::Phase));
        out.push(Effect::Note(format!("proposer: gives the round up: {why}")));
        let (after_ms, jitter_ms) = (self.config.retry_ms, self.config.backoff_ms);
        out.push(if jitter_ms > 0 {
            Effect::SetTimerJittered {
                timer: Timer::Retry,
                after_ms,
                jitter_ms,
            }
        } else {
            Effect::SetTimer {
                timer: Timer::Retry,
                after_ms,
            }
        });
    }

    fn proposer_count_accepted(&mut self, from: Rank, n: Pn, v: &Value, out: &mut Vec<Effect>) {
        if self.current(proposer::ACCEPTING) != Some(n) {
            return;
        }
        let majority = self.config.majority();
        let p = self.proposer.as_mut().expect("a proposer");
        debug_assert_eq!(p.proposal.as_ref(), Some(v), "acceptors echo the proposal");
        p.accepts.insert(from);
        if p.accepts.len() >= majority {
            out.push(Effect::Note(format!(
                "proposer: a majority accepted ({n}, \"{v}\"): it is chosen"
            )));
            self.proposer_knows_chosen(v.clone(), out);
        }
    }

    /// The proposer stops: a value is chosen (its own round won, or its learner learned it).
    fn proposer_knows_chosen(&mut self, v: Value, out: &mut Vec<Effect>) {
        let Some(p) = self.proposer.as_mut() else {
            return;
        };
        if p.chosen.is_some() {
            return;
        }
        p.chosen = Some(v.clone());
        let clients = std::mem::take(&mut p.clients);
        self.set_state(PROPOSER, proposer::DONE, out);
        out.push(Effect::CancelTimer(Timer::Phase));
        out.push(Effect::CancelTimer(Timer::Retry));
        out.push(Effect::CancelTimer(Timer::Start));
        super::seam::reply_chosen(&clients, &v, out);
    }

    // ----- acceptor -----

    /// Phase 1b: promise if `n` is not below the promise (a duplicate `prepare(n)` gets the same
    /// promise again); the promise is on disk before the answer leaves.
    fn handle_prepare(&mut self, from: Rank, n: Pn, out: &mut Vec<Effect>) {
        let promised = self.promised();
        if promised.is_some_and(|p| n < p) {
            let promised = promised.expect("checked");
            send(out, from, Msg::Nack { n, promised });
            return;
        }
        if promised != Some(n) {
            let w = Write::Promised(n);
            self.durable.apply(&w);
            out.push(Effect::Persist(vec![w]));
        }
        if self.durable.accepted.is_none() {
            self.set_state(ACCEPTOR, acceptor::PROMISED, out);
        }
        let accepted = self.durable.accepted.clone();
        out.push(Effect::Note(format!(
            "acceptor: promises {n}, reports accepted={}",
            describe_proposal(&accepted)
        )));
        send(out, from, Msg::Promise { n, accepted });
    }

    /// Phase 2b: accept unless promised above `n`; on disk before `accepted` goes out to the
    /// proposer and every learner.
    fn handle_accept(&mut self, from: Rank, n: Pn, v: &Value, out: &mut Vec<Effect>) {
        let promised = self.promised();
        let below = promised.is_some_and(|p| n < p);
        if below && !self.config.broken(Mutation::AcceptBelowPromise) {
            let promised = promised.expect("checked");
            send(out, from, Msg::Nack { n, promised });
            return;
        }
        let mut txn = Vec::new();
        if !below && promised != Some(n) {
            // Accepting n is also promising n.
            txn.push(Write::Promised(n));
        }
        txn.push(Write::Accepted(n, v.clone()));
        for w in &txn {
            self.durable.apply(w);
        }
        out.push(Effect::Persist(txn));
        self.set_state(ACCEPTOR, acceptor::ACCEPTED, out);
        let msg = Rc::new(Msg::Accepted { n, v: v.clone() });
        let mut to: SortedSet<Rank> = self.config.learners.clone();
        to.insert(n.proposer);
        for r in to {
            out.push(Effect::Send {
                to: r,
                msg: Rc::clone(&msg),
            });
        }
    }

    // ----- learner -----

    fn learner_count_accepted(&mut self, from: Rank, n: Pn, v: &Value, out: &mut Vec<Effect>) {
        let majority = self.config.majority();
        let minority = self.config.broken(Mutation::LearnOnMinority);
        let Some(l) = self.learner.as_mut() else {
            return;
        };
        if !self.config.acceptors.contains(&from) || self.durable.learned.is_some() {
            return; // a decided learner counts no more votes
        }
        let entry = l
            .votes
            .entry(n)
            .or_insert_with(|| (v.clone(), SortedSet::new()));
        entry.1.insert(from);
        let count = entry.1.len();
        if count >= majority || minority {
            let why = format!(
                "{count} of {} acceptors accepted ({n}, \"{v}\")",
                self.config.acceptors.len()
            );
            self.learn(v.clone(), &why, out);
        }
    }

    /// The learner decides, once: on disk, and never changed.
    fn learn(&mut self, v: Value, why: &str, out: &mut Vec<Effect>) {
        if self.durable.learned.is_some() {
            return;
        }
        let w = Write::Learned(v.clone());
        self.durable.apply(&w);
        if let Some(l) = self.learner.as_mut() {
            l.votes.clear(); // never read again
        }
        out.push(Effect::Persist(vec![w]));
        out.push(Effect::CancelTimer(Timer::Ask));
        out.push(Effect::Note(format!("learner: \"{v}\" is chosen ({why})")));
        self.set_state(LEARNER, learner::LEARNED, out);
        self.proposer_knows_chosen(v, out);
    }

    /// The name of the state a machine is in, for status lines.
    pub fn state_name(&self, machine: MachineId) -> &'static str {
        declaration::DECLARATION
            .state(machine, self.state(machine))
            .name
    }
}

/// The highest-numbered accepted proposal among the promises (the phase-2 value rule).
pub fn highest_accepted<'a>(
    promises: impl IntoIterator<Item = &'a Option<Proposal>>,
) -> Option<&'a Proposal> {
    promises.into_iter().flatten().max_by_key(|(n, _)| *n)
}

fn send(out: &mut Vec<Effect>, to: Rank, msg: Msg) {
    out.push(Effect::Send {
        to,
        msg: Rc::new(msg),
    });
}
