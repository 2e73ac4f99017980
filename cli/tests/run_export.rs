//! `paxoscope run` and `paxoscope export` as a user calls them: the built binary, its stdout,
//! stderr and exit status.

use paxoscope_core::presets;
use serde_json::Value as Json;
use std::process::Output;

mod common;
use common::{paxoscope, stderr, stdout};

/// Every line of a `--format json` run, parsed; panics naming the line that is not JSON.
fn json_lines(o: &Output) -> Vec<Json> {
    stdout(o)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}: {l}", i + 1))
        })
        .collect()
}

fn summary_of(args: &[&str]) -> Json {
    let mut all = vec!["run", "--format", "json"];
    all.extend_from_slice(args);
    let o = paxoscope(&all);
    assert!(o.status.success(), "{all:?} failed: {}", stderr(&o));
    let lines = json_lines(&o);
    lines.last().expect("at least the summary line")["summary"].clone()
}

#[test]
fn default_run_ends_with_five_active_monitors_led_by_rank_0() {
    let s = summary_of(&[]);
    let monitors = s["monitors"].as_array().expect("monitors array");
    assert_eq!(monitors.len(), 5);
    assert_eq!(s["t_ms"], 60_000, "the default run lasts 60 s");
    assert_eq!(s["leader"], 0);
    let leaders: Vec<&Json> = monitors
        .iter()
        .filter(|m| m["monitor_state"] == "leader")
        .collect();
    assert_eq!(leaders.len(), 1, "exactly one leader: {monitors:?}");
    assert_eq!(leaders[0]["rank"], 0);
    for m in monitors {
        assert_eq!(m["paxos_state"], "active", "{m}");
        assert_eq!(m["epoch"], monitors[0]["epoch"], "one epoch for all: {m}");
        assert_eq!(m["last_committed"], monitors[0]["last_committed"], "{m}");
        assert!(
            m["last_committed"].as_u64().unwrap() >= 1,
            "the initial value committed: {m}"
        );
    }
    assert_eq!(s["violation"], Json::Null);
}

