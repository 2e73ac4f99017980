//! The election campaign: the partial-connectivity shapes of the ceph-elections spec (section
//! 9) under each election strategy, over many seeds. A seed decides which monitors play which
//! part of the shape, when the links fail, and the links' latency and jitter. Every run keeps
//! the checker on (safety must hold under every strategy). Where the spec says the strategy
//! converges (connectivity, on every shape here) the run must settle: one leader with every
//! monitor in its quorum and no election won in the last minute. Elsewhere the campaign only
//! reports how often a run settles and how many elections it won per minute: where classic
//! thrashes, that figure says so.

use crate::protocols::ceph::declaration::MONITOR;
use crate::protocols::ceph::MonState;
use crate::scenario::{parse, ElectionStrategy};
use crate::session::Session;
use crate::sim::rng::{SimRng, Stream};
use crate::trace::TraceKind;
use std::fmt::Write;

/// A partial-connectivity shape (spec 9.1, 9.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    /// Five monitors, one link cut both ways.
    CutLink,
    /// Three monitors, the two ends of a chain cut apart.
    Chain,
    /// Five monitors, only the links to one hub left.
    Star,
}

impl Shape {
    pub const ALL: [Shape; 3] = [Shape::CutLink, Shape::Chain, Shape::Star];

    pub fn name(self) -> &'static str {
        match self {
            Shape::CutLink => "cut-link",
            Shape::Chain => "chain",
            Shape::Star => "star",
        }
    }

    pub fn monitors(self) -> u8 {
        match self {
            Shape::Chain => 3,
            Shape::CutLink | Shape::Star => 5,
        }
    }

    /// The links cut, given the seed's permutation of the ranks (`roles[0]` is the first part
    /// the shape names: a cut link's first end, the chain's first end, the star's hub).
    fn cuts(self, roles: &[u8]) -> Vec<(u8, u8)> {
        match self {
            Shape::CutLink => vec![(roles[0], roles[1])],
            Shape::Chain => vec![(roles[0], roles[2])],
            Shape::Star => {
                let leaves = &roles[1..];
                let mut cuts = vec![];
                for (i, a) in leaves.iter().enumerate() {
                    for b in &leaves[i + 1..] {
                        cuts.push((*a, *b));
                    }
                }
                cuts
            }
        }
    }
}

/// Must a run of `shape` under `strategy` settle? The spec's section 9.3 says connectivity
/// converges on all three shapes; classic (and disallow, which elects like classic when the
/// list is empty) settles on some rank choices only.
pub fn must_settle(_shape: Shape, strategy: ElectionStrategy) -> bool {
    strategy == ElectionStrategy::Connectivity
}

/// How long a run keeps the shape after the links fail.
pub const SHAPE_HELD_MS: u64 = 180_000;
/// The window that must be free of elections for a run to count as settled.
pub const SETTLED_WINDOW_MS: u64 = 60_000;

/// One seed's run of one shape under one strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct ShapeRun {
    pub seed: u64,
    pub shape: Shape,
    pub strategy: ElectionStrategy,
    /// The checker's first violation, as text.
    pub violation: Option<String>,
    /// One leader with everyone in its quorum, and no election won in the last minute.
    pub settled: bool,
    /// Elections won while the shape held.
    pub elections: u64,
    pub scenario: String,
}

impl ShapeRun {
    pub fn failed(&self) -> bool {
        self.violation.is_some() || (must_settle(self.shape, self.strategy) && !self.settled)
    }
}

/// The scenario a seed gives: the shape's roles shuffled over the ranks, the links' latency
/// (1-20 ms) and jitter (0-10 ms), the failure at 15-40 s, then the shape held.
pub fn scenario_text(seed: u64, shape: Shape, strategy: ElectionStrategy) -> (String, u64) {
    let mut rng = SimRng::new(seed, Stream::Faults);
    let n = shape.monitors();
    let mut roles: Vec<u8> = (0..n).collect();
    for i in (1..roles.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        roles.swap(i, j);
    }
    let fail_ms = rng.range(15_000, 40_000);
    let mut text = format!(
        "paxoscope scenario v1\nname \"{} under {}, seed {seed}\"\nseed {seed}\nset monitors {n}\nset latency_ms {}\nset jitter_ms {}\nelection {}\npinging boot\n",
        shape.name(),
        strategy.name(),
        rng.range(1, 21),
        rng.below(11),
        strategy.name(),
    );
    for (a, b) in shape.cuts(&roles) {
        let _ = writeln!(text, "at {fail_ms}ms cut {a} <-> {b}");
    }
    (text, fail_ms)
}

