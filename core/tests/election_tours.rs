//! The election-strategy tours (ceph-elections spec, sections 9 and 11) play without a
//! violation, and what their notes state is checked against the run: who wins which epoch with
//! which quorum, the elections counted in the last minute (the Elections panel's figure), and
//! the scores on the frozen tables. Each tour's last note is its outcome.

mod common;

use paxoscope_core::presets::find;
use paxoscope_core::protocols::ceph::declaration::MONITOR;
use paxoscope_core::protocols::ceph::{ElectionOp, MonState, Msg};
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;
use paxoscope_core::view::RunView;

/// A tour being played forward note by note.
struct Tour {
    id: &'static str,
    s: Session,
    notes: Vec<(u64, String)>,
    end_ms: u64,
}

/// One election won: when, by whom, its epoch and quorum (from the winner's VICTORY).
#[derive(Debug, PartialEq)]
struct Win {
    t_ms: u64,
    by: u8,
    epoch: u64,
    quorum: Vec<u8>,
}

impl Tour {
    fn open(id: &'static str) -> Tour {
        let p = find(id).unwrap_or_else(|| panic!("no tour {id}"));
        assert_eq!(p.protocol, "ceph");
        let scenario = p.scenario().unwrap_or_else(|e| panic!("{id}: {e}"));
        let end_ms = scenario.end_ms.expect("a tour has an end");
        let notes = common::notes(&scenario);
        Tour {
            id,
            s: Session::new(scenario),
            notes,
            end_ms,
        }
    }

    /// Run to the note that contains `needle` (exactly one does) and give its time and text.
    fn to_note(&mut self, needle: &str) -> (u64, String) {
        let hits: Vec<&(u64, String)> = self
            .notes
            .iter()
            .filter(|(_, t)| t.contains(needle))
            .collect();
        assert_eq!(hits.len(), 1, "{}: one note says {needle:?}", self.id);
        let (t_ms, text) = hits[0].clone();
        assert!(
            t_ms >= self.s.now_ms(),
            "{}: notes are visited in order",
            self.id
        );
        self.s.run_until(t_ms);
        assert!(
            self.s.violation().is_none(),
            "{}: {}",
            self.id,
            self.s.violation().unwrap()
        );
        (t_ms, text)
    }

    /// Run to the last note, which must contain `needle`, then on to the end: no violation.
    fn to_last_note(&mut self, needle: &str) -> (u64, String) {
        let (t_ms, text) = self.notes.last().cloned().expect("a tour narrates");
        assert!(
            text.contains(needle),
            "{}: the last note says {needle:?}: {text}",
            self.id
        );
        self.s.run_until(t_ms);
        (t_ms, text)
    }

    fn finish(mut self) {
        self.s.run_until(self.end_ms);
        assert!(
            self.s.violation().is_none(),
            "{}: {}",
            self.id,
            self.s.violation().unwrap()
        );
        assert_eq!(self.s.now_ms(), self.end_ms, "{} reached its end", self.id);
    }

    /// Elections won in `[from_ms, to_ms)`, in order.
    fn wins(&self, from_ms: u64, to_ms: u64) -> Vec<Win> {
        let trace = self.s.trace();
        let mut wins = vec![];
        for (i, e) in trace.iter().enumerate() {
            let won = matches!(e.kind, TraceKind::Transition(t)
                if t.machine == MONITOR && t.to == MonState::Leader.id());
            if !won || !(from_ms..to_ms).contains(&e.t_ms) {
                continue;
            }
            let by = e.node.expect("a monitor wins");
            // The VICTORY goes out in the same step as the transition, before or after it.
            let same_ms = trace
                .iter()
                .skip(i.saturating_sub(64))
                .skip_while(|v| v.t_ms < e.t_ms);
            let victory = same_ms
                .take_while(|v| v.t_ms == e.t_ms)
                .find_map(|v| match &v.kind {
                    TraceKind::Send { msg, .. } if v.node == Some(by) => match &**msg {
                        Msg::Election(m) if m.op == ElectionOp::Victory => Some(m),
                        _ => None,
                    },
                    _ => None,
                });
            let victory = victory.expect("a winner sends VICTORY");
            wins.push(Win {
                t_ms: e.t_ms,
                by,
                epoch: victory.epoch,
                quorum: victory.quorum.iter().copied().collect(),
            });
        }
        wins
    }

