//! Guided tours: a picker over `presets::PRESETS` and the narration bar. A tour is a scenario
//! with `note` actions; the bar shows the latest note at or before the playhead, and its
//! previous/next buttons seek to the neighbouring notes' times.

use crate::labels::seconds;
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
        .unwrap_or("Free play: no narration; act on the cluster yourself.");
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
pub fn narration(run: &RunHandle, t: u64, dispatch: &Dispatch) -> Html {
    let run = run.run.borrow();
    let notes = notes(run.session.scenario());
    if notes.is_empty() {
        return html! {};
    }
    let now = current_note(&notes, t);
    // Previous: the note before the one shown; next: the first note after the playhead.
    let prev_ms = now.and_then(|i| i.checked_sub(1)).map(|i| notes[i].0);
    let next_ms = notes.iter().find(|(at, _)| *at > t).map(|(at, _)| *at);
    let seek = |target: Option<u64>| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = target {
                d.dispatch(Action::Seek(t));
            }
        })
    };
    let (text, at) = match now {
        Some(i) => (notes[i].1.to_string(), Some(notes[i].0)),
        None => (
            format!("The first note comes at {}.", seconds(notes[0].0)),
            None,
        ),
    };
    let position = now.map_or(0, |i| i + 1);
    html! {
        <section class="panel narration" aria-label="Narration">
            <button type="button" class="btn" aria-label="Previous note" title="Go back to the previous note"
                    disabled={prev_ms.is_none()} onclick={seek(prev_ms)}>{ "‹ previous" }</button>
            <div class="narration-body">
                <span class="narration-pos small muted">
                    { format!("{position}/{}", notes.len()) }
                    if let Some(at) = at { { format!(" · {}", seconds(at)) } }
                </span>
                <p data-narration="" aria-live="polite" aria-atomic="true">{ text }</p>
            </div>
            <button type="button" class="btn" aria-label="Next note" title="Go to the next note"
                    disabled={next_ms.is_none()} onclick={seek(next_ms)}>{ "next ›" }</button>
        </section>
    }
}
