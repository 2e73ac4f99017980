//! Challenge mode's budget (core/src/challenge.rs): it counts down and refuses past it, level 1
//! keeps clocks within Ceph's allowance and refuses handicaps, and a level-1 attempt that
//! spends the whole budget still leaves safety holding, while a level-2 handicap loses it.

use paxoscope_core::challenge::{
    admit, admit_scenario, budget_total, level_of, start, FaultKind, Score, Tally, BUDGET, LEVELS,
    MON_CLOCK_DRIFT_ALLOWED_MS,
};
use paxoscope_core::scenario::{parse, Action, LinkSel, Mutation, Scenario, TimedAction};
use paxoscope_core::session::Session;

fn free_play() -> Scenario {
    let (_, words) = paxoscope_core::view::protocols()[0];
    parse(words.default_scenario).expect("the default scenario parses")
}

fn add(s: &mut Scenario, at_ms: u64, action: Action) {
    s.actions.push(TimedAction { at_ms, action });
}

#[test]
fn the_budget_counts_down_and_refuses_past_it() {
    let mut s = start(1, &free_play()).expect("level 1");
    let level = level_of(&s).expect("a challenge scenario names its level");
    assert_eq!(level.number, 1);
    assert_eq!(Tally::of(&s).left(), budget_total());
    let cuts = BUDGET[FaultKind::Cut as usize];
    for i in 0..cuts {
        let a = Action::Isolate(i as u8);
        admit(level, &s, &a).expect("within the budget");
        add(&mut s, 1_000 * (i as u64 + 1), a);
        assert_eq!(Tally::of(&s).left(), budget_total() - i - 1);
    }
    let refused = admit(level, &s, &Action::Cut(LinkSel::OneWay(0, 1))).unwrap_err();
    assert!(refused.contains("cuts"), "{refused}");
    // Undoing a fault and client requests are free.
    for free in [
        Action::Heal(None),
        Action::Restart(0),
        Action::Note("x".into()),
    ] {
        admit(level, &s, &free).expect("free");
    }
    admit(level, &s, &Action::Crash(1)).expect("another kind still has budget");
}

#[test]
fn level_one_keeps_clocks_within_the_allowance_and_refuses_handicaps() {
    let s = start(1, &free_play()).unwrap();
    let one = level_of(&s).unwrap();
    admit(one, &s, &Action::Skew(2, MON_CLOCK_DRIFT_ALLOWED_MS)).expect("within the allowance");
    let e = admit(one, &s, &Action::Skew(2, -(MON_CLOCK_DRIFT_ALLOWED_MS + 1))).unwrap_err();
    assert!(e.contains("mon_clock_drift_allowed"), "{e}");
    let mut broken = s.clone();
    broken.mutations.push(Mutation::CommitOnMajority);
    assert!(admit_scenario(one, &broken).is_err());
    let two = &LEVELS[1];
    admit(two, &s, &Action::Skew(2, 5_000)).expect("level 2 goes beyond");
    broken.name = Some(two.name.into());
    admit_scenario(two, &broken).expect("handicaps are level 2's");
}

#[test]
fn a_whole_level_one_budget_leaves_safety_holding_and_a_handicap_loses_it() {
    let mut s = start(1, &free_play()).unwrap();
    let level = level_of(&s).unwrap();
    let plan = [
        (5_000, Action::Isolate(0)),
        (
            6_000,
            Action::Put {
                node: 1,
                key: "k".into(),
                value: "1".into(),
            },
        ),
        (9_000, Action::Delay(LinkSel::All, 300)),
        (12_000, Action::Crash(1)),
        (13_000, Action::Skew(2, -MON_CLOCK_DRIFT_ALLOWED_MS)),
        (15_000, Action::Heal(None)),
        (16_000, Action::Partition(vec![vec![0, 1], vec![2, 3, 4]])),
        (
            17_000,
            Action::Get {
                node: 3,
                key: "k".into(),
            },
        ),
        (20_000, Action::Cut(LinkSel::OneWay(3, 4))),
        (22_000, Action::Restart(1)),
        (23_000, Action::Delay(LinkSel::Both(0, 2), 200)),
        (24_000, Action::CrashInCommit),
        (
            24_000,
            Action::Put {
                node: 2,
                key: "k".into(),
                value: "2".into(),
            },
        ),
    ];
    for (at, a) in plan {
        admit(level, &s, &a).unwrap_or_else(|e| panic!("{a:?}: {e}"));
        add(&mut s, at, a);
    }
    assert_eq!(
        Tally::of(&s).left(),
        0,
        "every fault of the budget is spent"
    );
    admit_scenario(level, &s).expect("the attempt fits level 1");
    let mut run = Session::new(s.clone());
    run.run_until(60_000);
    assert!(
        run.violation().is_none(),
        "level 1: {}",
        run.violation().unwrap()
    );

    let mut handicapped = s.clone();
    handicapped.name = Some(LEVELS[1].name.into());
    handicapped.mutations.push(Mutation::CommitOnMajority);
    let mut run = Session::new(handicapped.clone());
    run.run_until(60_000);
    let v = run
        .violation()
        .expect("level 2: commit on a majority is caught");
    let score = Score::of(&handicapped, v.t_ms);
    assert_eq!(
        score.spent,
        budget_total() + 1,
        "eight faults and one handicap"
    );
    assert!(
        Score {
            spent: 1,
            violation_ms: v.t_ms + 1
        } < score,
        "fewer faults rank first"
    );
}

#[test]
fn the_level_is_a_directive_and_old_name_line_links_still_open() {
    for level in &LEVELS {
        let s = start(level.number, &free_play()).unwrap();
        let text = paxoscope_core::scenario::print(&s);
        let line = format!("challenge {}", level.number);
        assert!(text.lines().any(|l| l == line), "{text}");
        // Renamed, it is still the same level's challenge.
        let mut renamed = parse(&text).unwrap();
        renamed.name = Some("my best attempt".into());
        assert_eq!(level_of(&renamed).map(|l| l.number), Some(level.number));
        // A link from before the directive: only the level's title on the name line.
        let old: String = text
            .lines()
            .filter(|l| *l != line)
            .map(|l| format!("{l}\n"))
            .collect();
        let old = parse(&old).unwrap();
        assert_eq!(old.challenge, None);
        assert_eq!(level_of(&old).map(|l| l.number), Some(level.number));
    }
    // Neither line: free play.
    assert!(level_of(&free_play()).is_none());
}
