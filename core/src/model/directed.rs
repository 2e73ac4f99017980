//! Directed search: bugs that need a long, particular schedule (three elections) are out of
//! reach of a breadth-first search from the start state, and a depth-first one wanders as far
//! from the schedule as it. A directed search first walks a prefix of the model's own
//! transitions to a state that holds the bug's precondition, breadth first from one waypoint
//! to the next (each a predicate on states), then explores breadth first from there within
//! the usual bounds. A counterexample is printed with its prefix, so it is a real run from
//! the start state. See docs/model-checking.md ("Directed search").

use super::explore::{explore_from, find_state, replay, Counterexample, PathStep, Report};
use super::state::{Action, Budget, State, N};
use super::step::{Model, Step};
use super::ModelConfig;
use crate::protocols::ceph::messages::{Msg, Pn, Version};
use crate::protocols::ceph::Value;
use std::rc::Rc;

/// A state predicate the prefix walks to.
pub struct Waypoint {
    pub about: &'static str,
    pub reached: fn(&State) -> bool,
}

/// A named directed start: a protocol situation a teacher would name (not one bug's
/// fingerprint), the waypoints that reach it, and the bound the default model check explores
/// it within.
pub struct Directed {
    pub name: &'static str,
    pub about: &'static str,
    pub waypoints: &'static [Waypoint],
    /// The bounds the prefix is found under (fewer faults and clients than the exploration's:
    /// what the prefix does not use is left for the exploration).
    pub prefix_bounds: fn(&ModelConfig) -> ModelConfig,
    /// States the walk to one waypoint may visit.
    pub prefix_max_states: u64,
    /// The bound of the default model check's second phase (`DIRECTED` in turn, each within
    /// its own bound; docs/model-checking.md, "Directed search"). `--directed NAME` uses the
    /// command line's bound instead.
    pub default_bounds: fn() -> ModelConfig,
}

/// The monitor that holds its own value in `held-alone`.
const HOLDER: usize = 1;

/// The prefix bounds of every directed start: at most one loss, crash and restart, no
/// duplicate or reorder, no compare-and-set, `puts` client puts, two elections.
fn prefix_with_puts(b: &ModelConfig, puts: u8) -> ModelConfig {
    ModelConfig {
        elections: 2,
        losses: b.losses.min(1),
        duplicates: 0,
        reorders: 0,
        puts: b.puts.min(puts),
        cas: 0,
        crashes: b.crashes.min(1),
        restarts: b.restarts.min(1),
        ..b.clone()
    }
}

/// The default check's bound for a directed start, before its puts: the FIFO run's, with two
/// losses (the prefix spends one), three elections beyond the directed start and a depth of
/// 150 actions (not reached). Each start's puts leave one to the exploration.
fn exploration_after_prefix() -> ModelConfig {
    ModelConfig {
        elections: 3,
        losses: 2,
        depth: 150,
        ..ModelConfig::fifo()
    }
}

/// Every directed start, by name; the default model check explores each in turn (its second
/// phase), in this order.
pub const DIRECTED: [Directed; 2] = [
    Directed {
        name: "held-alone",
        about: "mon.1 holds an uncommitted value of its own that no other monitor holds or is \
                sent: mon.0 crashed, mon.1 won the election with mon.2 and proposed v3, and its \
                BEGIN to mon.2 was lost (the prefix spends the crash and the loss, no client)",
        waypoints: &[Waypoint {
            about: "mon.1 holds an uncommitted value no other monitor holds or is sent",
            reached: held_alone,
        }],
        prefix_bounds: |b| prefix_with_puts(b, 0),
        prefix_max_states: 3_000_000,
        default_bounds: || ModelConfig {
            puts: 1,
            ..exploration_after_prefix()
        },
    },
    Directed {
        name: "held-by-two",
        about: "the leader dies holding an uncommitted value that one peon accepted and the \
                other never received: accepted by two of three, so it may be chosen, and \
                recovery must re-propose it (the prefix spends a put, the loss and the crash)",
        waypoints: &[Waypoint {
            about: "a crashed leader and one running peon hold an uncommitted value the third \
                    monitor does not hold and is not sent",
            reached: held_by_two,
        }],
        prefix_bounds: |b| prefix_with_puts(b, 1),
        prefix_max_states: 1_000_000,
        default_bounds: || ModelConfig {
            puts: 2,
            ..exploration_after_prefix()
        },
    },
];

