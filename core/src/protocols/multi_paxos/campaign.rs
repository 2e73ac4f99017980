//! The Multi-Paxos campaign: for each seed, a random fault schedule on `World<MultiPaxos>`
//! (loss, duplication, reordering, partitions, one-way and two-way cuts, delays, crashes and
//! restarts: all ordinary faults for Multi-Paxos; and add-server/remove-server) under a key-value workload (puts, gets and
//! compare-and-sets at random replicas), the rules of `rules/` after every event, then a heal
//! and the liveness rule: within a bound derived from the timeouts, every client is answered
//! (but those whose replica crashed after they asked: a crash forgets who asked), new writes
//! after the heal are chosen, and every replica applied the same log.
//!
//! Deterministic: the seed decides the schedule (`Stream::Faults`) and the world's own draws.

use super::checker::check_step;
use super::config::{MultiConfig, Mutation};
use super::rules::facts::Facts;
use super::seam;
use super::MultiPaxos;
use crate::actor::Rank;
use crate::campaign::family::{check_until_live, first_caught, Deadline, SeedOutcome};
use crate::client::Text;
use crate::scenario::{Action, Allowance, ConfigKey, LinkSel, Scenario, TimedAction};
use crate::sim::rng::{SimRng, Stream};
use crate::sim::world::World;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A deliberate bug switched on in every seed.
    pub mutation: Option<Mutation>,
    /// Check only what a user would (replicas apply the same commands, the history is
    /// linearizable): a canary must be caught by these alone.
    pub user_facing_only: bool,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub scenario: Scenario,
    pub heal_ms: u64,
    pub classes: BTreeSet<&'static str>,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub seed: u64,
    pub nodes: u8,
    pub failure: Option<String>,
    pub events: u64,
    pub ended_ms: u64,
    pub heal_ms: u64,
    /// Slots chosen in the run, and how many of them are configuration changes.
    pub chosen: u64,
    pub config_changes: u64,
    /// Time from the heal until every client was answered and the replicas agreed.
    pub liveness_ms: Option<u64>,
    pub classes: BTreeSet<&'static str>,
}

/// Liveness bound after the heal: ten elections lost to backoff, then every command retried
/// a few times.
pub fn liveness_bound_ms(c: &MultiConfig) -> u64 {
    10 * (c.leader_timeout_ms + c.backoff_ms + c.resend_ms) + 5 * c.retry_ms
}

const KEYS: [&str; 3] = ["x", "y", "z"];