#[test]
fn default_text_run_prints_the_log_then_the_summary() {
    let o = paxoscope(&["run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let (log, summary) = text
        .split_once("--- summary at 60.000s")
        .expect("a summary block");
    assert!(log.lines().count() > 100, "the readable log comes first");
    assert!(
        log.lines().next().unwrap().contains("mon.0"),
        "{}",
        log.lines().next().unwrap()
    );
    assert!(log.contains("send collect"), "the log names the messages");
    for r in 1..5 {
        assert!(
            summary.contains(&format!("mon.{r}  peon/active")),
            "{summary}"
        );
    }
    assert!(summary.contains("mon.0  leader/active"), "{summary}");
    assert!(summary.contains("leader: mon.0\n"), "{summary}");
    assert!(summary.contains("violation: none\n"), "{summary}");
}

#[test]
fn json_lines_all_parse_and_the_last_is_the_summary() {
    let o = paxoscope(&["run", "--format", "json", "--until-ms", "10000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&o);
    let (summary, events) = lines.split_last().unwrap();
    assert!(!events.is_empty());
    for e in events {
        for field in ["t_ms", "node", "event", "i"] {
            assert!(e.get(field).is_some(), "{field} missing in {e}");
        }
        assert!(e["t_ms"].as_u64().unwrap() <= 10_000);
        assert!(
            e.get("event").is_some(),
            "only the last line is the summary: {e}"
        );
    }
    assert_eq!(
        summary.as_object().unwrap().len(),
        1,
        "the last line is {{\"summary\": ...}}"
    );
    let s = &summary["summary"];
    assert_eq!(s["events"], events.len(), "events counts the event lines");
    for m in s["monitors"].as_array().unwrap() {
        for field in [
            "rank",
            "monitor_state",
            "paxos_state",
            "epoch",
            "last_committed",
        ] {
            assert!(m.get(field).is_some(), "{field} missing in {m}");
        }
    }
    for field in [
        "leader",
        "events",
        "trace_hash",
        "violation",
        "timing_findings",
    ] {
        assert!(s.get(field).is_some(), "{field} missing in the summary");
    }
    let hash = s["trace_hash"].as_str().unwrap();
    assert!(
        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{hash}"
    );
}

#[test]
fn the_same_scenario_twice_gives_the_same_trace_hash() {
    let a = summary_of(&["--preset", "minority"]);
    let b = summary_of(&["--preset", "minority"]);
    assert_eq!(a["trace_hash"], b["trace_hash"]);
    assert_eq!(a["events"], b["events"]);
}

#[test]
fn seed_overrides_the_scenario_seed() {
    // With jitter and loss the seed decides latencies and losses, so it changes the run.
    let text = "paxoscope scenario v1\nseed 1\nset jitter_ms 3\nat 1s loss * 20\nend 20s\n";
    let seven = summary_of(&["--scenario", text, "--seed", "7"]);
    assert_eq!(seven["seed"], 7);
    assert_eq!(
        seven["trace_hash"],
        summary_of(&["--scenario", text, "--seed", "7"])["trace_hash"]
    );
    let eight = summary_of(&["--scenario", text, "--seed", "8"]);
    assert_ne!(
        seven["trace_hash"], eight["trace_hash"],
        "another seed, another run"
    );
    let own = summary_of(&["--scenario", text]);
    assert_eq!(own["seed"], 1, "without --seed the scenario's own");
}

#[test]
fn scenario_file_text_and_url_fragment_are_the_same_run() {
    let text = "paxoscope scenario v1\nseed 42\nat 20s isolate 0\nend 40s\n";
    let file = std::env::temp_dir().join(format!("paxoscope-test-{}.scenario", std::process::id()));
    std::fs::write(&file, text).unwrap();
    let from_file = summary_of(&["--scenario", file.to_str().unwrap()]);
    std::fs::remove_file(&file).ok();
    let from_text = summary_of(&["--scenario", text]);
    let fragment =
        paxoscope_core::scenario::to_url_fragment(&paxoscope_core::scenario::parse(text).unwrap());
    let url = format!("https://example.org/paxoscope/#{fragment}");
    let from_url = summary_of(&["--scenario", &url]);
    assert_eq!(from_file["trace_hash"], from_text["trace_hash"]);
    assert_eq!(from_file["trace_hash"], from_url["trace_hash"]);
    assert_eq!(from_file["t_ms"], 40_000, "the scenario's end");
    assert_ne!(
        from_file["leader"], 0,
        "the isolated mon.0 lost the lead: {from_file}"
    );
}

#[test]
fn a_broken_scenario_exits_2_with_line_and_column() {
    let o = paxoscope(&[
        "run",
        "--scenario",
        "paxoscope scenario v1\nseed 3\nat 5s explode 1\n",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("line 3, col 7"), "{err}");
    assert!(err.contains("explode"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn an_unknown_preset_exits_2_listing_the_valid_ids() {
    let o = paxoscope(&["run", "--preset", "no-such-tour"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no-such-tour"), "{err}");
    for p in presets::PRESETS {
        assert!(err.contains(p.id), "{} not listed: {err}", p.id);
    }
}

#[test]
fn out_of_range_values_exit_2() {
    for args in [
        vec!["run", "--until-ms", "999999999999"],
        vec!["run", "--seed", "-1"],
        vec!["run", "--scenario", "/no/such/file.scenario"],
        vec!["export", "--what", "state", "--node", "5"],
        vec![
            "export",
            "--what",
            "sequence",
            "--from-ms",
            "500",
            "--to-ms",
            "100",
        ],
        vec![
            "export",
            "--what",
            "sequence",
            "--until-ms",
            "100",
            "--to-ms",
            "200",
        ],
        vec!["export", "--what", "picture"],
    ] {
        let o = paxoscope(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).is_empty() && !stderr(&o).contains("panicked"),
            "{args:?}"
        );
    }
}

#[test]
fn a_violation_exits_1_and_says_so() {
    let o = paxoscope(&["run", "--preset", "break-majority", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("violation"), "{}", stderr(&o));
    let lines = json_lines(&o);
    let v = &lines.last().unwrap()["summary"]["violation"];
    for field in ["invariant", "event", "t_ms", "node", "detail", "seed"] {
        assert!(v.get(field).is_some(), "{field} missing in {v}");
    }
    assert!(!v["invariant"].as_str().unwrap().is_empty());
}

#[test]
fn leader_fails_preset_ends_with_rank_0_leading_again() {
    // The tour crashes mon.0 at 10 s (mon.1 takes over) and restarts it at 35 s; the lowest
    // rank wins the classic election, so mon.0 leads again by the end (45 s).
    let s = summary_of(&["--preset", "leader-fails"]);
    assert_eq!(s["t_ms"], 45_000);
    assert_eq!(s["leader"], 0);
    let m0 = &s["monitors"][0];
    assert_eq!(m0["monitor_state"], "leader");
    let epoch0 = m0["epoch"].as_u64().unwrap();
    assert!(epoch0 > 4, "a later epoch than mon.1's (4): {epoch0}");
    for m in s["monitors"].as_array().unwrap() {
        assert_eq!(m["paxos_state"], "active", "{m}");
        assert_eq!(
            m["last_committed"], m0["last_committed"],
            "recovery caught mon.0 up: {m}"
        );
    }
    let mid = summary_of(&["--preset", "leader-fails", "--until-ms", "30000"]);
    assert_eq!(mid["leader"], 1, "mon.1 leads while mon.0 is down");
    assert_eq!(mid["monitors"][0]["monitor_state"], "down");
}

#[test]
fn export_trace_is_json_lines_of_the_window() {
    let o = paxoscope(&[
        "export",
        "--what",
        "trace",
        "--from-ms",
        "3000",
        "--to-ms",
        "6500",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert!(!lines.is_empty());
    for e in &lines {
        let t = e["t_ms"].as_u64().unwrap();
        assert!((3_000..=6_500).contains(&t), "{e}");
        assert!(e["event"].is_string(), "events only, no summary line: {e}");
    }
    assert!(
        lines
            .iter()
            .any(|e| e["event"] == "send" && e["msg"] == "lease"),
        "lease renewals in the window"
    );
}

#[test]
fn export_sequence_has_the_header_and_participants() {
    let o = paxoscope(&["export", "--what", "sequence", "--to-ms", "20"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("sequenceDiagram\n"), "{text}");
    for r in 0..5 {
        assert!(
            text.contains(&format!("participant mon{r} as mon.{r}")),
            "{text}"
        );
    }
    assert!(text.contains("->>"), "{text}");
}

#[test]
fn export_sequence_with_clients_and_a_cap_writes_the_file() {
    let out = std::env::temp_dir().join(format!("paxoscope-seq-{}.mmd", std::process::id()));
    let o = paxoscope(&[
        "export",
        "--preset",
        "leader-fails",
        "--what",
        "sequence",
        "--max-lines",
        "50",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "--out writes the file, not stdout");
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    assert!(
        text.contains("participant client"),
        "the tour has client requests"
    );
    let body = text
        .lines()
        .filter(|l| l.contains("->>") || l.contains("-x") || l.contains("Note over"))
        .count();
    assert_eq!(
        body, 51,
        "50 lines and the note saying how many were left out"
    );
    assert!(
        text.trim_end().ends_with("narrow the window to see them"),
        "{text}"
    );
}

#[test]
fn export_state_has_the_header_and_the_states() {
    let o = paxoscope(&[
        "export",
        "--preset",
        "leader-fails",
        "--what",
        "state",
        "--node",
        "0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("stateDiagram-v2\n"), "{text}");
    for state in [
        "probing",
        "electing",
        "leader/recovering",
        "leader/active",
        "down",
    ] {
        assert!(
            text.contains(&format!("state \"{state}\" as ")),
            "{state}: {text}"
        );
    }
    assert!(
        text.contains("s_leader_active --> s_down : 1x at 10.000s"),
        "{text}"
    );
    let peon = stdout(&paxoscope(&[
        "export",
        "--preset",
        "leader-fails",
        "--what",
        "state",
        "--node",
        "2",
    ]));
    assert!(
        peon.contains("state \"peon/active\" as s_peon_active"),
        "{peon}"
    );
}

#[test]
fn export_of_a_violating_run_still_writes_and_warns() {
    let o = paxoscope(&["export", "--preset", "break-majority", "--what", "sequence"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("sequenceDiagram\n"));
    assert!(stderr(&o).contains("violation"), "{}", stderr(&o));
}
