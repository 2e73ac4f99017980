//! The event log up to the playhead, newest first, filtered by node and family. Only the
//! last rows are built, and the scan back is bounded, so long runs stay fast.

use crate::labels::{mon, push_escaped};
use crate::run::RunHandle;
use crate::state::{Action, Dispatch, LogFilter};
use paxoscope_core::view::{Entry, EntryKind};
use std::fmt::Write as _;
use wasm_bindgen::JsCast;
use yew::prelude::*;

const ROWS: usize = 60;
/// Trace entries looked at per render at most, whatever the filter.
const SCAN: usize = 20_000;

pub struct LogProps {
    pub run: RunHandle,
    pub filter: LogFilter,
    pub dispatch: Dispatch,
}

/// The filter family of an entry: its message family, or a class of non-message entry.
fn family(e: &Entry) -> &'static str {
    match &e.kind {
        EntryKind::Send { family, .. }
        | EntryKind::Deliver { family, .. }
        | EntryKind::Drop { family, .. } => family,
        EntryKind::Transition(_) => "states",
        EntryKind::Action(_) | EntryKind::Crash | EntryKind::Boot => "faults",
        EntryKind::ClientRequest { .. } | EntryKind::ClientReply { .. } => "clients",
        EntryKind::Timer(_) => "timers",
        EntryKind::Persist => "persist",
        EntryKind::Note(_) => "notes",
    }
}

fn matches(f: &LogFilter, e: &Entry) -> bool {
    let node_ok = f.node.is_none_or(|n| {
        e.node == Some(n)
            || matches!(&e.kind, EntryKind::Send { to, .. } if *to == n)
            || matches!(&e.kind, EntryKind::Drop { from, to, .. } if *from == n || *to == n)
    });
    node_ok && f.family.as_deref().is_none_or(|fam| fam == family(e))
}

fn select_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

const EXTRA_FAMILIES: [(&str, &str); 7] = [
    ("states", "state changes"),
    ("faults", "faults"),
    ("clients", "client requests"),
    ("persist", "store writes"),
    ("timers", "timers"),
    ("notes", "notes"),
    ("other", "other"),
];

/// The panel (a plain function the page memoises on its run's slow revision and the filter:
/// a component would cost about 1.3 KB of wasm for the same memo).
pub fn log(p: &LogProps) -> Html {
    let run = p.run.run.borrow();
    let world = &*run.session;
    let end = world.trace_end_at(run.events());
    let start = end.saturating_sub(SCAN).max(world.resident().start);
    // The rows as one string: `ev-<name>` and `fam-<family>` classes, each line escaped.
    let mut rows = String::new();
    for (i, e) in (start..end)
        .rev()
        .map(|i| (i, world.entry(i)))
        .filter(|(_, e)| matches(&p.filter, e))
        .take(ROWS)
    {
        let _ = write!(
            rows,
            r#"<li class="log-row ev-{} fam-{}">"#,
            e.name,
            family(&e)
        );
        push_escaped(&mut rows, &crate::labels::trace_line(world, i));
        rows.push_str("</li>");
    }
    let n = world.nodes();
    let families = world.presentation().families;
    let filter = p.filter.clone();
    let d = p.dispatch.clone();
    let on_node = Callback::from(move |e: Event| {
        let v = select_value(&e);
        d.dispatch(Action::SetLogFilter(LogFilter {
            node: v.parse().ok(),
            ..filter.clone()
        }));
    });
    let filter = p.filter.clone();
    let d = p.dispatch.clone();
    let on_family = Callback::from(move |e: Event| {
        let v = select_value(&e);
        let family = (!v.is_empty()).then_some(v);
        d.dispatch(Action::SetLogFilter(LogFilter {
            family,
            ..filter.clone()
        }));
    });
    let fam = p.filter.family.clone().unwrap_or_default();
    html! {
        <section class="panel log" aria-labelledby="log-title">
            <h2 id="log-title" class="panel-title">{ "Event log" }
                <span class="muted small">{ format!(" · {} entries, newest first (last {ROWS} shown)", end) }</span></h2>
            <div class="row filters">
                <label class="field"><span>{ "Node" }</span>
                    <select aria-label="Log node filter" onchange={on_node}>
                        <option value="" selected={p.filter.node.is_none()}>{ "all" }</option>
                        { for (0..n).map(|r| html! { <option value={r.to_string()} selected={p.filter.node == Some(r)}>{ mon(r) }</option> }) }
                    </select></label>
                <label class="field"><span>{ "Kind" }</span>
                    <select aria-label="Log family filter" onchange={on_family}>
                        <option value="" selected={fam.is_empty()}>{ "everything" }</option>
                        { for families.iter().chain(EXTRA_FAMILIES.iter()).map(|(f, label)| html! {
                            <option value={*f} selected={fam == *f}>{ *label }</option>
                        }) }
                    </select></label>
            </div>
            <ol class="log-rows" tabindex="0" aria-label="Events, newest first">{ Html::from_html_unchecked(rows.into()) }</ol>
        </section>
    }
}
