//! `paxoscope run` and `paxoscope export` on a Basic Paxos scenario (`protocol basic-paxos`),
//! as a user calls them: which value was chosen, who learned it, and the trace and diagrams
//! worded in Basic Paxos's messages.

use serde_json::Value as Json;

mod common;
use common::{paxoscope, stderr, stdout};

/// Two proposers asked at the same millisecond; acceptor 2 crashes and comes back.
const DUEL: &str = "paxoscope scenario v1
protocol basic-paxos
proposers 2
seed 5
set monitors 3
end 15s
at 1s put 0 x A
at 1s put 1 x B
at 1005ms crash 2
at 3s restart 2
";

fn ok(args: &[&str]) -> String {
    let o = paxoscope(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn json_lines(text: &str) -> Vec<Json> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn run_json_says_which_value_was_chosen_and_that_every_node_learned_it() {
    let lines = json_lines(&ok(&["run", "--scenario", DUEL, "--format", "json"]));
    let (summary, trace) = lines.split_last().expect("a summary line");
    let s = &summary["summary"];
    assert_eq!(s["protocol"], "basic-paxos");
    assert_eq!(s["violation"], Json::Null);
    let chosen = s["chosen"].as_str().expect("a value is chosen");
    assert!(chosen == "A" || chosen == "B", "{chosen}");
    let nodes = s["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 3);
    for n in nodes {
        assert_eq!(n["learned"], chosen, "{n}");
        assert_eq!(n["up"], true, "{n}");
    }
    assert_eq!(nodes[0]["roles"], "proposer+acceptor+learner");
    assert_eq!(nodes[2]["roles"], "acceptor+learner");
    let kinds: std::collections::BTreeSet<&str> =
        trace.iter().filter_map(|e| e["msg"].as_str()).collect();
    for k in ["prepare", "promise", "accept", "accepted"] {
        assert!(kinds.contains(k), "the trace sends {k}: {kinds:?}");
    }
    let replies: Vec<&Json> = trace
        .iter()
        .filter(|e| e["event"] == "client_reply")
        .collect();
    assert_eq!(replies.len(), 2, "both clients are answered");
    for r in replies {
        assert_eq!(r["reply"]["Value"]["value"], chosen, "{r}");
    }
}

#[test]
fn run_text_words_the_run_in_basic_paxos_terms() {
    let text = ok(&["run", "--scenario", DUEL]);
    let chosen = text
        .lines()
        .find_map(|l| l.strip_prefix("chosen: "))
        .expect("a chosen line");
    assert!(chosen == "A" || chosen == "B", "{chosen}");
    assert!(text.contains("node.0 send prepare(n="), "{text}");
    assert!(text.contains(&format!("learned {chosen}")));
    assert!(!text.contains("mon."), "no Ceph wording");
    assert!(!text.contains("leader:"), "Basic Paxos has no leader line");
}

#[test]
fn protocol_option_runs_the_default_basic_paxos_scenario_and_must_agree_with_the_text() {
    let lines = json_lines(&ok(&[
        "run",
        "--protocol",
        "basic-paxos",
        "--until-ms",
        "10000",
        "--format",
        "json",
    ]));
    let s = &lines.last().expect("summary")["summary"];
    assert_eq!(s["nodes"].as_array().map(Vec::len), Some(5));
    assert!(s["chosen"].is_string(), "{s}");
    assert_eq!(
        json_lines(&ok(&[
            "run",
            "--protocol",
            "basic-paxos",
            "--scenario",
            DUEL,
            "--format",
            "json"
        ]))
        .last()
        .expect("summary")["summary"]["chosen"],
        json_lines(&ok(&["run", "--scenario", DUEL, "--format", "json"]))
            .last()
            .expect("summary")["summary"]["chosen"],
    );

    let o = paxoscope(&["run", "--protocol", "basic-paxos", "--preset", "startup"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("disagrees with the preset"),
        "{}",
        stderr(&o)
    );
    let o = paxoscope(&[
        "export",
        "--what",
        "trace",
        "--protocol",
        "ceph",
        "--scenario",
        DUEL,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`protocol basic-paxos`"),
        "{}",
        stderr(&o)
    );
    let o = paxoscope(&["run", "--protocol", "raft"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("basic-paxos"), "{}", stderr(&o));
}

#[test]
fn a_ceph_setting_in_a_basic_paxos_scenario_is_an_error_naming_its_line() {
    let text = "paxoscope scenario v1\nprotocol basic-paxos\nset lease_ms 5000\n";
    let o = paxoscope(&["run", "--scenario", text]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("line 3, col 5: lease_ms is a Ceph setting"),
        "{err}"
    );
}

#[test]
fn exports_draw_basic_paxos_messages_and_states() {
    let seq = ok(&["export", "--what", "sequence", "--scenario", DUEL]);
    assert!(seq.contains("participant node0 as node.0"), "{seq}");
    assert!(seq.contains("prepare(n="), "an arrow per prepare: {seq}");
    assert!(seq.contains("accepted(n="), "{seq}");
    assert!(!seq.contains("mon"), "no Ceph wording: {seq}");

    let state = ok(&[
        "export",
        "--what",
        "state",
        "--node",
        "0",
        "--scenario",
        DUEL,
    ]);
    assert!(state.starts_with("stateDiagram-v2\n"), "{state}");
    assert!(state.contains("node.0 from"), "{state}");
    for s in ["preparing", "promised", "learned"] {
        assert!(state.contains(s), "node 0 passed {s}: {state}");
    }

    let trace = json_lines(&ok(&["export", "--what", "trace", "--scenario", DUEL]));
    let summaries: Vec<&str> = trace.iter().filter_map(|e| e["summary"].as_str()).collect();
    assert!(
        summaries.iter().any(|s| s.starts_with("accept(n=")),
        "{summaries:?}"
    );

    let o = paxoscope(&[
        "export",
        "--what",
        "state",
        "--node",
        "3",
        "--scenario",
        DUEL,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("node.0 to node.2"), "{}", stderr(&o));
}
