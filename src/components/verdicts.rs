//! Explained verdicts (issue 20): the run's client operations on one time axis with its faults
//! and the playhead, the linearizability verdict of the history up to the playhead, and when
//! it fails, why: the requests that can be ordered, the one that cannot be placed next and
//! the read that saw a value it could not have seen, highlighted in the lanes and said beside
//! them. The data and the words are core's (`verdict.rs`); this draws them. The family page
//! checks the run in its own wasm; the shipped page asks the checker module it loads on
//! demand (`verdict_loader.rs`), and says so while the answer is on its way.

use super::timeline::{write_timeline, Bar, Lanes, Mark};
use crate::labels::{push_escaped, seconds};
use crate::run::RunHandle;
use paxoscope_core::verdict::{client_timeline, Fate, LinWhy};
use std::fmt::Write as _;
use yew::prelude::*;

/// The page's dispatcher.
type Dispatch = UseReducerDispatcher<crate::state::Playground>;

/// Requests drawn at most: the latest ones at the playhead.
pub const LANES_SHOWN: usize = 10;

/// The panel, from the run at the playhead (a plain function: the page memoises it on the
/// run's slow revision, and on `Playground::verdict_revision` where the verdict comes later,
/// which `dispatch` bumps).
pub fn verdicts(run: &RunHandle, dispatch: &Dispatch) -> Html {
    let run = run.run.borrow();
    let view = &*run.session;
    let tl = client_timeline(view, LANES_SHOWN);
    let Checked {
        verdict,
        badge,
        why,
        note,
    } = checked(view, dispatch);
    let part = |req: u64| match &why {
        Some(w) if w.wrong_read == Some(req) => "blocked wrong-read",
        Some(w) if w.unplaceable.contains(&req) => "blocked",
        Some(w) if w.ordered.contains(&req) => "ordered",
        _ => "",
    };
    let bars = tl
        .lanes
        .iter()
        .enumerate()
        .map(|(i, l)| Bar {
            lane: i,
            from_ms: l.invoke_ms,
            to_ms: l.complete_ms,
            label: l.op.clone(),
            title: format!(
                "request {} at {}, {}: {} → {}",
                l.req,
                l.node,
                seconds(l.invoke_ms),
                l.op,
                l.outcome
            ),
            class: format!("{} {}", fate_class(l.fate), part(l.req)),
            id: l.req.to_string(),
        })
        .collect();
    let window = if tl.total > tl.lanes.len() {
        format!("The latest {} of {} requests", tl.lanes.len(), tl.total)
    } else {
        format!("{} requests", tl.total)
    };
    // One HTML string (no `html!` nodes: less wasm), the run's words escaped.
    let mut out = format!(
        r#"<section class="panel verdicts" aria-labelledby="verdicts-title" data-lin="{verdict}"><h2 id="verdicts-title" class="panel-title">"#
    );
    if !badge.is_empty() {
        let good = match verdict {
            "not-linearizable" => "bad",
            "checking" => "muted",
            _ => "good",
        };
        let _ = write!(out, r#"<span class="badge {good}">{badge}</span>"#);
    }
    out.push_str(" Client operations</h2>");
    if tl.lanes.is_empty() {
        out.push_str(r#"<p class="small muted">No client request yet: the timeline draws one lane per request, with the faults.</p>"#);
    } else {
        let _ = write!(
            out,
            r#"<p class="small muted">{window}, {} to the playhead at {}; faults as dashed lines."#,
            seconds(tl.from_ms),
            seconds(tl.to_ms)
        );
        if VERDICTS.contains(&verdict) {
            let _ = write!(
                out,
                " The history up to here is {}.",
                verdict.replace('-', " ")
            );
        }
        out.push_str("</p>");
        if let Some(note) = &note {
            out.push_str(r#"<p class="small muted" role="status" data-lin-note="">"#);
            push_escaped(&mut out, note);
            out.push_str("</p>");
        }
        write_timeline(
            &mut out,
            &Lanes {
                labels: tl
                    .lanes
                    .iter()
                    .map(|l| format!("#{} {}", l.req, l.node))
                    .collect(),
                bars,
                marks: tl
                    .faults
                    .iter()
                    .map(|f| Mark {
                        at_ms: f.at_ms,
                        label: format!("{} {}", seconds(f.at_ms), f.label),
                    })
                    .collect(),
                from_ms: tl.from_ms,
                to_ms: tl.to_ms,
                playhead_ms: Some(tl.to_ms),
                aria: "Client requests over time, with the faults",
                label_width: 70.0,
            },
        );
        if !tl.faults.is_empty() {
            let _ = write!(
                out,
                r#"<p class="small muted" data-faults="{}">Faults: "#,
                tl.faults.len()
            );
            for (i, f) in tl.faults.iter().enumerate() {
                if i > 0 {
                    out.push_str("; ");
                }
                out.push_str(&seconds(f.at_ms));
                out.push(' ');
                push_escaped(&mut out, &f.label);
            }
            out.push_str("</p>");
        }
    }
    if let Some(w) = &why {
        let _ = write!(
            out,
            r#"<div class="lin-why" role="alert" data-unplaceable="{}" data-wrong-read="{}">"#,
            w.unplaceable
                .first()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            w.wrong_read.map(|r| r.to_string()).unwrap_or_default()
        );
        for s in &w.sentences {
            out.push_str("<p>");
            push_escaped(&mut out, s);
            out.push_str("</p>");
        }
        out.push_str(r#"<p class="small muted">Green: the requests that can be ordered; red: what cannot be placed next.</p></div>"#);
    }
    out.push_str("</section>");
    Html::from_html_unchecked(out.into())
}

fn fate_class(f: Fate) -> &'static str {
    match f {
        Fate::Answered => "answered",
        Fate::Refused => "fail",
        Fate::Retry { committed: true } => "info retry-committed",
        Fate::Retry { committed: false } => "info",
        Fate::Open => "info open",
    }
}

/// The three verdicts a finished check gives (`data-lin`).
const VERDICTS: [&str; 3] = ["linearizable", "not-linearizable", "undecided"];

/// The verdict part of the panel: `data-lin` (a finished check's verdict, `unchecked`,
/// `checking` or `unavailable`), the title's badge, why the history fails if it does, and a
/// line saying what is under way or missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub verdict: &'static str,
    pub badge: &'static str,
    pub why: Option<LinWhy>,
    pub note: Option<String>,
}

// The family page has every verdict at once: it draws no "checking" or missing one.
#[cfg_attr(
    any(feature = "run-linearizability", feature = "multi-paxos"),
    allow(dead_code)
)]
impl Checked {
    /// No verdict is drawn (the timeline alone).
    pub fn unchecked() -> Checked {
        Checked::note("unchecked", "", "")
    }

