//! Challenge mode ("Can you make it fail?"): a fault budget the reader spends on a run while
//! the run's checker keeps the score. Level 1 is the protocol as built, with faults inside its
//! assumptions (clocks within Ceph's `mon_clock_drift_allowed`): the protocol is designed so
//! that nobody wins it. Level 2, "beyond the assumptions", also takes the break-the-protocol
//! canaries and the "beyond the assumptions" allowances as handicaps, and clocks past the
//! allowance: there the checker can be made to report a violation.
//!
//! Which actions are faults, how many of each the budget holds and the clock limits are
//! declared here once, as data; the page renders them and asks `admit` before it injects.
//! A challenge is a scenario with a `challenge N` line (links from before that directive
//! carry the level as the `name` line, `Level::name`, and still open as challenges), so a
//! share link carries the level with the run and replays the attempt exactly.

use crate::scenario::{Action, ProtocolId, Scenario, MAX_DRIFT_PPM, MAX_SKEW_MS};

/// Ceph's `mon_clock_drift_allowed` (0.05 s by default): the clock offset between monitors
/// that Ceph tolerates before it warns. Level 1 keeps every `skew` within it.
pub const MON_CLOCK_DRIFT_ALLOWED_MS: i64 = 50;
/// Level 1's largest clock rate error: 500 ppm adds at most 50 ms of offset per 100 s, so a
/// run of the playground's length stays about within `MON_CLOCK_DRIFT_ALLOWED_MS`.
pub const LEVEL1_MAX_DRIFT_PPM: i64 = 500;

/// What a fault action spends from the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultKind {
    /// A partition, an isolated node, a cut link, lossy links.
    Cut,
    /// A crashed or paused node.
    Crash,
    /// Slower links.
    Delay,
    /// A skewed or drifting clock.
    Clock,
}

impl FaultKind {
    pub const ALL: [FaultKind; 4] = [
        FaultKind::Cut,
        FaultKind::Crash,
        FaultKind::Delay,
        FaultKind::Clock,
    ];

    /// The budget's word for it, plural (`3 of 3 cuts left`).
    pub fn plural(self) -> &'static str {
        match self {
            FaultKind::Cut => "cuts",
            FaultKind::Crash => "crashes",
            FaultKind::Delay => "delays",
            FaultKind::Clock => "clock skews",
        }
    }

    /// The kind an action spends, or `None` when it is free: undoing a fault (heal, restart,
    /// resume), client requests, notes and operator commands.
    pub fn of(a: &Action) -> Option<FaultKind> {
        match a {
            Action::Partition(_) | Action::Isolate(_) | Action::Cut(_) | Action::Loss(..) => {
                Some(FaultKind::Cut)
            }
            Action::Crash(_) | Action::CrashInCommit | Action::Pause(_) => Some(FaultKind::Crash),
            // `delay LINK 0` clears a delay: free, like a heal.
            Action::Delay(_, ms) => (*ms > 0).then_some(FaultKind::Delay),
            Action::Skew(_, ms) => (*ms != 0).then_some(FaultKind::Clock),
            Action::Drift(_, ppm) => (*ppm != 0).then_some(FaultKind::Clock),
            _ => None,
        }
    }
}

/// How many faults of each kind a level allows, in `FaultKind::ALL`'s order.
pub const BUDGET: [u32; 4] = [3, 2, 2, 1];

/// One level of the challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    pub number: u8,
    /// The challenge's title (its `name` line); alone, without a `challenge N` line, it marks
    /// a run as this level's challenge (the links made before the directive).
    pub name: &'static str,
    /// One line for the banner: what the level lets the reader do.
    pub rules: &'static str,
    /// Largest `skew` (ms, either sign) and `drift` (ppm) it accepts.
    pub max_skew_ms: i64,
    pub max_drift_ppm: i64,
    /// Break-the-protocol canaries and "beyond the assumptions" allowances are handicaps the
    /// reader may switch on.
    pub handicaps: bool,
}

pub const LEVELS: [Level; 2] = [
    Level {
        number: 1,
        name: "Challenge, level 1: can you make it fail?",
        rules: "The protocol as built, faults within its assumptions (clock skew within Ceph's \
                mon_clock_drift_allowed, 50 ms).",
        max_skew_ms: MON_CLOCK_DRIFT_ALLOWED_MS,
        max_drift_ppm: LEVEL1_MAX_DRIFT_PPM,
        handicaps: false,
    },
    Level {
        number: 2,
        name: "Challenge, level 2: beyond the assumptions",
        rules: "Clocks past the allowance, and the Break the protocol switches as handicaps: \
                here the checker can be made to report a violation. Fewest faults and \
                handicaps win, then the earliest violation.",
        max_skew_ms: MAX_SKEW_MS,
        max_drift_ppm: MAX_DRIFT_PPM,
        handicaps: true,
    },
];

/// Is `number` a level of the challenge (what `challenge N` accepts)?
pub fn is_level(number: u8) -> bool {
    LEVELS.iter().any(|l| l.number == number)
}

/// The levels' numbers for an error message: `1 or 2`.
pub fn level_numbers() -> String {
    let n: Vec<String> = LEVELS.iter().map(|l| l.number.to_string()).collect();
    n.join(" or ")
}

