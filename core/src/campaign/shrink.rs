//! Shrinking a failing schedule: delta debugging (Zeller's ddmin) over the fault and client
//! actions, then simpler values (halved losses, delays, skews, drifts) and rounder times, each
//! step kept only if the run still fails with the same signature (`Failure::signature`).
//! The heal at the end is kept whole when the failure is liveness (without it a liveness
//! failure would be trivial); for safety and linearizability it shrinks like the rest.

use super::generate::Tag;
use super::trial::{self, Failure, Trial};
use crate::scenario::{Action, ConfigKey, TimedAction};

/// Runs allowed for one shrink (each run is one simulated seed, milliseconds of work).
pub const MAX_SHRINK_RUNS: usize = 4_000;

/// A smallest failing subset of `items` that `fails` still accepts, 1-minimal: removing any
/// single item makes it pass (unless the run budget `max_runs` ran out first).
pub fn ddmin<T: Clone>(
    items: &[T],
    max_runs: usize,
    mut fails: impl FnMut(&[T]) -> bool,
) -> (Vec<T>, usize) {
    let mut runs = 0usize;
    let mut test = |c: &[T], runs: &mut usize| {
        *runs += 1;
        fails(c)
    };
    if test(&[], &mut runs) {
        return (Vec::new(), runs);
    }
    let mut cur = items.to_vec();
    let mut chunks = 2usize;
    while cur.len() >= 2 && runs < max_runs {
        let size = cur.len().div_ceil(chunks);
        let parts: Vec<Vec<T>> = cur.chunks(size).map(|c| c.to_vec()).collect();
        if let Some(p) = parts.iter().find(|p| runs < max_runs && test(p, &mut runs)) {
            cur = p.clone();
            chunks = 2;
            continue;
        }
        let complement = |i: usize| -> Vec<T> {
            parts
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, p)| p.iter().cloned())
                .collect()
        };
        if let Some(c) = (0..parts.len())
            .map(complement)
            .find(|c| runs < max_runs && test(c, &mut runs))
        {
            cur = c;
            chunks = (chunks - 1).max(2);
            continue;
        }
        if chunks >= cur.len() {
            break;
        }
        chunks = (chunks * 2).min(cur.len());
    }
    (cur, runs)
}

/// The smallest schedule found and what it breaks.
#[derive(Clone, Debug)]
pub struct Shrunk {
    pub trial: Trial,
    pub failure: Failure,
    pub runs: usize,
    pub actions_before: usize,
}

/// Shrink a failing trial. `tags` marks the heal actions; `failure` is what the full
/// trial broke. If the trial does not fail that way, it is returned unchanged.
pub fn shrink(full: &Trial, tags: &[Tag], failure: &Failure) -> Shrunk {
    let signature = failure.signature();
    let (mut free, fixed) = split_fixed(full, tags, failure);
    let mut base = full.clone();
    let mut runs = 0usize;
    let fails_with = |base: &Trial, free: &[TimedAction], runs: &mut usize| -> Option<Failure> {
        *runs += 1;
        let t = with_actions(base, free, &fixed);
        let (out, _) = trial::run(&t, false);
        out.failure.filter(|f| f.signature() == signature)
    };
    if fails_with(full, &free, &mut runs).is_none() {
        let actions_before = full.scenario.actions.len();
        return Shrunk {
            trial: full.clone(),
            failure: failure.clone(),
            runs,
            actions_before,
        };
    }
    let (kept, ddmin_runs) = ddmin(&free, MAX_SHRINK_RUNS, |c| {
        fails_with(&base, c, &mut 0).is_some()
    });
    runs += ddmin_runs;
    free = kept;
    simplify_values(&base, &mut free, &mut |b, f| {
        runs < MAX_SHRINK_RUNS && fails_with(b, f, &mut runs).is_some()
    });
    simplify_times(&base, &mut free, &mut |b, f| {
        runs < MAX_SHRINK_RUNS && fails_with(b, f, &mut runs).is_some()
    });
    drop_overrides(&mut base, &free, &mut |b, f| {
        runs < MAX_SHRINK_RUNS && fails_with(b, f, &mut runs).is_some()
    });
    let mut result = with_actions(&base, &free, &fixed);
    let mut last = fails_with(&base, &free, &mut runs);
    if let Some(Failure::Safety(v)) = &last {
        // The heal never ran: leave it out, and end the scenario just after the violation.
        if v.t_ms < full.heal_ms {
            let mut cut = result.clone();
            cut.scenario.actions.retain(|a| a.at_ms <= v.t_ms);
            cut.scenario.end_ms = Some((v.t_ms / 1000 + 1) * 1000);
            let (out, _) = trial::run(&cut, false);
            runs += 1;
            if out
                .failure
                .as_ref()
                .is_some_and(|f| f.signature() == signature)
            {
                result = cut;
                last = out.failure;
            }
        }
    }
    let failure = last.unwrap_or_else(|| failure.clone());
    result.scenario.name = Some(format!(
        "campaign seed {}, shrunk: {}",
        full.scenario.seed,
        failure.signature()
    ));
    Shrunk {
        trial: result,
        failure,
        runs,
        actions_before: full.scenario.actions.len(),
    }
}

