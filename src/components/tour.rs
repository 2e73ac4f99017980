//! Guided tours: a picker over `presets::PRESETS` and the narration bar. A tour is a scenario
//! with `note` actions; the bar shows the latest note at or before the playhead, and its
//! previous/next buttons seek to the neighbouring notes' times.

use crate::labels::{push_escaped, seconds};
use crate::page::{fetch_tour, tour_of, tour_scenario};
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use paxoscope_core::presets::{self, PRESETS};
use paxoscope_core::scenario::{Action as SimAction, ProtocolId, Scenario};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The tour picker: every protocol's tours (a tour's scenario names its protocol, so picking
/// one switches to it); free play is the running protocol's (`protocol`, a declaration's
/// name). `name` is the running scenario's (how the current tour is recognised).
pub fn tour_picker(name: Option<&str>, protocol: &'static str, dispatch: &Dispatch) -> Html {
    let current = tour_of(name);
    let d = dispatch.clone();
    let onchange = Callback::from(move |e: Event| {
        let Some(sel) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        else {
            return;
        };
        load_tour(&sel.value(), protocol, d.clone());
    });
    let summary = current
        .and_then(presets::find)
        .map(|t| t.summary)
        .unwrap_or("Free play: act on the cluster; narration under the ring.");
    html! {
        <>
        <label class="tour-picker">
            <span class="sr-only">{ "Tour" }</span>
            <select aria-label="Tour" {onchange} title={summary}>
                <option value="" selected={current.is_none()}>{ "Free play" }</option>
                { for PRESETS.iter().filter(|t| crate::page::has_protocol(t.protocol)).map(|t| html! {
                    <option value={t.id} selected={current == Some(t.id)} title={t.summary}>
                        { format!("Tour: {}", t.title) }
                    </option>
                }) }
            </select>
            <span class="tour-summary small muted">{ summary }</span>
        </label>
        <a class="tour-index small" href="tours.html" target="_blank" rel="noopener"
            title="Every tour, by protocol, with what it teaches">{ "All tours" }</a>
        </>
    }
}

/// Opens tour `id` ("" = free play on `protocol`'s default scenario) once its text is fetched;
/// a tour of a protocol this page leaves out opens in the family page.
fn load_tour(id: &str, protocol: &str, d: Dispatch) {
    if let Some(t) = presets::find(id).filter(|t| !crate::page::has_protocol(t.protocol)) {
        return crate::page::open_in_family_page(&format!("{}{}", crate::page::TOUR_PREFIX, t.id));
    }
    let Some(t) = presets::find(id) else {
        crate::hooks::push_history_entry();
        return d.dispatch(Action::Load(
            Box::new(free_play(protocol)),
            "Free play.".into(),
        ));
    };
    fetch_tour(t, move |text| {
        d.dispatch(match text.and_then(|text| tour_scenario(t, &text)) {
            Ok(s) => {
                crate::hooks::push_history_entry();
                Action::Load(
                    Box::new(s),
                    format!("Tour: {}. Press Play, or Next note.", t.title),
                )
            }
            Err(e) => Action::Invalid(crate::state::Area::Playback, e),
        })
    });
}

/// The free-play scenario of `protocol` (a declaration's name; the first protocol's if
/// unknown).
pub fn free_play(protocol: &str) -> Scenario {
    let all = paxoscope_core::view::protocols();
    let (_, words) = all
        .iter()
        .find(|(d, _)| d.name == protocol)
        .unwrap_or(&all[0]);
    paxoscope_core::scenario::parse(words.default_scenario)
        .unwrap_or_else(|_| crate::state::default_scenario())
}

