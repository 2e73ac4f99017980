//! The operations timeline, drawn once for two sources: a history checked on the history page
//! (one lane per process) and the playground's run (one lane per client request, with the
//! playhead). Lanes of bars from invocation to completion, faults as vertical lines, classes
//! the caller chooses (what the verdict made of each operation).

use crate::labels::{fixed, push_escaped};
use std::fmt::Write as _;
#[cfg(feature = "history-page")]
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
    /// The least left margin for the lane names (SVG units, of 640); wider if the longest
    /// name needs it.
    pub label_width: f64,
}

/// Lane height and the drawing's width (SVG units).
const LANE: f64 = 22.0;
const WIDTH: f64 = 640.0;
/// The width of one lane-name character at the lane labels' 11 units, with a margin.
const LABEL_CHAR_W: f64 = 6.7;

/// The drawing as one SVG string (no `html!` nodes: less wasm), every label escaped. (The
/// playground writes it into its own panel's string: `write_timeline`.)
#[cfg(feature = "history-page")]
pub fn timeline(l: &Lanes) -> Html {
    let mut out = String::new();
    write_timeline(&mut out, l);
    Html::from_html_unchecked(out.into())
}

/// Appends the drawing's SVG to `out`.
pub fn write_timeline(out: &mut String, l: &Lanes) {
    assert!(l.to_ms > l.from_ms, "a timeline spans some time");
    let span = (l.to_ms - l.from_ms) as f64;
    // The lane names are in a proportional font: wide enough for the longest (about 6.7 units
    // a character at 11 units), or "#130 node.1" ran into its bar.
    let longest = l
        .labels
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0);
    let labels = l.label_width.max(longest as f64 * LABEL_CHAR_W + 6.0);
    let x = |t: u64| labels + (t.saturating_sub(l.from_ms) as f64 / span) * (WIDTH - labels - 4.0);
    let height = l.labels.len() as f64 * LANE + 6.0;
    let y2 = fixed(height, 1);
    let vline = |out: &mut String, at: u64, class: &str, title: &str| {
        let x = fixed(x(at).min(WIDTH - 2.0), 1);
        let _ = write!(
            out,
            r#"<line class="{class}" x1="{x}" x2="{x}" y1="0" y2="{y2}"><title>"#
        );
        push_escaped(out, title);
        out.push_str("</title></line>");
    };
    let _ = write!(
        out,
        r#"<svg class="history-timeline" viewBox="0 0 {} {}" role="img" aria-label=""#,
        fixed(WIDTH, 0),
        fixed(height, 0)
    );
    push_escaped(out, l.aria);
    out.push_str(r#"">"#);
    for (i, name) in l.labels.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="2" y="{}" class="lane-label">"#,
            fixed(i as f64 * LANE + 15.0, 1)
        );
        push_escaped(out, name);
        out.push_str("</text>");
    }
    for m in &l.marks {
        vline(out, m.at_ms, "fault", &m.label);
    }
    for b in &l.bars {
        let x0 = x(b.from_ms);
        let x1 = b.to_ms.map_or(WIDTH - 4.0, x).max(x0 + 3.0);
        let y = b.lane as f64 * LANE + 3.0;
        out.push_str(r#"<g class="op"#);
        for class in b.class.split_whitespace() {
            out.push(' ');
            push_escaped(out, class);
        }
        out.push_str(r#"" data-op=""#);
        push_escaped(out, &b.id);
        let _ = write!(
            out,
            r#""><rect x="{}" y="{}" width="{}" height="16" rx="3"></rect><text x="{}" y="{}">"#,
            fixed(x0, 1),
            fixed(y, 1),
            fixed(x1 - x0, 1),
            fixed(x0 + 3.0, 1),
            fixed(y + 12.0, 1)
        );
        push_escaped(out, &b.label);
        out.push_str("</text><title>");
        push_escaped(out, &b.title);
        out.push_str("</title></g>");
    }
    if let Some(t) = l.playhead_ms {
        vline(out, t, "playhead", "the playhead");
    }
    out.push_str("</svg>");
}
