//! The Elections panel: one monitor's score tables under Ceph's election strategies
//! (`RunView::scores`). A row per reporter, a column per peer: is the link alive (✓ / ✗) and
//! its score in [0, 1]; under the rows, each monitor's election score as that table sums it.
//! Beside the live table, the frozen copy the monitor voted with in its current or last
//! election, which is what decided it. The title counts the elections won in the last minute
//! of simulated time, so thrashing is a number. A protocol without scores draws nothing.
//!
//! Like the Logs panel, the tables are plain cells written as one HTML string (numbers and
//! fixed words only, nothing a user typed), redrawn only when the throttled handle moves on.

use crate::labels::mon;
use crate::run::RunHandle;
use paxoscope_core::view::{ScoreTable, Scores};
use std::cell::RefCell;
use std::fmt::Write;
use yew::prelude::*;

/// A score as the panel (and the tours' notes) write it: whole numbers bare, else 4 decimals.
/// Scores lie in [-1, N-1]. Written with integers: f64 formatting would add kilobytes of wasm.
pub fn score_text(x: f64) -> String {
    match paxoscope_core::decimal::split(x, 4) {
        (sign, whole, 0) => format!("{sign}{whole}"),
        (sign, whole, frac) => format!("{sign}{whole}.{frac:04}"),
    }
}

/// One table: a header row of peers, a row per reporter, the totals row.
fn table(out: &mut String, which: &str, caption: &str, t: &ScoreTable, n: u8) {
    let _ = write!(
        out,
        r#"<table class="score-matrix" data-table="{which}" data-epoch="{}"><caption>{caption}</caption><thead><tr><th scope="col">from\to</th>"#,
        t.epoch
    );
    for peer in 0..n {
        let _ = write!(out, r#"<th scope="col">{peer}</th>"#);
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        let r = row.reporter;
        let _ = write!(
            out,
            r#"<tr data-reporter="{r}"><th scope="row">{}</th>"#,
            mon(r)
        );
        for (peer, cell) in row.cells.iter().enumerate() {
            match cell {
                None if peer as u8 == r => out.push_str(r#"<td class="self">—</td>"#),
                None => out.push_str(r#"<td class="none">·</td>"#),
                Some((alive, s)) => {
                    let (class, mark) = if *alive {
                        ("up", "✓")
                    } else {
                        ("dead", "✗")
                    };
                    let _ = write!(out, r#"<td class="{class}">{} {mark}</td>"#, score_text(*s));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str(r#"<tr class="total"><th scope="row">score</th>"#);
    for (r, x) in t.totals.iter().enumerate() {
        let _ = write!(out, r#"<td data-total="{r}">{}</td>"#, score_text(*x));
    }
    out.push_str("</tr></tbody></table>");
}

fn draw(handle: &RunHandle, node: u8) -> Html {
    let run = handle.run.borrow();
    let world = &*run.session;
    let Some(per_minute) = world.elections_last_minute() else {
        return Html::default();
    };
    let n = world.nodes();
    let scores: Option<Scores> = world.scores(node);
    let mut body = format!(
        r#"<section class="panel scores" aria-labelledby="scores-title" data-node="{node}" data-elections-minute="{per_minute}"{}><h2 id="scores-title" class="panel-title">Elections <span class="muted small">{} won in the last minute · {}'s scores</span></h2>"#,
        scores
            .as_ref()
            .map(|s| format!(r#" data-strategy="{}""#, s.strategy))
            .unwrap_or_default(),
        per_minute,
        mon(node),
    );
    match &scores {
        None => {
            let _ = write!(body, r#"<p class="muted">{} is down.</p>"#, mon(node));
        }
        Some(s) => {
            let disallowed = match s.disallowed.as_slice() {
                [] => "none".to_string(),
                d => d.iter().map(|r| mon(*r)).collect::<Vec<_>>().join(", "),
            };
            let _ = write!(
                body,
                r#"<p class="small">Strategy <strong>{}</strong> · may not lead: {disallowed}</p><div class="score-tables{}">"#,
                s.strategy,
                if s.frozen.is_some() {
                    " has-frozen"
                } else {
                    ""
                }
            );
            // A run without pings (classic, disallow) keeps no scores: one line, not empty tables.
            let scored = s
                .live
                .rows
                .iter()
                .any(|row| row.cells.iter().any(Option::is_some));
            if !scored && s.frozen.is_none() {
                body.push_str(r#"</div><p class="muted small" data-no-scores="">No link scores: this run's monitors do not ping each other (classic does not by default; connectivity, chosen in Faults, does).</p></section>"#);
                return Html::from_html_unchecked(body.into());
            }
            table(&mut body, "live", "Live table", &s.live, n);
            if let Some(f) = &s.frozen {
                // Copied as the election began, in an odd (electing) epoch; the winner
                // announces the next, even one, which is the epoch the notes and the ring show.
                let caption = match f.epoch % 2 {
                    1 => format!(
                        "Frozen in electing epoch {} (the win makes it {})",
                        f.epoch,
                        f.epoch + 1
                    ),
                    _ => format!("Frozen for the election (epoch {})", f.epoch),
                };
                table(&mut body, "frozen", &caption, f, n);
            }
            body.push_str(r#"</div><p class="muted small">A row: one monitor's links, ✓ alive or ✗ dead, and their scores. Connectivity elects the best total.</p>"#);
        }
    }
    body.push_str("</section>");
    Html::from_html_unchecked(body.into())
}

thread_local! {
    /// The last panel drawn, the handle and node it was drawn for.
    static DRAWN: RefCell<Option<(RunHandle, u8, Html)>> = const { RefCell::new(None) };
}

/// The panel for monitor `node`, or nothing for a protocol without elections. A plain
/// function, not a component (less wasm), redrawn only when the handle or node changes.
pub fn scores(handle: &RunHandle, node: u8) -> Html {
    DRAWN.with_borrow_mut(|drawn| match drawn {
        Some((h, r, html)) if h == handle && *r == node => html.clone(),
        _ => {
            let html = draw(handle, node);
            *drawn = Some((handle.clone(), node, html.clone()));
            html
        }
    })
}

/// Does the run keep scores worth showing for `node` (a strategy other than classic, or pings
/// on)? The embed then shows the score tables instead of the state diagram.
pub fn keeps_scores(handle: &RunHandle, node: u8) -> bool {
    let run = handle.run.borrow();
    let scores = run.session.scores(node);
    scores.is_some_and(|s| {
        s.strategy != "classic"
            || s.live
                .rows
                .iter()
                .any(|r| r.cells.iter().any(Option::is_some))
    })
}

#[cfg(test)]
mod tests {
    use super::score_text;

    #[test]
    fn scores_read_as_the_notes_write_them() {
        assert_eq!(score_text(4.0), "4");
        assert_eq!(score_text(-1.0), "-1");
        assert_eq!(score_text(3.99443), "3.9944");
        assert_eq!(score_text(0.99875), "0.9988");
        assert_eq!(score_text(0.0), "0");
        assert_eq!(score_text(-0.25), "-0.2500");
    }
}
