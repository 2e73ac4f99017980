//! What makes a `Scenario` valid: exactly the scenarios the parser can produce.
//!
//! `s.validate().is_ok()` holds if and only if `parse(&print(&s)) == Ok(s)`; the property
//! tests in `core/tests/scenario_props.rs` hold both directions to it. Front ends that build
//! a `Scenario` by hand (forms, drag and drop) can call `validate` before printing or sharing.

use super::ast::*;

/// Monitors in a scenario that does not `set monitors`.
pub const DEFAULT_MONITORS: u8 = 5;
/// `skew N MS`: the clock offset lies in `-MAX_SKEW_MS..=MAX_SKEW_MS`.
pub const MAX_SKEW_MS: i64 = MAX_TIME_MS as i64;
/// `drift N PPM`: the clock rate error lies in `-MAX_DRIFT_PPM..=MAX_DRIFT_PPM` (50%).
pub const MAX_DRIFT_PPM: i64 = 500_000;
/// `delay LINK MS`: the extra latency lies in `0..=MAX_DELAY_MS` (one hour).
pub const MAX_DELAY_MS: u64 = 3_600_000;
/// `view ... speed S`: the speed in tenths lies in `MIN_SPEED_TENTHS..=MAX_SPEED_TENTHS` (0.1x to 100.0x).
pub const MIN_SPEED_TENTHS: u32 = 1;
pub const MAX_SPEED_TENTHS: u32 = 1000;

/// A character allowed in keys and unquoted values: `[A-Za-z0-9_.:/-]`.
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-')
}

/// A non-empty run of `is_word_char` (no length limit; see `MAX_KEY_LEN`).
pub fn is_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_word_char)
}

/// A key as the format allows it: a word of at most `MAX_KEY_LEN` characters.
pub fn is_valid_key(s: &str) -> bool {
    is_word(s) && s.len() <= MAX_KEY_LEN
}

/// A value (put/cas) as the format allows it: any text without control characters, at most
/// `MAX_KEY_LEN` characters (it is printed quoted unless it is a word other than `-`).
pub fn is_valid_value(s: &str) -> bool {
    s.chars().count() <= MAX_KEY_LEN && !s.chars().any(char::is_control)
}

/// A name or note: any text without control characters, at most `MAX_NOTE_LEN` characters.
pub fn is_valid_text(s: &str) -> bool {
    s.chars().count() <= MAX_NOTE_LEN && !s.chars().any(char::is_control)
}

impl Scenario {
    /// Number of monitors: the first `set monitors` override, else `DEFAULT_MONITORS`.
    /// (A valid scenario sets it at most once, to a value in `ConfigKey::Monitors.range()`.)
    pub fn monitor_count(&self) -> u8 {
        self.overrides
            .iter()
            .find(|(k, _)| *k == ConfigKey::Monitors)
            .map(|&(_, v)| v.min(MAX_MONITORS as u64) as u8)
            .unwrap_or(DEFAULT_MONITORS)
    }

