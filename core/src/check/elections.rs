//! The election strategies' rules (ceph-elections spec, section 11, "checks for every run"):
//! a disallowed monitor never leads; under connectivity no monitor becomes the peon of a
//! leader it scores lower than itself (on the frozen scores it judged the victory with); every
//! score stays in range. Each is a pure predicate, shared with the model checker.

use super::{broken, Check};
use crate::actor::Rank;
use crate::protocols::ceph::connection::{score_text, ConnectionTracker};
use crate::protocols::ceph::{Ceph, MonState, Monitor};
use crate::ranks::RankSet;
use crate::scenario::ElectionStrategy;
use crate::sim::World;
use crate::sorted::SortedSet;
use std::rc::Rc;

pub const NEVER_LEADS: &str = "disallowed-never-leads";
pub const DEFERS_TO_BETTER: &str = "connectivity-peon-of-better";
pub const SCORES_IN_RANGE: &str = "scores-in-range";

/// A monitor leading although its monmap disallows it (under a strategy that reads the set).
pub fn disallowed_leader(m: &Monitor) -> Option<String> {
    let disallowed =
        m.monmap.strategy.reads_disallowed() && m.monmap.disallowed_leaders.contains(&m.rank);
    (m.state == MonState::Leader && disallowed).then(|| {
        format!(
            "mon.{} leads although the {} strategy's monmap disallows it",
            m.rank,
            m.monmap.strategy.name()
        )
    })
}

/// `me` became the peon of `leader` though, on `table` (the frozen scores it judged with),
/// the leader scores lower than `me` (a disallowed monitor scores -1).
pub fn peon_of_lower(
    me: Rank,
    leader: Rank,
    table: &ConnectionTracker,
    disallowed: &SortedSet<Rank>,
) -> Option<String> {
    let score = |r: Rank| {
        if disallowed.contains(&r) {
            -1.0
        } else {
            table.total_connection_score(r).0
        }
    };
    let (mine, theirs) = (score(me), score(leader));
    (theirs < mine).then(|| {
        format!(
            "mon.{me} became the peon of mon.{leader}, which it scores {} against its own {}",
            score_text(theirs),
            score_text(mine)
        )
    })
}

/// A history outside [0, 1] or a total outside [0, N-1] in `t`.
pub fn score_out_of_range(t: &ConnectionTracker, n: u8) -> Option<String> {
    for (reporter, report) in t.peer_reports.iter() {
        for (peer, h) in report.history.iter() {
            if !(0.0..=1.0).contains(h) {
                return Some(format!(
                    "mon.{reporter}'s score for mon.{peer} is {}",
                    score_text(*h)
                ));
            }
        }
    }
    let max = f64::from(n.saturating_sub(1));
    for r in 0..n {
        let total = t.total_connection_score(r).0;
        if !(0.0..=max).contains(&total) {
            return Some(format!(
                "mon.{r}'s total score is {}, outside [0, {}]",
                score_text(total),
                score_text(max)
            ));
        }
    }
    None
}

/// The rules over one monitor's step: `before` and `after` its input (the model's form).
pub fn check_handled(r: Rank, before: &Monitor, after: &Monitor) -> Check {
    if let Some(d) = disallowed_leader(after) {
        return broken(NEVER_LEADS, r, d);
    }
    if let Some(d) =
        became_peon_of_lower(before.elector.stable_peer_tracker.as_ref(), before, after)
    {
        return broken(DEFERS_TO_BETTER, r, d);
    }
    if !after.tracker.is_untouched() {
        if let Some(d) = score_out_of_range(&after.tracker, after.config.monitors) {
            return broken(SCORES_IN_RANGE, r, d);
        }
    }
    Ok(())
}

/// A connectivity monitor that just became a peon (a victory it accepted), judged on the
/// frozen table it held before the step.
fn became_peon_of_lower(
    frozen_before: Option<&Rc<ConnectionTracker>>,
    before: &Monitor,
    after: &Monitor,
) -> Option<String> {
    let accepted = after.state == MonState::Peon
        && (before.state != MonState::Peon || before.epoch != after.epoch);
    if !accepted || after.monmap.strategy != ElectionStrategy::Connectivity {
        return None;
    }
    let leader = after.leader?;
    let table = frozen_before.map_or(&before.tracker, |t| t.as_ref());
    peon_of_lower(after.rank, leader, table, &after.monmap.disallowed_leaders)
}

