//! The `?` overlay listing the keyboard shortcuts.

use crate::browser;
use crate::labels::push_escaped;
use crate::state::{Action, Dispatch};
use yew::prelude::*;

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

/// Focus moves into the dialog when it opens, and back where it was when it closes (the page
/// calls this every render; the dialog is a plain function, not a component: ~1.3 KB less).
#[hook]
pub fn use_help_focus(open: bool) {
    use_effect_with(open, move |open| {
        let opener = open.then(|| {
            let opener = browser::focused_element();
            browser::focus(browser::element_by_id(CLOSE_ID));
            opener
        });
        move || {
            if let Some(opener) = opener {
                browser::focus(opener);
            }
        }
    });
}

/// The Close button, the dialog's only control.
const CLOSE_ID: &str = "help-close";

/// The shortcuts dialog.
pub fn help(p: &HelpProps) -> Html {
    let d = p.dispatch.clone();
    let close = Callback::from(move |_: MouseEvent| d.dispatch(Action::CloseHelp));
    // A modal dialog keeps the focus: Close is its only control, so Tab and Shift+Tab stay on it.
    let trap = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Tab" {
            e.prevent_default();
            browser::focus(browser::element_by_id(CLOSE_ID));
        }
    });
    // The dialog's text as one HTML string; Close stays a node (it takes the focus).
    let mut text =
        String::from(r#"<h2 id="help-title">Keyboard shortcuts</h2><dl class="shortcuts">"#);
    for (k, what) in SHORTCUTS {
        text.push_str("<dt><kbd>");
        push_escaped(&mut text, k);
        text.push_str("</kbd></dt><dd>");
        push_escaped(&mut text, what);
        text.push_str("</dd>");
    }
    text.push_str(r#"</dl><p class="muted">Click a monitor (or focus it and press Enter) to inspect it and act on it; shift-click adds it to partition group A. Hover a message to read it; the keyboard reads them in Messages in flight, under the ring. Drag the time slider to travel back; acting in the past forks the run.</p>"#);
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" onkeydown={trap}>
            <div class="overlay-card">
                { Html::from_html_unchecked(text.into()) }
                <button type="button" class="btn primary" id={CLOSE_ID} onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