    /// Checks every rule the text format enforces (limits, ranges, node ranks, no duplicate
    /// directives, actions sorted by time, printed size). `Err` says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(name) = &self.name {
            check_text("name", name)?;
        }
        if let Some(level) = self.challenge {
            if !crate::challenge::is_level(level) {
                return Err(format!(
                    "challenge level {level} does not exist (expected {})",
                    crate::challenge::level_numbers()
                ));
            }
        }
        for (i, (k, v)) in self.overrides.iter().enumerate() {
            if self.overrides[..i].iter().any(|(k2, _)| k2 == k) {
                return Err(format!("{} is set more than once", k.name()));
            }
            let (lo, hi) = k.range();
            if *v < lo || *v > hi {
                return Err(format!(
                    "{} must be between {lo} and {hi}, is {v}",
                    k.name()
                ));
            }
        }
        for (i, a) in self.allowances.iter().enumerate() {
            if self.allowances[..i].contains(a) {
                return Err(format!("allow {} appears more than once", a.name()));
            }
        }
        for (i, m) in self.mutations.iter().enumerate() {
            if self.mutations[..i].contains(m) {
                return Err(format!("break {} appears more than once", m.name()));
            }
        }
        self.validate_protocol()?;
        let n = self.monitor_count();
        if !self.disallowed.is_empty() {
            if !self.election.reads_disallowed() {
                return Err(
                    "disallowed leaders need the disallow or connectivity strategy".to_string(),
                );
            }
            check_disallowed(&self.disallowed, n)?;
        }
        if let Some(end) = self.end_ms {
            if end == 0 || end > MAX_TIME_MS {
                return Err(format!(
                    "end must be between 1 and {MAX_TIME_MS} ms, is {end}"
                ));
            }
        }
        if let Some(v) = &self.view {
            if v.t_ms > MAX_TIME_MS {
                return Err(format!("view time {} is beyond MAX_TIME_MS", v.t_ms));
            }
            if let Some(node) = v.node {
                check_node(node, n)?;
            }
            if v.speed_tenths < MIN_SPEED_TENTHS || v.speed_tenths > MAX_SPEED_TENTHS {
                return Err(format!(
                    "view speed_tenths must be 1..=1000, is {}",
                    v.speed_tenths
                ));
            }
        }
        if self.actions.len() > MAX_ACTIONS {
            return Err(format!(
                "{} actions; the limit is {MAX_ACTIONS} (MAX_ACTIONS)",
                self.actions.len()
            ));
        }
        let mut prev = 0;
        for ta in &self.actions {
            if ta.at_ms > MAX_TIME_MS {
                return Err(format!("action time {} is beyond MAX_TIME_MS", ta.at_ms));
            }
            if ta.at_ms < prev {
                return Err("actions are not sorted by time".to_string());
            }
            prev = ta.at_ms;
            check_action(&ta.action, n)?;
        }
        let len = super::print::print(self).len();
        if len > MAX_TEXT_BYTES {
            return Err(format!("the printed scenario is {len} bytes; the limit is {MAX_TEXT_BYTES} (MAX_TEXT_BYTES)"));
        }
        Ok(())
    }
}

impl Scenario {
    /// What the scenario's protocol cannot run: a setting, count, bug or action of another.
    fn validate_protocol(&self) -> Result<(), String> {
        let p = self.protocol;
        match (self.proposers, p.proposer_range()) {
            (Some(_), None) => {
                return Err(format!(
                    "proposers is a Basic Paxos setting; this scenario's protocol is {p}"
                ))
            }
            (Some(n), Some((lo, hi))) if !(lo..=hi).contains(&n) => {
                return Err(format!(
                    "{p} runs {lo}-{hi} proposers, the scenario has {n}"
                ))
            }
            _ => {}
        }
        if let Some((k, _)) = self.overrides.iter().find(|(k, _)| !p.reads(*k)) {
            return Err(format!("{}; a {p} scenario may not set it", p.not_ours(*k)));
        }
        let ceph_only = self.election != ElectionStrategy::Classic
            || !self.disallowed.is_empty()
            || self.pinging.is_some();
        if ceph_only && p != super::ProtocolId::Ceph {
            return Err(format!(
                "election, disallow and pinging are Ceph settings; this scenario's protocol is {p}"
            ));
        }
        let (lo, hi) = p.node_range();
        let n = self.monitor_count();
        if !(lo..=hi).contains(&n) {
            return Err(format!("{p} runs {lo}-{hi} nodes, the scenario has {n}"));
        }
        if let Some(m) = self
            .mutations
            .iter()
            .find(|m| p.mutation_name(**m).is_none())
        {
            return Err(format!("break {} is Ceph's; {p} has no such bug", m.name()));
        }
        for ta in &self.actions {
            if let Some(why) = p.refuses(&ta.action) {
                return Err(format!(
                    "at {} ms: {why}; this scenario's protocol is {p}",
                    ta.at_ms
                ));
            }
        }
        Ok(())
    }

    /// Basic Paxos: the number of proposers (`proposers N`, else `DEFAULT_PROPOSERS`).
    pub fn proposer_count(&self) -> u8 {
        self.proposers.unwrap_or(super::protocol::DEFAULT_PROPOSERS)
    }
}

fn check_text(what: &str, s: &str) -> Result<(), String> {
    if is_valid_text(s) {
        Ok(())
    } else {
        Err(format!(
            "{what} {s:?} is longer than {MAX_NOTE_LEN} characters or has control characters"
        ))
    }
}

