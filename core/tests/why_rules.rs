//! The "why each rule" tours (`presets::WHY_RULES`), proved on their runs: at every step the
//! canaries still on make the checker stop the run at the step's rule; once the step's canary
//! is switched off that failure is gone (the run stops at another rule, or not at all); each
//! canary on its own is caught by its rule; with every rule restored the run reaches its end
//! with no violation. Nothing here names a time or an event: the runs say them.

use paxoscope_core::presets::{find, WhyRules, WHY_RULES};
use paxoscope_core::scenario::Scenario;

/// The first rule the checker reports on `s` (run to its end), with its time.
fn first_violation(s: &Scenario) -> Option<(String, u64)> {
    let end = s.end_ms.expect("a why-each-rule tour has an end");
    let mut run = paxoscope_core::view::open(s.clone()).expect("every protocol is built");
    run.run_until(end);
    match run.violation() {
        Some(v) => Some((v.invariant.to_string(), v.t_ms)),
        None => {
            assert_eq!(
                run.now_ms(),
                end,
                "{:?}: a run without a violation reaches its end",
                s.name
            );
            None
        }
    }
}

fn tour(w: &WhyRules) -> Scenario {
    find(w.tour)
        .unwrap_or_else(|| panic!("{} is a tour", w.tour))
        .scenario()
        .unwrap_or_else(|e| panic!("{}: {e}", w.tour))
}

#[test]
fn every_tour_has_its_steps_canaries_on_and_names_real_rules() {
    for w in &WHY_RULES {
        let s = tour(w);
        assert_eq!(
            w.step_of(&s),
            Some(0),
            "{}: the tour starts with every canary on",
            w.tour
        );
        assert!(
            w.steps.len() >= 3,
            "{}: a derivation of at least three rules",
            w.tour
        );
        let run = paxoscope_core::view::open(s.clone()).expect("built");
        let rules: Vec<&str> = run.rules().iter().map(|r| r.name).collect();
        for step in w.steps {
            assert!(
                s.protocol.mutation_from_name(step.restores).is_some(),
                "{}: {} is a canary of {}",
                w.tour,
                step.restores,
                s.protocol.name()
            );
            assert!(
                rules.contains(&step.caught_by),
                "{}: {} is a rule of the checker",
                w.tour,
                step.caught_by
            );
        }
        assert_eq!(
            w.step_of(&w.at_step(&s, w.steps.len())),
            Some(w.steps.len())
        );
    }
}

#[test]
fn each_step_catches_its_rule_and_restoring_it_makes_the_failure_disappear() {
    for w in &WHY_RULES {
        let s = tour(w);
        for (k, step) in w.steps.iter().enumerate() {
            let before = first_violation(&w.at_step(&s, k));
            let (rule, at) = before.unwrap_or_else(|| {
                panic!(
                    "{} step {k}: no violation with {} on",
                    w.tour, step.restores
                )
            });
            assert_eq!(
                rule,
                step.caught_by,
                "{} step {k}: with {:?} on",
                w.tour,
                w.on_at(k).collect::<Vec<_>>()
            );
            let after = first_violation(&w.at_step(&s, k + 1));
            assert!(
                after.as_ref().is_none_or(|(r, _)| *r != rule),
                "{} step {k}: restoring {} leaves {rule} broken ({after:?}; it was at {at} ms)",
                w.tour,
                step.restores
            );
        }
        assert_eq!(
            first_violation(&w.at_step(&s, w.steps.len())),
            None,
            "{}: the protocol as built",
            w.tour
        );
    }
}

#[test]
fn each_canary_on_its_own_is_caught_by_its_rule() {
    for w in &WHY_RULES {
        let s = tour(w);
        for step in w.steps {
            let mut alone = s.clone();
            alone.mutations = vec![s
                .protocol
                .mutation_from_name(step.restores)
                .expect("a canary")];
            let got = first_violation(&alone).map(|(r, _)| r);
            assert_eq!(
                got.as_deref(),
                Some(step.caught_by),
                "{}: {} alone",
                w.tour,
                step.restores
            );
        }
    }
}
