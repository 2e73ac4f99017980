//! Explained verdicts for a run in the playground: its client operations on a time axis with
//! the faults, and, when the client history is not linearizable, why not, in the lanes'
//! terms (which requests can be ordered, which cannot be placed next, the read that saw a
//! value it could not have seen). Everything here reads the run through `RunView`, so it
//! holds for every protocol; the page draws it (`src/components/verdicts.rs`).

use crate::check::linearizability::{
    check_history_with_budget, BlockedOp, HistoryEntry, KvOp, LinFailure, LinOutcome, LinReport,
};
use crate::client::{ClientReply, ReqId};
use crate::narrate::is_fault;
use crate::protocols::ceph::wording::{client_op, client_reply};
use crate::scenario::print::format_action;
use crate::view::RunView;

/// What became of a request, for the lane's look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Answered with its effect (written, a value, a cas result).
    Answered,
    /// Refused before it could take effect.
    Refused,
    /// Told to retry; `committed` when the nodes' committed state holds it all the same.
    Retry { committed: bool },
    /// No answer yet at the playhead.
    Open,
}

/// One client request's lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpLane {
    pub req: ReqId,
    /// The node the client asked (`mon.2`).
    pub node: String,
    /// `put x=1`.
    pub op: String,
    pub invoke_ms: u64,
    pub complete_ms: Option<u64>,
    /// `written v3`, `retry (…), then committed: written v5`, `no answer yet`.
    pub outcome: String,
    pub fate: Fate,
}

/// A fault on the time axis: a scenario action or one the user added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultMark {
    pub at_ms: u64,
    pub label: String,
}

/// The client-operations timeline at the playhead: the latest requests, the faults in their
/// time window, and the window itself (it ends at the playhead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientTimeline {
    pub lanes: Vec<OpLane>,
    pub faults: Vec<FaultMark>,
    /// Requests made up to the playhead (the lanes show the latest of them).
    pub total: usize,
    pub from_ms: u64,
    pub to_ms: u64,
}

/// The latest `most` client requests of `run` up to its playhead, the faults from the first
/// of them on, and the window's bounds. Client requests in the scenario are not faults.
pub fn client_timeline(run: &dyn RunView, most: usize) -> ClientTimeline {
    assert!(most > 0, "a timeline shows at least one request");
    let clients = run.clients();
    let now = run.now_ms();
    let shown = &clients[clients.len().saturating_sub(most)..];
    let lanes: Vec<OpLane> = shown
        .iter()
        .map(|rec| {
            let committed = run.committed_answer(rec.id);
            let (fate, outcome) = match (&rec.reply, committed) {
                (None, _) => (Fate::Open, "no answer yet".to_string()),
                (Some(r @ ClientReply::Retry { .. }), Some(c)) => (
                    Fate::Retry { committed: true },
                    format!("{}, yet committed: {}", client_reply(r), client_reply(&c)),
                ),
                (Some(r @ ClientReply::Retry { .. }), None) => {
                    (Fate::Retry { committed: false }, client_reply(r))
                }
                (Some(r @ ClientReply::Refused { .. }), _) => (Fate::Refused, client_reply(r)),
                (Some(r), _) => (Fate::Answered, client_reply(r)),
            };
            OpLane {
                req: rec.id,
                node: format!("{}.{}", run.node_word(), rec.node),
                op: client_op(&rec.op),
                invoke_ms: rec.invoke_ms,
                complete_ms: rec.complete_ms.filter(|_| rec.reply.is_some()),
                outcome,
                fate,
            }
        })
        .collect();
    let from_ms = lanes.first().map_or(0, |l| l.invoke_ms);
    let faults = run
        .scenario()
        .actions
        .iter()
        .filter(|a| a.at_ms >= from_ms && a.at_ms <= now && is_fault(&a.action))
        .map(|a| FaultMark {
            at_ms: a.at_ms,
            label: format_action(&a.action),
        })
        .collect();
    ClientTimeline {
        lanes,
        faults,
        total: clients.len(),
        from_ms,
        to_ms: now.max(from_ms + 1),
    }
}

/// Search states the page spends on a run's history at most (beyond: "undecided").
pub const PAGE_BUDGET_STATES: u64 = 200_000;

/// The linearizability check of `run`'s client history up to the playhead, as the campaign
/// builds it (`campaign::trial::history`: refusals had no effect, a retry or no answer may
/// take effect later or never).
pub fn linearizability(run: &dyn RunView) -> LinReport {
    let history = crate::campaign::trial::history(run.clients());
    check_history_with_budget(&history, PAGE_BUDGET_STATES)
}

