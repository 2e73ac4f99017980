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
use paxoscope_core::verdict::{client_timeline, Fate};
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
    let v = checked(view, dispatch);
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
            class: format!("{} {}", fate_class(l.fate), v.part(l.req)),
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
        r#"<section class="panel verdicts" aria-labelledby="verdicts-title" data-lin="{}"><h2 id="verdicts-title" class="panel-title">{} Client operations</h2>"#,
        v.lin, v.badge
    );
    if tl.lanes.is_empty() {
        out.push_str(r#"<p class="small muted">No client request yet: the timeline draws one lane per request, with the faults.</p>"#);
    } else {
        let _ = write!(
            out,
            r#"<p class="small muted">{window}, {} to the playhead at {}; faults as dashed lines."#,
            seconds(tl.from_ms),
            seconds(tl.to_ms)
        );
        out.push_str(&v.said);
        out.push_str("</p>");
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
    out.push_str(&v.why);
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

/// The verdict part of the panel as HTML pieces. [`verdict_html`] writes them for every page:
/// the family page on its own check, the history page's module for the shipped page, which
/// puts the pieces in place as they come (`VerdictHtml::from_lines`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VerdictHtml {
    /// `data-lin`: a finished check's verdict, or `unchecked`, `checking`, `unavailable`.
    pub lin: String,
    /// The title's badge (a `<span class="badge">`), or nothing.
    pub badge: String,
    /// ` The history up to here is …`, after the timeline's caption.
    pub said: String,
    /// Each request's part in the account: `9:blocked wrong-read,7:ordered`.
    pub parts: String,
    /// The account (the `lin-why` block), or a line saying what is under way or missing.
    pub why: String,
}

impl VerdictHtml {
    /// No verdict (a run without a client request): the timeline alone. (The family page
    /// checks every run, even one without a request.)
    #[cfg_attr(
        any(feature = "run-linearizability", feature = "multi-paxos"),
        allow(dead_code)
    )]
    pub fn unchecked() -> VerdictHtml {
        VerdictHtml {
            lin: "unchecked".into(),
            ..VerdictHtml::default()
        }
    }

    /// The pieces as the module sends them: one per line, the account last.
    #[cfg(feature = "history-page")]
    pub fn to_lines(&self) -> String {
        assert!(!self.why.contains('\n'), "the account is one line of HTML");
        [&self.lin, &self.badge, &self.said, &self.parts, &self.why]
            .map(String::as_str)
            .join("\n")
    }

    /// The pieces from [`VerdictHtml::to_lines`].
    #[cfg(not(any(
        feature = "run-linearizability",
        feature = "multi-paxos",
        feature = "history-page"
    )))]
    pub fn from_lines(text: &str) -> VerdictHtml {
        let mut lines = text.splitn(5, '\n').map(str::to_string);
        let mut next = || lines.next().unwrap_or_default();
        VerdictHtml {
            lin: next(),
            badge: next(),
            said: next(),
            parts: next(),
            why: next(),
        }
    }

    /// Request `req`'s classes in the timeline (`ordered`, `blocked`, `blocked wrong-read`).
    fn part(&self, req: u64) -> &str {
        self.parts
            .split(',')
            .filter_map(|p| p.split_once(':'))
            .find(|(id, _)| id.parse() == Ok(req))
            .map_or("", |(_, class)| class)
    }
}

/// `data-lin` of a finished check.
#[cfg(any(
    feature = "run-linearizability",
    feature = "multi-paxos",
    feature = "history-page"
))]
fn verdict_name(outcome: &paxoscope_core::check::linearizability::LinOutcome) -> &'static str {
    use paxoscope_core::check::linearizability::LinOutcome;
    match outcome {
        LinOutcome::Linearizable => "linearizable",
        LinOutcome::NotLinearizable(_) => "not-linearizable",
        LinOutcome::Unknown => "undecided",
    }
}

/// The verdict part of the panel for a finished check of the run's history.
#[cfg(any(
    feature = "run-linearizability",
    feature = "multi-paxos",
    feature = "history-page"
))]
pub fn verdict_html(report: &paxoscope_core::check::linearizability::LinReport) -> VerdictHtml {
    let lin = verdict_name(&report.outcome);
    let badge = match lin {
        "linearizable" => r#"<span class="badge good">✓ linearizable</span>"#,
        "not-linearizable" => r#"<span class="badge bad">✕ not linearizable</span>"#,
        _ => r#"<span class="badge good">? undecided</span>"#,
    };
    let mut v = VerdictHtml {
        lin: lin.into(),
        badge: badge.into(),
        said: format!(" The history up to here is {}.", lin.replace('-', " ")),
        ..VerdictHtml::default()
    };
    let Some(w) = paxoscope_core::verdict::explain(report) else {
        return v;
    };
    // The first part listed for a request is its own (a wrong read is also blocked).
    let parts = (w.wrong_read.iter().map(|r| (r, "blocked wrong-read")))
        .chain(w.unplaceable.iter().map(|r| (r, "blocked")))
        .chain(w.ordered.iter().map(|r| (r, "ordered")));
    v.parts = parts
        .map(|(r, class)| format!("{r}:{class}"))
        .collect::<Vec<_>>()
        .join(",");
    let _ = write!(
        v.why,
        r#"<div class="lin-why" role="alert" data-unplaceable="{}" data-wrong-read="{}">"#,
        w.unplaceable
            .first()
            .map(|r| r.to_string())
            .unwrap_or_default(),
        w.wrong_read.map(|r| r.to_string()).unwrap_or_default()
    );
    for s in &w.sentences {
        v.why.push_str("<p>");
        push_escaped(&mut v.why, s);
        v.why.push_str("</p>");
    }
    v.why.push_str(r#"<p class="small muted">Green: the requests that can be ordered; red: what cannot be placed next.</p></div>"#);
    v
}

/// The verdict of the run's history up to the playhead, checked here (the family page: its
/// wasm carries the checker for Multi-Paxos's own rule).
#[cfg(any(feature = "run-linearizability", feature = "multi-paxos"))]
fn checked(view: &dyn paxoscope_core::view::RunView, _: &Dispatch) -> VerdictHtml {
    verdict_html(&paxoscope_core::verdict::linearizability(view))
}

/// The verdict of the run's history up to the playhead, from the checker module loaded on
/// demand (src/components/verdict_loader.rs); `dispatch` is told when it comes.
#[cfg(not(any(
    feature = "run-linearizability",
    feature = "multi-paxos",
    feature = "history-page"
)))]
fn checked(view: &dyn paxoscope_core::view::RunView, dispatch: &Dispatch) -> VerdictHtml {
    super::verdict_loader::checked(view, dispatch)
}

/// The history page draws no run.
#[cfg(all(
    feature = "history-page",
    not(any(feature = "run-linearizability", feature = "multi-paxos"))
))]
fn checked(_: &dyn paxoscope_core::view::RunView, _: &Dispatch) -> VerdictHtml {
    VerdictHtml::unchecked()
}
