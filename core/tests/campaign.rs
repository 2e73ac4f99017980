//! The campaign's parts: the schedule generator (deterministic, classes honoured, inside the
//! bounds), the liveness rule, the shrinker, and determinism of whole seeds.

use paxoscope_core::campaign::generate::{
    heal_actions, MAX_DRIFT_PPM, MAX_PAUSE_MS, MAX_SKEW_MS, MAX_SPIKE_MS,
};
use paxoscope_core::campaign::shrink::ddmin;
use paxoscope_core::campaign::trial::{liveness_holds, within_timing_assumptions};
use paxoscope_core::campaign::workload::HEAVY_OPS;
use paxoscope_core::campaign::{
    canary, liveness_bound_ms, plan, run_seed, shrink, trial, Failure, FaultClass, PlanOptions,
    ProtocolPath, Summary, Tag, Trial,
};
use paxoscope_core::check::linearizability::KvResult;
use paxoscope_core::protocols::ceph::Config;
use paxoscope_core::scenario::{self, Action, ConfigKey, Mutation, Scenario, TimedAction};
use paxoscope_core::session::Session;
use paxoscope_core::sim::world::CRASH_IN_COMMIT_WINDOW_MS;
use std::collections::BTreeSet;

fn opts() -> PlanOptions {
    PlanOptions::default()
}

#[test]
fn same_seed_same_schedule_and_different_seeds_differ() {
    for seed in [0u64, 1, 7, 12_345, u64::MAX] {
        assert_eq!(plan(seed, &opts()), plan(seed, &opts()), "seed {seed}");
    }
    let distinct: BTreeSet<String> = (0..50)
        .map(|s| scenario::print(&plan(s, &opts()).trial.scenario))
        .collect();
    assert_eq!(distinct.len(), 50, "every seed has its own schedule");
}

#[test]
fn enabled_classes_and_only_those_appear_in_the_schedule() {
    for seed in 0..300 {
        let p = plan(seed, &opts());
        assert_eq!(p.tags.len(), p.trial.scenario.actions.len());
        let scheduled: BTreeSet<FaultClass> = p
            .tags
            .iter()
            .filter_map(|t| match t {
                Tag::Fault(c) => Some(*c),
                _ => None,
            })
            .collect();
        assert_eq!(
            scheduled, p.classes,
            "seed {seed}: each enabled class has an episode, no other class does"
        );
        let crash_in_commit = p.classes.contains(&FaultClass::CrashInCommit);
        let write_ms = p
            .trial
            .scenario
            .overrides
            .iter()
            .find(|(k, _)| *k == ConfigKey::CommitWriteMs);
        assert_eq!(
            crash_in_commit,
            write_ms.is_some_and(|(_, v)| *v > 0),
            "seed {seed}: commit write takes time"
        );
    }
}

#[test]
fn the_mix_varies_from_seed_to_seed() {
    let plans: Vec<_> = (0..300).map(|s| plan(s, &opts())).collect();
    for class in FaultClass::ALL {
        let n = plans.iter().filter(|p| p.classes.contains(&class)).count();
        assert!(
            (60..=240).contains(&n),
            "{} enabled in {n} of 300 seeds",
            class.name()
        );
    }
    assert!(
        plans.iter().any(|p| p.classes.len() <= 2),
        "some seeds are gentle"
    );
    assert!(
        plans.iter().any(|p| p.classes.len() >= 8),
        "some seeds throw almost everything"
    );
}

