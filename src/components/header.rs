//! The page header: title, seed, the short trace hash and the help button. Share and embed
//! buttons go in `header-actions`.

use crate::labels::push_escaped;
use crate::state::{Action, Dispatch};
use std::fmt::Write;
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
    // The brand and the run's identity as one HTML string (the scenario's name escaped).
    let mut top = String::from(r#"<div class="brand"><h1>Paxoscope</h1><p class="tagline">"#);
    push_escaped(&mut top, p.tagline);
    top.push_str(r#"</p></div><div class="run-id">"#);
    if let Some(n) = &p.name {
        top.push_str(r#"<span class="scenario-name">"#);
        push_escaped(&mut top, n);
        top.push_str("</span>");
    }
    let _ = write!(
        top,
        r#"<span>seed <strong>{}</strong></span><span title="Hash of the recorded trace: equal hashes mean the same run">trace #<code data-trace-hash="">{}</code></span></div>"#,
        p.seed,
        short_hash(p.trace_hash)
    );
    html! {
        <header class="top">
            { Html::from_html_unchecked(top.into()) }
            <div class="header-actions">
                { p.children.clone() }
                <button type="button" class="btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onclick={help}>{ "?" }</button>
            </div>
        </header>
    }
}