/// Run one seed of `shape` under `strategy`.
pub fn run(seed: u64, shape: Shape, strategy: ElectionStrategy) -> ShapeRun {
    let (text, fail_ms) = scenario_text(seed, shape, strategy);
    let scenario = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let end_ms = fail_ms + SHAPE_HELD_MS;
    let mut s = Session::new(scenario);
    s.run_until(end_ms);
    let leader = MonState::Leader.id();
    let wins: Vec<u64> = s
        .trace()
        .iter()
        .filter(|e| {
            matches!(e.kind, TraceKind::Transition(t) if t.machine == MONITOR && t.to == leader)
        })
        .map(|e| e.t_ms)
        .collect();
    let w = s.world();
    let leaders: Vec<u8> = (0..w.n())
        .filter(|r| w.node(*r).is_some_and(|m| m.state == MonState::Leader))
        .collect();
    let full_quorum = |r: u8| w.node(r).is_some_and(|m| m.quorum.len() == w.n() as usize);
    let quiet = wins.iter().all(|t| *t < end_ms - SETTLED_WINDOW_MS);
    ShapeRun {
        seed,
        shape,
        strategy,
        violation: s.violation().map(|v| v.to_string()),
        settled: quiet && leaders.len() == 1 && full_quorum(leaders[0]),
        elections: wins.iter().filter(|t| **t >= fail_ms).count() as u64,
        scenario: text,
    }
}

/// One line of the campaign's table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub seeds: u64,
    pub failures: u64,
    pub settled: u64,
    pub elections: u64,
    /// The first failing seed, to replay.
    pub first_failure: Option<u64>,
}

impl Row {
    pub fn add(&mut self, r: &ShapeRun) {
        self.seeds += 1;
        self.failures += r.failed() as u64;
        self.settled += r.settled as u64;
        self.elections += r.elections;
        if r.failed() && self.first_failure.is_none() {
            self.first_failure = Some(r.seed);
        }
    }

    /// Elections won per minute while the shape held, over all seeds, in hundredths.
    pub fn per_minute_hundredths(&self) -> u64 {
        let minutes_x100 = self.seeds * SHAPE_HELD_MS / 600;
        (self.elections * 10_000)
            .checked_div(minutes_x100)
            .unwrap_or(0)
    }
}

/// Every shape under every strategy over `seeds`: (shape, strategy, row), in a fixed order.
pub fn campaign(seeds: std::ops::Range<u64>) -> Vec<(Shape, ElectionStrategy, Row)> {
    let mut out = vec![];
    for shape in Shape::ALL {
        for strategy in ElectionStrategy::ALL {
            let mut row = Row::default();
            for seed in seeds.clone() {
                row.add(&run(seed, shape, strategy));
            }
            out.push((shape, strategy, row));
        }
    }
    out
}

/// The table as text: a row per shape and strategy.
pub fn table(rows: &[(Shape, ElectionStrategy, Row)]) -> String {
    let mut t = String::from(
        "shape     strategy      seeds  failures  settled  elections/min  first failing seed\n",
    );
    for (shape, strategy, r) in rows {
        let pm = r.per_minute_hundredths();
        let _ = writeln!(
            t,
            "{:<9} {:<13} {:>5}  {:>8}  {:>7}  {:>10}.{:02}  {}",
            shape.name(),
            strategy.name(),
            r.seeds,
            r.failures,
            r.settled,
            pm / 100,
            pm % 100,
            r.first_failure.map_or("-".to_string(), |s| s.to_string())
        );
    }
    t
}
