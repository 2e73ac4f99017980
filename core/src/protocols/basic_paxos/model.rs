//! Exhaustive model check of the real Basic Paxos handlers (`Node::handle`), breadth first.
//!
//! The network is the set of every message ever sent, never emptied: any message may be
//! delivered at any time, any number of times, or never. That one choice covers loss,
//! duplication and reordering at once (as in the usual TLA+ specification of Paxos). Any armed
//! timer may fire at any time (so every backoff delay is covered); one node may crash and
//! restart from its disk. Bounds: proposers use at most `max_round` rounds, at most `crashes`
//! crashes. Each new state is checked with the rules of `rules/` through `rules::facts`,
//! exactly as a campaign run checks its events.
//!
//! States are deduplicated by a 128-bit fingerprint of the nodes, the network and the timers.

use super::config::{BasicConfig, Mutation};
use super::durable::Durable;
use super::messages::{Msg, Value};
use super::node::{Effect, Input, Node, Timer};
use super::rules::facts::Facts;
use super::rules::Violation;
use crate::actor::Rank;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::rc::Rc;

#[derive(Clone, Debug)]
pub struct Bounds {
    /// Rounds a proposer may start (1: no retry).
    pub max_round: u32,
    pub crashes: u8,
    /// Stop after this many states (a safety net: the check reports it was cut short).
    pub max_states: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_round: 1,
            crashes: 1,
            max_states: 5_000_000,
        }
    }
}

/// Three nodes, each an acceptor; nodes 0 and 1 are also the two proposers, node 2 the one
/// learner (each learner multiplies the states by the subsets of `accepted` it has seen).
pub fn model_config(mutation: Option<Mutation>) -> BasicConfig {
    let mut c = BasicConfig::all_roles(3, 2, 10);
    c.learners = [2].into();
    c.ask_ms = 0;
    c.backoff_ms = 0;
    c.mutations.extend(mutation);
    c
}

#[derive(Clone, Debug)]
struct MState {
    /// `None` while crashed.
    nodes: Vec<Option<Node>>,
    disks: Vec<Durable>,
    net: BTreeSet<(Rank, Rank, Msg)>,
    timers: Vec<BTreeSet<Timer>>,
    crashes: u8,
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
    pub complete: bool,
    pub violation: Option<(Violation, Vec<String>)>,
}

fn fingerprint(s: &MState) -> u128 {
    let mut parts = [0u64; 2];
    for (salt, part) in parts.iter_mut().enumerate() {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        for n in &s.nodes {
            match n {
                None => 0u8.hash(&mut h),
                Some(n) => {
                    1u8.hash(&mut h);
                    n.durable.hash(&mut h);
                    n.proposer.hash(&mut h);
                    n.mem_promised.hash(&mut h);
                    n.learner.hash(&mut h);
                    n.states.hash(&mut h);
                }
            }
        }
        s.disks.hash(&mut h);
        s.net.hash(&mut h);
        s.timers.hash(&mut h);
        s.crashes.hash(&mut h);
        *part = h.finish();
    }
    (parts[0] as u128) << 64 | parts[1] as u128
}

enum Step {
    Deliver(Rank, Rank, Msg),
    Fire(Rank, Timer),
    Crash(Rank),
    Restart(Rank),
}

impl Step {
    fn describe(&self) -> String {
        match self {
            Step::Deliver(f, t, m) => format!("deliver {} from {f} to {t}", m.summary()),
            Step::Fire(r, t) => format!("node {r}: timer {t:?} fires"),
            Step::Crash(r) => format!("node {r} crashes"),
            Step::Restart(r) => format!("node {r} restarts from its disk"),
        }
    }
}

struct Explorer {
    config: Rc<BasicConfig>,
    bounds: Bounds,
}

impl Explorer {
    fn steps(&self, s: &MState) -> Vec<Step> {
        let mut v = Vec::new();
        for (f, t, m) in &s.net {
            if s.nodes[*t as usize].is_some() {
                v.push(Step::Deliver(*f, *t, m.clone()));
            }
        }
        for (r, ts) in s.timers.iter().enumerate() {
            let Some(node) = &s.nodes[r] else { continue };
            for t in ts {
                if matches!(t, Timer::Retry | Timer::Start) && !self.may_retry(node) {
                    continue; // the round bound
                }
                v.push(Step::Fire(r as Rank, *t));
            }
        }
        for r in 0..s.nodes.len() {
            match s.nodes[r] {
                Some(_) if s.crashes < self.bounds.crashes => v.push(Step::Crash(r as Rank)),
                None => v.push(Step::Restart(r as Rank)),
                _ => {}
            }
        }
        v
    }

    fn may_retry(&self, node: &Node) -> bool {
        let p = node
            .proposer
            .as_ref()
            .expect("only proposers arm start and retry");
        let used = node.durable.max_round.max(p.mem_round);
        used.max(p.highest_seen) < self.bounds.max_round
    }

    /// Facts as the state's network shows them: every acceptance, promise and proposal sent so
    /// far is in it (nothing is ever removed), and the learners' decisions so far.
    fn facts(&self, s: &MState) -> Facts {
        let mut f = Facts::new(self.config.majority());
        for (from, _, m) in &s.net {
            match m {
                Msg::Promise { n, .. } => f.raise_promise(*from, *n),
                Msg::Accepted { n, v } => {
                    f.raise_promise(*from, *n);
                    f.accepts.insert(super::rules::Acceptance {
                        n: *n,
                        acceptor: *from,
                        v: v.clone(),
                    });
                }
                Msg::Accept { n, v } => {
                    f.proposed.entry(*n).or_insert_with(|| v.clone());
                }
                _ => {}
            }
        }
        f.first_learned = learned(s);
        f
    }