#[test]
fn schedules_stay_inside_the_assumptions() {
    for seed in 0..300 {
        let p = plan(seed, &opts());
        let s = &p.trial.scenario;
        s.validate()
            .unwrap_or_else(|e| panic!("seed {seed}: invalid scenario: {e}"));
        assert!(s.allowances.is_empty(), "FIFO, no duplicates");
        assert!(within_timing_assumptions(s), "seed {seed}");
        for (i, a) in s.actions.iter().enumerate() {
            match a.action {
                Action::Skew(_, ms) => assert!(ms.abs() <= MAX_SKEW_MS),
                Action::Drift(_, ppm) => assert!(ppm.abs() <= MAX_DRIFT_PPM),
                Action::Delay(_, ms) => assert!(ms <= MAX_SPIKE_MS),
                Action::CrashInCommit => {
                    assert!(
                        a.at_ms + CRASH_IN_COMMIT_WINDOW_MS < p.trial.heal_ms,
                        "it lapses before the heal"
                    )
                }
                Action::Pause(r) => {
                    let resume = s.actions[i..]
                        .iter()
                        .find(|b| b.action == Action::Resume(r))
                        .expect("resumed");
                    assert!(
                        resume.at_ms - a.at_ms <= MAX_PAUSE_MS,
                        "seed {seed}: pause within the margin"
                    );
                }
                _ => {}
            }
        }
        let tail = &s.actions[s.actions.len() - heal_actions(5, 0).len()..];
        assert_eq!(
            tail.to_vec(),
            heal_actions(5, p.trial.heal_ms),
            "seed {seed}: the heal comes last"
        );
        assert!(s.actions.iter().all(|a| a.at_ms <= p.trial.heal_ms));
        assert_eq!(s.end_ms, Some(p.trial.live_by_ms));
    }
}

#[test]
fn the_scenario_text_and_url_give_back_the_schedule() {
    for seed in [3u64, 16, 25] {
        let s = plan(seed, &opts()).trial.scenario;
        assert_eq!(scenario::parse(&scenario::print(&s)).as_ref(), Ok(&s));
        assert_eq!(
            scenario::from_url_fragment(&scenario::to_url_fragment(&s)).as_ref(),
            Ok(&s)
        );
    }
}

#[test]
fn about_one_seed_in_ten_drives_a_thousand_client_operations() {
    let heavy: Vec<usize> = (0..500)
        .map(|s| plan(s, &opts()))
        .filter(|p| p.heavy)
        .map(|p| p.client_ops())
        .collect();
    assert!(
        (25..=75).contains(&heavy.len()),
        "{} heavy seeds in 500",
        heavy.len()
    );
    assert!(
        heavy.iter().all(|ops| *ops as u64 >= HEAVY_OPS.0),
        "{heavy:?}"
    );
}

#[test]
fn a_seed_runs_the_same_twice() {
    for seed in [4u64, 16] {
        let (a, b) = (run_seed(seed, &opts()), run_seed(seed, &opts()));
        assert_eq!(
            (a.outcome.events, a.outcome.ended_ms, a.outcome.client_ops),
            (b.outcome.events, b.outcome.ended_ms, b.outcome.client_ops)
        );
        assert_eq!(a.outcome.paths, b.outcome.paths);
        assert_eq!(a.outcome.live_after_ms, b.outcome.live_after_ms);
        assert_eq!(a.classes, b.classes);
        assert_eq!(a.outcome.failure, b.outcome.failure);
    }
}

/// The mix must reach every fault class and every protocol path (the campaign's coverage
/// claim); 150 seeds is enough today, with room.
#[test]
fn a_short_campaign_passes_and_covers_every_class_and_path() {
    let mut summary = Summary::new();
    for seed in 0..150 {
        let r = run_seed(seed, &opts());
        assert!(r.passed(), "seed {seed}: {:?}", r.outcome.failure);
        summary.add(&r);
    }
    for (c, n) in &summary.class_seeds {
        assert!(*n > 0, "no seed exercised {}", c.name());
    }
    for (p, n) in &summary.path_seeds {
        assert!(*n > 0, "no seed went through {}", p.name());
    }
    assert!(summary.lin_checks == 150 && summary.lin_ops > 1_000);
    assert_eq!(summary.path_seeds.len(), ProtocolPath::ALL.len());
}

// ----- liveness -----

fn scenario_with(actions: Vec<TimedAction>) -> Scenario {
    Scenario {
        seed: 9,
        actions,
        ..Scenario::default()
    }
}