impl Directed {
    pub fn from_name(name: &str) -> Option<&'static Directed> {
        DIRECTED.iter().find(|d| d.name == name)
    }

    pub fn names() -> Vec<&'static str> {
        DIRECTED.iter().map(|d| d.name).collect()
    }
}

fn carries(msg: &Msg, v: Version, val: &Value) -> bool {
    let values = match msg {
        Msg::Paxos(p) => &p.values,
        _ => return false,
    };
    values.get(&v).is_some_and(|x| **x == *val)
}

fn held_alone(s: &State) -> bool {
    let Some((v, val)) = uncommitted_of(s, HOLDER) else {
        return false;
    };
    let elsewhere = (0..N).filter(|r| *r != HOLDER).any(|r| {
        s.monitors[r]
            .store
            .values
            .get(&v)
            .is_some_and(|x| **x == **val)
    });
    let on_wire = s.in_flight().any(|(_, _, m)| carries(m, v, val));
    s.up[HOLDER] && !elsewhere && !on_wire
}

/// The version and value monitor `r` holds uncommitted (at `lc + 1`), if any.
fn uncommitted_of(s: &State, r: usize) -> Option<(Version, &Rc<Value>)> {
    let st = &s.monitors[r].store;
    let v = st.last_committed + 1;
    st.values.get(&v).map(|val| (v, val))
}

/// A crashed monitor, leader when it crashed (its pending pn is its own), holds an uncommitted
/// value that exactly one running monitor holds uncommitted too; the third holds no such value
/// for that version and none is on the wire.
fn held_by_two(s: &State) -> bool {
    let Some(down) = (0..N).find(|r| !s.up[*r]) else {
        return false;
    };
    let st = &s.monitors[down].store;
    let Some((v, val)) = uncommitted_of(s, down) else {
        return false;
    };
    if !pn_is_own(st.pending_pn, down) {
        return false;
    }
    let holds = |r: usize| uncommitted_of(s, r).is_some_and(|(w, x)| w == v && **x == **val);
    let holders = (0..N).filter(|r| *r != down && holds(*r)).count();
    let third_has_it = (0..N).filter(|r| *r != down).any(|r| {
        !holds(r)
            && s.monitors[r]
                .store
                .values
                .get(&v)
                .is_some_and(|x| **x == **val)
    });
    let on_wire = s.in_flight().any(|(_, _, m)| carries(m, v, val));
    holders == 1 && !third_has_it && !on_wire
}

/// A pn names its proposer by its last two digits (`pn-shape-and-freshness`).
fn pn_is_own(pn: Pn, rank: usize) -> bool {
    pn > 0 && pn % 100 == rank as Pn
}

/// The prefix: from the model's start state, breadth first to each waypoint in turn, under
/// `bounds` with the directed start's elections and state budget. Returns the state reached
/// and the actions taken from the model's start state.
pub fn prefix(bounds: &ModelConfig, d: &Directed) -> Result<(State, Vec<Action>), String> {
    let prefix_bounds = (d.prefix_bounds)(bounds);
    let model = Model::new(prefix_bounds.clone());
    let initial = model
        .initial()
        .map_err(|(_, b)| format!("the start state breaks `{}`", b.invariant))?;
    let mut state = initial.clone();
    let mut taken = Vec::new();
    for w in d.waypoints {
        let Some((next, actions)) =
            find_state(&model, state.clone(), d.prefix_max_states, w.reached)
        else {
            let path: Vec<String> = replay(&model, &initial, &taken)
                .iter()
                .map(|p| format!("{}\n      => {}", p.action, p.after))
                .collect();
            return Err(format!(
                "directed start `{}`: no state where {} within {} states, from the state \
                 {} steps in:\n{}",
                d.name,
                w.about,
                d.prefix_max_states,
                taken.len(),
                path.join("\n")
            ));
        };
        taken.extend(actions);
        state = next;
    }
    state.budget = left_over(bounds, &prefix_bounds, state.budget);
    Ok((state, taken))
}

