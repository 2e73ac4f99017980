//! The selected node in detail: what it is doing (volatile), what survives a crash (its
//! durable state), the protocol's own lists (Ceph: the versions it holds and its key-value
//! state; Basic Paxos: the accepted messages its learner saw), all in the protocol's words
//! (`Protocol::inspect`), and its recent messages.

use crate::labels::mon;
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

fn row(k: &str, v: String) -> Html {
    html! { <><dt>{ k.to_string() }</dt><dd>{ v }</dd></> }
}

fn listing(l: &Listing) -> Html {
    let body = if l.rows.is_empty() {
        html! { <p class="muted">{ l.empty }</p> }
    } else if l.pairs {
        html! { <dl class="kv">{ for l.rows.iter().map(|r| row(&r.head, r.text.clone())) }</dl> }
    } else {
        html! { <ol class="versions">{ for l.rows.iter().map(|r| html! {
            <li class={classes!(r.dim.then_some("uncommitted"))}><strong>{ r.head.clone() }</strong>{ r.text.clone() }</li>
        }) }</ol> }
    };
    html! { <><h3 class="sub-title">{ l.title.clone() }</h3>{ body }</> }
}

/// The panel (a plain function the page memoises on its run's slow revision and the node: a
/// component would cost about 1.3 KB of wasm for the same memo).
pub fn inspector(p: &InspectorProps) -> Html {
    let run = p.run.run.borrow();
    let world = &*run.session;
    let r = p.node;
    let now = world.now_ms();
    let seen = world.inspect(r);
    let volatile = if world.is_up(r) {
        let clock = world.clock(r);
        html! {
            <dl class="kv">
                { for seen.volatile.iter().map(|(k, v)| row(k, v.clone())) }
                { row("process", if world.paused(r) { "paused".into() } else { "running".into() }) }
                { row("clock", format!("{:+} ms skew, {} ppm drift", clock.skew_ms(now), clock.drift_ppm())) }
            </dl>
        }
    } else {
        html! { <p class="down-note">{ "Down: memory and timers are gone; only the durable store below survives." }</p> }
    };
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
        .take(MESSAGES_SHOWN)
        .map(|i| html! { <li>{ world.text(i) }</li> });
    html! {
        <section class="panel inspector" aria-labelledby="inspector-title">
            <h2 id="inspector-title" class="panel-title">{ format!("Inspector: {}", mon(r)) }</h2>
            <div class="inspector-grid">
                <div>
                    <h3 class="sub-title">{ "Now (volatile)" }</h3>
                    { volatile }
                </div>
                <div>
                    <h3 class="sub-title">{ "Durable store (survives a crash)" }</h3>
                    <dl class="kv">{ for seen.durable.iter().map(|(k, v)| row(k, v.clone())) }</dl>
                </div>
            </div>
            { for seen.lists.iter().map(listing) }
            <h3 class="sub-title">{ "Recent messages" }</h3>
            <ol class="mini-log">{ for msgs }</ol>
        </section>
    }
}