pub fn plan(seed: u64, opts: &Options) -> Plan {
    let mut rng = SimRng::new(seed, Stream::Faults);
    let n = 3 + rng.below(3) as u8;
    let mut s = Scenario {
        protocol: crate::scenario::ProtocolId::MultiPaxos,
        seed,
        ..Scenario::default()
    };
    s.overrides.push((ConfigKey::Monitors, u64::from(n)));
    s.overrides.push((ConfigKey::Alpha, 1 + rng.below(4)));
    let mut classes = BTreeSet::new();
    if rng.chance_pct(30) {
        s.overrides.push((ConfigKey::GroupCommit, 1));
        classes.insert("group-commit");
    }
    if rng.chance_pct(60) {
        s.allowances.push(Allowance::Reorder);
        classes.insert("reorder");
    }
    if rng.chance_pct(60) {
        s.allowances.push(Allowance::Duplicate);
        classes.insert("duplicate");
    }
    if let Some(m) = opts.mutation {
        s.mutations.push(seam::ceph_stand_in(m));
    }
    let heal_ms = 3_000 + rng.below(6_000);
    let mut actions = Vec::new();
    let mut at = |t: u64, a: Action| {
        actions.push(TimedAction {
            at_ms: t,
            action: a,
        })
    };
    let node = |rng: &mut SimRng| rng.below(u64::from(n)) as Rank;
    let mut value = 0u32;
    let op = |rng: &mut SimRng, value: &mut u32| {
        *value += 1;
        let key: Text = KEYS[rng.below(KEYS.len() as u64) as usize].into();
        let v: Text = format!("v{value}").into();
        let node = rng.below(u64::from(n)) as Rank;
        match rng.below(10) {
            0..=5 => Action::Put {
                node,
                key,
                value: v,
            },
            6..=7 => Action::Get { node, key },
            _ => Action::Cas {
                node,
                key,
                expected: rng
                    .chance_pct(50)
                    .then(|| format!("v{}", *value - 1).into()),
                value: v,
            },
        }
    };
    // Bursts of client operations; faults cluster around them.
    let bursts = 1 + rng.below(4);
    let mut burst_ms = Vec::new();
    for _ in 0..bursts {
        let t = 500 + rng.below(heal_ms - 500);
        burst_ms.push(t);
        for _ in 0..2 + rng.below(5) {
            let a = op(&mut rng, &mut value);
            at(t + rng.below(200), a);
        }
    }
    if rng.chance_pct(40) {
        let pct = 10 + rng.below(30) as u8;
        at(burst_ms[0], Action::Loss(LinkSel::All, pct));
        classes.insert("loss");
    }
    let faults = 2 + rng.below(12);
    for _ in 0..faults {
        let t = if rng.chance_pct(60) {
            let b = burst_ms[rng.below(burst_ms.len() as u64) as usize];
            (b + rng.below(500)).min(heal_ms - 1)
        } else {
            rng.below(heal_ms)
        };
        match rng.below(10) {
            0 => {
                let side: Vec<Rank> = (0..n).filter(|_| rng.chance_pct(50)).collect();
                at(t, Action::Partition(vec![side]));
                classes.insert("partition");
            }
            1 => {
                at(t, Action::Isolate(node(&mut rng)));
                classes.insert("partition");
            }
            2 => {
                let (a, b) = (node(&mut rng), node(&mut rng));
                if a != b {
                    let sel = if rng.chance_pct(50) {
                        LinkSel::Both(a, b)
                    } else {
                        LinkSel::OneWay(a, b)
                    };
                    at(t, Action::Cut(sel));
                    classes.insert("cut");
                }
            }
            3 => {
                let pct = 10 + rng.below(40) as u8;
                at(t, Action::Loss(LinkSel::All, pct));
                classes.insert("loss");
            }
            4 => {
                let (a, b) = (node(&mut rng), node(&mut rng));
                at(t, Action::Delay(LinkSel::OneWay(a, b), 50 + rng.below(400)));
                classes.insert("delay");
            }
            5 | 6 => {
                let r = node(&mut rng);
                at(t, Action::Crash(r));
                let back = t + 100 + rng.below(3_000);
                if back < heal_ms {
                    at(back, Action::Restart(r));
                }
                classes.insert("crash");
            }
            _ => {
                let r = node(&mut rng);
                at(t, Action::Crash(r));
                at(t + 1 + rng.below(100), Action::Restart(r));
                classes.insert("restart");
            }
        }
    }
    // Membership changes, one server at a time through the log (drawn last, so the schedule
    // above is the same with or without them): sometimes one server starts outside the first
    // configuration, then up to three add-server/remove-server requests before the heal.
    if rng.chance_pct(40) {
        if rng.chance_pct(50) {
            s.overrides.push((ConfigKey::Members, u64::from(n - 1)));
        }
        for _ in 0..1 + rng.below(3) {
            let t = rng.below(heal_ms);
            let r = node(&mut rng);
            let change = if rng.chance_pct(50) {
                Action::AddServer(r)
            } else {
                Action::RemoveServer(r)
            };
            at(t, change);
        }
        classes.insert("membership");
    }
    at(heal_ms, Action::Heal(None));
    for r in 0..n {
        at(heal_ms, Action::Restart(r));
    }
    // After the heal: a write at every replica, which must be chosen and answered.
    for r in 0..n {
        value += 1;
        at(
            heal_ms + 1,
            Action::Put {
                node: r,
                key: KEYS[r as usize % KEYS.len()].into(),
                value: format!("v{value}").into(),
            },
        );
    }
    actions.sort_by_key(|a| a.at_ms);
    s.actions = actions;
    Plan {
        scenario: s,
        heal_ms,
        classes,
    }
}

pub fn run_seed(seed: u64, opts: &Options) -> Outcome {
    let plan = plan(seed, opts);
    run(seed, &plan, opts)
}

