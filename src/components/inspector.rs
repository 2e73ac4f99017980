//! The selected node in detail: what it is doing (volatile), what survives a crash (its
//! durable state), the protocol's own lists (Ceph: the versions it holds and its key-value
//! state; Basic Paxos: the accepted messages its learner saw), all in the protocol's words
//! (`Protocol::inspect`), and its recent messages.

use crate::labels::{mon, push_escaped};
use crate::run::RunHandle;
use paxoscope_core::actor::Rank;
use paxoscope_core::view::{EntryKind, Listing};
use yew::prelude::*;

const MESSAGES_SHOWN: usize = 10;
const SCAN: usize = 5_000;

pub struct InspectorProps {
    pub run: RunHandle,
    pub node: Rank,
}

/// `<dt>k</dt><dd>v</dd>`
fn row(out: &mut String, k: &str, v: &str) {
    out.push_str("<dt>");
    push_escaped(out, k);
    out.push_str("</dt><dd>");
    push_escaped(out, v);
    out.push_str("</dd>");
}

/// A definition list of (key, value) pairs.
fn pairs<'a>(out: &mut String, rows: impl Iterator<Item = (&'a str, &'a str)>) {
    out.push_str(r#"<dl class="kv">"#);
    for (k, v) in rows {
        row(out, k, v);
    }
    out.push_str("</dl>");
}

fn listing(out: &mut String, l: &Listing) {
    out.push_str(r#"<h3 class="sub-title">"#);
    push_escaped(out, &l.title);
    out.push_str("</h3>");
    if l.rows.is_empty() {
        out.push_str(r#"<p class="muted">"#);
        push_escaped(out, l.empty);
        out.push_str("</p>");
    } else if l.pairs {
        pairs(
            out,
            l.rows.iter().map(|r| (r.head.as_str(), r.text.as_str())),
        );
    } else {
        out.push_str(r#"<ol class="versions">"#);
        for r in &l.rows {
            out.push_str(if r.dim {
                r#"<li class="uncommitted"><strong>"#
            } else {
                "<li><strong>"
            });
            push_escaped(out, &r.head);
            out.push_str("</strong>");
            push_escaped(out, &r.text);
            out.push_str("</li>");
        }
        out.push_str("</ol>");
    }
}

/// The panel (a plain function the page memoises on its run's slow revision and the node: a
/// component would cost about 1.3 KB of wasm for the same memo), written as one HTML string
/// with every run word escaped: no `html!` nodes, less wasm.
pub fn inspector(p: &InspectorProps) -> Html {
    let run = p.run.run.borrow();
    let world = &*run.session;
    let r = p.node;
    let now = world.now_ms();
    let seen = world.inspect(r);
    let mut out = format!(
        r#"<section class="panel inspector" aria-labelledby="inspector-title"><h2 id="inspector-title" class="panel-title">Inspector: {}</h2><div class="inspector-grid"><div><h3 class="sub-title">Now (volatile)</h3>"#,
        mon(r)
    );
    if world.is_up(r) {
        let clock = world.clock(r);
        let process = if world.paused(r) { "paused" } else { "running" };
        let skew = format!(
            "{:+} ms skew, {} ppm drift",
            clock.skew_ms(now),
            clock.drift_ppm()
        );
        let volatile = seen.volatile.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        pairs(
            &mut out,
            volatile.chain([("process", process), ("clock", skew.as_str())]),
        );
    } else {
        out.push_str(r#"<p class="down-note">Down: memory and timers are gone; only the durable store below survives.</p>"#);
    }
    out.push_str(r#"</div><div><h3 class="sub-title">Durable store (survives a crash)</h3>"#);
    pairs(
        &mut out,
        seen.durable.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    out.push_str("</div></div>");
    for l in &seen.lists {
        listing(&mut out, l);
    }
    out.push_str(r#"<h3 class="sub-title">Recent messages</h3><ol class="mini-log">"#);
    let end = world.trace_end_at(run.events());
    let msgs = (end.saturating_sub(SCAN).max(world.resident().start)..end)
        .rev()
        .filter(|i| {
            let e = world.entry(*i);
            e.node == Some(r)
                && matches!(
                    e.kind,
                    EntryKind::Send { .. } | EntryKind::Deliver { .. } | EntryKind::Drop { .. }
                )
        })
        .take(MESSAGES_SHOWN);
    for i in msgs {
        out.push_str("<li>");
        push_escaped(&mut out, &world.text(i));
        out.push_str("</li>");
    }
    out.push_str("</ol></section>");
    Html::from_html_unchecked(out.into())
}
