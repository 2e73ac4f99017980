//! Breadth-first (or depth-first, `Search::Dfs`) exploration with a visited set of 128-bit
//! state fingerprints. States wait in the queue in compact form (ids of interned monitors,
//! messages and ghosts), so a state costs about a hundred bytes however large its monitors
//! are. Breadth-first order makes the first violation found a shortest one (depth first finds
//! a path, not necessarily the shortest); its path is rebuilt from parent links and replayed with
//! the monitors' notes.

use super::fingerprint::{fingerprint_words, FpSet, Interner};
use super::invariants;
use super::state::{Action, Budget, Ghost, MonitorExt, State, N};
use super::step::{Model, Step};
use super::Frontier;
use crate::actor::Rank;
use crate::check::Broken;
use crate::protocols::ceph::messages::Msg;
use crate::protocols::ceph::Monitor;
use std::collections::VecDeque;

/// A state in the queue: everything as dense ids.
struct Compact {
    nodes: [u32; N],
    ghosts: [u32; N],
    up: u8,
    budget: Budget,
    link_len: [u8; N * N],
    msgs: Box<[u32]>,
}

impl Compact {
    fn fingerprint(&self) -> u128 {
        self.fingerprint_with(&self.msgs)
    }

    /// The fingerprint of this state with `msgs` as its message ids.
    fn fingerprint_with(&self, msgs: &[u32]) -> u128 {
        let ids = self.nodes.iter().chain(self.ghosts.iter());
        fingerprint_ids(
            self.up,
            &self.budget,
            &self.link_len,
            ids.chain(msgs.iter()),
        )
    }

    fn with_msgs(self, msgs: &[u32]) -> Compact {
        Compact {
            msgs: msgs.into(),
            ..self
        }
    }
}

/// The fingerprint of a compact state's parts: the header words, then the ids two to a word
/// (the link lengths say how many message ids follow, so the encoding is prefix-free).
fn fingerprint_ids<'a>(
    up: u8,
    b: &Budget,
    link_len: &[u8; N * N],
    ids: impl Iterator<Item = &'a u32>,
) -> u128 {
    let mut lens = [0u8; 16];
    lens[..N * N].copy_from_slice(link_len);
    let head = [
        u64::from_le_bytes([
            up,
            b.losses,
            b.duplicates,
            b.reorders,
            b.crashes,
            b.restarts,
            b.puts_sent,
            b.cas_sent,
        ]),
        u64::from_le_bytes(lens[..8].try_into().expect("8 bytes")),
        u64::from_le_bytes(lens[8..].try_into().expect("8 bytes")),
    ];
    let mut ids = ids;
    let pairs = std::iter::from_fn(move || {
        let low = u64::from(*ids.next()?);
        Some(low | ids.next().map_or(0, |high| u64::from(*high) << 32))
    });
    fingerprint_words(head.into_iter().chain(pairs))
}

#[derive(Default)]
struct Tables {
    monitors: Interner<Monitor>,
    msgs: Interner<Msg>,
    ghosts: Interner<Ghost>,
}

impl Tables {
    fn compact(&mut self, s: &State) -> Compact {
        let mut msgs = Vec::new();
        let head = self.compact_into(s, &mut msgs);
        head.with_msgs(&msgs)
    }

    /// Everything of `s` but its message ids, which go to `msgs` (a buffer the caller keeps,
    /// so that a state already visited costs no allocation).
    fn compact_into(&mut self, s: &State, msgs: &mut Vec<u32>) -> Compact {
        let mut nodes = [0; N];
        let mut ghosts = [0; N];
        let mut up = 0u8;
        for r in 0..N {
            nodes[r] = self.monitors.intern(&s.monitors[r]);
            ghosts[r] = self.ghosts.intern(&s.ghosts[r]);
            up |= u8::from(s.up[r]) << r;
        }
        let mut link_len = [0u8; N * N];
        msgs.clear();
        for (l, q) in s.links.iter().enumerate() {
            link_len[l] = u8::try_from(q.len()).expect("links hold fewer than 256 messages");
            msgs.extend(q.iter().map(|m| self.msgs.intern(m)));
        }
        Compact {
            nodes,
            ghosts,
            up,
            budget: s.budget,
            link_len,
            msgs: Box::new([]),
        }
    }

    fn expand(&self, c: &Compact) -> State {
        let mut ids = c.msgs.iter();
        let links = std::array::from_fn(|l| {
            (0..c.link_len[l])
                .map(|_| {
                    self.msgs
                        .get(*ids.next().expect("lengths match ids"))
                        .clone()
                })
                .collect()
        });
        State {
            monitors: std::array::from_fn(|r| self.monitors.get(c.nodes[r]).clone()),
            up: std::array::from_fn(|r| c.up & (1 << r) != 0),
            links,
            ghosts: std::array::from_fn(|r| self.ghosts.get(c.ghosts[r]).clone()),
            budget: c.budget,
        }
    }
}

/// One step of a printed path.
#[derive(Clone, Debug)]
pub struct PathStep {
    pub action: String,
    /// The monitors' notes and replies during the step.
    pub notes: Vec<String>,
    /// The monitors after the step, one line.
    pub after: String,
}