    /// The one election won in `[from_ms, at)` was won the millisecond before `at` (the note
    /// that tells of it) by `by`, in `epoch`, with `quorum`.
    fn won_just_before(&self, from_ms: u64, at: u64, by: u8, epoch: u64, quorum: Vec<u8>) {
        let expected = Win {
            t_ms: at - 1,
            by,
            epoch,
            quorum,
        };
        assert_eq!(self.wins(from_ms, at), vec![expected], "{}", self.id);
    }

    /// The leaders now.
    fn leaders(&self) -> Vec<u8> {
        let w = self.s.world();
        (0..w.n())
            .filter(|r| w.node(*r).is_some_and(|m| m.state == MonState::Leader))
            .collect()
    }

    fn quorum(&self, r: u8) -> Vec<u8> {
        self.s
            .world()
            .node(r)
            .expect("up")
            .quorum
            .iter()
            .copied()
            .collect()
    }

    fn epoch(&self, r: u8) -> u64 {
        self.s.world().node(r).expect("up").epoch
    }

    fn per_minute(&self) -> u64 {
        self.s
            .elections_last_minute()
            .expect("a Ceph run counts elections")
    }

    /// The totals on `r`'s frozen table (the one it voted with), as the panel rounds them.
    fn frozen_totals(&self, r: u8) -> Vec<String> {
        let scores = RunView::scores(&self.s, r).expect("Ceph keeps scores");
        let frozen = scores.frozen.expect("an election froze a table");
        frozen.totals.iter().map(|x| score_text(*x)).collect()
    }
}

/// A total as the notes and the panel write it: whole numbers bare, else four decimals.
fn score_text(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x}")
    } else {
        format!("{x:.4}")
    }
}

fn all(n: u8) -> Vec<u8> {
    (0..n).collect()
}

#[test]
fn one_cut_link_classic_keeps_electing_connectivity_settles_on_mon_2() {
    let mut t = Tour::open("el-cut");
    let (at, _) = t.to_note("now wins epoch 4 too");
    let w = t.wins(20_000, at);
    assert_eq!(
        w[0],
        Win {
            t_ms: w[0].t_ms,
            by: 1,
            epoch: 4,
            quorum: vec![1, 2, 3, 4]
        }
    );
    assert_eq!(
        w[1],
        Win {
            t_ms: at - 1,
            by: 0,
            epoch: 4,
            quorum: vec![0, 2, 3, 4]
        }
    );
    let (at, text) = t.to_note("elections won in the last minute");
    let count = t.per_minute();
    assert!(
        count >= 10,
        "classic thrashes: {count} elections in a minute"
    );
    assert!(
        text.starts_with(&format!("{count} elections won")),
        "{text}"
    );
    assert!(
        t.wins(at - 60_000, at).iter().all(|w| w.quorum.len() < 5),
        "no full quorum"
    );
    let (at, text) = t.to_note("mon.2 wins epoch");
    let w = t.wins(80_000, at);
    assert_eq!(
        w,
        vec![Win {
            t_ms: at - 1,
            by: 2,
            epoch: 46,
            quorum: all(5)
        }],
        "{text}"
    );
    assert_eq!(t.frozen_totals(2), ["3", "3", "4", "4", "4"]);
    let (at, _) = t.to_last_note("no election in the last minute");
    assert_eq!(t.per_minute(), 0);
    assert!(t.wins(80_200, at).is_empty());
    assert_eq!(t.leaders(), vec![2]);
    assert_eq!((t.quorum(2), t.epoch(2)), (all(5), 46));
    t.finish();
}

