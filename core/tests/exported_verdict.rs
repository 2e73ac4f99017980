//! The shipped page has no linearizability checker of its own: it sends the run's client
//! history, as `export::history_json_lines` writes it, to the history page's module, which
//! reads it back (`verdict::exported_history`) and checks it with the page's budget. The
//! verdict must be the one the family page computes on the run itself (`verdict::
//! linearizability`): same outcome, same prefix, same request that cannot be placed, same
//! wrong read, same words. Checked on every tour at its end, and on a run broken by a canary.

use paxoscope_core::check::linearizability::{check_history_with_budget, LinOutcome, LinReport};
use paxoscope_core::export::history_json_lines;
use paxoscope_core::presets::PRESETS;
use paxoscope_core::scenario::Scenario;
use paxoscope_core::verdict::{explain, exported_history, linearizability, PAGE_BUDGET_STATES};

/// Both verdicts of `s` run to `until_ms`; the run's client requests.
fn both(s: Scenario, until_ms: u64) -> (LinReport, LinReport, usize) {
    let mut run = paxoscope_core::view::open(s).expect("built");
    run.run_until(until_ms);
    let direct = linearizability(&*run);
    let text = history_json_lines(run.clients());
    let entries = exported_history(&text).expect("the export reads back");
    (
        direct,
        check_history_with_budget(&entries, PAGE_BUDGET_STATES),
        run.clients().len(),
    )
}

fn kind(r: &LinReport) -> &'static str {
    match r.outcome {
        LinOutcome::Linearizable => "linearizable",
        LinOutcome::NotLinearizable(_) => "not linearizable",
        LinOutcome::Unknown => "undecided",
    }
}

#[test]
fn every_tour_gets_the_same_verdict_through_its_export() {
    let mut with_requests = 0;
    for p in PRESETS.iter() {
        let s = p.scenario().expect("the tour parses");
        let end = s.end_ms.unwrap_or(60_000);
        let (direct, exported, requests) = both(s, end);
        assert_eq!(kind(&direct), kind(&exported), "tour {}", p.id);
        assert_eq!(explain(&direct), explain(&exported), "tour {}", p.id);
        assert_eq!(
            direct.states_explored, exported.states_explored,
            "tour {}",
            p.id
        );
        with_requests += usize::from(requests > 0);
    }
    assert!(
        with_requests >= 5,
        "tours with client requests: {with_requests}"
    );
}

#[test]
fn a_canary_broken_run_is_explained_alike_through_its_export() {
    // x = a; the CAS expects b, so it must fail, but the canary applies it; the read sees c.
    let text = "paxoscope scenario v1\nseed 1\nend 12s\nbreak cas-ignores-expected\n\
                at 4s put 1 x a\nat 6s cas 2 x b c\nat 8s get 3 x\n";
    let s = paxoscope_core::scenario::parse(text).expect("parses");
    let (direct, exported, _) = both(s, 10_000);
    assert_eq!(kind(&direct), "not linearizable");
    let why = explain(&exported).expect("explained");
    assert_eq!(explain(&direct).as_ref(), Some(&why));
    assert!(!why.unplaceable.is_empty(), "{why:?}");
}

#[test]
fn every_basic_paxos_tour_with_proposals_is_linearizable() {
    // A proposer answers with the value chosen, its own or another's: a write-once register.
    // A correct run's proposals are linearizable as such (campaign::trial::history), however
    // the proposers duel; the "why each rule" tour breaks the protocol on purpose.
    let mut checked = 0;
    for p in PRESETS
        .iter()
        .filter(|p| p.protocol == "basic-paxos" && !p.id.starts_with("why-"))
    {
        let s = p.scenario().expect("the tour parses");
        if !s.mutations.is_empty() {
            continue;
        }
        let end = s.end_ms.unwrap_or(60_000);
        let (direct, _, requests) = both(s, end);
        if requests == 0 {
            continue;
        }
        assert_eq!(
            kind(&direct),
            "linearizable",
            "tour {}: {:?}",
            p.id,
            explain(&direct)
        );
        checked += 1;
    }
    assert!(checked >= 3, "Basic Paxos tours with proposals: {checked}");
}