/// The exploration's budget after a prefix that spent, of `prefix`'s budget, what `left`
/// does not hold: each fault the prefix used is one fewer for the exploration.
fn left_over(bounds: &ModelConfig, prefix: &ModelConfig, left: Budget) -> Budget {
    let rest = |full: u8, given: u8, kept: u8| full.saturating_sub(given - kept);
    Budget {
        losses: rest(bounds.losses, prefix.losses, left.losses),
        duplicates: rest(bounds.duplicates, prefix.duplicates, left.duplicates),
        reorders: rest(bounds.reorders, prefix.reorders, left.reorders),
        crashes: rest(bounds.crashes, prefix.crashes, left.crashes),
        restarts: rest(bounds.restarts, prefix.restarts, left.restarts),
        puts_sent: left.puts_sent,
        cas_sent: left.cas_sent,
    }
}

/// The prefix's steps, replayed from the start state with the monitors' notes (to print).
pub fn describe_prefix(bounds: &ModelConfig, d: &Directed, prefix: &[Action]) -> Vec<PathStep> {
    let model = Model::new((d.prefix_bounds)(bounds));
    match model.initial() {
        Ok(initial) => replay(&model, &initial, prefix),
        Err(_) => Vec::new(),
    }
}

/// What a directed search did: the prefix and the exploration from its end.
pub struct DirectedReport {
    /// Actions from the model's start state to the directed start.
    pub prefix: Vec<Action>,
    pub report: Report,
}

/// Where a directed search's counterexamples begin.
const FROM_QUORUM: &str = "the stable quorum (a directed prefix, then breadth first)";

/// Walk the prefix, then explore breadth first from its end under `bounds` (elections counted
/// from there). Every step and state of the prefix is checked like an explored one (the walk
/// to a waypoint only looks for it), so a violation on the way is reported. A violation's
/// path begins at the model's start state, prefix included.
pub fn explore_directed(
    bounds: &ModelConfig,
    d: &Directed,
    progress: &mut dyn FnMut(&Report),
) -> Result<DirectedReport, String> {
    let (start, prefix_actions) = prefix(bounds, d)?;
    let mut model = Model::new(bounds.clone());
    model.count_elections_from(&start);
    let initial = model
        .initial()
        .map_err(|(_, b)| format!("the start state breaks `{}`", b.invariant))?;
    if let Some(cx) = check_prefix(&model, &initial, &prefix_actions) {
        let report = Report {
            distinct_states: prefix_actions.len() as u64,
            violation: Some(cx),
            ..Report::default()
        };
        return Ok(DirectedReport {
            prefix: prefix_actions,
            report,
        });
    }
    let mut report = explore_from(&model, start, progress);
    let walked = replay(&model, &initial, &prefix_actions);
    for cx in report
        .violation
        .iter_mut()
        .chain(report.findings.iter_mut())
    {
        let mut path = walked.clone();
        path.append(&mut cx.path);
        cx.path = path;
        cx.start = FROM_QUORUM;
    }
    Ok(DirectedReport {
        prefix: prefix_actions,
        report,
    })
}

/// The first rule the prefix breaks, with the path to it: each step's rules, then each state's.
fn check_prefix(model: &Model, initial: &State, actions: &[Action]) -> Option<Counterexample> {
    let mut state = initial.clone();
    for (i, action) in actions.iter().enumerate() {
        let broken = match model.step(&state, *action, None) {
            Step::Next(next) => {
                let verdict = model.check_state(&next);
                state = next;
                verdict.err()
            }
            Step::Same => None,
            Step::Broken(b) => Some(b),
        };
        if let Some(b) = broken {
            return Some(Counterexample {
                start: FROM_QUORUM,
                invariant: b.invariant.to_string(),
                node: b.node,
                detail: b.detail,
                path: replay(model, initial, &actions[..=i]),
            });
        }
    }
    None
}