#[test]
fn a_chain_of_three_thrashes_under_classic_and_elects_the_middle_under_connectivity() {
    let mut t = Tour::open("el-chain");
    let (at, _) = t.to_note("mon.0 wins epoch 8");
    t.won_just_before(20_000, at, 0, 8, vec![0, 1]);
    let (at, _) = t.to_note("about every 6 s");
    let w = t.wins(20_000, at);
    assert_eq!(
        w[1],
        Win {
            t_ms: at - 1,
            by: 0,
            epoch: 12,
            quorum: vec![0, 1]
        }
    );
    let (at, text) = t.to_note("elections won in the last minute");
    let w = t.wins(20_000, at);
    let gaps: Vec<u64> = w.windows(2).map(|p| p[1].t_ms - p[0].t_ms).collect();
    assert!(gaps.iter().all(|g| (5_500..6_500).contains(g)), "{gaps:?}");
    // Each quorum lasts about a second: mon.0 leaves the leader role within 1.5 s of winning.
    for win in &w {
        let left = t.s.trace().iter().find(|e| {
            e.t_ms > win.t_ms
                && e.node == Some(0)
                && matches!(e.kind, TraceKind::Transition(x) if x.machine == MONITOR && x.to != MonState::Leader.id())
        });
        let left = left.expect("torn down").t_ms;
        assert!(
            left - win.t_ms < 1_500,
            "quorum of {win:?} lasted {} ms",
            left - win.t_ms
        );
    }
    assert!(
        text.starts_with(&format!("{} elections won", t.per_minute())),
        "{text}"
    );
    let (at, _) = t.to_note("mon.1 wins epoch 34");
    t.won_just_before(70_000, at, 1, 34, all(3));
    assert_eq!(t.frozen_totals(1), ["1", "2", "1"]);
    let (at, _) = t.to_last_note("no election in the last minute");
    assert_eq!(t.per_minute(), 0);
    assert!(t.wins(70_200, at).is_empty());
    assert_eq!(
        (t.leaders(), t.quorum(1), t.epoch(1)),
        (vec![1], all(3), 34)
    );
    t.finish();
}

#[test]
fn a_star_forms_no_quorum_under_classic_and_elects_the_hub_under_connectivity() {
    let mut t = Tour::open("el-star");
    t.to_note("every leaf calls an election");
    let (at, text) = t.to_note("No election won in the last minute");
    assert!(t.wins(20_000, at).is_empty(), "{text}");
    assert_eq!(t.per_minute(), 0);
    assert!(t.leaders().is_empty());
    let (at, _) = t.to_note("mon.2 wins epoch 28");
    t.won_just_before(70_000, at, 2, 28, all(5));
    assert_eq!(t.frozen_totals(2), ["1", "1", "4", "1", "1"]);
    let (at, _) = t.to_last_note("no election in the last minute");
    assert_eq!(t.per_minute(), 0);
    assert!(t.wins(75_200, at).is_empty());
    assert_eq!(
        (t.leaders(), t.quorum(2), t.epoch(2)),
        (vec![2], all(5), 28)
    );
    t.finish();
}

#[test]
fn constrained_no_strategy_forms_a_quorum_because_the_leaves_keep_probing() {
    let mut t = Tour::open("el-constrained");
    let (at, _) = t.to_note("keep probing");
    let probing = |t: &Tour, r: u8| t.s.world().node(r).unwrap().state == MonState::Probing;
    assert!([1, 3, 4].iter().all(|r| probing(&t, *r)));
    assert_eq!(
        t.s.world().node(2).unwrap().state,
        MonState::Electing,
        "at {at} ms"
    );
    let (at, _) = t.to_note("No election won in the last minute");
    assert_eq!(t.per_minute(), 0);
    assert!(t.wins(20_000, at).is_empty());
    let (at, _) = t.to_last_note("Still no leader, under either strategy");
    assert!(t.wins(20_000, at).is_empty());
    assert!([1, 3, 4].iter().all(|r| probing(&t, *r)));
    assert_eq!(t.s.world().node(2).unwrap().state, MonState::Electing);
    for r in 0..5 {
        let s = RunView::scores(&t.s, r).unwrap();
        assert_eq!(s.strategy, "connectivity", "mon.{r} switched");
    }
    t.finish();
}

