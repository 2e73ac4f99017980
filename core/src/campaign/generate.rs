//! The fault schedule of one seed, TigerBeetle style: the seed alone decides the length of the
//! fault phase, which fault classes are enabled, every episode's nodes, links, times and sizes,
//! and the client workload. Faults draw from `Stream::Faults`, the workload from
//! `Stream::Clients`, so changing one never shifts the other.

use super::classes::{Beyond, FaultClass};
use super::trial::{liveness_bound_ms, Trial};
use super::workload;
use crate::scenario::{
    Action, Allowance, ConfigKey, LinkSel, Mutation, NodeRef, Scenario, TimedAction,
};
use crate::sim::config_for;
use crate::sim::rng::{SimRng, Stream};
use crate::sim::world::CRASH_IN_COMMIT_WINDOW_MS;
use std::collections::BTreeSet;

/// Shortest and longest fault phase (the heal comes at its end); a heavy seed's phase is
/// long, so its thousand-odd client operations arrive at a moderate rate.
pub const FAULT_PHASE_MS: (u64, u64) = (15_000, 75_000);
pub const HEAVY_FAULT_PHASE_MS: (u64, u64) = (60_000, 75_000);
/// Largest clock offset a seed sets: two monitors differ by at most twice this, well inside
/// the lease margin of about 2 s (spec 10.6) together with the delay spikes.
pub const MAX_SKEW_MS: i64 = 250;
/// Largest clock rate error: 0.2 %, which adds at most 150 ms of offset over a fault phase.
pub const MAX_DRIFT_PPM: i64 = 2_000;
/// Longest pause: shorter than the lease margin, so a resumed leader cannot outlive its lease.
pub const MAX_PAUSE_MS: u64 = 1_500;
/// Largest extra one-way delay of a spike (Ceph's timing argument assumes well under 1 s).
pub const MAX_SPIKE_MS: u64 = 400;
/// Share of seeds (percent) in which each fault class is enabled.
pub const CLASS_ENABLED_PCT: u64 = 45;
/// Skew of a `Beyond::LargeSkew` run: several seconds, far past the lease margin.
pub const LARGE_SKEW_MS: (u64, u64) = (3_000, 9_000);

/// What a campaign adds to every seed's plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanOptions {
    pub monitors: u8,
    /// A deliberate protocol bug to switch on (mutation canaries).
    pub mutation: Option<Mutation>,
    /// Ways to leave Ceph's assumptions on purpose.
    pub beyond: BTreeSet<Beyond>,
    /// Switch the checker's protocol invariants off: only the client-facing checks judge.
    pub blind: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            monitors: 5,
            mutation: None,
            beyond: BTreeSet::new(),
            blind: false,
        }
    }
}

/// Why an action is in the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tag {
    Fault(FaultClass),
    Beyond(Beyond),
    Client,
    /// The heal at the end of the fault phase (never shrunk away).
    Heal,
}

/// One seed's run: the scenario (faults, workload, heal) and what each action is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub seed: u64,
    /// The fault classes this seed enabled; each has at least one episode.
    pub classes: BTreeSet<FaultClass>,
    /// A heavy seed drives at least `workload::HEAVY_OPS.0` client operations.
    pub heavy: bool,
    pub trial: Trial,
    /// `tags[i]` says why `trial.scenario.actions[i]` is there.
    pub tags: Vec<Tag>,
}

impl Plan {
    pub fn client_ops(&self) -> usize {
        self.tags.iter().filter(|t| **t == Tag::Client).count()
    }

    /// Classes with an action at or before `t_ms` (what a run that stopped then exercised).
    pub fn classes_applied_by(&self, t_ms: u64) -> BTreeSet<FaultClass> {
        let actions = &self.trial.scenario.actions;
        self.tags
            .iter()
            .zip(actions)
            .filter(|(_, a)| a.at_ms <= t_ms)
            .filter_map(|(t, _)| match t {
                Tag::Fault(c) => Some(*c),
                _ => None,
            })
            .collect()
    }
}

