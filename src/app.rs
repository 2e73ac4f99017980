//! The playground page: one reducer state, the animation loop, shortcuts and URL sync, and
//! the layout of the panels.

use crate::components::breaks::breaks;
use crate::components::challenge::{challenge_banner, challenge_button};
use crate::components::client::Client;
use crate::components::cluster::{cluster, ClusterProps};
use crate::components::controls::{catch_up_bar, controls, ControlsProps};
use crate::components::diagram::{arrow_defs, Diagram};
use crate::components::embed::embed_view;
use crate::components::faults::Faults;
use crate::components::header::{header, HeaderProps};
use crate::components::help::{help, use_help_focus, HelpProps};
use crate::components::inspector::{inspector, InspectorProps};
use crate::components::invariants::{invariants, InvariantsProps};
use crate::components::log::{log, LogProps};
use crate::components::logs::{logs, select_lane};
use crate::components::scores::scores;
use crate::components::share::ShareButtons;
use crate::components::tour::{narration, protocol_picker, tour_picker, welcome};
use crate::components::why_rules::why_rules_bar;
use crate::hooks::{
    after_next_paint, host_api, initial_playground, use_animation_loop, use_open_on_hashchange,
    use_shortcuts, use_url_sync,
};
use crate::state::Action;
use yew::prelude::*;