    /// A state without a verdict, with a line saying why (none if `note` is empty).
    pub fn note(verdict: &'static str, badge: &'static str, note: &str) -> Checked {
        Checked {
            verdict,
            badge,
            why: None,
            note: (!note.is_empty()).then(|| note.to_string()),
        }
    }

    /// A finished check's verdict (one of [`VERDICTS`]) and why it fails, if it does.
    pub fn verdict(verdict: &'static str, why: Option<LinWhy>) -> Checked {
        assert!(VERDICTS.contains(&verdict));
        let badge = match verdict {
            "linearizable" => "✓ linearizable",
            "not-linearizable" => "✕ not linearizable",
            _ => "? undecided",
        };
        Checked {
            verdict,
            badge,
            why,
            note: None,
        }
    }
}

/// `data-lin` of a finished check (the history page's module answers with it too).
#[cfg(any(
    feature = "run-linearizability",
    feature = "multi-paxos",
    feature = "history-page"
))]
pub fn verdict_name(outcome: &paxoscope_core::check::linearizability::LinOutcome) -> &'static str {
    use paxoscope_core::check::linearizability::LinOutcome;
    match outcome {
        LinOutcome::Linearizable => VERDICTS[0],
        LinOutcome::NotLinearizable(_) => VERDICTS[1],
        LinOutcome::Unknown => VERDICTS[2],
    }
}

/// The verdict of the run's history up to the playhead, checked here (the family page: its
/// wasm carries the checker for Multi-Paxos's own rule).
#[cfg(any(feature = "run-linearizability", feature = "multi-paxos"))]
fn checked(view: &dyn paxoscope_core::view::RunView, _: &Dispatch) -> Checked {
    use paxoscope_core::verdict::{explain, linearizability};
    let report = linearizability(view);
    Checked::verdict(verdict_name(&report.outcome), explain(&report))
}

/// The verdict of the run's history up to the playhead, from the checker module loaded on
/// demand (src/components/verdict_loader.rs); `dispatch` is told when it comes.
#[cfg(not(any(
    feature = "run-linearizability",
    feature = "multi-paxos",
    feature = "history-page"
)))]
fn checked(view: &dyn paxoscope_core::view::RunView, dispatch: &Dispatch) -> Checked {
    super::verdict_loader::checked(view, dispatch)
}

/// The history page draws no run.
#[cfg(all(
    feature = "history-page",
    not(any(feature = "run-linearizability", feature = "multi-paxos"))
))]
fn checked(_: &dyn paxoscope_core::view::RunView, _: &Dispatch) -> Checked {
    Checked::unchecked()
}
