//! The header's Share and Embed buttons. Share puts a link to this exact moment (scenario,
//! user actions and view, in the URL fragment) on the clipboard and always shows it in a
//! field as well, since the clipboard may be refused. Embed shows an iframe snippet for the
//! same moment (docs/embedding.md lists its options).

use crate::browser::{copy_text, select_field};
use crate::page::page_base;
use crate::state::Playground;
use paxoscope_core::scenario::to_url_fragment;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub state: UseReducerHandle<Playground>,
}

#[derive(Clone, PartialEq)]
enum Open {
    Closed,
    /// The link, and whether the clipboard took it (None while waiting).
    Share(String, Option<bool>),
    Embed(String, Option<bool>),
}

/// A link to the full playground at the state's moment.
pub fn share_url(state: &Playground) -> String {
    format!(
        "{}#{}",
        page_base(),
        to_url_fragment(&state.scenario_with_view())
    )
}

/// An iframe snippet for the state's moment (700x450 fits the compact layout).
pub fn embed_snippet(state: &Playground) -> String {
    let title = state
        .base
        .name
        .clone()
        .unwrap_or_else(|| state.run.borrow().session.declaration().title.into())
        .replace(['"', '<', '>', '&'], "");
    format!(
        "<iframe src=\"{}?embed=1#{}\" width=\"700\" height=\"450\" style=\"border:0\" \
         loading=\"lazy\" title=\"Paxoscope: {title}\"></iframe>",
        page_base(),
        to_url_fragment(&state.scenario_with_view())
    )
}

fn copy_status(copied: Option<bool>) -> Html {
    match copied {
        None => html! {},
        Some(true) => html! { <span class="copy-ok">{ "Copied" }</span> },
        Some(false) => html! {
            <span class="copy-failed">{ "The clipboard is not available here: the text is selected, copy it with Ctrl+C (⌘C)." }</span>
        },
    }
}

#[component]
pub fn ShareButtons(p: &ShareProps) -> Html {
    let open = use_state(|| Open::Closed);

    let copy_into = |field: &'static str, make: fn(String, Option<bool>) -> Open| {
        let open = open.clone();
        let state = p.state.clone();
        Callback::from(move |_: MouseEvent| {
            let text = if field == "share-url" {
                share_url(&state)
            } else {
                embed_snippet(&state)
            };
            open.set(make(text.clone(), None));
            let open = open.clone();
            let copied = text.clone();
            copy_text(
                &copied,
                Callback::from(move |ok: bool| {
                    open.set(make(text.clone(), Some(ok)));
                }),
            );
        })
    };
    // When the clipboard failed, select the text (once it is rendered) for copying by hand.
    use_effect_with((*open).clone(), |o| match o {
        Open::Share(_, Some(false)) => select_field("share-url"),
        Open::Embed(_, Some(false)) => select_field("embed-snippet"),
        _ => {}
    });
    let on_share = copy_into("share-url", Open::Share);
    let on_embed = copy_into("embed-snippet", Open::Embed);
    let close = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(Open::Closed))
    };

    let popover = match &*open {
        Open::Closed => html! {},
        Open::Share(url, copied) => html! {
            <div class="share-pop panel" role="dialog" aria-label="Share this moment">
                <label for="share-url" class="small">{ "Link to this run at this moment (seed, actions, playhead, speed):" }</label>
                <div class="share-row">
                    <input id="share-url" type="text" readonly=true value={url.clone()} aria-label="Share link"
                           onfocus={Callback::from(|_: FocusEvent| select_field("share-url"))} />
                    <button type="button" class="btn" aria-label="Close" onclick={close.clone()}>{ "✕" }</button>
                </div>
                <p class="small" role="status">{ copy_status(*copied) }</p>
            </div>
        },
        Open::Embed(snippet, copied) => html! {
            <div class="share-pop panel" role="dialog" aria-label="Embed this moment">
                <label for="embed-snippet" class="small">{ "Paste into a web page (700 × 450 fits; add &autoplay=1 or &hide=diagram,narration,controls after embed=1):" }</label>
                <div class="share-row">
                    <textarea id="embed-snippet" readonly=true rows="4" aria-label="Embed snippet" value={snippet.clone()}
                              onfocus={Callback::from(|_: FocusEvent| select_field("embed-snippet"))} />
                    <button type="button" class="btn" aria-label="Close" onclick={close}>{ "✕" }</button>
                </div>
                <p class="small" role="status">{ copy_status(*copied) }</p>
            </div>
        },
    };

    html! {
        <div class="share">
            <button type="button" class="btn" aria-label="Share" title="Copy a link to this moment" onclick={on_share}>{ "Share" }</button>
            <button type="button" class="btn" aria-label="Embed" title="Get an iframe snippet for this moment" onclick={on_embed}>{ "Embed" }</button>
            { popover }
        </div>
    }
}