/// The protocol picker: switching starts that protocol's free play.
pub fn protocol_picker(current: &'static str, dispatch: &Dispatch) -> Html {
    let d = dispatch.clone();
    let onchange = Callback::from(move |e: Event| {
        let Some(sel) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        else {
            return;
        };
        let protocol = sel.value();
        if !crate::page::has_protocol(&protocol) {
            let free = format!("{}{protocol}", crate::page::FREE_PREFIX);
            return crate::page::open_in_family_page(&free);
        }
        let all = paxoscope_core::view::protocols();
        let Some((decl, words)) = all.iter().find(|(d, _)| d.name == protocol) else {
            return;
        };
        crate::hooks::push_history_entry();
        match paxoscope_core::scenario::parse(words.default_scenario) {
            Ok(s) => d.dispatch(Action::Load(
                Box::new(s),
                format!("{}: free play.", decl.title),
            )),
            Err(e) => d.dispatch(Action::Invalid(
                crate::state::Area::Playback,
                format!("{}'s scenario does not parse: {e}", decl.title),
            )),
        }
    });
    html! {
        <label class="tour-picker protocol-picker">
            <span class="sr-only">{ "Protocol" }</span>
            <select aria-label="Protocol" {onchange} data-protocol={current}>
                // Every protocol; one this page leaves out opens in the family page.
                { for ProtocolId::ALL.iter().map(|p| {
                    let elsewhere = (!crate::page::has_protocol(p.name())).then_some(crate::page::FAMILY_PAGE);
                    html! {
                        <option value={p.name()} selected={p.name() == current} data-elsewhere={elsewhere}
                                title={elsewhere.map(|_| "opens the page with every protocol")}>{ p.title() }</option>
                    }
                }) }
            </select>
        </label>
    }
}

/// The scenario's notes, in time order: (time, text).
pub fn notes(s: &Scenario) -> Vec<(u64, &str)> {
    s.actions
        .iter()
        .filter_map(|a| match &a.action {
            SimAction::Note(text) => Some((a.at_ms, text.as_str())),
            _ => None,
        })
        .collect()
}

/// Index of the latest note at or before `t_ms`.
fn current_note(notes: &[(u64, &str)], t_ms: u64) -> Option<usize> {
    notes.iter().rposition(|(at, _)| *at <= t_ms)
}

/// The narration bar at `t` (whole simulated ms); nothing if the scenario has no notes.
/// `end_ms` is the playground's end (none once the reader chose to keep playing).
pub fn narration(run: &RunHandle, t: u64, end_ms: Option<u64>, dispatch: &Dispatch) -> Html {
    let run = run.run.borrow();
    let notes = notes(run.session.scenario());
    if notes.is_empty() {
        return html! {};
    }
    // Where the run stopped for good (a violation): no note after it can be reached.
    let stop_ms = run.session.violation().map(|v| v.t_ms);
    let reachable = |at: u64| stop_ms.is_none_or(|s| at <= s);
    let now = current_note(&notes, t);
    // Previous: the note before the one shown; next: the first note after the playhead.
    let prev_ms = now.and_then(|i| i.checked_sub(1)).map(|i| notes[i].0);
    let next_ms = notes
        .iter()
        .find(|(at, _)| *at > t && reachable(*at))
        .map(|(at, _)| *at);
    let seek = |target: Option<u64>| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = target {
                d.dispatch(Action::Seek(t));
            }
        })
    };
    // Before the first note (a tour opens a moment ahead of it) the first note is shown
    // already, with its time: the reader starts at note 1; "next" goes to its moment.
    let shown = now.unwrap_or(0);
    let (text, at) = (notes[shown].1.to_string(), Some(notes[shown].0));
    let position = shown + 1;
    // (The embed passes no end: it shows no "Tour finished" panel.)
    let at_end = end_ms.is_some_and(|e| t >= e || stop_ms.is_some_and(|s| t >= s));
    let protocol = run.session.declaration().name;
    let tour = tour_of(run.session.scenario().name.as_deref());
    html! {
        <section class="panel narration" aria-label="Narration">
            <button type="button" class="btn" aria-label="Previous note" title="Go back to the previous note"
                    disabled={prev_ms.is_none()} onclick={seek(prev_ms)}>{ "‹ previous" }</button>
            <div class="narration-body">
                <span class="narration-pos small muted">
                    { format!("{position}/{}", notes.len()) }
                    if let Some(at) = at { { format!(" · {}", seconds(at)) } }
                </span>
                <p data-narration="" aria-live="polite" aria-atomic="true" tabindex="0">{ text }</p>
            </div>
            <button type="button" class="btn" aria-label="Next note" title={if next_ms.is_some() { "Go to the next note" } else { "This is the last note" }}
                    disabled={next_ms.is_none()} onclick={seek(next_ms)}>{ "next ›" }</button>
            if at_end {
                { tour_end(tour, protocol, stop_ms.is_some(), dispatch) }
            }
        </section>
    }
}

/// The tours of `protocol` in the picker's order.
fn tours_of(protocol: &str) -> impl Iterator<Item = &'static presets::Preset> + '_ {
    PRESETS.iter().filter(move |t| t.protocol == protocol)
}

