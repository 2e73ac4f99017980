//! The selected monitor in detail: what it is doing (volatile), what survives a crash
//! (its durable store: pns, committed range, the uncommitted value), the versions it holds,
//! its key-value state and its recent messages.

use crate::index::trace_end_at;
use crate::labels::{mon, seconds};
use crate::run::RunHandle;
use paxoscope_core::actor::Rank;
use paxoscope_core::trace::TraceKind;
use yew::prelude::*;

const VERSIONS_SHOWN: usize = 8;
const MESSAGES_SHOWN: usize = 10;
const SCAN: usize = 5_000;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub run: RunHandle,
    pub node: Rank,
}

fn row(k: &str, v: String) -> Html {
    html! { <><dt>{ k.to_string() }</dt><dd>{ v }</dd></> }
}

#[component]
pub fn Inspector(p: &InspectorProps) -> Html {
    let run = p.run.run.borrow();
    let world = run.session.world();
    let r = p.node;
    let store = world.durable(r);
    let slot = world.slot(r);
    let now = world.now_ms();
    let volatile = match world.status(r) {
        None => {
            html! { <p class="down-note">{ "Down: memory and timers are gone; only the durable store below survives." }</p> }
        }
        Some(s) => html! {
            <dl class="kv">
                { row("state", format!("{} / {}", s.role, s.phase)) }
                { row("epoch", s.epoch.to_string()) }
                { row("leader", s.leader.map(mon).unwrap_or_else(|| "none".into())) }
                { row("lease left", if s.lease_left_ms > 0 { seconds(s.lease_left_ms) } else { "none".into() }) }
                { row("reads", if s.readable { "served locally".into() } else { "refused".into() }) }
                { row("process", if slot.paused { "paused".into() } else { "running".into() }) }
                { row("clock", format!("{:+} ms skew, {} ppm drift", slot.clock.skew_ms(now), slot.clock.drift_ppm())) }
            </dl>
        },
    };
    let uncommitted = store.uncommitted().map(|v| {
        let pn = if store.pending_v == store.last_committed + 1 {
            store.pending_pn
        } else {
            store.accepted_pn
        };
        format!("v{} (pn {pn}): {}", store.last_committed + 1, v.describe())
    });
    let versions = store.values.iter().rev().take(VERSIONS_SHOWN).map(|(v, val)| {
        let committed = *v <= store.last_committed;
        html! { <li class={classes!((!committed).then_some("uncommitted"))}>
            <strong>{ format!("v{v}") }</strong>{ if committed { " " } else { " (uncommitted) " } }{ val.describe() }
        </li> }
    });
    let kv = store
        .kv
        .iter()
        .map(|(k, v)| html! { <><dt>{ k.clone() }</dt><dd>{ v.clone() }</dd></> });
    let trace = run.session.trace();
    let end = trace_end_at(trace, run.events());
    let msgs = trace[end.saturating_sub(SCAN)..end]
        .iter()
        .rev()
        .filter(|e| {
            e.node == Some(r)
                && matches!(
                    e.kind,
                    TraceKind::Send { .. } | TraceKind::Deliver { .. } | TraceKind::Drop { .. }
                )
        })
        .take(MESSAGES_SHOWN)
        .map(|e| html! { <li>{ crate::labels::trace_line(e) }</li> });
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
                    <dl class="kv">
                        { row("last_pn", store.last_pn.to_string()) }
                        { row("accepted_pn", store.accepted_pn.to_string()) }
                        { row("first_committed", store.first_committed.to_string()) }
                        { row("last_committed", store.last_committed.to_string()) }
                        { row("election_epoch", store.election_epoch.to_string()) }
                        { row("uncommitted", uncommitted.unwrap_or_else(|| "none".into())) }
                    </dl>
                </div>
            </div>
            <h3 class="sub-title">{ format!("Versions held ({} stored, newest first)", store.values.len()) }</h3>
            <ol class="versions">{ for versions }</ol>
            <h3 class="sub-title">{ format!("Key-value state (service version {})", store.kv_version) }</h3>
            if store.kv.is_empty() { <p class="muted">{ "empty" }</p> } else { <dl class="kv">{ for kv }</dl> }
            <h3 class="sub-title">{ "Recent messages" }</h3>
            <ol class="mini-log">{ for msgs }</ol>
        </section>
    }
}
