//! The URL fragment holds the whole scenario (seed, overrides, scripted and user actions) and
//! the view (playhead, selected node, speed, paused), in the scenario text format's URL form.
//! Read once at start; rewritten with `history.replaceState`, throttled, as the user acts.

use crate::state::{default_scenario, Playground};
use gloo_timers::callback::Timeout;
use paxoscope_core::scenario::{from_url_fragment, to_url_fragment};
use std::rc::Rc;
use yew::prelude::*;

/// The playhead part of the URL is rewritten at most this often (real ms).
const PLAYHEAD_WRITE_MS: f64 = 1000.0;

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The playground the page starts with: the URL's scenario (or `#tour=<id>`, a guided tour
/// from `presets`), or the default one with a message saying what was wrong and where.
pub fn initial_playground() -> Playground {
    let hash = location_hash();
    let frag = hash.trim_start_matches('#');
    if frag.is_empty() {
        return Playground::new(default_scenario(), None);
    }
    if let Some(id) = frag.strip_prefix(crate::page::TOUR_PREFIX) {
        return crate::page::open_tour(id);
    }
    match from_url_fragment(frag) {
        Ok(s) => crate::page::open_shared(s),
        Err(e) => {
            let msg = format!(
                "The scenario in this link could not be read: line {}, column {}: {}. \
                 The default scenario is running instead.",
                e.line, e.col, e.message
            );
            Playground::new(default_scenario(), Some(msg))
        }
    }
}

fn now_real_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn replace_hash(frag: &str) {
    let Some(w) = web_sys::window() else { return };
    if location_hash().trim_start_matches('#') == frag {
        return;
    }
    if let Ok(h) = w.history() {
        let _ =
            h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{frag}")));
    }
}

/// While paused, the URL is written this long after the last change (a drag of the time
/// slider would otherwise call `replaceState` on every input event).
const PAUSED_DEBOUNCE_MS: u32 = 200;

#[hook]
pub fn use_url_sync(state: &Playground) {
    let last_write = use_mut_ref(|| f64::NEG_INFINITY);
    let pending = use_mut_ref(|| None::<Timeout>);
    // Anything but the playhead changes the key; the playhead counts in whole seconds.
    let key = (
        state.scenario_revision,
        state.selected,
        state.speed_tenths,
        state.playing,
        Rc::as_ptr(&state.run),
    );
    let playhead_s = (state.playhead_ms / 1000.0) as u64;
    let scenario = state.clone();
    use_effect_with((key, playhead_s, state.revision), move |_| {
        if scenario.playing {
            let now = now_real_ms();
            if now - *last_write.borrow() >= PLAYHEAD_WRITE_MS {
                *last_write.borrow_mut() = now;
                replace_hash(&to_url_fragment(&scenario.scenario_with_view()));
            }
        } else {
            let frag = to_url_fragment(&scenario.scenario_with_view());
            // Replacing the timer cancels the previous one: only the last change is written.
            *pending.borrow_mut() = Some(Timeout::new(PAUSED_DEBOUNCE_MS, move || {
                replace_hash(&frag)
            }));
        }
    });
}
