//! Keeps docs/trace-format.md honest: the event kinds it lists are exactly the names
//! `TraceKind::name()` returns, the fields it lists for each kind are exactly the keys
//! `TraceEvent::to_json` writes, the summary tables match `export::summary_json`, and every
//! JSON line of the example has the documented shape and comes out of the documented scenario.

use paxoscope_core::export::summary_json;
use paxoscope_core::machine::Transition;
use paxoscope_core::protocols::ceph::declaration::PEON;
use paxoscope_core::protocols::ceph::{Ceph, PaxosState};
use paxoscope_core::protocols::ceph::{
    ClientOp, ClientReply, Msg, Paxos, PaxosOp, StoreWrite, Timer,
};
use paxoscope_core::scenario::{parse, Action};
use paxoscope_core::session::Session;
use paxoscope_core::trace::{TraceEvent, TraceKind};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

const DOC: &str = include_str!("../../docs/trace-format.md");

/// Number of `TraceKind` variants; `variant_index` makes adding one a compile error here.
const VARIANTS: usize = 12;

fn variant_index(k: &TraceKind<Ceph>) -> usize {
    match k {
        TraceKind::Send { .. } => 0,
        TraceKind::Deliver { .. } => 1,
        TraceKind::Drop { .. } => 2,
        TraceKind::Timer(_) => 3,
        TraceKind::Transition(_) => 4,
        TraceKind::Persist(_) => 5,
        TraceKind::ClientRequest { .. } => 6,
        TraceKind::ClientReply { .. } => 7,
        TraceKind::Action(_) => 8,
        TraceKind::Crash => 9,
        TraceKind::Boot => 10,
        TraceKind::Note(_) => 11,
    }
}

/// One entry of every kind.
fn samples() -> Vec<TraceEvent<Ceph>> {
    let begin = std::rc::Rc::new(Msg::Paxos(Paxos::new(PaxosOp::Begin, 2)));
    let kinds: Vec<TraceKind<Ceph>> = vec![
        TraceKind::Send {
            to: 1,
            id: 7,
            msg: begin.clone(),
        },
        TraceKind::Deliver {
            from: 0,
            id: 7,
            msg: begin.clone(),
        },
        TraceKind::Drop {
            from: 0,
            to: 1,
            id: 7,
            msg: begin,
            reason: "lost",
        },
        TraceKind::Timer(Timer::Lease),
        TraceKind::Transition(Transition {
            machine: PEON,
            from: PaxosState::Active.id(),
            to: PaxosState::Updating.id(),
        }),
        TraceKind::Persist(vec![StoreWrite::AcceptedPn(100)]),
        TraceKind::ClientRequest {
            req_id: 1,
            op: ClientOp::Get { key: "k".into() },
        },
        TraceKind::ClientReply {
            req_id: 1,
            reply: ClientReply::Written { version: 2 },
        },
        TraceKind::Action(Action::Crash(2)),
        TraceKind::Crash,
        TraceKind::Boot,
        TraceKind::Note("why".into()),
    ];
    let covered: BTreeSet<usize> = kinds.iter().map(variant_index).collect();
    assert_eq!(
        covered.len(),
        VARIANTS,
        "a sample of every TraceKind variant"
    );
    kinds
        .into_iter()
        .map(|kind| TraceEvent {
            event: 3,
            t_ms: 41,
            node: Some(1),
            kind,
        })
        .collect()
}

/// The text of the `## title` section (up to the next `## `).
fn section(title: &str) -> &'static str {
    let start = DOC
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("section `{title}` in the doc"));
    let body = &DOC[start + title.len() + 5..];
    &body[..body.find("\n## ").unwrap_or(body.len())]
}

/// Table rows of a section whose first cell is a `code` name: name → the `code` names of
/// column `col` (0-based), empty for `—`.
fn table(section: &str, col: usize) -> BTreeMap<String, BTreeSet<String>> {
    let mut rows = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let name = cells[0].trim_matches('`').to_string();
        let fields = if col == 0 {
            BTreeSet::new()
        } else {
            code_names(cells[col])
        };
        assert!(
            rows.insert(name.clone(), fields).is_none(),
            "`{name}` listed twice"
        );
    }
    rows
}

/// `` `to`, `id` `` → {to, id}; `—` → {}.
fn code_names(cell: &str) -> BTreeSet<String> {
    if cell == "—" {
        return BTreeSet::new();
    }
    cell.split(", ")
        .map(|f| f.trim().trim_matches('`').to_string())
        .collect()
}

