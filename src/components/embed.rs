//! The compact layout for `?embed=1` (fits a 700x450 iframe): the cluster, the selected
//! monitor's diagram (its score tables instead in a run that keeps election scores), playback, the narration (a tour's note, else the latest event in words under the ring), and a link to the full playground at the
//! same moment. `hide=diagram,narration,controls` leaves parts out (docs/embedding.md).

use crate::components::cluster::{cluster, ClusterProps};
use crate::components::controls::{controls, ControlsProps};
use crate::components::diagram::{arrow_defs, Diagram};
use crate::components::header::short_hash;
use crate::components::scores::{keeps_scores, scores};
use crate::components::tour::narration;
use crate::page::{page_base, PageOptions};
use crate::state::Playground;
use paxoscope_core::scenario::to_url_fragment;
use yew::prelude::*;

/// The embed layout for the playground `state` with the page's options `o`.
pub fn embed_view(state: &UseReducerHandle<Playground>, o: PageOptions) -> Html {
    let dispatch = state.dispatcher();
    let handle = state.handle();
    let (name, hash, frontier_ms, stopped, violated) = {
        let run = state.run.borrow();
        let s = &run.session;
        (
            s.scenario().name.clone(),
            s.trace_hash(),
            run.frontier_ms,
            s.violation().is_some(),
            run.violation.is_some(),
        )
    };
    let selected = state.selected.unwrap_or(0);
    // Same scenario and moment, without the embed query: the full playground.
    let full = format!(
        "{}#{}",
        page_base(),
        to_url_fragment(&state.scenario_with_view())
    );
    let status = if stopped { "violated" } else { "ok" };
    // The latest event in words, under the ring, unless a tour's note explains the run (the
    // frame has room for one of the two).
    let toured = !crate::components::tour::notes(state.run.borrow().session.scenario()).is_empty();
    let under = if o.hide_narration || toured {
        html! {}
    } else {
        html! { <crate::components::narration::EventNarration run={handle.clone()} compact=true /> }
    };
    html! {
        <div class={classes!("embed", o.hide_diagram.then_some("no-diagram"))} data-embed="">
            { arrow_defs() }
            <div class="embed-top">
                <strong class="embed-title">{ name.unwrap_or_else(|| "Paxoscope".into()) }</strong>
                <span class="small muted">{ "trace #" }<code data-trace-hash="">{ short_hash(hash) }</code></span>
                <span class={classes!("small", "embed-inv", violated.then_some("bad"))} data-invariants={status}>
                    { if stopped { "✕ invariant violated" } else { "✓ invariants hold" } }
                </span>
                <a class="embed-open" href={full} target="_blank" rel="noopener">{ "Open in Paxoscope" }</a>
            </div>
            { crate::components::challenge::challenge_banner(state, true, &dispatch) }
            <div class="embed-main">
                <div class="embed-cluster">
                    { cluster(&ClusterProps { run: handle.clone(), playhead_ms: state.playhead_ms, speed_tenths: state.speed_tenths,
                                          selected: state.selected, group: state.group.clone(), hovered: state.hovered_msg,
                                          compact: true, under, dispatch: dispatch.clone() }) }
                </div>
                if !o.hide_diagram && keeps_scores(&handle, selected) {
                    <div class="embed-scores">{ scores(&handle, selected) }</div>
                } else if !o.hide_diagram {
                    <section class="panel embed-diagram" aria-label="State diagram of the selected monitor">
                        <Diagram run={state.diagram_handle()} node={selected} focus=true dispatch={dispatch.clone()} />
                    </section>
                }
            </div>
            if !o.hide_controls {
                { controls(&ControlsProps { playing: state.playing, playhead_ms: state.playhead_ms, frontier_ms,
                          speed_tenths: state.speed_tenths, stopped_by_violation: stopped,
                          notice: state.notice.clone(), undo: None, dispatch: dispatch.clone() }) }
            }
            if !o.hide_narration {
                { narration(&handle, state.playhead_ms as u64, None, &dispatch) }
            }
            if let Some(msg) = &state.url_error {
                <div class="url-error" role="alert" data-url-error="">{ msg.clone() }</div>
            }
            <div class="sr-only" aria-live="polite" aria-atomic="true">{ state.announcement.clone() }</div>
        </div>
    }
}