/// The actions shrinking may change, and those it keeps (the heal, for a liveness failure).
fn split_fixed(
    full: &Trial,
    tags: &[Tag],
    failure: &Failure,
) -> (Vec<TimedAction>, Vec<TimedAction>) {
    let keep_heal = matches!(failure, Failure::Liveness { .. });
    let (free, fixed): (Vec<_>, Vec<_>) = full
        .scenario
        .actions
        .iter()
        .cloned()
        .zip(tags)
        .partition(|(_, t)| !(keep_heal && **t == Tag::Heal));
    (
        free.into_iter().map(|(a, _)| a).collect(),
        fixed.into_iter().map(|(a, _)| a).collect(),
    )
}

fn with_actions(base: &Trial, free: &[TimedAction], fixed: &[TimedAction]) -> Trial {
    let mut t = base.clone();
    let mut actions: Vec<TimedAction> = free.to_vec();
    actions.sort_by_key(|a| a.at_ms);
    actions.extend(fixed.iter().cloned());
    t.scenario.actions = actions;
    t
}

type Still<'a> = dyn FnMut(&Trial, &[TimedAction]) -> bool + 'a;

/// Halve magnitudes while the failure stays; a CAS may lose its expected value.
fn simplify_values(base: &Trial, free: &mut [TimedAction], still_fails: &mut Still<'_>) {
    for i in 0..free.len() {
        while let Some(simpler) = simpler_action(&free[i].action) {
            let old = std::mem::replace(&mut free[i].action, simpler);
            if !still_fails(base, free) {
                free[i].action = old;
                break;
            }
        }
    }
}

fn simpler_action(a: &Action) -> Option<Action> {
    let halve = |v: i64| if v.abs() >= 20 { Some(v / 2) } else { None };
    match a {
        Action::Loss(sel, pct) if *pct > 10 => Some(Action::Loss(*sel, pct / 2)),
        Action::Delay(sel, ms) if *ms >= 20 => Some(Action::Delay(*sel, ms / 2)),
        Action::Skew(r, ms) => halve(*ms).map(|v| Action::Skew(*r, v)),
        Action::Drift(r, ppm) => halve(*ppm).map(|v| Action::Drift(*r, v)),
        Action::Cas {
            node,
            key,
            expected: Some(_),
            value,
        } => Some(Action::Cas {
            node: *node,
            key: key.clone(),
            expected: None,
            value: value.clone(),
        }),
        _ => None,
    }
}

/// Round times down to whole 10 s, 1 s, 100 ms, 10 ms where the failure allows: first all at
/// once, then one action at a time.
fn simplify_times(base: &Trial, free: &mut Vec<TimedAction>, still_fails: &mut Still<'_>) {
    for step in [10_000u64, 1_000, 100, 10] {
        let round = |t: u64| (t / step * step).max(1);
        let all: Vec<TimedAction> = free
            .iter()
            .map(|a| TimedAction {
                at_ms: round(a.at_ms),
                ..a.clone()
            })
            .collect();
        if all != *free && still_fails(base, &all) {
            *free = all;
            continue;
        }
        for i in 0..free.len() {
            let old = free[i].at_ms;
            if round(old) == old {
                continue;
            }
            free[i].at_ms = round(old);
            if !still_fails(base, free) {
                free[i].at_ms = old;
            }
        }
    }
    free.sort_by_key(|a| a.at_ms);
}

/// Configuration overrides the failure does not need are left out (not the monitor count).
fn drop_overrides(base: &mut Trial, free: &[TimedAction], still_fails: &mut Still<'_>) {
    let mut i = 0;
    while i < base.scenario.overrides.len() {
        if base.scenario.overrides[i].0 == ConfigKey::Monitors {
            i += 1;
            continue;
        }
        let mut t = base.clone();
        t.scenario.overrides.remove(i);
        if still_fails(&t, free) {
            *base = t;
        } else {
            i += 1;
        }
    }
}
