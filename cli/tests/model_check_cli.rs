//! `paxoscope model-check` as a user runs it: the default check's two phases (breadth first
//! from the stable quorum, then the directed starts), and `--directed NAME`: the canary the
//! breadth-first search does not reach from the stable quorum is caught from the directed
//! start, with the prefix printed, and the correct protocol passes from the same start.

mod common;
use common::{paxoscope, stdout};

const DIRECTED: [&str; 6] = [
    "model-check",
    "--directed",
    "held-alone",
    "--elections",
    "3",
    "--puts",
];

#[test]
fn the_directed_search_catches_a_peon_committing_its_own_value() {
    let mut args = DIRECTED.to_vec();
    args.extend([
        "0",
        "--mutation",
        "peon-commits-own-value",
        "--expect-violation",
    ]);
    let o = paxoscope(&args);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("directed prefix of 12 steps"), "{out}");
    assert!(out.contains("   12. lose mon.1 -> mon.2: begin"), "{out}");
    assert!(out.contains("`agreement` broken at mon.1"), "{out}");
    assert!(
        out.contains("path (50 steps from the stable quorum"),
        "{out}"
    );
}

#[test]
fn the_correct_protocol_passes_from_the_directed_start() {
    let mut args = DIRECTED.to_vec();
    args.push("0");
    let o = paxoscope(&args);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("distinct states:      27759"), "{out}");
    assert!(
        out.contains("no violation within the bound (every state within the bounds explored)"),
        "{out}"
    );
}

#[test]
fn an_unknown_directed_start_is_named_in_the_error() {
    let o = paxoscope(&["model-check", "--directed", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--directed nowhere: unknown; known: held-alone"),
        "{err}"
    );
}

/// The default check, with no option but the mutation: phase 1 (5.2 million states) passes,
/// phase 2's `held-alone` start finds the broken agreement, and the run fails. About 20 s of
/// CPU.
#[test]
fn the_default_check_fails_a_peon_committing_its_own_value() {
    let o = paxoscope(&["model-check", "--mutation", "peon-commits-own-value"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("phase 2: 2 directed starts"), "{out}");
    assert!(
        out.contains("breadth-first from the stable quorum   5170737 states"),
        "{out}"
    );
    assert!(
        out.contains("VIOLATION in directed start held-alone"),
        "{out}"
    );
    assert!(out.contains("`agreement` broken at mon.1"), "{out}");
    assert!(
        out.contains("path (47 steps from the stable quorum (a directed prefix"),
        "{out}"
    );
}

/// An option that changes the bound runs phase 1 alone, and says so.
#[test]
fn a_bound_option_runs_the_breadth_first_phase_alone() {
    let o = paxoscope(&[
        "model-check",
        "--puts",
        "0",
        "--losses",
        "0",
        "--crashes",
        "0",
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("phase 2 (directed starts) not run: an option changed the bound"),
        "{out}"
    );
    assert!(!out.contains("directed start `"), "{out}");
}

/// A mutation caught by phase 1 ends the run there; the expected violation is explained by
/// the mutation, not by the messenger (which this run does not go beyond).
#[test]
fn an_expected_violation_names_the_mutation_not_the_messenger() {
    let o = paxoscope(&[
        "model-check",
        "--mutation",
        "pn-not-unique",
        "--expect-violation",
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("phase 2 (directed starts) not run: phase 1 found a violation"),
        "{out}"
    );
    assert!(
        out.contains("(expected: the protocol runs with the bug pn-not-unique)"),
        "{out}"
    );
    assert!(!out.contains("messenger"), "{out}");
}