#[test]
fn a_monitor_hanging_off_a_peon_is_ignored_under_connectivity_until_the_heal() {
    let mut t = Tour::open("el-hanging");
    let (at, _) = t.to_note("mon.0 wins epoch 8");
    t.won_just_before(20_000, at, 0, 8, vec![0, 1, 2, 3]);
    let (_, text) = t.to_note("one about every 6 s");
    assert!(
        text.starts_with(&format!("{} elections won", t.per_minute())),
        "{text}"
    );
    let (at, _) = t.to_note("mon.0 wins epoch 34");
    t.won_just_before(70_000, at, 0, 34, vec![0, 1, 2, 3]);
    assert_eq!(t.frozen_totals(0), ["3", "3", "2", "3", "1"]);
    let e4_before = t.epoch(4);
    let (at, text) = t.to_note("silently drops");
    assert!(t.wins(75_100, at).is_empty(), "64 s without an election");
    assert!(t.epoch(4) > e4_before + 10, "mon.4 keeps proposing");
    assert!(
        text.contains(&format!("grown to {}.", t.epoch(4))),
        "{}: {text}",
        t.epoch(4)
    );
    let (at, _) = t.to_last_note("back in the quorum");
    let w = t.wins(140_000, at);
    assert_eq!(
        w,
        vec![Win {
            t_ms: w[0].t_ms,
            by: 0,
            epoch: 62,
            quorum: all(5)
        }],
        "one election"
    );
    assert_eq!((t.leaders(), t.quorum(0)), (vec![0], all(5)));
    t.finish();
}

#[test]
fn a_disallowed_monitor_never_leads_even_when_it_outranks_every_candidate() {
    let mut t = Tour::open("el-disallow");
    let (at, _) = t.to_note("mon.1, the lowest allowed rank");
    t.won_just_before(0, at, 1, 2, all(5));
    let (at, _) = t.to_note("mon.2 wins epoch 4");
    t.won_just_before(20_000, at, 2, 4, all(5));
    let (at, _) = t.to_last_note("mon.3 wins epoch 6");
    t.won_just_before(40_000, at, 3, 6, vec![0, 1, 3, 4]);
    assert!(
        t.s.world().node(0).is_some() && t.s.world().node(1).is_some(),
        "0 and 1 are up"
    );
    assert!(t
        .wins(0, at)
        .iter()
        .all(|w| w.by != 0 && (w.by != 1 || w.t_ms < 20_000)));
    t.finish();
}

#[test]
fn after_an_isolation_heals_classic_gives_leadership_back_and_connectivity_does_not() {
    let mut t = Tour::open("el-heal");
    let (at, _) = t.to_note("mon.0 wins epoch 4");
    t.won_just_before(10_000, at, 0, 4, all(5));
    let (at, _) = t.to_note("mon.1 wins epoch 6");
    t.won_just_before(30_000, at, 1, 6, vec![1, 2, 3, 4]);
    let (at, text) = t.to_note("Connectivity keeps mon.1");
    t.won_just_before(90_000, at, 1, 8, all(5));
    let totals = t.frozen_totals(1);
    assert!(
        totals[0] < totals[1] && totals[1..].iter().all(|x| *x == totals[1]),
        "{totals:?}"
    );
    assert!(
        text.contains(&format!(
            "mon.0 scores {} and the others {}",
            totals[0], totals[1]
        )),
        "{text}"
    );
    let (at, _) = t.to_note("mon.0 wins epoch 10");
    t.won_just_before(110_000, at, 0, 10, all(5));
    let (at, _) = t.to_note("mon.1 wins epoch 12");
    t.won_just_before(130_000, at, 1, 12, vec![1, 2, 3, 4]);
    let (at, _) = t.to_last_note("classic gives leadership back");
    t.won_just_before(190_000, at, 0, 16, all(5));
    t.finish();
}
