//! Directed search: bugs that need a long, particular schedule (three elections) are out of
//! reach of a breadth-first search from the start state, and a depth-first one wanders as far
//! from the schedule as it. A directed search first walks a prefix of the model's own
//! transitions to a state that holds the bug's precondition, breadth first from one waypoint
//! to the next (each a predicate on states), then explores breadth first from there within
//! the usual bounds. A counterexample is printed with its prefix, so it is a real run from
//! the start state. See docs/model-checking.md ("Directed search").

use super::explore::{explore_from, find_state, replay, PathStep, Report};
use super::state::{Action, Budget, State, N};
use super::step::Model;
use super::ModelConfig;
use crate::protocols::ceph::messages::{Msg, Version};
use crate::protocols::ceph::Value;
use std::rc::Rc;

/// A state predicate the prefix walks to.
pub struct Waypoint {
    pub about: &'static str,
    pub reached: fn(&State) -> bool,
}

/// A named directed start.
pub struct Directed {
    pub name: &'static str,
    pub about: &'static str,
    pub waypoints: &'static [Waypoint],
    /// The bounds the prefix is found under (fewer faults and clients than the exploration's:
    /// what the prefix does not use is left for the exploration).
    pub prefix_bounds: fn(&ModelConfig) -> ModelConfig,
    /// States the walk to one waypoint may visit.
    pub prefix_max_states: u64,
}

/// The monitor that holds its own value in `held-alone`.
const HOLDER: usize = 1;

/// Every directed start, by name.
pub const DIRECTED: [Directed; 1] = [Directed {
    name: "held-alone",
    about: "mon.1 holds an uncommitted value of its own that no other monitor holds or is \
            sent: mon.0 crashed, mon.1 won the election with mon.2 and proposed v3, and its \
            BEGIN to mon.2 was lost (the prefix spends the crash and the loss, no client)",
    waypoints: &[Waypoint {
        about: "mon.1 holds an uncommitted value no other monitor holds or is sent",
        reached: held_alone,
    }],
    prefix_bounds: |b| ModelConfig {
        elections: 2,
        losses: b.losses.min(1),
        duplicates: 0,
        reorders: 0,
        puts: 0,
        cas: 0,
        crashes: b.crashes.min(1),
        restarts: b.restarts.min(1),
        ..b.clone()
    },
    prefix_max_states: 3_000_000,
}];

impl Directed {
    pub fn from_name(name: &str) -> Option<&'static Directed> {
        DIRECTED.iter().find(|d| d.name == name)
    }

    pub fn names() -> Vec<&'static str> {
        DIRECTED.iter().map(|d| d.name).collect()
    }
}

/// The value `HOLDER` holds uncommitted at `lc + 1`, if it holds one.
fn own_uncommitted(s: &State) -> Option<(Version, &Rc<Value>)> {
    let st = &s.monitors[HOLDER].store;
    let v = st.last_committed + 1;
    st.values.get(&v).map(|val| (v, val))
}

fn carries(msg: &Msg, v: Version, val: &Value) -> bool {
    let values = match msg {
        Msg::Paxos(p) => &p.values,
        _ => return false,
    };
    values.get(&v).is_some_and(|x| **x == *val)
}

fn held_alone(s: &State) -> bool {
    let Some((v, val)) = own_uncommitted(s) else {
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

/// Walk the prefix, then explore breadth first from its end under `bounds` (elections counted
/// from there). A violation's path begins at the model's start state, prefix included.
pub fn explore_directed(
    bounds: &ModelConfig,
    d: &Directed,
    progress: &mut dyn FnMut(&Report),
) -> Result<DirectedReport, String> {
    let (start, prefix_actions) = prefix(bounds, d)?;
    let mut model = Model::new(bounds.clone());
    model.count_elections_from(&start);
    let mut report = explore_from(&model, start, progress);
    if let Some(cx) = report.violation.as_mut() {
        let initial = model
            .initial()
            .map_err(|(_, b)| format!("the start state breaks `{}`", b.invariant))?;
        let mut path = replay(&model, &initial, &prefix_actions);
        path.append(&mut cx.path);
        cx.path = path;
        cx.start = "the stable quorum (a directed prefix, then breadth first)";
    }
    Ok(DirectedReport {
        prefix: prefix_actions,
        report,
    })
}
