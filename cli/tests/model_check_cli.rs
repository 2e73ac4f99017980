//! `paxoscope model-check --directed` as a user runs it: the canary the breadth-first search
//! does not reach from the stable quorum is caught from the directed start, with the prefix
//! printed, and the correct protocol passes from the same start.

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