    /// Apply `step` to a copy of `s`, checking the rules on what it did.
    fn apply(&self, s: &MState, step: &Step) -> Result<MState, Violation> {
        let mut next = s.clone();
        let mut facts = self.facts(s);
        let (r, input) = match step {
            Step::Deliver(f, t, m) => (
                *t,
                Input::Deliver {
                    from: *f,
                    msg: Rc::new(m.clone()),
                },
            ),
            Step::Fire(r, t) => {
                next.timers[*r as usize].remove(t);
                (*r, Input::Timeout(*t))
            }
            Step::Crash(r) => {
                let node = next.nodes[*r as usize].take().expect("up");
                next.disks[*r as usize] = node.durable;
                next.timers[*r as usize].clear();
                next.crashes += 1;
                return Ok(next);
            }
            Step::Restart(r) => {
                let disk = std::mem::take(&mut next.disks[*r as usize]);
                next.nodes[*r as usize] = Some(Node::boot(*r, self.config.clone(), disk));
                (*r, Input::Start)
            }
        };
        let mut out: Vec<Effect> = Vec::new();
        let node = next.nodes[r as usize].as_mut().expect("up");
        node.handle(0, input, &mut out);
        for e in out {
            match e {
                Effect::Send { to, msg } => {
                    facts.sent(r, &msg, next.nodes[r as usize].as_ref())?;
                    next.net.insert((r, to, (*msg).clone()));
                }
                Effect::SetTimer { timer, .. } | Effect::SetTimerJittered { timer, .. } => {
                    next.timers[r as usize].insert(timer);
                }
                Effect::CancelTimer(timer) => {
                    next.timers[r as usize].remove(&timer);
                }
                Effect::Persist(writes) => facts.persisted(r, &writes)?,
                Effect::Reply { .. } | Effect::Note(_) | Effect::Transition(_) => {}
            }
        }
        facts.check_state(&learned(&next))?;
        Ok(next)
    }
}

fn learned(s: &MState) -> BTreeMap<Rank, Value> {
    (0..s.nodes.len())
        .filter_map(|r| {
            let d = match &s.nodes[r] {
                Some(n) => &n.durable,
                None => &s.disks[r],
            };
            d.learned.clone().map(|v| (r as Rank, v))
        })
        .collect()
}

/// Explore every state reachable within `bounds` from the boot of `config`'s nodes.
pub fn check(config: BasicConfig, bounds: Bounds) -> Report {
    let config = Rc::new(config);
    let n = config.nodes as usize;
    let ex = Explorer {
        config: config.clone(),
        bounds,
    };
    let mut init = MState {
        nodes: (0..n)
            .map(|r| Some(Node::boot(r as Rank, config.clone(), Durable::default())))
            .collect(),
        disks: vec![Durable::default(); n],
        net: BTreeSet::new(),
        timers: vec![BTreeSet::new(); n],
        crashes: 0,
    };
    for r in 0..n {
        let mut out = Vec::new();
        let node = init.nodes[r].as_mut().expect("up");
        node.handle(0, Input::Start, &mut out);
        for e in out {
            if let Effect::SetTimer { timer, .. } = e {
                init.timers[r].insert(timer);
            }
        }
    }
    let mut report = Report::default();
    let mut seen: HashSet<u128> = HashSet::new();
    // Each queued state with its parent's index in `trail`, for a counterexample.
    let mut trail: Vec<(u32, String)> = vec![(u32::MAX, "boot".into())];
    let mut queue: VecDeque<(MState, u32, u32)> = VecDeque::new();
    seen.insert(fingerprint(&init));
    queue.push_back((init, 0, 0));
    report.states = 1;
    while let Some((s, depth, at)) = queue.pop_front() {
        report.max_depth = report.max_depth.max(depth);
        let facts = ex.facts(&s);
        if let Some(v) = facts.chosen_value() {
            report.chosen_states += 1;
            let l = learned(&s);
            if l.len() == ex.config.learners.len() && l.values().all(|x| *x == v) {
                report.all_learned_states += 1;
            }
        }
        for step in ex.steps(&s) {
            report.transitions += 1;
            match ex.apply(&s, &step) {
                Err(v) => {
                    let mut path = vec![step.describe()];
                    let mut i = at;
                    while i != u32::MAX {
                        path.push(trail[i as usize].1.clone());
                        i = trail[i as usize].0;
                    }
                    path.reverse();
                    report.violation = Some((v, path));
                    return report;
                }
                Ok(next) => {
                    if seen.insert(fingerprint(&next)) {
                        report.states += 1;
                        if report.states >= ex.bounds.max_states {
                            return report;
                        }
                        trail.push((at, step.describe()));
                        let idx = (trail.len() - 1) as u32;
                        queue.push_back((next, depth + 1, idx));
                    }
                }
            }
        }
    }
    report.complete = true;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Breadth first, the first 20,000 states of 2 proposers and 3 acceptors (one round each,
    /// no crash) hold every rule. Not exhaustive: the full space is far larger (see the report).
    #[test]
    fn the_first_states_breadth_first_hold_every_rule() {
        let r = check(
            model_config(None),
            Bounds {
                max_round: 1,
                crashes: 0,
                max_states: 20_000,
            },
        );
        assert!(r.violation.is_none(), "{:?}", r.violation);
        assert_eq!(r.states, 20_000);
        assert!(!r.complete);
    }

    #[test]
    fn a_broken_learner_is_caught_with_a_path() {
        let r = check(
            model_config(Some(Mutation::LearnOnMinority)),
            Bounds {
                max_round: 1,
                crashes: 0,
                max_states: 20_000,
            },
        );
        let (v, path) = r.violation.expect("caught");
        assert_eq!(v.rule, "learners-agree", "{v}");
        assert!(path.len() > 3, "{path:?}");
    }
}
