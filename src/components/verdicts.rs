//! Explained verdicts (issue 20): the run's client operations on one time axis with its faults
//! and the playhead, the linearizability verdict of the history up to the playhead, and when
//! it fails, why: the requests that can be ordered, the one that cannot be placed next and
//! the read that saw a value it could not have seen, highlighted in the lanes and said beside
//! them. The data and the words are core's (`verdict.rs`); this draws them.

use super::timeline::{timeline, Bar, Lanes, Mark};
use crate::labels::seconds;
use crate::run::RunHandle;
use paxoscope_core::verdict::{client_timeline, Fate, LinWhy};
use yew::prelude::*;

/// Requests drawn at most: the latest ones at the playhead.
pub const LANES_SHOWN: usize = 10;

/// The panel, from the run at the playhead (a plain function: the page memoises it on the
/// run's slow revision).
pub fn verdicts(run: &RunHandle) -> Html {
    let run = run.run.borrow();
    let view = &*run.session;
    let tl = client_timeline(view, LANES_SHOWN);
    let (verdict, badge, why) = checked(view);
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
    html! {
        <section class="panel verdicts" aria-labelledby="verdicts-title" data-lin={verdict}>
            <h2 id="verdicts-title" class="panel-title">
                if !badge.is_empty() { <span class={classes!("badge", if verdict == "not-linearizable" { "bad" } else { "good" })}>{ badge }</span> }
                { " Client operations" }
            </h2>
            if tl.lanes.is_empty() {
                <p class="small muted">{ "No client request yet: the timeline draws one lane per request, with the faults." }</p>
            } else {
                <p class="small muted">{ format!("{window}, {} to the playhead at {}; faults as dashed lines.",
                    seconds(tl.from_ms), seconds(tl.to_ms)) }
                    if !badge.is_empty() { { format!(" The history up to here is {}.", verdict.replace('-', " ")) } }
                </p>
                { timeline(&Lanes {
                    labels: tl.lanes.iter().map(|l| format!("#{} {}", l.req, l.node)).collect(),
                    bars,
                    marks: tl.faults.iter().map(|f| Mark { at_ms: f.at_ms, label: format!("{} {}", seconds(f.at_ms), f.label) }).collect(),
                    from_ms: tl.from_ms,
                    to_ms: tl.to_ms,
                    playhead_ms: Some(tl.to_ms),
                    aria: "Client requests over time, with the faults",
                    label_width: 70.0,
                }) }
                if !tl.faults.is_empty() {
                    <p class="small muted" data-faults={tl.faults.len().to_string()}>{ format!("Faults: {}",
                        tl.faults.iter().map(|f| format!("{} {}", seconds(f.at_ms), f.label)).collect::<Vec<_>>().join("; ")) }</p>
                }
            }
            if let Some(w) = &why {
                <div class="lin-why" role="alert" data-unplaceable={w.unplaceable.first().map(|r| r.to_string()).unwrap_or_default()}
                     data-wrong-read={w.wrong_read.map(|r| r.to_string()).unwrap_or_default()}>
                    { for w.sentences.iter().map(|s| html! { <p>{ s.clone() }</p> }) }
                    <p class="small muted">{ "Green: the requests that can be ordered; red: what cannot be placed next." }</p>
                </div>
            }
        </section>
    }
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

/// The verdict of the run's history up to the playhead (`data-lin`, the badge) and why it
/// fails, if it does.
#[cfg(any(feature = "run-linearizability", feature = "multi-paxos"))]
fn checked(
    view: &dyn paxoscope_core::view::RunView,
) -> (&'static str, &'static str, Option<LinWhy>) {
    use paxoscope_core::check::linearizability::LinOutcome;
    use paxoscope_core::verdict::{explain, linearizability};
    let report = linearizability(view);
    let (verdict, badge) = match &report.outcome {
        LinOutcome::Linearizable => ("linearizable", "✓ linearizable"),
        LinOutcome::NotLinearizable(_) => ("not-linearizable", "✕ not linearizable"),
        LinOutcome::Unknown => ("undecided", "? undecided"),
    };
    (verdict, badge, explain(&report))
}

/// This build does not check the run's history (feature `run-linearizability`): the
/// timeline alone.
#[cfg(not(any(feature = "run-linearizability", feature = "multi-paxos")))]
fn checked(_: &dyn paxoscope_core::view::RunView) -> (&'static str, &'static str, Option<LinWhy>) {
    ("unchecked", "", None)
}
