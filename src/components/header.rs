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
    // The brand and the run's identity as HTML strings (the scenario's name escaped); the
    // trace hash, which changes with every event, a string of its own, so a frame while
    // playing parses that alone.
    let mut brand = String::from(r#"<div class="brand"><h1>Paxoscope</h1><p class="tagline">"#);
    push_escaped(&mut brand, p.tagline);
    brand.push_str("</p></div>");
    let mut id = String::new();
    if let Some(n) = &p.name {
        id.push_str(r#"<span class="scenario-name">"#);
        push_escaped(&mut id, n);
        id.push_str("</span>");
    }
    let _ = write!(id, "<span>seed <strong>{}</strong></span>", p.seed);
    let hash = format!(
        r#"<span title="Hash of the recorded trace: equal hashes mean the same run">trace #<code data-trace-hash="">{}</code></span>"#,
        short_hash(p.trace_hash)
    );
    html! {
        <header class="top">
            { Html::from_html_unchecked(brand.into()) }
            <div class="run-id">{ Html::from_html_unchecked(id.into()) }{ Html::from_html_unchecked(hash.into()) }</div>
            <div class="header-actions">
                { p.children.clone() }
                <button type="button" class="btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onclick={help}>{ "?" }</button>
            </div>
        </header>
    }
}