#[test]
fn a_healthy_cluster_is_live_and_a_crashed_monitor_is_named() {
    let mut s = Session::new(scenario_with(vec![TimedAction {
        at_ms: 1_000,
        action: Action::Put {
            node: 2,
            key: "k".into(),
            value: "v".into(),
        },
    }]));
    s.run_until(5_000);
    assert_eq!(liveness_holds(s.world(), &BTreeSet::new()), Ok(()));
    s.inject(Action::Crash(3)).unwrap();
    s.run_until(5_100);
    assert_eq!(
        liveness_holds(s.world(), &BTreeSet::new()),
        Err("mon.3 is down".to_string())
    );
}

#[test]
fn a_run_that_cannot_be_live_is_reported() {
    // Three of five monitors crash and the "heal" never restarts them: no quorum can form.
    let crash = |r| TimedAction {
        at_ms: 2_000,
        action: Action::Crash(r),
    };
    let mut actions = vec![crash(1), crash(2), crash(3)];
    actions.push(TimedAction {
        at_ms: 3_000,
        action: Action::Heal(None),
    });
    let t = Trial::new(scenario_with(actions), 3_000, 20_000);
    let (out, _) = trial::run(&t, false);
    match out.failure {
        Some(Failure::Liveness {
            heal_ms,
            bound_ms,
            reason,
        }) => {
            assert_eq!((heal_ms, bound_ms), (3_000, 17_000));
            // The service probe says why: its writes are refused (no monitor is in a quorum)
            // or, taken by the leader before it noticed, wait for an election that never ends.
            assert!(
                reason.contains("put live")
                    && (reason.contains("not in a quorum") || reason.contains("has no answer")),
                "{reason}"
            );
        }
        other => panic!("expected a liveness failure, got {other:?}"),
    }
}

#[test]
fn a_monitor_that_never_rejoins_is_named() {
    // mon.4 is cut off and nothing heals it: the others form a quorum of four, which is not
    // "every monitor active".
    let at = |at_ms, action| TimedAction { at_ms, action };
    let actions = vec![
        at(1_000, Action::Isolate(4)),
        at(
            1_100,
            Action::Put {
                node: 0,
                key: "k".into(),
                value: "v".into(),
            },
        ),
    ];
    let t = Trial::new(scenario_with(actions), 1_200, 40_000);
    let (out, _) = trial::run(&t, false);
    let Some(Failure::Liveness { reason, .. }) = out.failure else {
        panic!("{:?}", out.failure)
    };
    assert!(reason.contains("mon.4"), "{reason}");
}

#[test]
fn the_liveness_bound_is_derived_from_the_configuration() {
    let d = Config::default();
    let base = liveness_bound_ms(&d);
    // The longest wait at the heal (a lost sync reply) plus rejoining and the service probe.
    assert!(base > d.sync_timeout_ms + d.election_timeout_ms, "{base}");
    let with = |key, value| {
        let mut c = Config::default();
        c.set(key, value);
        liveness_bound_ms(&c)
    };
    // One-for-one with the longest timer...
    assert_eq!(
        with(ConfigKey::SyncTimeoutMs, d.sync_timeout_ms + 7_000),
        base + 7_000
    );
    // ...which is the lease-ack timeout once the sync timeout is shorter.
    let short_sync = with(ConfigKey::SyncTimeoutMs, 1_000);
    assert_eq!(
        short_sync,
        base - d.sync_timeout_ms + d.lease_ack_timeout_ms.max(d.accept_timeout_ms)
    );
    // Every other term grows it too.
    for (key, value) in [
        (ConfigKey::ElectionTimeoutMs, d.election_timeout_ms * 2),
        (ConfigKey::ProbeTimeoutMs, d.probe_timeout_ms * 2),
        (ConfigKey::ProposeIntervalMs, d.propose_interval_ms * 2),
        (ConfigKey::MinWaitMs, d.min_wait_ms * 2),
        (ConfigKey::LatencyMs, d.latency_ms * 2),
        (ConfigKey::JitterMs, d.jitter_ms * 2),
        (ConfigKey::CommitWriteMs, d.commit_write_ms + 10),
    ] {
        assert!(with(key, value) > base, "{key:?}");
    }
    // A seed's deadline is its heal plus the bound of its own configuration.
    for seed in 0..20 {
        let p = plan(seed, &opts());
        let c = paxoscope_core::sim::config_for(&p.trial.scenario);
        assert_eq!(p.trial.live_by_ms, p.trial.heal_ms + liveness_bound_ms(&c));
    }
}