/// A broken rule and a path to it (a shortest one, breadth first).
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// Where `path` begins (`boot` or `the start state`).
    pub start: &'static str,
    pub invariant: String,
    pub node: Option<Rank>,
    pub detail: String,
    pub path: Vec<PathStep>,
}

impl std::fmt::Display for Counterexample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let node = self
            .node
            .map(|n| format!(" at mon.{n}"))
            .unwrap_or_default();
        writeln!(f, "`{}` broken{node}: {}", self.invariant, self.detail)?;
        writeln!(f, "path ({} steps from {}):", self.path.len(), self.start)?;
        for (i, step) in self.path.iter().enumerate() {
            writeln!(f, "{:>3}. {}", i + 1, step.action)?;
            for n in &step.notes {
                writeln!(f, "       {n}")?;
            }
            writeln!(f, "       => {}", step.after)?;
        }
        Ok(())
    }
}

/// What an exploration did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Distinct states reached (each checked against every state predicate).
    pub distinct_states: u64,
    /// Actions applied (each checked against every step rule).
    pub transitions: u64,
    /// Deepest level reached (actions from the boot state).
    pub max_depth: u32,
    /// States not expanded because they sit at the depth bound.
    pub at_depth_bound: u64,
    /// States not expanded because an epoch or a link went past its bound.
    pub outside_bounds: u64,
    /// The state budget ran out before the queue did.
    pub stopped_at_max_states: bool,
    pub distinct_monitors: usize,
    pub distinct_messages: usize,
    /// The first violation, with its path (a shortest one, breadth first).
    pub violation: Option<Counterexample>,
    /// Claims that Ceph does not guarantee (two leaders in one epoch): the first instance.
    pub findings: Vec<Counterexample>,
}

impl Report {
    /// Every state within the bounds was expanded.
    pub fn exhaustive(&self) -> bool {
        !self.stopped_at_max_states && self.violation.is_none()
    }
}

/// Progress every `PROGRESS_EVERY` distinct states (for long runs).
pub const PROGRESS_EVERY: u64 = 250_000;

/// Explore from the model's start state (boot, or the canonical quorum). `progress` is told
/// the report so far every `PROGRESS_EVERY` distinct states.
pub fn explore(model: &Model, progress: &mut dyn FnMut(&Report)) -> Report {
    match model.initial() {
        Ok(start) => explore_from(model, start, progress),
        Err((taken, b)) => {
            // A rule broke on the canonical way to the quorum: that path is the counterexample.
            let boot = model.boot();
            let path = replay(model, &boot, &taken);
            let violation = Counterexample {
                start: "boot, on the canonical schedule to the quorum",
                invariant: b.invariant.to_string(),
                node: b.node,
                detail: b.detail,
                path,
            };
            Report {
                distinct_states: taken.len() as u64,
                violation: Some(violation),
                ..Report::default()
            }
        }
    }
}

/// Explore from `start`; printed paths begin there.
pub fn explore_from(model: &Model, start: State, progress: &mut dyn FnMut(&Report)) -> Report {
    let start = model.canonical(start);
    let bounds = &model.bounds;
    let mut tables = Tables::default();
    // Sized for the whole budget up front (at most 8 million states, 150 MB): growing the
    // set rehashes every fingerprint, several times over.
    let capacity = bounds.max_states.min(8_000_000) as usize;
    let mut visited = FpSet::with_capacity_and_hasher(capacity, Default::default());
    let mut parents: Vec<(u32, Action)> = Vec::with_capacity(capacity);
    let mut queue: Frontier<(u32, u32, Compact)> = Frontier::new(bounds.search);
    let mut report = Report::default();

    let c = tables.compact(&start);
    visited.insert(c.fingerprint());
    parents.push((u32::MAX, Action::Crash(0)));
    report.distinct_states = 1;
    if let Err(b) = model.check_state(&start) {
        report.violation = Some(counterexample(model, &start, &parents, 0, None, b));
        return report;
    }
    queue.push((0, 0, c));

    let mut read_monitors = FpSet::default();
    let mut msg_ids: Vec<u32> = Vec::new();
    'bfs: while let Some((idx, depth, c)) = queue.pop() {
        let state = tables.expand(&c);
        let reads = model
            .bounds
            .reads
            .then(|| unread(&state, &c, &mut read_monitors));
        drop(c);
        for action in reads.into_iter().flatten().chain(model.actions(&state)) {
            report.transitions += 1;
            let next = match model.step(&state, action, None) {
                Step::Next(next) => next,
                Step::Same => continue,
                Step::Broken(b) => {
                    report.violation = Some(counterexample(
                        model,
                        &start,
                        &parents,
                        idx,
                        Some(action),
                        b,
                    ));
                    break 'bfs;
                }
            };
            let head = tables.compact_into(&next, &mut msg_ids);
            if !visited.insert(head.fingerprint_with(&msg_ids)) {
                continue;
            }
            let nc = head.with_msgs(&msg_ids);
            let nidx = u32::try_from(parents.len()).expect("fewer than 2^32 states");
            parents.push((idx, action));
            report.distinct_states += 1;
            report.max_depth = report.max_depth.max(depth + 1);
            if let Err(b) = model.check_state(&next) {
                report.violation = Some(counterexample(model, &start, &parents, nidx, None, b));
                break 'bfs;
            }
            if report.findings.is_empty() {
                if let Err(b) = invariants::two_winners(&next) {
                    report
                        .findings
                        .push(counterexample(model, &start, &parents, nidx, None, b));
                }
            }
            if report.distinct_states % PROGRESS_EVERY == 0 {
                report.distinct_monitors = tables.monitors.len();
                report.distinct_messages = tables.msgs.len();
                progress(&report);
            }
            if report.distinct_states >= bounds.max_states {
                report.stopped_at_max_states = true;
                break 'bfs;
            }
            if depth + 1 >= bounds.depth {
                report.at_depth_bound += 1;
            } else if !model.within_bounds(&next) {
                report.outside_bounds += 1;
            } else {
                queue.push((nidx, depth + 1, nc));
            }
        }
    }
    report.distinct_monitors = tables.monitors.len();
    report.distinct_messages = tables.msgs.len();
    report
}

