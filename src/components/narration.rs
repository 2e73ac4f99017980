//! Narration from the events (issue 20): what just happened and why, the last few sentences
//! up to the playhead in the protocol's own words (core's `narrate.rs` through
//! `RunView::narration`), newest last. It follows the playhead both ways, and has an off
//! switch for readers who want the ring alone. It sits in the ring's panel, right under the
//! ring, so a reader who never opens a tour reads it while watching the ring; the embed
//! shows the latest sentence only (`compact`).

use crate::labels::seconds;
use crate::run::RunHandle;
use yew::prelude::*;

/// Sentences shown: few enough to keep the ring and them on one screen at 1280x800.
const SHOWN: usize = 3;
/// The embed's frame (700x450) has room for one.
const SHOWN_COMPACT: usize = 1;

#[derive(Properties, PartialEq)]
pub struct EventNarrationProps {
    pub run: RunHandle,
    /// The embed: the latest sentence only, without the off switch (`hide=narration` is the
    /// embed's off switch).
    #[prop_or_default]
    pub compact: bool,
}

#[component]
pub fn EventNarration(p: &EventNarrationProps) -> Html {
    let on = use_state(|| true);
    let toggle = {
        let on = on.clone();
        Callback::from(move |_: MouseEvent| on.set(!*on))
    };
    let shown = if p.compact { SHOWN_COMPACT } else { SHOWN };
    let said = if *on {
        p.run.run.borrow().session.narration(shown)
    } else {
        Vec::new()
    };
    let last = said.len().saturating_sub(1);
    html! {
        <section class={classes!("event-narration", p.compact.then_some("compact"))} aria-label="What just happened" data-event-narration={if *on { "on" } else { "off" }}>
            if !p.compact {
            <button type="button" class="btn small" aria-pressed={(*on).to_string()} onclick={toggle}
                    title="Explain the latest events in words">{ if *on { "Narration: on" } else { "Narration: off" } }</button>
            }
            if *on {
                <ol class="said">
                    if said.is_empty() { <li class="muted">{ "Nothing has happened yet." }</li> }
                    { for said.iter().enumerate().map(|(i, s)| html! {
                        <li class={classes!((i == last).then_some("latest"))} data-event={s.event.to_string()} title={s.text.clone()}>
                            <span class="muted small">{ format!("{} ", seconds(s.t_ms)) }</span>{ s.text.clone() }
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