/// Everything one seed does, derived from the seed alone.
pub fn plan(seed: u64, opts: &PlanOptions) -> Plan {
    assert!(
        opts.monitors >= 3,
        "a campaign needs at least three monitors"
    );
    let mut rng = SimRng::new(seed, Stream::Faults);
    let n = opts.monitors;
    let phase = if workload::is_heavy(seed) {
        HEAVY_FAULT_PHASE_MS
    } else {
        FAULT_PHASE_MS
    };
    let heal_ms = rng.range(phase.0, phase.1);
    let classes = draw_classes(&mut rng);
    let mut tagged: Vec<(TimedAction, Tag)> = Vec::new();
    let mut order: Vec<FaultClass> = classes.iter().copied().collect();
    let extra = rng.range(0, heal_ms / 10_000 + 2);
    for _ in 0..extra {
        order.push(order[rng.below(order.len() as u64) as usize]);
    }
    for class in order {
        for ta in episode(class, &mut rng, n, heal_ms) {
            tagged.push((ta, Tag::Fault(class)));
        }
    }
    for b in &opts.beyond {
        for ta in beyond_episode(*b, &mut rng, n, heal_ms) {
            tagged.push((ta, Tag::Beyond(*b)));
        }
    }
    let work = workload::generate(seed, n, heal_ms);
    let heavy = work.heavy;
    tagged.extend(work.actions.into_iter().map(|a| (a, Tag::Client)));
    tagged.retain(|(a, _)| a.at_ms < heal_ms);
    tagged.sort_by_key(|(a, _)| a.at_ms);
    tagged.extend(heal_actions(n, heal_ms).into_iter().map(|a| (a, Tag::Heal)));

    let mut scenario = Scenario {
        seed,
        name: Some(format!("campaign seed {seed}")),
        ..Scenario::default()
    };
    if n != 5 {
        scenario.overrides.push((ConfigKey::Monitors, n as u64));
    }
    if classes.contains(&FaultClass::CrashInCommit) {
        // The commit write must take time for a crash to land inside it.
        scenario
            .overrides
            .push((ConfigKey::CommitWriteMs, rng.range(1, 40)));
    }
    scenario.allowances = allowances(&opts.beyond);
    scenario.mutations.extend(opts.mutation);
    let (actions, tags): (Vec<TimedAction>, Vec<Tag>) = tagged.into_iter().unzip();
    scenario.actions = actions;
    let bound_ms = liveness_bound_ms(&config_for(&scenario));
    let mut trial = Trial::new(scenario, heal_ms, heal_ms + bound_ms);
    trial.blind = opts.blind;
    Plan {
        seed,
        classes,
        heavy,
        trial,
        tags,
    }
}

fn allowances(beyond: &BTreeSet<Beyond>) -> Vec<Allowance> {
    let mut v = Vec::new();
    if beyond.contains(&Beyond::Reorder) {
        v.push(Allowance::Reorder);
    }
    if beyond.contains(&Beyond::Duplicate) {
        v.push(Allowance::Duplicate);
    }
    v
}

/// Each class is enabled with `CLASS_ENABLED_PCT`; at least one always is.
fn draw_classes(rng: &mut SimRng) -> BTreeSet<FaultClass> {
    let mut set: BTreeSet<FaultClass> = FaultClass::ALL
        .iter()
        .copied()
        .filter(|_| rng.chance_pct(CLASS_ENABLED_PCT))
        .collect();
    if set.is_empty() {
        set.insert(FaultClass::ALL[rng.below(FaultClass::ALL.len() as u64) as usize]);
    }
    set
}

/// The heal: every link restored, every monitor up and running, every clock true.
pub fn heal_actions(n: u8, heal_ms: u64) -> Vec<TimedAction> {
    let mut v = vec![TimedAction {
        at_ms: heal_ms,
        action: Action::Heal(None),
    }];
    for r in 0..n {
        for action in [
            Action::Restart(r),
            Action::Resume(r),
            Action::Drift(r, 0),
            Action::Skew(r, 0),
        ] {
            v.push(TimedAction {
                at_ms: heal_ms,
                action,
            });
        }
    }
    v
}