fn check_node(node: NodeRef, n: u8) -> Result<(), String> {
    if node < n {
        Ok(())
    } else {
        Err(format!(
            "node {node} is out of range: the scenario has {n} monitors"
        ))
    }
}

fn check_link(l: &LinkSel, n: u8) -> Result<(), String> {
    match *l {
        LinkSel::All => Ok(()),
        LinkSel::OneWay(a, b) | LinkSel::Both(a, b) => {
            check_node(a, n)?;
            check_node(b, n)?;
            if a == b {
                Err(format!("link {a} to {b} joins a node to itself"))
            } else {
                Ok(())
            }
        }
    }
}

fn check_kv(key: &str, values: &[&str]) -> Result<(), String> {
    if !is_valid_key(key) {
        return Err(format!(
            "key {key:?} is not a word of at most {MAX_KEY_LEN} characters [A-Za-z0-9_.:/-]"
        ));
    }
    for v in values {
        if !is_valid_value(v) {
            return Err(format!(
                "value {v:?} is longer than {MAX_KEY_LEN} characters or has control characters"
            ));
        }
    }
    Ok(())
}

fn check_action(a: &Action, n: u8) -> Result<(), String> {
    match a {
        Action::Partition(groups) => {
            if groups.is_empty() {
                return Err("a partition needs at least one group".into());
            }
            let mut seen = [false; 256];
            for g in groups {
                if g.is_empty() {
                    return Err("a partition group is empty".into());
                }
                for &node in g {
                    check_node(node, n)?;
                    if seen[node as usize] {
                        return Err(format!("node {node} appears more than once in a partition"));
                    }
                    seen[node as usize] = true;
                }
            }
            Ok(())
        }
        Action::Isolate(x)
        | Action::Crash(x)
        | Action::Restart(x)
        | Action::AddServer(x)
        | Action::RemoveServer(x)
        | Action::Pause(x)
        | Action::Resume(x) => check_node(*x, n),
        Action::Cut(l) => check_link(l, n),
        Action::Heal(l) => l.as_ref().map_or(Ok(()), |l| check_link(l, n)),
        Action::Loss(l, p) => {
            check_link(l, n)?;
            if *p > 100 {
                return Err(format!("loss {p}% is over 100%"));
            }
            Ok(())
        }
        Action::Delay(l, ms) => {
            check_link(l, n)?;
            if *ms > MAX_DELAY_MS {
                return Err(format!("delay {ms} ms is over MAX_DELAY_MS"));
            }
            Ok(())
        }
        Action::CrashInCommit => Ok(()),
        Action::Skew(x, ms) => {
            check_node(*x, n)?;
            if ms.unsigned_abs() > MAX_SKEW_MS as u64 {
                return Err(format!("skew {ms} ms is beyond MAX_SKEW_MS"));
            }
            Ok(())
        }
        Action::Drift(x, ppm) => {
            check_node(*x, n)?;
            if ppm.unsigned_abs() > MAX_DRIFT_PPM as u64 {
                return Err(format!("drift {ppm} ppm is beyond MAX_DRIFT_PPM"));
            }
            Ok(())
        }
        Action::Put { node, key, value } => {
            check_node(*node, n)?;
            check_kv(key, &[value])
        }
        Action::Get { node, key } => {
            check_node(*node, n)?;
            check_kv(key, &[])
        }
        Action::Cas {
            node,
            key,
            expected,
            value,
        } => {
            check_node(*node, n)?;
            match expected {
                Some(e) => check_kv(key, &[e, value]),
                None => check_kv(key, &[value]),
            }
        }
        Action::Note(text) => check_text("note", text),
        Action::Election(_) => Ok(()),
        Action::Disallow(ranks) => check_disallowed(ranks, n),
    }
}

/// A disallowed-leader list: ranks in the monmap, ascending without repeats, and at least one
/// monitor left allowed (Ceph refuses to disallow the last one).
pub fn check_disallowed(ranks: &[u8], n: u8) -> Result<(), String> {
    for r in ranks {
        check_node(*r, n)?;
    }
    if ranks.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "disallowed leaders {ranks:?} are not ascending without repeats"
        ));
    }
    if ranks.len() >= n as usize {
        return Err(format!(
            "disallowing all {n} monitors would leave no allowed leader (Ceph refuses the last one)"
        ));
    }
    Ok(())
}
