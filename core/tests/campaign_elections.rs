//! The election campaign (core/src/campaign/elections.rs) on a few seeds: safety holds for every
//! shape under every strategy, connectivity settles wherever the spec says it converges, and
//! classic's thrashing shows as a figure, not as a failure. The full table comes from
//! `paxoscope campaign --elections` (docs/elections.md).

use paxoscope_core::campaign::elections::{campaign, run, table, Shape};
use paxoscope_core::scenario::ElectionStrategy;

#[test]
fn every_shape_under_every_strategy_keeps_safety_and_connectivity_settles() {
    let rows = campaign(0..4);
    println!("{}", table(&rows));
    for (shape, strategy, r) in &rows {
        assert_eq!(r.seeds, 4);
        assert_eq!(
            r.failures,
            0,
            "{} under {}: first failing seed {:?}",
            shape.name(),
            strategy.name(),
            r.first_failure
        );
        if *strategy == ElectionStrategy::Connectivity {
            assert_eq!(r.settled, r.seeds, "{}", shape.name());
        }
    }
}

#[test]
fn a_run_that_does_not_settle_where_the_spec_says_it_must_is_a_failure() {
    // Classic on the spec's own cut (0-1) never settles; it is not required to.
    let classic = (0..8)
        .map(|seed| run(seed, Shape::CutLink, ElectionStrategy::Classic))
        .find(|r| !r.settled)
        .expect("some seed cuts a link classic cannot live with");
    assert!(classic.violation.is_none());
    assert!(
        !classic.failed(),
        "classic may thrash: reported, not failed"
    );
    let mut as_connectivity = classic.clone();
    as_connectivity.strategy = ElectionStrategy::Connectivity;
    assert!(
        as_connectivity.failed(),
        "the same outcome under connectivity fails"
    );
}
