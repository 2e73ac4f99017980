//! The replicated log of every node, one lane each, at the playhead: a cell per slot coloured
//! (and textured) by its state, no-ops struck through, holes outlined, the α window boxed.
//! Only the last `SHOWN` slots are drawn; the applied ones before them are folded into the
//! lane's first column. A protocol without a log (`RunView::logs` is `None`) draws nothing.
//!
//! The lanes are a few hundred plain cells, so they are written as one HTML string (numbers and
//! fixed words only, nothing a user typed) rather than as `html!` nodes: the same DOM for a
//! fraction of the wasm. One listener on the panel's area (`select_lane`) turns a click on a
//! lane, or Enter on a focused one, into the selection of its node.

use crate::labels::mon;
use crate::run::RunHandle;
use crate::state::Action;
use paxoscope_core::view::{Lane, SlotState};
use std::cell::RefCell;
use std::fmt::Write;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Slots drawn per lane, however long the log.
const SHOWN: u64 = 40;

/// The legend, the same for every protocol with a log (the states of `SlotState`).
const LEGEND: &str = r#"<ul class="legend"><li><span class="c empty"></span>empty</li><li><span class="c accepted"></span>accepted</li><li><span class="c chosen"></span>chosen</li><li><span class="c applied"></span>applied</li><li><span class="c applied noop"></span>no-op</li><li><span class="c hole"></span>hole</li><li><span class="c win"></span>α window</li></ul>"#;

/// The lanes' width in rem: cells of at most 1.6rem, so that a short log does not stretch.
fn cells_rem(from: u64, to: u64) -> u64 {
    (to + 1 - from) * 8 / 5
}

/// One lane: the node's name, the folded applied prefix, a cell per slot `from..=to`, and the
/// α window over the cells it covers.
fn lane(out: &mut String, r: u8, l: &Lane, from: u64, to: u64) {
    let log = &l.log;
    // Slots left of the window: how many of them this node applied (all, unless it lags).
    let folded = log.applied.min(from - 1);
    let _ = write!(
        out,
        r#"<div class="lane{}" data-lane="{r}" data-applied="{}" tabindex="0" title="select {3}"><span class="lane-name">{3}</span><span class="lane-fold{}" title="slots 1–{folded} applied">"#,
        if l.up { "" } else { " down" },
        log.applied,
        mon(r),
        if folded + 1 < from { " lag" } else { "" },
    );
    match (from > 1, folded) {
        (false, _) => {}
        (true, 0) => out.push_str("none ✓"),
        (true, _) => {
            let _ = write!(out, "1–{folded} ✓");
        }
    }
    let _ = write!(
        out,
        r#"</span><span class="cells" style="max-width:{}rem">"#,
        cells_rem(from, to)
    );
    for (i, s) in (from..).zip(&log.slots) {
        // A hole: empty below the highest slot this node holds (`Lane::holes`).
        let state = if s.state == SlotState::Empty && i < log.highest {
            "hole"
        } else {
            s.state.name()
        };
        let noop = if s.noop { " noop" } else { "" };
        let _ = write!(
            out,
            r#"<span class="c {state}{noop}" title="{i}: {state}{noop}"></span>"#
        );
    }
    // The α window, clipped to the drawn slots.
    let (a, b) = (log.first_unchosen.max(from), log.window_end().min(to));
    if a <= b {
        let n = to + 1 - from;
        let _ = write!(
            out,
            r#"<span class="alpha" style="left:calc(100%*{}/{n});width:calc(100%*{}/{n})"></span>"#,
            a - from,
            b + 1 - a
        );
    }
    out.push_str("</span></div>");
}

thread_local! {
    /// The last panel drawn and the handle it was drawn for.
    static DRAWN: RefCell<Option<(RunHandle, Html)>> = const { RefCell::new(None) };
}

/// The panel, or nothing for a protocol without a log, redrawn only when the throttled handle
/// moves on. A plain function, not a component: a component of its own (or `use_memo`) cost
/// 0.4 to 1.3 KB more wasm.
pub fn logs(handle: &RunHandle) -> Html {
    DRAWN.with_borrow_mut(|drawn| match drawn {
        Some((h, html)) if h == handle => html.clone(),
        _ => {
            let html = draw(handle);
            *drawn = Some((handle.clone(), html.clone()));
            html
        }
    })
}

fn draw(handle: &RunHandle) -> Html {
    let run = handle.run.borrow();
    let Some(logs) = run.session.logs(SHOWN) else {
        return Html::default();
    };
    let (from, to) = (logs.from, logs.to);
    let alpha = logs.lanes.iter().map(|l| l.log.alpha).max().unwrap_or(0);
    // The title, then the slot numbers at both ends of the window above the lanes.
    let mut body = format!(
        r#"<section class="panel logs" aria-labelledby="logs-title" data-from="{from}" data-to="{to}"><h2 id="logs-title" class="panel-title">Logs <span class="muted small">slots {from}–{to}, α = {alpha}</span></h2><div class="lane axis"><span></span><span></span><span class="cells" style="max-width:{}rem"><span>{from}</span><span>{to}</span></span></div>"#,
        cells_rem(from, to),
    );
    for (r, l) in logs.lanes.iter().enumerate() {
        lane(&mut body, r as u8, l, from, to);
    }
    body.push_str(LEGEND);
    body.push_str("</section>");
    Html::from_html_unchecked(body.into())
}

/// The node of the lane an event happened in (`data-lane` of the closest lane), if any.
fn lane_of(e: &Event) -> Option<u8> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    el.closest("[data-lane]")
        .ok()??
        .get_attribute("data-lane")?
        .parse()
        .ok()
}

/// The logs area's click and keydown listener: a lane clicked, or focused and Enter pressed,
/// selects its node (as a click on the ring does).
pub fn select_lane(
    dispatch: &UseReducerDispatcher<crate::state::Playground>,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let d = dispatch.clone();
    let click = Callback::from(move |e: MouseEvent| {
        if let Some(r) = lane_of(&e) {
            d.dispatch(Action::Select(Some(r)));
        }
    });
    let d = dispatch.clone();
    let key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            if let Some(r) = lane_of(&e) {
                d.dispatch(Action::Select(Some(r)));
            }
        }
    });
    (click, key)
}
