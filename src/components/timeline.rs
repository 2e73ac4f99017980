//! The operations timeline, drawn once for two sources: a history checked on the history page
//! (one lane per process) and the playground's run (one lane per client request, with the
//! playhead). Lanes of bars from invocation to completion, faults as vertical lines, classes
//! the caller chooses (what the verdict made of each operation).

use crate::labels::fixed;
use yew::prelude::*;

/// One operation's bar.
pub struct Bar {
    pub lane: usize,
    pub from_ms: u64,
    /// `None`: no completion, the bar runs to the window's end (dashed when `open` is in the
    /// classes).
    pub to_ms: Option<u64>,
    pub label: String,
    /// The hover text.
    pub title: String,
    /// Space-separated classes after `op` (`ordered`, `blocked`, `info`…).
    pub class: String,
    /// The value of `data-op`: the operation's index or request id.
    pub id: String,
}

/// A fault on the time axis.
pub struct Mark {
    pub at_ms: u64,
    pub label: String,
}

/// What to draw.
pub struct Lanes {
    pub labels: Vec<String>,
    pub bars: Vec<Bar>,
    pub marks: Vec<Mark>,
    pub from_ms: u64,
    pub to_ms: u64,
    /// A vertical line at the playhead, if the source has one.
    pub playhead_ms: Option<u64>,
    pub aria: &'static str,
    /// The left margin for the lane names (SVG units, of 640).
    pub label_width: f64,
}

/// Lane height and the drawing's width (SVG units).
const LANE: f64 = 22.0;
const WIDTH: f64 = 640.0;

pub fn timeline(l: &Lanes) -> Html {
    assert!(l.to_ms > l.from_ms, "a timeline spans some time");
    let span = (l.to_ms - l.from_ms) as f64;
    let labels = l.label_width;
    let x = |t: u64| labels + (t.saturating_sub(l.from_ms) as f64 / span) * (WIDTH - labels - 4.0);
    let height = l.labels.len() as f64 * LANE + 6.0;
    let vline = |at: u64, class: &'static str, title: String| {
        let x = fixed(x(at).min(WIDTH - 2.0), 1);
        html! {
            <line class={class} x1={x.clone()} x2={x} y1="0" y2={fixed(height, 1)}><title>{ title }</title></line>
        }
    };
    html! {
        <svg class="history-timeline" viewBox={format!("0 0 {} {}", fixed(WIDTH, 0), fixed(height, 0))} role="img" aria-label={l.aria}>
            { for l.labels.iter().enumerate().map(|(i, name)| html! {
                <text x="2" y={fixed(i as f64 * LANE + 15.0, 1)} class="lane-label">{ name.clone() }</text>
            }) }
            { for l.marks.iter().map(|m| vline(m.at_ms, "fault", m.label.clone())) }
            { for l.bars.iter().map(|b| {
                let x0 = x(b.from_ms);
                let x1 = b.to_ms.map_or(WIDTH - 4.0, x).max(x0 + 3.0);
                let y = b.lane as f64 * LANE + 3.0;
                html! {
                    <g class={classes!("op", b.class.clone())} data-op={b.id.clone()}>
                        <rect x={fixed(x0, 1)} y={fixed(y, 1)} width={fixed(x1 - x0, 1)} height="16" rx="3" />
                        <text x={fixed(x0 + 3.0, 1)} y={fixed(y + 12.0, 1)}>{ b.label.clone() }</text>
                        <title>{ b.title.clone() }</title>
                    </g>
                }
            }) }
            if let Some(t) = l.playhead_ms { { vline(t, "playhead", "the playhead".into()) } }
        </svg>
    }
}