/// What the run checker keeps between steps: each monitor's frozen table and state before
/// the step (the simulator hands it the world after the step only).
#[derive(Clone, Debug, Default)]
pub struct Before {
    frozen: Vec<Option<Rc<ConnectionTracker>>>,
    state: Vec<Option<(MonState, u64)>>,
}

/// The run checker's form: every monitor that handled an input in this step (`touched`, the
/// nodes of the step's log, `Facts::touched`: a bit set, so a step allocates nothing here).
pub fn check(before: &mut Before, world: &World<Ceph>, touched: RankSet) -> Check {
    let n = world.n() as usize;
    if before.state.len() != n {
        before.frozen.resize(n, None);
        before.state.resize(n, None);
    }
    for r in touched.iter() {
        let Some(m) = world.node(r) else { continue };
        if let Some(d) = disallowed_leader(m) {
            return broken(NEVER_LEADS, r, d);
        }
        let accepted = m.state == MonState::Peon
            && before.state[r as usize] != Some((MonState::Peon, m.epoch));
        if accepted && m.monmap.strategy == ElectionStrategy::Connectivity {
            if let (Some(leader), Some(table)) = (m.leader, &before.frozen[r as usize]) {
                if let Some(d) = peon_of_lower(r, leader, table, &m.monmap.disallowed_leaders) {
                    return broken(DEFERS_TO_BETTER, r, d);
                }
            }
        }
        if !m.tracker.is_untouched() {
            if let Some(d) = score_out_of_range(&m.tracker, world.n()) {
                return broken(SCORES_IN_RANGE, r, d);
            }
        }
    }
    for r in touched.iter() {
        let m = world.node(r);
        let frozen = m.and_then(|m| m.elector.stable_peer_tracker.as_ref());
        let kept = &mut before.frozen[r as usize];
        // Nearly always the same table (or none): no count to raise and lower then.
        if !same_table(kept.as_ref(), frozen) {
            *kept = frozen.cloned();
        }
        before.state[r as usize] = m.map(|m| (m.state, m.epoch));
    }
    Ok(())
}

/// Both none, or both the same shared table.
fn same_table(a: Option<&Rc<ConnectionTracker>>, b: Option<&Rc<ConnectionTracker>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Rc::ptr_eq(a, b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peon_of_a_lower_scored_leader_is_named_and_a_disallowed_leader_scores_minus_one() {
        let mut t = ConnectionTracker::new(0, 43_200, 10);
        let _ = t.report_live_connection(1, 0.0);
        let _ = t.report_live_connection(2, 0.0);
        let mut b = ConnectionTracker::new(1, 43_200, 10);
        let _ = b.report_live_connection(0, 0.0);
        let _ = b.report_dead_connection(2, 10.0);
        t.receive_peer_report(&b);
        let none = SortedSet::new();
        // On 0's table: S(0) = 1 (from 1), S(2) = 1 (from 0), S(1) = 1 (from 0).
        assert_eq!(
            peon_of_lower(0, 2, &t, &none),
            None,
            "a tie is no violation"
        );
        let mut dis = SortedSet::new();
        dis.insert(2u8);
        let d = peon_of_lower(0, 2, &t, &dis).expect("a disallowed leader scores -1");
        assert!(d.contains("mon.0") && d.contains("mon.2"), "{d}");
    }

    #[test]
    fn scores_out_of_range_are_found() {
        let mut t = ConnectionTracker::new(0, 43_200, 10);
        let _ = t.report_live_connection(1, 0.0);
        assert_eq!(score_out_of_range(&t, 3), None);
        t.peer_reports.get_mut(&0).unwrap().history.insert(1, 1.5);
        assert!(score_out_of_range(&t, 3).unwrap().contains("1.5"));
    }
}