/// "Tour finished": the neighbouring tours of the same protocol, and free play from here
/// (not after a violation: the checker stopped the run for good).
fn tour_end(
    tour: Option<&str>,
    protocol: &'static str,
    stopped: bool,
    dispatch: &Dispatch,
) -> Html {
    let all: Vec<_> = tours_of(protocol).collect();
    let i = all.iter().position(|t| Some(t.id) == tour);
    let prev = i.and_then(|i| i.checked_sub(1)).map(|i| all[i]);
    let next = i.map_or(all.first().copied(), |i| all.get(i + 1).copied());
    let open = |t: &'static presets::Preset, label: String| {
        let d = dispatch.clone();
        let onclick = Callback::from(move |_: MouseEvent| load_tour(t.id, protocol, d.clone()));
        html! { <button type="button" class="btn" {onclick} data-tour={t.id}>{ label }</button> }
    };
    let d = dispatch.clone();
    let keep = Callback::from(move |_: MouseEvent| d.dispatch(Action::KeepPlaying));
    html! {
        <div class="tour-end" role="status" data-tour-end="">
            <strong>{ "Tour finished." }</strong>
            <span class="small muted">{ if stopped { " The checker stopped the run here." } else { " Every note has been shown." } }</span>
            <div class="buttons">
                { for prev.map(|t| open(t, format!("‹ {}", t.title))) }
                { for next.map(|t| open(t, format!("Next tour: {} ›", t.title))) }
                if !stopped {
                    <button type="button" class="btn primary" onclick={keep}>{ "Keep playing from here" }</button>
                }
            </div>
        </div>
    }
}

/// The welcome's two buttons, between which its focus trap moves.
const WELCOME_TOUR_ID: &str = "welcome-tour";
const WELCOME_FREE_ID: &str = "welcome-free";

/// A first visit's welcome: what is on screen in one sentence, then the protocol's first
/// tour or free play. `node_word` is what the protocol calls a node (`mon`, `node`).
pub fn welcome(protocol: &'static str, node_word: &str, dispatch: &Dispatch) -> Html {
    let first = tours_of(protocol).next();
    let d = dispatch.clone();
    let tour = Callback::from(move |_: MouseEvent| {
        d.dispatch(Action::DismissWelcome(false));
        if let Some(t) = first {
            load_tour(t.id, protocol, d.clone());
        }
    });
    let d = dispatch.clone();
    let free = Callback::from(move |_: MouseEvent| d.dispatch(Action::DismissWelcome(true)));
    // A modal dialog keeps the focus: Tab and Shift+Tab move between its two buttons, and
    // Escape is "play freely".
    let d = dispatch.clone();
    let has_tour = first.is_some();
    let keys = Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
        "Tab" => {
            e.prevent_default();
            let on_tour =
                crate::browser::focused_element().is_some_and(|el| el.id() == WELCOME_TOUR_ID);
            let next = if has_tour && !on_tour {
                WELCOME_TOUR_ID
            } else {
                WELCOME_FREE_ID
            };
            let next = if on_tour { WELCOME_FREE_ID } else { next };
            crate::browser::focus(crate::browser::element_by_id(next));
        }
        "Escape" => d.dispatch(Action::DismissWelcome(true)),
        _ => {}
    });
    // The welcome's text as one HTML string; its buttons stay nodes (the focus moves between them).
    let mut text =
        String::from(r#"<h2 id="welcome-title">Paxos, one message at a time</h2><p>Each circle ("#);
    for i in 0..2 {
        push_escaped(&mut text, node_word);
        text.push_str(if i == 0 { ".0, " } else { ".1, …) " });
    }
    text.push_str("is a server of a Paxos cluster and each moving shape a message between them: watch them elect a leader and agree on every write, then pause, step back, or break things on purpose.</p>");
    html! {
        <div class="overlay" onkeydown={keys}>
            <section class="overlay-card welcome" role="dialog" aria-modal="true" aria-labelledby="welcome-title" data-welcome="">
                { Html::from_html_unchecked(text.into()) }
                <div class="buttons">
                    if first.is_some() {
                        <button type="button" id={WELCOME_TOUR_ID} class="btn primary" autofocus=true onclick={tour}>{ "Take the 2-minute tour" }</button>
                    }
                    <button type="button" id={WELCOME_FREE_ID} class="btn" onclick={free}>{ "Play freely" }</button>
                </div>
            </section>
        </div>
    }
}
