//! The page header: title, seed, the short trace hash and the help button. Share and embed
//! buttons go in `header-actions`.

use crate::state::{Action, Dispatch};
use yew::prelude::*;

pub struct HeaderProps {
    pub name: Option<String>,
    /// The protocol's tagline (`view::Presentation::tagline`).
    pub tagline: &'static str,
    pub seed: u64,
    /// `Session::trace_hash()`.
    pub trace_hash: u64,
    pub dispatch: Dispatch,
    /// Extra buttons (Share, Embed, ...), shown before the help button.
    pub children: Html,
}

/// The hash as the header shows it: its low 32 bits as 8 hex digits.
pub fn short_hash(h: u64) -> String {
    format!("{:08x}", h as u32)
}

/// The header (a plain function: no state of its own; a component costs about 1.3 KB).
pub fn header(p: HeaderProps) -> Html {
    let d = p.dispatch.clone();
    let help = Callback::from(move |_: MouseEvent| d.dispatch(Action::ToggleHelp));
    html! {
        <header class="top">
            <div class="brand">
                <h1>{ "Paxoscope" }</h1>
                <p class="tagline">{ p.tagline }</p>
            </div>
            <div class="run-id">
                if let Some(n) = &p.name { <span class="scenario-name">{ n.clone() }</span> }
                <span>{ "seed " }<strong>{ p.seed }</strong></span>
                <span title="Hash of the recorded trace: equal hashes mean the same run">
                    { "trace #" }<code data-trace-hash="">{ short_hash(p.trace_hash) }</code>
                </span>
            </div>
            <div class="header-actions">
                { p.children.clone() }
                <button type="button" class="btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onclick={help}>{ "?" }</button>
            </div>
        </header>
    }
}