/// Run a plan, checking after every event; stops at the first violation, once every client
/// is answered and the replicas agree after the heal, or at the liveness bound.
pub fn run(seed: u64, plan: &Plan, opts: &Options) -> Outcome {
    let config = seam::config_for(&plan.scenario);
    let mut w: World<MultiPaxos> = World::new(&plan.scenario);
    let mut facts = Facts::new(config.initial, config.alpha);
    facts.user_facing_only = opts.user_facing_only;
    let deadline = Deadline {
        heal_ms: plan.heal_ms,
        live_from_ms: plan.heal_ms + 1,
        bound_ms: liveness_bound_ms(&config),
    };
    let end = check_until_live(
        &mut w,
        &mut facts,
        deadline,
        |w, facts| check_step(w, facts).map_err(|v| v.to_string()),
        |w, _| live(w, &plan.scenario),
    );
    Outcome {
        seed,
        nodes: config.nodes,
        failure: end.failure,
        events: w.events(),
        ended_ms: w.now_ms(),
        heal_ms: plan.heal_ms,
        chosen: facts.chosen.len() as u64,
        config_changes: facts.configs.len() as u64,
        liveness_ms: end.liveness_ms,
        classes: plan.classes.clone(),
    }
}

impl SeedOutcome for Outcome {
    fn seed(&self) -> u64 {
        self.seed
    }
    fn events(&self) -> u64 {
        self.events
    }
    fn classes(&self) -> &BTreeSet<&'static str> {
        &self.classes
    }
    fn liveness_ms(&self) -> Option<u64> {
        self.liveness_ms
    }
    fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }
}

/// Every client answered (but those whose replica crashed after they asked), and every
/// replica up and applied the same number of slots.
fn live(w: &World<MultiPaxos>, s: &Scenario) -> Result<(), String> {
    let crashed_after = |node: Rank, t: u64| {
        s.actions
            .iter()
            .any(|a| a.action == Action::Crash(node) && a.at_ms >= t)
    };
    if let Some(c) = w
        .clients()
        .iter()
        .find(|c| c.complete_ms.is_none() && !crashed_after(c.node, c.invoke_ms))
    {
        return Err(format!(
            "req {} at node.{} (sent at {} ms) has no answer",
            c.id, c.node, c.invoke_ms
        ));
    }
    let applied: Vec<Option<u64>> = (0..w.n()).map(|r| w.node(r).map(|n| n.applied)).collect();
    if applied.iter().any(|a| *a != applied[0]) || applied[0].is_none_or(|a| a == 0) {
        return Err(format!("the replicas applied {applied:?} slots"));
    }
    Ok(())
}

/// The first seed in `start..start + budget` whose run fails a safety check with mutation `m`
/// on, if any, with the failure. `blind`: only the checks a user relies on judge.
pub fn canary(m: Mutation, start: u64, budget: u64, blind: bool) -> Option<(u64, String)> {
    let opts = Options {
        mutation: Some(m),
        user_facing_only: blind,
    };
    first_caught(start, budget, |seed| run_seed(seed, &opts).failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_seeds_pass_and_answer_every_client() {
        for seed in 0..30 {
            let o = run_seed(seed, &Options::default());
            assert_eq!(o.failure, None, "seed {seed}");
            assert!(o.chosen > 0 && o.liveness_ms.is_some(), "seed {seed}");
        }
    }

    /// Some of the first seeds change the configuration through the log, and pass.
    #[test]
    fn membership_changes_are_chosen_in_some_seeds() {
        let changes: u64 = (0..30)
            .map(|seed| run_seed(seed, &Options::default()))
            .filter(|o| o.failure.is_none() && o.classes.contains("membership"))
            .map(|o| o.config_changes)
            .sum();
        assert!(changes > 0, "no configuration change chosen in 30 seeds");
    }

    #[test]
    fn the_same_seed_gives_the_same_run() {
        let a = run_seed(5, &Options::default());
        let b = run_seed(5, &Options::default());
        assert_eq!(
            (a.events, a.ended_ms, a.chosen),
            (b.events, b.ended_ms, b.chosen)
        );
    }

    /// Each deliberate bug breaks what a user sees (replicas that applied different
    /// sequences, or a history with no linearization) within 1,000 seeds, with every other
    /// rule off.
    #[test]
    fn every_canary_is_caught_blind_within_1000_seeds() {
        for m in Mutation::ALL {
            let (_, f) = canary(m, 0, 1_000, true)
                .unwrap_or_else(|| panic!("{} not caught in 1000 seeds", m.name()));
            let by = [
                crate::protocols::multi_paxos::rules::replicas_agree::RULE,
                crate::protocols::multi_paxos::rules::linearizable::RULE,
            ];
            assert!(by.iter().any(|r| f.contains(r)), "{}: {f}", m.name());
        }
    }
}
