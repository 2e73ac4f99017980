//! Ceph's `ConnectionTracker` (spec section 6): each monitor's reports of how well it reaches
//! its peers, gossiped on pings and election messages, summed into the connectivity
//! strategy's election score. Floating point with Ceph's exact order of operations: ties are
//! decided on exact equality.

use super::messages::{Epoch, Rank};
use crate::sorted::SortedMap;
use core::fmt;
use serde::{Deserialize, Serialize};

/// One reporter's view of its links (`ConnectionReport`).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct ConnectionReport {
    /// The reporter.
    pub rank: Rank,
    /// Peer → is the link alive now.
    pub current: SortedMap<Rank, bool>,
    /// Peer → score in [0, 1], decaying with dead time and recovering with live time.
    pub history: SortedMap<Rank, f64>,
    /// The reporter's election epoch when it wrote this report.
    pub epoch: Epoch,
    /// Update counter within that epoch.
    pub epoch_version: u64,
}

/// Scores are never NaN (asserted where they change), so bit equality is equality.
impl PartialEq for ConnectionReport {
    fn eq(&self, o: &Self) -> bool {
        self.rank == o.rank
            && self.current == o.current
            && self.epoch == o.epoch
            && self.epoch_version == o.epoch_version
            && self.history.len() == o.history.len()
            && self
                .history
                .iter()
                .zip(o.history.iter())
                .all(|((a, x), (b, y))| a == b && x.to_bits() == y.to_bits())
    }
}
impl Eq for ConnectionReport {}

/// Written by hand so that the scores go through [`score_text`] (trace lines and violations
/// print messages with `Debug`).
impl fmt::Debug for ConnectionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ConnectionReport {{ rank: {}, current: {:?}, history: {{",
            self.rank, self.current
        )?;
        for (i, (peer, score)) in self.history.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{peer}: {}", score_text(*score))?;
        }
        write!(
            f,
            "}}, epoch: {}, epoch_version: {} }}",
            self.epoch, self.epoch_version
        )
    }
}

/// A score as texts write it: at most 6 decimals, trailing zeros dropped (`1`, `0.999984`,
/// `-1`), without float formatting (`decimal::split`).
pub fn score_text(x: f64) -> String {
    let (sign, whole, frac) = crate::decimal::split(x, 6);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{frac:06}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

impl ConnectionReport {
    /// The score of `peer` if the report has one and says the link is alive.
    pub fn live_score(&self, peer: Rank) -> Option<f64> {
        let score = *self.history.get(&peer)?;
        self.current
            .get(&peer)
            .copied()
            .unwrap_or(false)
            .then_some(score)
    }
}

/// A monitor's live table: its own report and the latest report it heard from each peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionTracker {
    pub rank: Rank,
    pub epoch: Epoch,
    pub version: u64,
    /// `mon_con_tracker_score_halflife` in seconds.
    pub half_life_s: u64,
    /// `mon_con_tracker_persist_interval`.
    pub persist_interval: u64,
    /// Reporter → report, our own under our rank.
    pub peer_reports: SortedMap<Rank, ConnectionReport>,
}

/// Whether an update asks for the tracker to be persisted (every `persist_interval`-th).
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Persist(pub bool);

impl ConnectionTracker {
    pub fn new(rank: Rank, half_life_s: u64, persist_interval: u64) -> Self {
        assert!(
            half_life_s >= 60,
            "mon_con_tracker_score_halflife is at least 60 s"
        );
        assert!(
            persist_interval >= 1,
            "mon_con_tracker_persist_interval is at least 1"
        );
        let mut peer_reports = SortedMap::new();
        peer_reports.insert(
            rank,
            ConnectionReport {
                rank,
                ..ConnectionReport::default()
            },
        );
        ConnectionTracker {
            rank,
            epoch: 0,
            version: 0,
            half_life_s,
            persist_interval,
            peer_reports,
        }
    }

    /// Our own report.
    pub fn my_report(&self) -> &ConnectionReport {
        self.peer_reports
            .get(&self.rank)
            .expect("the tracker holds our own report")
    }

    fn my_report_mut(&mut self) -> &mut ConnectionReport {
        let rank = self.rank;
        self.peer_reports
            .entry(rank)
            .or_insert_with(|| ConnectionReport {
                rank,
                ..ConnectionReport::default()
            })
    }