/// Rank 0 leads whenever it is in a quorum (lowest rank wins), so faults pick it more often.
fn pick_node(rng: &mut SimRng, n: u8) -> NodeRef {
    if rng.chance_pct(35) {
        0
    } else {
        rng.below(n as u64) as NodeRef
    }
}

fn other_node(rng: &mut SimRng, n: u8, a: NodeRef) -> NodeRef {
    ((a as u64 + rng.range(1, n as u64 - 1)) % n as u64) as NodeRef
}

fn pick_link(rng: &mut SimRng, n: u8, allow_all: bool) -> LinkSel {
    let a = pick_node(rng, n);
    let b = other_node(rng, n, a);
    match rng.below(10) {
        0 | 1 if allow_all => LinkSel::All,
        0..=5 => LinkSel::Both(a, b),
        _ => LinkSel::OneWay(a, b),
    }
}

fn at(at_ms: u64, action: Action) -> TimedAction {
    TimedAction { at_ms, action }
}

/// A start time inside the fault phase that leaves `room_ms` before the heal.
fn start_ms(rng: &mut SimRng, heal_ms: u64, room_ms: u64) -> u64 {
    let hi = heal_ms.saturating_sub(room_ms + 1).max(201);
    rng.range(200, hi)
}

/// The actions of one episode of `class`.
fn episode(class: FaultClass, rng: &mut SimRng, n: u8, heal_ms: u64) -> Vec<TimedAction> {
    let t = start_ms(rng, heal_ms, 0);
    match class {
        FaultClass::MessageLoss => {
            let sel = pick_link(rng, n, true);
            let pct = rng.range(5, 60) as u8;
            let dur = rng.range(500, 15_000);
            vec![
                at(t, Action::Loss(sel, pct)),
                at(t + dur, Action::Loss(sel, 0)),
            ]
        }
        FaultClass::DelaySpike => {
            let sel = pick_link(rng, n, true);
            let ms = rng.range(20, MAX_SPIKE_MS);
            let dur = rng.range(200, 8_000);
            vec![
                at(t, Action::Delay(sel, ms)),
                at(t + dur, Action::Delay(sel, 0)),
            ]
        }
        FaultClass::SymmetricPartition => {
            let dur = rng.range(1_000, 25_000);
            let everyone: Vec<NodeRef> = (0..n).collect();
            vec![
                at(t, symmetric_split(rng, n)),
                at(t + dur, Action::Partition(vec![everyone])),
            ]
        }
        FaultClass::OneWayPartition => one_way_cuts(rng, n, t),
        FaultClass::FlappingLink => flapping(rng, n, t),
        FaultClass::Crash => vec![at(t, Action::Crash(pick_node(rng, n)))],
        FaultClass::Restart => {
            let r = pick_node(rng, n);
            let down = rng.range(10, 15_000);
            vec![at(t, Action::Crash(r)), at(t + down, Action::Restart(r))]
        }
        FaultClass::PauseResume => {
            let r = pick_node(rng, n);
            let dur = rng.range(50, MAX_PAUSE_MS);
            let t = t.min(heal_ms.saturating_sub(dur + 1)).max(1);
            vec![at(t, Action::Pause(r)), at(t + dur, Action::Resume(r))]
        }
        FaultClass::ClockSkew => {
            let skew = rng.range(0, 2 * MAX_SKEW_MS as u64) as i64 - MAX_SKEW_MS;
            vec![at(t, Action::Skew(pick_node(rng, n), skew))]
        }
        FaultClass::ClockDrift => {
            let ppm = rng.range(0, 2 * MAX_DRIFT_PPM as u64) as i64 - MAX_DRIFT_PPM;
            vec![at(t, Action::Drift(pick_node(rng, n), ppm))]
        }
        FaultClass::CrashInCommit => crash_in_commit(rng, n, heal_ms),
    }
}