fn parse_json(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn keys(v: &Json) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

/// Fields every entry has, from the JSON Lines section's table.
fn common_fields() -> BTreeSet<String> {
    table(section("JSON Lines"), 0).into_keys().collect()
}

/// The code blocks with this language tag.
fn blocks(lang: &str) -> Vec<&'static str> {
    let fence = format!("```{lang}\n");
    DOC.split(fence.as_str())
        .skip(1)
        .map(|b| &b[..b.find("```").expect("closed block")])
        .collect()
}

#[test]
fn every_event_kind_in_the_doc_is_a_trace_kind_name_and_back() {
    let documented: BTreeSet<String> = table(section("Event kinds"), 1).into_keys().collect();
    let names: BTreeSet<String> = samples()
        .iter()
        .map(|e| e.kind.name().to_string())
        .collect();
    assert_eq!(names.len(), VARIANTS, "names are distinct");
    assert_eq!(
        documented, names,
        "docs/trace-format.md lists exactly TraceKind::name() values"
    );
}

#[test]
fn the_fields_of_each_kind_are_what_to_json_writes() {
    let documented = table(section("Event kinds"), 1);
    let common = common_fields();
    assert_eq!(
        common,
        ["i", "t_ms", "node", "event"]
            .map(String::from)
            .into_iter()
            .collect()
    );
    for e in samples() {
        let written = keys(&parse_json(&e.to_json()));
        let name = e.kind.name();
        let expected: BTreeSet<String> = common.union(&documented[name]).cloned().collect();
        assert_eq!(written, expected, "fields of `{name}`");
    }
}

#[test]
fn the_example_lines_have_the_documented_shape_and_come_from_the_example_run() {
    let documented = table(section("Event kinds"), 1);
    let common = common_fields();
    let session = example_run();
    let mut kinds_shown = BTreeSet::new();
    let mut lines = 0;
    for line in blocks("jsonl").iter().flat_map(|b| b.lines()) {
        let v: Json = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let kind = v["event"].as_str().expect("an event field");
        let expected: BTreeSet<String> = common.union(&documented[kind]).cloned().collect();
        assert_eq!(keys(&v), expected, "fields of {line}");
        kinds_shown.insert(kind.to_string());
        // Same kinds, same shape, not necessarily the same values: the doc's example may lag a
        // change of the protocol's wording; the kinds it shows must still occur in the run.
        assert!(
            session.trace().iter().any(|e| e.kind.name() == kind),
            "the example scenario no longer produces `{kind}`"
        );
        lines += 1;
    }
    assert!(lines >= VARIANTS, "the example shows a line of every kind");
    assert_eq!(
        kinds_shown.len(),
        VARIANTS,
        "every kind appears in the example: {kinds_shown:?}"
    );
}

#[test]
fn the_summary_tables_match_summary_json() {
    let session = example_run();
    let real = parse_json(&summary_json(&session));
    let tables: Vec<BTreeMap<String, BTreeSet<String>>> = section("The summary line")
        .split("\n\n")
        .filter(|p| p.contains("| `"))
        .map(|p| table(p, 0))
        .collect();
    assert_eq!(
        tables.len(),
        2,
        "a table of summary fields and one of monitor fields"
    );
    let summary_fields: BTreeSet<String> = tables[0].keys().cloned().collect();
    let monitor_fields: BTreeSet<String> = tables[1].keys().cloned().collect();
    assert_eq!(summary_fields, keys(&real), "summary fields");
    assert_eq!(monitor_fields, keys(&real["monitors"][0]), "monitor fields");
    let doc_summary: Json =
        serde_json::from_str(blocks("json")[0]).expect("the example summary parses");
    assert_eq!(
        keys(&doc_summary),
        ["summary".to_string()].into_iter().collect()
    );
    assert_eq!(keys(&doc_summary["summary"]), keys(&real));
    assert_eq!(
        keys(&doc_summary["summary"]["monitors"][0]),
        keys(&real["monitors"][0])
    );
    assert_eq!(
        doc_summary["summary"]["monitors"].as_array().unwrap().len(),
        3
    );
}

/// The scenario of the doc's example, taken from its `sh` block.
fn example_run() -> Session {
    let command = blocks("sh")[0];
    let text = command
        .split('\'')
        .nth(1)
        .expect("the scenario text between quotes");
    let scenario = parse(text).expect("the example scenario parses");
    let end = scenario.end_ms.expect("the example has an end");
    let mut s = Session::new(scenario);
    s.run_until(end);
    assert!(s.violation().is_none());
    s
}
