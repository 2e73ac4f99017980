//! Scenario → canonical text. See docs/scenario-format.md ("Canonical form").
//!
//! Rules: the header, then `protocol` (unless Ceph's), `proposers` (if given), `name`, `challenge`, `seed` (always), `set` lines in their order, `allow`,
//! `break`, `election` (unless classic), `disallow` (if any), `pinging` (if given), `end`, `view`, then one `at` line per action in the order of `actions` (which a
//! valid scenario keeps sorted by time). No comments, no blank lines, single spaces, `\n`
//! after every line. Times print as `Ns` when a whole number of seconds, else `Nms`; nodes as
//! plain ranks; delay, skew and drift as plain integers; speed with exactly one decimal;
//! names and notes always quoted; values quoted only when they are not a plain word or are `-`.

use std::fmt::Write as _;

use super::ast::*;
use super::protocol::ProtocolId;
use super::validate::is_word;

/// The header line of format version 1.
pub const HEADER: &str = "paxoscope scenario v1";

pub fn print(s: &Scenario) -> String {
    let mut out = String::with_capacity(64 + 32 * s.actions.len());
    out.push_str(HEADER);
    out.push('\n');
    if s.protocol != ProtocolId::default() {
        let _ = writeln!(out, "protocol {}", s.protocol.name());
    }
    if let Some(p) = s.proposers {
        let _ = writeln!(out, "proposers {p}");
    }
    if let Some(name) = &s.name {
        out.push_str("name ");
        push_quoted(&mut out, name);
        out.push('\n');
    }
    if let Some(level) = s.challenge {
        let _ = writeln!(out, "challenge {level}");
    }
    let _ = writeln!(out, "seed {}", s.seed);
    for (k, v) in &s.overrides {
        let _ = writeln!(out, "set {} {}", k.name(), v);
    }
    for a in &s.allowances {
        let _ = writeln!(out, "allow {}", a.name());
    }
    for m in &s.mutations {
        // A protocol names its own bugs (`break forget-promise` in Basic Paxos).
        let name = s.protocol.mutation_name(*m).unwrap_or(m.name());
        let _ = writeln!(out, "break {name}");
    }
    if s.election != ElectionStrategy::Classic {
        let _ = writeln!(out, "election {}", s.election.name());
    }
    if !s.disallowed.is_empty() {
        out.push_str("disallow");
        for r in &s.disallowed {
            let _ = write!(out, " {r}");
        }
        out.push('\n');
    }
    if let Some(p) = s.pinging {
        let _ = writeln!(out, "pinging {}", p.name());
    }
    if let Some(end) = s.end_ms {
        let _ = writeln!(out, "end {}", format_time(end));
    }
    if let Some(v) = &s.view {
        let _ = write!(out, "view t {} node ", format_time(v.t_ms));
        match v.node {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => out.push('-'),
        }
        let _ = writeln!(
            out,
            " speed {}.{} {}",
            v.speed_tenths / 10,
            v.speed_tenths % 10,
            if v.paused { "paused" } else { "playing" }
        );
    }
    for ta in &s.actions {
        let _ = write!(out, "at {} ", format_time(ta.at_ms));
        push_action(&mut out, &ta.action);
        out.push('\n');
    }
    out
}