/// The level a scenario plays, if it is a challenge: its `challenge N` line, else (a link
/// made before that directive) a `name` line that is a level's title.
pub fn level_of(s: &Scenario) -> Option<&'static Level> {
    match s.challenge {
        Some(n) => LEVELS.iter().find(|l| l.number == n),
        None => {
            let name = s.name.as_deref()?;
            LEVELS.iter().find(|l| l.name == name)
        }
    }
}

/// Level `number`'s challenge on `free_play` (a protocol's default scenario): its name, no
/// actions of the reader's yet, no handicaps, paused at 0 s.
pub fn start(number: u8, free_play: &Scenario) -> Option<Scenario> {
    let level = LEVELS.iter().find(|l| l.number == number)?;
    let mut s = free_play.clone();
    s.name = Some(level.name.to_string());
    s.challenge = Some(level.number);
    s.mutations.clear();
    s.allowances.clear();
    s.end_ms = None;
    s.view = None;
    Some(s)
}

/// Does `protocol` rely on FIFO links without duplicates (its Presentation's `needs_fifo`)?
/// Then `allow reorder`/`allow duplicate` leave its assumptions: handicaps, not faults. Read
/// from the protocols this build carries (`view::protocols`), so the shipped page does not
/// link the others' presentations; one it leaves out cannot run, and counts as needing FIFO.
pub fn needs_fifo(protocol: ProtocolId) -> bool {
    crate::view::protocols()
        .iter()
        .find(|(d, _)| d.name == protocol.name())
        .is_none_or(|(_, words)| words.needs_fifo)
}

/// What a challenge run has spent so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Faults used, in `FaultKind::ALL`'s order.
    pub used: [u32; 4],
    /// Handicaps on: `break` lines, and `allow` lines that leave the protocol's assumptions.
    pub handicaps: u32,
}

impl Tally {
    pub fn of(s: &Scenario) -> Tally {
        let mut t = Tally::default();
        for a in &s.actions {
            if let Some(k) = FaultKind::of(&a.action) {
                t.used[k as usize] += 1;
            }
        }
        let fifo = needs_fifo(s.protocol);
        t.handicaps = s.mutations.len() as u32 + if fifo { s.allowances.len() as u32 } else { 0 };
        t
    }
    pub fn faults(&self) -> u32 {
        self.used.iter().sum()
    }
    /// Faults left of the whole budget.
    pub fn left(&self) -> u32 {
        BUDGET
            .iter()
            .zip(self.used)
            .map(|(b, u)| b.saturating_sub(u))
            .sum()
    }
}

/// The whole budget (`3 of 8 faults left`).
pub fn budget_total() -> u32 {
    BUDGET.iter().sum()
}

/// Whether `level` lets the reader add `a` to the challenge run `s`; `Err` says why not, in
/// words the control that refused it can show.
pub fn admit(level: &Level, s: &Scenario, a: &Action) -> Result<(), String> {
    let Some(kind) = FaultKind::of(a) else {
        return Ok(());
    };
    let used = Tally::of(s).used[kind as usize];
    let allowed = BUDGET[kind as usize];
    if used >= allowed {
        return Err(format!(
            "Challenge: the budget is spent for {} ({used} of {allowed} used). Heal, restart \
             and client requests are still free.",
            kind.plural()
        ));
    }
    match *a {
        Action::Skew(_, ms) if ms.abs() > level.max_skew_ms => Err(format!(
            "Challenge level {}: a skew of {ms} ms is beyond {} ms, Ceph's mon_clock_drift_allowed \
             (level 2 goes beyond the assumptions).",
            level.number, level.max_skew_ms
        )),
        Action::Drift(_, ppm) if ppm.abs() > level.max_drift_ppm => Err(format!(
            "Challenge level {}: a drift of {ppm} ppm is beyond {} ppm (level 2 goes beyond the \
             assumptions).",
            level.number, level.max_drift_ppm
        )),
        _ => Ok(()),
    }
}

/// Whether `level` accepts the run `s` as it stands: every fault within the budget and the
/// clock limits, and handicaps only where the level takes them. `Err` says what is over.
pub fn admit_scenario(level: &Level, s: &Scenario) -> Result<(), String> {
    let t = Tally::of(s);
    if !level.handicaps && t.handicaps > 0 {
        return Err(format!(
            "Challenge level {}: the protocol runs as built here; the Break the protocol and \
             beyond-the-assumptions switches are handicaps of level 2.",
            level.number
        ));
    }
    let mut so_far = Scenario {
        actions: Vec::new(),
        ..s.clone()
    };
    for a in &s.actions {
        admit(level, &so_far, &a.action)?;
        so_far.actions.push(a.clone());
    }
    Ok(())
}

/// An attempt's score, best first when sorted: fewest faults and handicaps, then the
/// earliest violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score {
    pub spent: u32,
    pub violation_ms: u64,
}

impl Score {
    pub fn of(s: &Scenario, violation_ms: u64) -> Score {
        let t = Tally::of(s);
        Score {
            spent: t.faults() + t.handicaps,
            violation_ms,
        }
    }
}