/// Five quiet seconds, a heal at 5 s, then the liveness phase with the service probe.
fn quiet_trial(mutation: Option<Mutation>) -> Trial {
    let mut s = scenario_with(vec![TimedAction {
        at_ms: 1_000,
        action: Action::Put {
            node: 3,
            key: "k".into(),
            value: "v".into(),
        },
    }]);
    s.mutations.extend(mutation);
    let bound = liveness_bound_ms(&paxoscope_core::sim::config_for(&s));
    Trial::new(s, 5_000, 5_000 + bound)
}

#[test]
fn the_service_probe_runs_every_stage_through_every_monitor() {
    let (out, session) = trial::run(&quiet_trial(None), false);
    assert_eq!(out.failure, None);
    // Four stages, one request per monitor each, and no retries on a quiet cluster.
    assert_eq!(out.probe_requests, 4 * 5);
    let after: Vec<_> = session
        .world()
        .clients()
        .iter()
        .filter(|r| r.invoke_ms > 5_000)
        .collect();
    assert_eq!(after.len(), 20);
    assert!(after.iter().all(|r| r.reply.is_some()));
    // The probe's requests are in the run's scenario, so a replay shows them.
    assert_eq!(session.scenario().actions.len(), 1 + 20);
    let live = out.live_after_ms.expect("live");
    assert!(live >= 1_000 && live < 10_000, "{live} ms");
}

/// The service probe alone (every rule of the checker off, as the blind canaries run) sees a
/// service that refuses; with the rules on, the service's duty breaks at the first refusal.
#[test]
fn a_service_that_refuses_writes_or_peon_reads_is_not_live() {
    let blind = |m| {
        let mut t = quiet_trial(Some(m));
        t.blind = true;
        trial::run(&t, false).0.failure
    };
    let failure = |m| trial::run(&quiet_trial(Some(m)), false).0.failure;
    for (m, words, rule) in [
        (
            Mutation::RefuseWrites,
            ["put live", "refused"],
            "writes-taken-in-quorum",
        ),
        (
            Mutation::PeonRefusesReads,
            ["get live", "refused"],
            "reads-served-under-lease",
        ),
    ] {
        match blind(m) {
            Some(Failure::Liveness { reason, .. }) => {
                assert!(words.iter().all(|w| reason.contains(w)), "{m:?}: {reason}")
            }
            other => panic!("{m:?}: expected a liveness failure, got {other:?}"),
        }
        match failure(m) {
            Some(Failure::Safety(v)) => assert_eq!(v.invariant, rule, "{m:?}: {v:?}"),
            other => panic!("{m:?}: expected {rule} broken, got {other:?}"),
        }
    }
    // A stale compare-and-set that applies breaks the probe at once.
    match failure(Mutation::CasIgnoresExpected) {
        Some(Failure::Liveness { reason, .. }) => {
            assert!(reason.contains("applied, though"), "{reason}")
        }
        Some(Failure::Linearizability { .. }) => {}
        other => panic!("expected a CAS failure, got {other:?}"),
    }
}

#[test]
fn a_request_at_a_crashed_monitor_is_excused_and_a_lost_one_is_not() {
    let at = |at_ms, action| TimedAction { at_ms, action };
    let put = |node| Action::Put {
        node,
        key: "k".into(),
        value: format!("v{node}").into(),
    };
    // mon.2 holds a put while paused, then crashes: its client sees the session drop.
    let mut actions = vec![
        at(1_000, Action::Pause(2)),
        at(1_100, put(2)),
        at(1_200, Action::Crash(2)),
        at(3_000, Action::Restart(2)),
    ];
    let bound = liveness_bound_ms(&Config::default());
    let t = Trial::new(scenario_with(actions.clone()), 4_000, 4_000 + bound);
    let (out, session) = trial::run(&t, false);
    assert_eq!(out.failure, None);
    assert_eq!(session.world().clients()[0].reply, None);
    assert_eq!(out.lost_requests, 1);
    // Paused and never crashed, resumed only after the bound: nothing excuses it.
    actions.truncate(2);
    actions.push(at(4_000 + bound + 1_000, Action::Resume(2)));
    let t = Trial::new(scenario_with(actions), 4_000, 4_000 + bound);
    let Some(Failure::Liveness { reason, .. }) = trial::run(&t, false).0.failure else {
        panic!("a paused monitor never answers")
    };
    assert!(reason.contains("mon.2"), "{reason}");
}