/// Canonical time: `20s` when `ms` is a whole number of seconds (including `0s`), else `1500ms`.
#[allow(clippy::manual_is_multiple_of)] // u64::is_multiple_of needs Rust 1.87; the workspace says 1.84
pub fn format_time(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// `*`, `a -> b` or `a <-> b`.
pub fn format_link(l: &LinkSel) -> String {
    match *l {
        LinkSel::All => "*".to_string(),
        LinkSel::OneWay(a, b) => format!("{a} -> {b}"),
        LinkSel::Both(a, b) => format!("{a} <-> {b}"),
    }
}

/// One action as written after `at TIME ` (no newline).
pub fn format_action(a: &Action) -> String {
    let mut s = String::new();
    push_action(&mut s, a);
    s
}

fn push_action(out: &mut String, a: &Action) {
    let _ = match a {
        Action::Partition(groups) => {
            out.push_str("partition");
            for (i, g) in groups.iter().enumerate() {
                if i > 0 {
                    out.push_str(" |");
                }
                for n in g {
                    let _ = write!(out, " {n}");
                }
            }
            Ok(())
        }
        Action::Isolate(n) => write!(out, "isolate {n}"),
        Action::Cut(l) => write!(out, "cut {}", format_link(l)),
        Action::Heal(None) => write!(out, "heal"),
        Action::Heal(Some(l)) => write!(out, "heal {}", format_link(l)),
        Action::Loss(l, p) => write!(out, "loss {} {p}", format_link(l)),
        Action::Delay(l, ms) => write!(out, "delay {} {ms}", format_link(l)),
        Action::Crash(n) => write!(out, "crash {n}"),
        Action::CrashInCommit => write!(out, "crash-in-commit"),
        Action::Restart(n) => write!(out, "restart {n}"),
        Action::AddServer(n) => write!(out, "add-server {n}"),
        Action::RemoveServer(n) => write!(out, "remove-server {n}"),
        Action::Pause(n) => write!(out, "pause {n}"),
        Action::Resume(n) => write!(out, "resume {n}"),
        Action::Skew(n, ms) => write!(out, "skew {n} {ms}"),
        Action::Drift(n, ppm) => write!(out, "drift {n} {ppm}"),
        Action::Put { node, key, value } => {
            let _ = write!(out, "put {node} {key} ");
            push_value(out, value);
            Ok(())
        }
        Action::Get { node, key } => write!(out, "get {node} {key}"),
        Action::Election(s) => write!(out, "election {}", s.name()),
        Action::Disallow(ranks) if ranks.is_empty() => write!(out, "disallow -"),
        Action::Disallow(ranks) => {
            out.push_str("disallow");
            for r in ranks {
                let _ = write!(out, " {r}");
            }
            Ok(())
        }
        Action::Cas {
            node,
            key,
            expected,
            value,
        } => {
            let _ = write!(out, "cas {node} {key} ");
            match expected {
                Some(e) => push_value(out, e),
                None => out.push('-'),
            }
            out.push(' ');
            push_value(out, value);
            Ok(())
        }
        Action::Note(text) => {
            out.push_str("note ");
            push_quoted(out, text);
            Ok(())
        }
    };
}

/// A value is printed bare when it is a word (`[A-Za-z0-9_.:/-]+`) other than `-`, else quoted.
fn push_value(out: &mut String, v: &str) {
    if is_word(v) && v != "-" {
        out.push_str(v);
    } else {
        push_quoted(out, v);
    }
}

/// `"..."` with `"` and `\` escaped as `\"` and `\\`.
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    #[test]
    fn scenario_print_canonical() {
        let text = "paxoscope scenario v1 # comment\n\
            at 2.5s put mon.1 k \"v w\"\n\
            view t 41.2s node - speed 2 playing\n\
            end 60000ms\n\
            break ignore-uncommitted\n\
            allow duplicate\n\
            set monitors 3\n\
            set jitter_ms 7\n\
            name \"He said \\\"hi\\\" \\\\o/\"\n\
            at 1s cas 2 k \"-\" -\n\
            at 1s cas 2 k - \"\"\n\
            at 0.001s heal *\n\
            at 2.5s loss 0 -> 1 5%\n\
            at 3s delay 1 <-> 2 1.5s\n\
            at 3s skew 0 +12\n\
            at 3s partition 2 | 0 1\n\
            at 3s note \"ü #\"\n";
        let s = parse(text).unwrap();
        let expected = "paxoscope scenario v1\n\
            name \"He said \\\"hi\\\" \\\\o/\"\n\
            seed 1\n\
            set monitors 3\n\
            set jitter_ms 7\n\
            allow duplicate\n\
            break ignore-uncommitted\n\
            end 60s\n\
            view t 41200ms node - speed 2.0 playing\n\
            at 1ms heal *\n\
            at 1s cas 2 k \"-\" \"-\"\n\
            at 1s cas 2 k - \"\"\n\
            at 2500ms put 1 k \"v w\"\n\
            at 2500ms loss 0 -> 1 5\n\
            at 3s delay 1 <-> 2 1500\n\
            at 3s skew 0 12\n\
            at 3s partition 2 | 0 1\n\
            at 3s note \"ü #\"\n";
        assert_eq!(print(&s), expected);
        assert_eq!(parse(expected), Ok(s));
    }

    #[test]
    fn scenario_print_helpers() {
        assert_eq!(format_time(0), "0s");
        assert_eq!(format_time(1), "1ms");
        assert_eq!(format_time(1500), "1500ms");
        assert_eq!(format_time(86_400_000), "86400s");
        assert_eq!(format_link(&LinkSel::All), "*");
        assert_eq!(format_action(&Action::Heal(None)), "heal");
        assert_eq!(
            print(&Scenario::default()),
            "paxoscope scenario v1\nseed 1\n"
        );
    }
}
