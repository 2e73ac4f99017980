//! Narration from the events (issue 20): what just happened and why, the last few sentences
//! up to the playhead in the protocol's own words (core's `narrate.rs` through
//! `RunView::narration`), newest last. It follows the playhead both ways, and has an off
//! switch for readers who want the ring alone.

use crate::labels::seconds;
use crate::run::RunHandle;
use yew::prelude::*;

/// Sentences shown: few enough not to push the ring down.
const SHOWN: usize = 3;

#[derive(Properties, PartialEq)]
pub struct EventNarrationProps {
    pub run: RunHandle,
}

#[component]
pub fn EventNarration(p: &EventNarrationProps) -> Html {
    let on = use_state(|| true);
    let toggle = {
        let on = on.clone();
        Callback::from(move |_: MouseEvent| on.set(!*on))
    };
    let said = if *on {
        p.run.run.borrow().session.narration(SHOWN)
    } else {
        Vec::new()
    };
    let last = said.len().saturating_sub(1);
    html! {
        <section class="panel event-narration" aria-label="What just happened" data-event-narration={if *on { "on" } else { "off" }}>
            <button type="button" class="btn small" aria-pressed={(*on).to_string()} onclick={toggle}
                    title="Explain the latest events in words">{ if *on { "Narration: on" } else { "Narration: off" } }</button>
            if *on {
                <ol class="said">
                    if said.is_empty() { <li class="muted">{ "Nothing has happened yet." }</li> }
                    { for said.iter().enumerate().map(|(i, s)| html! {
                        <li class={classes!((i == last).then_some("latest"))} data-event={s.event.to_string()}>
                            <span class="muted small">{ format!("{} ", seconds(s.t_ms)) }</span>{ s.text.clone() }
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
