//! One-key shortcuts: space and `k` play/pause, arrows step, `?` help, Escape closes help,
//! Ctrl+Z undoes the last injected action.
//! Keys typed into form fields are left alone.

use crate::state::{Action, Playground};
use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn target(e: &web_sys::KeyboardEvent) -> Option<web_sys::Element> {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
}

/// Form fields use every key themselves (arrows move sliders and carets).
fn in_field(e: &web_sys::KeyboardEvent) -> bool {
    target(e).is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

/// Where typing goes: text fields keep every key (`k` too).
fn in_text_field(e: &web_sys::KeyboardEvent) -> bool {
    target(e).is_some_and(|el| match el.tag_name().as_str() {
        "TEXTAREA" => true,
        "INPUT" => !matches!(
            el.get_attribute("type").as_deref(),
            Some("range" | "checkbox" | "radio" | "button" | "submit")
        ),
        _ => false,
    })
}

/// Space is the field's own in text fields, checkboxes and selects (Enter cannot tick a box
/// or open a list); on a button it plays and pauses instead of pressing the button again (a
/// second Isolate by accident), and Enter presses it.
fn space_is_taken(e: &web_sys::KeyboardEvent) -> bool {
    target(e).is_some_and(|el| {
        in_text_field(e)
            || el.tag_name() == "SELECT"
            || matches!(
                el.get_attribute("type").as_deref(),
                Some("checkbox" | "radio")
            )
    })
}

#[hook]
pub fn use_shortcuts(dispatch: UseReducerDispatcher<Playground>) {
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let listener = document.map(|d| {
            EventListener::new_with_options(
                &d,
                "keydown",
                EventListenerOptions::enable_prevent_default(),
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if (e.ctrl_key() || e.meta_key()) && !e.alt_key() && !in_text_field(e) {
                        if e.key() == "z" || e.key() == "Z" {
                            e.prevent_default();
                            dispatch.dispatch(Action::Undo);
                        }
                        return;
                    }
                    if e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    let action = match e.key().as_str() {
                        "Escape" => Some(Action::CloseHelp),
                        " " if space_is_taken(e) => None,
                        " " => Some(Action::TogglePlay),
                        "k" | "K" if !in_text_field(e) => Some(Action::TogglePlay),
                        _ if in_field(e) => None,
                        "?" => Some(Action::ToggleHelp),
                        "ArrowRight" => Some(Action::Step),
                        "ArrowLeft" => Some(Action::StepBack),
                        _ => None,
                    };
                    if let Some(a) = action {
                        e.prevent_default();
                        dispatch.dispatch(a);
                    }
                },
            )
        });
        move || drop(listener)
    });
}