    /// True until the first observation or merge: a tracker of a monitor that never pinged.
    pub fn is_untouched(&self) -> bool {
        self.version == 0 && self.peer_reports.len() == 1 && self.my_report().history.is_empty()
    }

    /// `report_live_connection`: `peer` answered, covering `units_s` seconds.
    pub fn report_live_connection(&mut self, peer: Rank, units_s: f64) -> Persist {
        self.report(peer, units_s, true)
    }

    /// `report_dead_connection`: `peer` did not answer for `units_s` seconds.
    pub fn report_dead_connection(&mut self, peer: Rank, units_s: f64) -> Persist {
        self.report(peer, units_s, false)
    }

    fn report(&mut self, peer: Rank, units_s: f64, alive: bool) -> Persist {
        // The messages name no float: formatting one would pull float-to-decimal code (~10 KB) into
        // the page's wasm.
        assert!(units_s >= 0.0, "an observation covers a negative time");
        if peer == self.rank {
            return Persist(false);
        }
        let ratio_den = 2.0 * self.half_life_s as f64;
        let me = self.my_report_mut();
        let score = me.history.entry(peer).or_insert(1.0);
        *score = if alive {
            (*score * (1.0 - units_s / ratio_den) + units_s / ratio_den).min(1.0)
        } else {
            (*score * (1.0 - units_s / ratio_den) - units_s / ratio_den).max(0.0)
        };
        assert!((0.0..=1.0).contains(score), "a link score left [0, 1]");
        me.current.insert(peer, alive);
        self.increase_version()
    }

    /// `increase_version`: every update; asks for a persist every `persist_interval`-th.
    fn increase_version(&mut self) -> Persist {
        self.version += 1;
        let version = self.version;
        self.my_report_mut().epoch_version = version;
        Persist(version.is_multiple_of(self.persist_interval))
    }

    /// `increase_epoch`, from every election-epoch bump: our report restarts its versions.
    pub fn increase_epoch(&mut self, e: Epoch) {
        if e > self.epoch {
            self.epoch = e;
            self.version = 0;
            let me = self.my_report_mut();
            me.epoch = e;
            me.epoch_version = 0;
        }
    }

    /// `receive_peer_report`: take every report of `other` newer than ours (by epoch, then
    /// version), except reports about ourselves.
    pub fn receive_peer_report(&mut self, other: &ConnectionTracker) {
        for (reporter, report) in other.peer_reports.iter() {
            if *reporter == self.rank || report.rank == self.rank {
                continue;
            }
            let existing = self.peer_reports.entry(*reporter).or_default();
            let newer = report.epoch > existing.epoch
                || (report.epoch == existing.epoch
                    && report.epoch_version > existing.epoch_version);
            if newer {
                *existing = report.clone();
            }
        }
    }

    /// `get_total_connection_score`: the sum, in ascending reporter rank, of every other
    /// reporter's score for `peer` whose link it reports alive; and how many such reporters.
    pub fn total_connection_score(&self, peer: Rank) -> (f64, u32) {
        let mut score = 0.0;
        let mut live = 0;
        for (reporter, report) in self.peer_reports.iter() {
            if *reporter == peer {
                continue;
            }
            if let Some(s) = report.live_score(peer) {
                score += s;
                live += 1;
            }
        }
        (score, live)
    }