#[test]
fn refused_and_retried_requests_stay_in_the_history() {
    let (_, session) = trial::run(&quiet_trial(Some(Mutation::PeonRefusesReads)), false);
    let h = trial::history(session.world().clients());
    assert_eq!(h.len(), session.world().clients().len());
    assert!(h
        .iter()
        .any(|e| e.result == Some(KvResult::Refused) && e.complete_ms.is_some()));
}

// ----- shrinking -----

#[test]
fn ddmin_finds_the_two_items_that_matter() {
    let items: Vec<u32> = (0..100).collect();
    let (min, runs) = ddmin(&items, 10_000, |c| c.contains(&17) && c.contains(&42));
    assert_eq!(min, vec![17, 42]);
    assert!(runs < 200, "{runs} runs");
}

#[test]
fn ddmin_result_is_one_minimal() {
    let items: Vec<u32> = (0..64).collect();
    let fails = |c: &[u32]| c.iter().filter(|x| *x % 5 == 0).count() >= 3;
    let (min, _) = ddmin(&items, 10_000, fails);
    assert_eq!(min.len(), 3);
    for i in 0..min.len() {
        let mut less = min.clone();
        less.remove(i);
        assert!(!fails(&less));
    }
    assert_eq!(
        ddmin(&items, 10_000, |_| true).0,
        Vec::<u32>::new(),
        "nothing needed, nothing kept"
    );
}

#[test]
fn a_real_failure_shrinks_to_a_small_scenario_that_still_fails_the_same_way() {
    let m = Mutation::PromiseLowerPn;
    let d = canary(m, 0, 50, &opts()).expect("the canary is caught within 50 seeds");
    let p = plan(
        d.seed,
        &PlanOptions {
            mutation: Some(m),
            ..opts()
        },
    );
    let s = shrink(&p.trial, &p.tags, &d.failure);
    assert_eq!(s.failure.signature(), d.failure.signature());
    let free: Vec<&TimedAction> = s
        .trial
        .scenario
        .actions
        .iter()
        .filter(|a| a.at_ms < p.trial.heal_ms)
        .collect();
    assert!(
        free.len() <= 12,
        "{} actions left:\n{}",
        free.len(),
        scenario::print(&s.trial.scenario)
    );
    assert!(s.trial.scenario.actions.len() < p.trial.scenario.actions.len());
    // Replaying the shrunk scenario fails the same way; its text and URL give it back.
    let (again, _) = trial::run(&s.trial, false);
    assert_eq!(
        again.failure.map(|f| f.signature()),
        Some(d.failure.signature())
    );
    let text = scenario::print(&s.trial.scenario);
    assert_eq!(scenario::parse(&text).as_ref(), Ok(&s.trial.scenario));
    assert_eq!(
        scenario::from_url_fragment(&scenario::to_url_fragment(&s.trial.scenario)).as_ref(),
        Ok(&s.trial.scenario)
    );
    assert!(text.contains("break promise-lower-pn"));
}

#[test]
fn a_trial_that_does_not_fail_that_way_is_left_alone() {
    let p = plan(5, &opts());
    let made_up = Failure::Liveness {
        heal_ms: 0,
        bound_ms: 0,
        reason: "not really".into(),
    };
    let s = shrink(&p.trial, &p.tags, &made_up);
    assert_eq!(s.trial, p.trial);
    assert_eq!(s.runs, 1);
}