/// The entries of a run's client history as `export::history_json_lines` writes it, read
/// back: what the page without the checker sends the history page's module (src/checker.rs),
/// which checks them as [`linearizability`] checks the run (same entries, same budget).
pub fn exported_history(text: &str) -> Result<Vec<HistoryEntry>, String> {
    use crate::history::{parse, Format, Model};
    parse(text, Format::Jsonl, Model::Kv)
        .map(|h| h.entries)
        .map_err(|e| {
            format!(
                "the run's history, line {}, column {}: {}",
                e.line, e.col, e.message
            )
        })
}

/// Why a run's history is not linearizable, in request ids and words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinWhy {
    pub key: String,
    /// The longest prefix that can be ordered, in its order.
    pub ordered: Vec<ReqId>,
    /// The request that cannot be placed next (the search reached its answer without placing
    /// it), then the others that could not come next either.
    pub unplaceable: Vec<ReqId>,
    /// The read that saw a value it could not have seen, if a read is what cannot be placed.
    pub wrong_read: Option<ReqId>,
    /// The account in sentences, naming requests as the lanes do.
    pub sentences: Vec<String>,
}

/// The failure of `report`, explained; `None` when it is linearizable or undecided.
pub fn explain(report: &LinReport) -> Option<LinWhy> {
    let LinOutcome::NotLinearizable(f) = &report.outcome else {
        return None;
    };
    let Some(d) = &f.detail else {
        return Some(LinWhy {
            key: f.key.clone(),
            ordered: Vec::new(),
            unplaceable: Vec::new(),
            wrong_read: None,
            sentences: vec![f.explanation.clone()],
        });
    };
    let id = |i: usize| f.ops[i].id;
    let ordered: Vec<ReqId> = d.prefix.iter().map(|&i| id(i)).collect();
    let unplaceable: Vec<ReqId> = d.blocked.iter().map(|b| id(b.op)).collect();
    let wrong = d
        .blocked
        .iter()
        .find(|b| matches!(f.ops[b.op].op, KvOp::Get { .. }));
    let mut sentences = vec![match ordered.as_slice() {
        [] => format!("On key {}, no request can be ordered first.", f.key),
        [one] => format!(
            "On key {}, request {one} can be ordered first; the key then holds {}.",
            f.key,
            value(&d.value_after_prefix)
        ),
        _ => format!(
            "On key {}, requests {} can be ordered, in that order; the key then holds {}.",
            f.key,
            ids(&ordered),
            value(&d.value_after_prefix)
        ),
    }];
    if let Some(first) = d.blocked.first() {
        sentences.push(blocked_sentence(f, first));
    }
    if let Some(b) = wrong {
        sentences.push(read_sentence(f, b));
    }
    if d.blocked.len() > 1 {
        sentences.push(format!("Nor can {} come next.", ids(&unplaceable[1..])));
    }
    Some(LinWhy {
        key: f.key.clone(),
        ordered,
        unplaceable,
        wrong_read: wrong.map(|b| id(b.op)),
        sentences,
    })
}

/// `request 7 (get x) cannot be placed next: it needs x = 1`.
fn blocked_sentence(f: &LinFailure, b: &BlockedOp) -> String {
    let e = &f.ops[b.op];
    let needs = match &b.needs {
        Some(v) => format!(": it needs {} = {}", f.key, value(v)),
        None => String::new(),
    };
    format!(
        "Request {} ({}) cannot be placed next{needs}.",
        e.id,
        kv_op(&e.op)
    )
}

/// `the read 7 saw 1; at any point where it could take effect the key held 2 or 3`.
fn read_sentence(f: &LinFailure, b: &BlockedOp) -> String {
    let e = &f.ops[b.op];
    let saw = b.needs.as_ref().map_or("nothing".to_string(), value);
    let held: Vec<String> = b.held.iter().map(value).collect();
    let could = match held.as_slice() {
        [] => "no value at all: no point in its time fits".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    format!(
        "The read {} saw {saw}; while it ran, the key could only hold {could}{}.",
        e.id,
        if b.held_all { "" } else { " (and more)" }
    )
}

fn value(v: &Option<String>) -> String {
    v.as_deref()
        .map_or("nothing (absent)".to_string(), str::to_string)
}

fn ids(ids: &[ReqId]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn kv_op(op: &KvOp) -> String {
    match op {
        KvOp::Put { key, value } => format!("put {key}={value}"),
        KvOp::Get { key } => format!("get {key}"),
        KvOp::Cas {
            key,
            expected,
            value: v,
        } => format!("cas {key} {} to {v}", value(expected)),
    }
}
