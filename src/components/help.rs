//! The `?` overlay listing the keyboard shortcuts.

use crate::browser;
use crate::state::{Action, Dispatch};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub dispatch: Dispatch,
}

const SHORTCUTS: [(&str, &str); 7] = [
    (
        "Space",
        "play / pause, also on a focused button (Enter presses the button)",
    ),
    (
        "k",
        "play / pause, wherever the focus is but in a text field",
    ),
    ("Ctrl+Z", "undo the last action you injected, or a Reset"),
    ("→", "step to the next event"),
    ("←", "step back one event"),
    ("?", "show or hide this help"),
    ("Esc", "close this help"),
];

#[component]
pub fn Help(p: &HelpProps) -> Html {
    let d = p.dispatch.clone();
    let close = Callback::from(move |_: MouseEvent| d.dispatch(Action::CloseHelp));
    let close_ref = use_node_ref();
    {
        let r = close_ref.clone();
        use_effect_with((), move |_| {
            // Focus moves into the dialog, and back where it was when the dialog closes.
            let opener = browser::focused_element();
            browser::focus(r.cast());
            move || browser::focus(opener)
        });
    }
    // A modal dialog keeps the focus: Close is its only control, so Tab and Shift+Tab stay on it.
    let trap = {
        let r = close_ref.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Tab" {
                e.prevent_default();
                browser::focus(r.cast());
            }
        })
    };
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" onkeydown={trap}>
            <div class="overlay-card">
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
                <p class="muted">{ "Click a monitor (or focus it and press Enter) to inspect it and act on it; shift-click adds it to partition group A. Hover or focus a message to read it. Drag the time slider to travel back; acting in the past forks the run." }</p>
                <button type="button" class="btn primary" ref={close_ref} onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