/// A minority cut off from the rest (sometimes a single isolated monitor, sometimes three
/// groups with no majority anywhere).
fn symmetric_split(rng: &mut SimRng, n: u8) -> Action {
    if rng.chance_pct(30) {
        return Action::Isolate(pick_node(rng, n));
    }
    let mut ranks: Vec<NodeRef> = (0..n).collect();
    for i in (1..ranks.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        ranks.swap(i, j);
    }
    let k = rng.range(1, n as u64 / 2) as usize;
    let (minority, rest) = ranks.split_at(k);
    if rng.chance_pct(15) && rest.len() >= 2 {
        let (a, b) = rest.split_at(rest.len() / 2);
        return Action::Partition(vec![minority.to_vec(), a.to_vec(), b.to_vec()]);
    }
    Action::Partition(vec![minority.to_vec(), rest.to_vec()])
}

/// One to three directed links cut, or every outgoing (or incoming) link of one monitor.
fn one_way_cuts(rng: &mut SimRng, n: u8, t: u64) -> Vec<TimedAction> {
    let dur = rng.range(1_000, 20_000);
    let links: Vec<(NodeRef, NodeRef)> = if rng.chance_pct(30) {
        let a = pick_node(rng, n);
        let outgoing = rng.chance_pct(50);
        (0..n)
            .filter(|b| *b != a)
            .map(|b| if outgoing { (a, b) } else { (b, a) })
            .collect()
    } else {
        (0..rng.range(1, 3))
            .map(|_| {
                let a = pick_node(rng, n);
                (a, other_node(rng, n, a))
            })
            .collect()
    };
    let mut v = Vec::new();
    for (a, b) in links {
        v.push(at(t, Action::Cut(LinkSel::OneWay(a, b))));
        v.push(at(t + dur, Action::Heal(Some(LinkSel::OneWay(a, b)))));
    }
    v
}

fn flapping(rng: &mut SimRng, n: u8, mut t: u64) -> Vec<TimedAction> {
    let sel = pick_link(rng, n, false);
    let cycles = rng.range(3, 12);
    let (down_ms, up_ms) = (rng.range(100, 3_000), rng.range(100, 3_000));
    let mut v = Vec::new();
    for _ in 0..cycles {
        v.push(at(t, Action::Cut(sel)));
        t += down_ms;
        v.push(at(t, Action::Heal(Some(sel))));
        t += up_ms;
    }
    v
}

/// Arm `crash-in-commit` early enough that it lapses before the heal, and sometimes restart
/// whoever is down a little later (the crashed leader comes back during the fault phase).
fn crash_in_commit(rng: &mut SimRng, n: u8, heal_ms: u64) -> Vec<TimedAction> {
    let t = start_ms(rng, heal_ms, CRASH_IN_COMMIT_WINDOW_MS + 1_000);
    let mut v = vec![at(t, Action::CrashInCommit)];
    if rng.chance_pct(60) {
        let back = t + rng.range(1_000, 20_000);
        v.extend((0..n).map(|r| at(back, Action::Restart(r))));
    }
    v
}

fn beyond_episode(b: Beyond, rng: &mut SimRng, n: u8, heal_ms: u64) -> Vec<TimedAction> {
    match b {
        Beyond::Reorder | Beyond::Duplicate => Vec::new(), // scenario-wide allowances
        Beyond::LargeSkew => (0..rng.range(2, 5))
            .map(|_| {
                let ms = rng.range(LARGE_SKEW_MS.0, LARGE_SKEW_MS.1) as i64;
                let skew = if rng.chance_pct(50) { ms } else { -ms };
                at(
                    start_ms(rng, heal_ms, 0),
                    Action::Skew(pick_node(rng, n), skew),
                )
            })
            .collect(),
    }
}
