//! `paxoscope campaign` as a user runs it: the summary, the last line, the exit status, the
//! replay command of a failing seed, the shrunk scenario, the canaries, bad arguments.

use paxoscope_core::scenario::Mutation;
use std::process::Output;

mod common;
use common::{paxoscope, stdout};

fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or("").to_string()
}

/// The output without the lines that carry wall-clock figures.
fn without_timings(s: &str) -> String {
    s.lines()
        .filter(|l| !l.contains("seeds/s") && !l.contains("job(s)"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_passing_campaign_prints_the_summary_and_exits_zero() {
    let o = paxoscope(&["campaign", "--seeds", "30", "--start", "5"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert_eq!(last_line(&o), "30 passed, 0 failed");
    for name in [
        "message-loss",
        "crash-in-commit",
        "odd-epoch-restart",
        "sync-catch-up",
        "higher-pn-collect",
    ] {
        assert!(out.contains(name), "summary lists {name}:\n{out}");
    }
    assert!(out.contains("seeds 5..35"), "{out}");
    assert!(out.contains("linearizability checks 30"), "{out}");
    assert!(out.contains("seeds/s"), "{out}");
}

#[test]
fn results_do_not_depend_on_the_number_of_jobs() {
    let one = paxoscope(&["campaign", "--seeds", "40", "--verbose"]);
    let two = paxoscope(&["campaign", "--seeds", "40", "--verbose", "--jobs", "2"]);
    assert_eq!(
        without_timings(&stdout(&one)),
        without_timings(&stdout(&two))
    );
}

#[test]
fn a_failing_seed_prints_its_replay_command_a_shrunk_scenario_and_exits_one() {
    let o = paxoscope(&[
        "campaign",
        "--seeds",
        "3",
        "--mutation",
        "commit-on-majority",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert_eq!(last_line(&o), "0 passed, 3 failed");
    let line =
        "FAIL seed 0 (replay: paxoscope campaign --replay 0 --mutation commit-on-majority): \
                safety: invariant `commit-needs-every-accept`";
    assert!(out.contains(line), "{out}");
    assert!(out.contains("paxoscope scenario v1\n"), "{out}");
    assert!(out.contains("break commit-on-majority"), "{out}");
    assert!(out.contains("\n#paxoscope+scenario+v1;"), "{out}");
}

#[test]
fn replay_reruns_one_seed_with_trace_context() {
    let o = paxoscope(&[
        "campaign",
        "--replay",
        "3",
        "--mutation",
        "promise-lower-pn",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("FAIL seed 3: safety: invariant `promises-kept`"),
        "{out}"
    );
    assert!(out.contains("trace lines before"), "{out}");
    assert!(out.contains("shrunk seed 3:"), "{out}");
    assert_eq!(last_line(&o), "0 passed, 1 failed");
    let ok = paxoscope(&["campaign", "--replay", "3"]);
    assert!(ok.status.success());
    assert_eq!(last_line(&ok), "1 passed, 0 failed");
}

#[test]
fn canaries_report_seeds_to_detection() {
    let o = paxoscope(&["campaign", "--canaries", "--seeds", "200", "--jobs", "2"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert_eq!(
        last_line(&o),
        format!("{} passed, 0 failed", Mutation::ALL.len())
    );
    for line in [
        "commit-on-majority",
        "read-after-lease-expiry",
        "recover-on-majority",
    ] {
        assert!(out.contains(line), "{out}");
    }
}

#[test]
fn bad_arguments_are_explained() {
    let o = paxoscope(&["campaign", "--mutation", "no-such-bug"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unknown mutation \"no-such-bug\"") && err.contains("commit-on-majority"),
        "{err}"
    );
    let o = paxoscope(&["campaign", "--beyond", "gravity"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown --beyond value \"gravity\""));
    let o = paxoscope(&["campaign", "--jobs", "0"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--jobs must be at least 1"));
    let o = paxoscope(&[
        "campaign",
        "--start",
        "18446744073709551615",
        "--seeds",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("runs past the last seed"));
}