/// The reads to make in `s`: at each running leader or peon whose monitor (its interned id in
/// `c`) no state read before.
fn unread(s: &State, c: &Compact, read: &mut FpSet) -> Vec<Action> {
    (0..N)
        .filter(|r| s.up[*r] && s.monitors[*r].is_leader_or_peon())
        .filter(|r| read.insert(c.nodes[*r] as u128))
        .map(|r| Action::Get(r as Rank))
        .collect()
}

/// Rebuild the path to state `idx` (plus `last`, the action that broke a step rule), replay
/// it with notes, and package it with the broken rule.
fn counterexample(
    model: &Model,
    start: &State,
    parents: &[(u32, Action)],
    idx: u32,
    last: Option<Action>,
    b: Broken,
) -> Counterexample {
    let mut actions = path_to(parents, idx);
    actions.extend(last);
    let from = if model.bounds.start_in_quorum {
        "the stable quorum"
    } else {
        "boot"
    };
    Counterexample {
        start: from,
        invariant: b.invariant.to_string(),
        node: b.node,
        detail: b.detail,
        path: replay(model, start, &actions),
    }
}

/// Replay `actions` from `start`, describing each step. A step that breaks a rule ends the
/// replay (it is the last one of a counterexample).
pub fn replay(model: &Model, start: &State, actions: &[Action]) -> Vec<PathStep> {
    let mut state = start.clone();
    let mut steps = Vec::new();
    for action in actions {
        let mut notes = Vec::new();
        let described = action.describe(&state);
        match model.step(&state, *action, Some(&mut notes)) {
            Step::Next(next) => {
                steps.push(PathStep {
                    action: described,
                    notes,
                    after: next.describe(),
                });
                state = next;
            }
            Step::Same => steps.push(PathStep {
                action: described,
                notes,
                after: state.describe(),
            }),
            Step::Broken(b) => {
                notes.push(format!(
                    "step rule `{}` broken here: {}",
                    b.invariant, b.detail
                ));
                steps.push(PathStep {
                    action: described,
                    notes,
                    after: state.describe(),
                });
                break;
            }
        }
    }
    steps
}

/// Shared with tests: the first state (in breadth-first order) that satisfies `goal`, with the
/// actions leading to it. Explores at most `max_states` states.
pub fn find_state(
    model: &Model,
    init: State,
    max_states: u64,
    goal: impl Fn(&State) -> bool,
) -> Option<(State, Vec<Action>)> {
    if goal(&init) {
        return Some((init, Vec::new()));
    }
    let mut tables = Tables::default();
    let mut visited = FpSet::default();
    // Parent links, as in `explore_from`: a path is rebuilt only for the goal.
    let mut parents: Vec<(u32, Action)> = vec![(u32::MAX, Action::Crash(0))];
    let mut queue: VecDeque<(u32, u32, Compact)> = VecDeque::new();
    let c = tables.compact(&init);
    visited.insert(c.fingerprint());
    queue.push_back((0, 0, c));
    while let Some((idx, depth, c)) = queue.pop_front() {
        let state = tables.expand(&c);
        for action in model.actions(&state) {
            let Step::Next(next) = model.step(&state, action, None) else {
                continue;
            };
            let nc = tables.compact(&next);
            if !visited.insert(nc.fingerprint()) {
                continue;
            }
            let nidx = u32::try_from(parents.len()).expect("fewer than 2^32 states");
            parents.push((idx, action));
            if goal(&next) {
                return Some((next, path_to(&parents, nidx)));
            }
            if visited.len() as u64 >= max_states {
                return None;
            }
            if model.within_bounds(&next) && depth + 1 < model.bounds.depth {
                queue.push_back((nidx, depth + 1, nc));
            }
        }
    }
    None
}

/// The actions from the root to state `idx` of a parent table.
fn path_to(parents: &[(u32, Action)], idx: u32) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut at = idx;
    while at != 0 {
        let (parent, action) = parents[at as usize];
        actions.push(action);
        at = parent;
    }
    actions.reverse();
    actions
}