    /// `connection scores reset`: forget everything but our (now empty) report.
    pub fn reset(&mut self) {
        *self = ConnectionTracker::new(self.rank, self.half_life_s, self.persist_interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 43_200;

    #[test]
    fn a_new_peer_starts_at_one_and_a_dead_second_costs_what_the_formula_says() {
        let mut t = ConnectionTracker::new(0, H, 10);
        let _ = t.report_live_connection(1, 0.0);
        assert_eq!(t.my_report().history.get(&1), Some(&1.0));
        let _ = t.report_dead_connection(1, 1.0);
        let a = 1.0 / (2.0 * H as f64);
        let expected = 1.0 * (1.0 - a) - a;
        assert_eq!(
            t.my_report().history.get(&1).unwrap().to_bits(),
            expected.to_bits()
        );
        assert_eq!(t.my_report().current.get(&1), Some(&false));
        // About 2.3e-5 per second near 1.0 (spec 6.2).
        assert!((1.0 - expected - 2.3e-5).abs() < 1e-6, "{expected}");
    }

    #[test]
    fn a_dead_link_reaches_zero_after_about_16_6_hours_and_scores_stay_in_range() {
        let mut t = ConnectionTracker::new(0, H, 10);
        let mut hours = 0;
        while *t.my_report().history.get(&1).unwrap_or(&1.0) > 0.0 {
            for _ in 0..1800 {
                let _ = t.report_dead_connection(1, 2.0);
            }
            hours += 1;
            assert!(hours < 40, "never reached 0");
        }
        assert_eq!(hours, 17, "2h·ln2 ≈ 16.6 h, counted in whole hours");
        for _ in 0..100_000 {
            let _ = t.report_live_connection(1, 5.0);
        }
        let recovered = *t.my_report().history.get(&1).unwrap();
        assert!(recovered > 0.99 && recovered <= 1.0, "{recovered}");
        let _ = t.report_live_connection(1, 1e9);
        assert_eq!(t.my_report().history.get(&1), Some(&1.0), "clamped at 1");
        let _ = t.report_dead_connection(1, 1e9);
        assert_eq!(t.my_report().history.get(&1), Some(&0.0), "clamped at 0");
    }

    #[test]
    fn every_tenth_version_asks_for_a_persist_and_a_new_epoch_restarts_versions() {
        let mut t = ConnectionTracker::new(2, H, 10);
        let asks: Vec<bool> = (0..20)
            .map(|_| t.report_live_connection(0, 1.0).0)
            .collect();
        assert_eq!(asks.iter().filter(|a| **a).count(), 2);
        assert!(asks[9] && asks[19]);
        t.increase_epoch(7);
        assert_eq!((t.epoch, t.version, t.my_report().epoch_version), (7, 0, 0));
        t.increase_epoch(5);
        assert_eq!(t.epoch, 7, "epochs only grow");
    }

    #[test]
    fn merging_takes_newer_reports_only_and_never_one_about_ourselves() {
        let mut a = ConnectionTracker::new(0, H, 10);
        let mut b = ConnectionTracker::new(1, H, 10);
        let _ = b.report_dead_connection(2, 10.0);
        a.receive_peer_report(&b);
        assert_eq!(a.peer_reports.get(&1), b.peer_reports.get(&1));
        let older = a.peer_reports.get(&1).cloned();
        let stale = ConnectionTracker::new(1, H, 10);
        a.receive_peer_report(&stale);
        assert_eq!(
            a.peer_reports.get(&1).cloned(),
            older,
            "version 0 is not newer"
        );
        let _ = a.report_live_connection(1, 1.0);
        let mine = a.my_report().clone();
        let mut c = ConnectionTracker::new(3, H, 10);
        c.receive_peer_report(&a);
        c.increase_epoch(99);
        let _ = c.report_live_connection(0, 1.0);
        a.receive_peer_report(&c);
        assert_eq!(a.my_report(), &mine, "our own report comes only from us");
    }

    #[test]
    fn the_total_counts_live_links_of_other_reporters_only() {
        let mut t = ConnectionTracker::new(0, H, 10);
        let _ = t.report_live_connection(2, 0.0);
        let mut b = ConnectionTracker::new(1, H, 10);
        let _ = b.report_dead_connection(2, 1000.0);
        let _ = b.report_live_connection(0, 0.0);
        t.receive_peer_report(&b);
        assert_eq!(
            t.total_connection_score(2),
            (1.0, 1),
            "1's dead link counts nothing"
        );
        assert_eq!(
            t.total_connection_score(0),
            (1.0, 1),
            "1 sees 0; 0's own report skipped"
        );
        assert_eq!(t.total_connection_score(1), (0.0, 0), "nobody reported 1");
    }
}

#[cfg(test)]
mod score_text_tests {
    use super::score_text;

    #[test]
    fn scores_print_like_display_without_float_formatting() {
        for x in [
            0.0, 1.0, -1.0, 4.0, 0.5, 0.999984, 3.25, 0.000001, 2.0000004,
        ] {
            let display = format!("{}", (x * 1e6f64).round() / 1e6);
            assert_eq!(score_text(x), display, "{x}");
        }
        assert_eq!(score_text(-0.0000001), "0", "rounds to zero without a sign");
        assert_eq!(score_text(-0.25), "-0.25");
    }
}