#[component]
pub fn App() -> Html {
    let page = *use_memo((), |_| crate::page::options());
    let state = use_reducer(move || crate::page::for_page(initial_playground(), page));
    let dispatch = state.dispatcher();
    {
        let d = dispatch.clone();
        use_animation_loop(
            state.playing || state.catching_up.is_some(),
            Callback::from(move |dt| d.dispatch(Action::Tick(dt))),
        );
    }
    use_shortcuts(dispatch.clone());
    use_help_focus(state.help_open);
    use_url_sync(&state);
    use_open_on_hashchange(dispatch.clone(), page);
    host_api(&state);
    {
        // The panels around the cluster render once the cluster is on screen (the grid's
        // columns do not depend on them, so the cluster does not move when they arrive).
        let d = dispatch.clone();
        use_effect_with((), move |_| {
            after_next_paint(move || d.dispatch(Action::ShowPanels))
        });
    }
    let panels = state.panels;
    let (lane_click, lane_key) = select_lane(&dispatch);
    // The log and the lanes follow the run's slow revision, the inspector and the other side
    // panels the side revision (half a period later, so no frame rebuilds them all): plain
    // functions memoised here on what they show (a component each would cost about 1.3 KB of
    // wasm for the same memo).
    let slow = state.slow_handle();
    let side = state.side_handle();
    let selected = state.selected.unwrap_or(0);
    let inspector_view = use_memo((side.clone(), selected, panels), |(run, node, panels)| {
        if *panels {
            inspector(&InspectorProps {
                run: run.clone(),
                node: *node,
            })
        } else {
            html! {}
        }
    });
    let log_view = {
        let d = dispatch.clone();
        use_memo(
            (slow.clone(), state.log_filter.clone(), panels),
            move |(run, filter, panels)| {
                if *panels {
                    log(&LogProps {
                        run: run.clone(),
                        filter: filter.clone(),
                        dispatch: d,
                    })
                } else {
                    html! {}
                }
            },
        )
    };
    // The client-operations timeline and its verdict: checked once per slow revision, and
    // drawn again when a verdict checked elsewhere comes (the shipped page's checker module).
    let verdicts_view = {
        let d = dispatch.clone();
        let shown = panels && !page.embed;
        use_memo(
            (slow.clone(), shown, state.verdict_revision),
            move |(run, shown, _)| {
                if *shown {
                    crate::components::verdicts::verdicts(run, &d)
                } else {
                    html! {}
                }
            },
        )
    };
    if page.embed {
        return embed_view(&state, page);
    }

    let handle = state.handle();
    let diagrams = state.diagram_handle();
    let (seed, name, trace_hash, frontier_ms, n, stopped, words, protocol, node_word) = {
        let run = state.run.borrow();
        let s = &run.session;
        (
            s.scenario().seed,
            s.scenario().name.clone(),
            s.trace_hash(),
            run.frontier_ms,
            s.nodes(),
            s.violation().is_some(),
            s.presentation(),
            s.declaration().name,
            s.node_word(),
        )
    };
    let d = dispatch.clone();
    let dismiss_url = Callback::from(move |_: MouseEvent| d.dispatch(Action::DismissUrlError));

    html! {
        <div class="app">
            { arrow_defs() }
            { header(HeaderProps { name: name.clone(), tagline: words.tagline, seed, trace_hash, dispatch: dispatch.clone(),
                                   children: html! { <>
                { protocol_picker(protocol, &dispatch) }
                { tour_picker(name.as_deref(), protocol, &dispatch) }
                { challenge_button(protocol, &dispatch) }
                <ShareButtons state={state.clone()} />
            </> } }) }
            if let Some(msg) = &state.url_error {
                <div class="url-error" role="alert" data-url-error="">
                    <span>{ msg.clone() }</span>
                    <button type="button" class="btn" aria-label="Dismiss the link error" onclick={dismiss_url}>{ "✕" }</button>
                </div>
            }
            { challenge_banner(&state, false, &dispatch) }
            <main class="layout">
                // The playback bar first: it comes first in tab order and, on narrow screens, on screen.
                <div class="area-controls">
                    { controls(&ControlsProps { playing: state.playing, playhead_ms: state.playhead_ms, frontier_ms,
                              speed_tenths: state.speed_tenths, stopped_by_violation: stopped,
                              notice: state.notice.clone(), undo: state.undo.last().map(|u| u.what.clone()),
                              dispatch: dispatch.clone() }) }
                    if let Some(c) = state.catching_up {
                        { catch_up_bar(c, state.playhead_ms, &dispatch) }
                    }
                    { narration(&handle, state.playhead_ms as u64, state.end_ms(), &dispatch) }
                    { why_rules_bar(&handle, state.selected, &dispatch) }
                </div>
                <div class="area-cluster">
                    { cluster(&ClusterProps { run: handle.clone(), playhead_ms: state.playhead_ms, speed_tenths: state.speed_tenths,
                                          selected: state.selected, group: state.group.clone(), hovered: state.hovered_msg,
                                          compact: false, dispatch: dispatch.clone(),
                                          under: html! { <crate::components::narration::EventNarration run={handle.clone()} /> } }) }
                </div>
                if panels {
                    <div class="area-logs" onclick={lane_click} onkeydown={lane_key}>{ logs(&slow) }{ (*verdicts_view).clone() }</div>
                    <div class="area-side">
                        <section class="panel diagram-panel" aria-label="State diagram of the selected monitor">
                            <Diagram run={diagrams.clone()} node={selected} dispatch={dispatch.clone()} />
                        </section>
                        <Faults run={side.clone()} selected={state.selected} group={state.group.clone()}
                                notice={state.notice.clone()} dispatch={dispatch.clone()} />
                    </div>
                    <section class="area-diagrams panel" aria-label="State diagrams of the other monitors">
                        <div class="mini-diagrams">
                            { for (0..n).filter(|r| *r != selected).map(|r| html! {
                                <Diagram key={r} run={diagrams.clone()} node={r} compact=true dispatch={dispatch.clone()} />
                            }) }
                        </div>
                    </section>
                    // The operator's column: client operations, the election scores (runs that keep
                    // them), then the invariants they are all checked against.
                    <div class="area-client">
                        <Client key={protocol} run={side.clone()} notice={state.notice.clone()} dispatch={dispatch.clone()} />
                        { scores(&side, selected) }
                        { invariants(&InvariantsProps { run: side.clone(), dispatch: dispatch.clone() }) }
                    </div>
                    <div class="area-inspector">
                        { (*inspector_view).clone() }
                    </div>
                    <div class="area-log">
                        { (*log_view).clone() }
                    </div>
                    <div class="area-extras">
                        { breaks(&handle, state.selected, state.speed_tenths, &dispatch) }
                        { export_panel(&handle, state.playhead_ms as u64, state.selected) }
                        { crate::components::one_file::save_panel(&state) }
                    </div>
                }
            </main>
            <div class="sr-only" aria-live="polite" aria-atomic="true">{ state.announcement.clone() }</div>
            if state.help_open { { help(&HelpProps { dispatch: dispatch.clone() }) } }
            if state.welcome { { welcome(protocol, node_word, &dispatch) } }
        </div>
    }
}

/// The Export panel (components/export.rs).
fn export_panel(run: &crate::run::RunHandle, playhead_ms: u64, selected: Option<u8>) -> Html {
    use crate::components::export::Export;
    html! { <Export run={run.clone()} playhead_ms={playhead_ms} selected={selected} /> }
}
