//! Client requests against a chosen node (put, get, compare-and-set) and each request's
//! fate as the world records it.

use crate::labels::{fate, mon, op_text, push_escaped, seconds};
use crate::run::RunHandle;
use crate::state::{Action, Area, Dispatch, Notice};
use paxoscope_core::client::Text;
use paxoscope_core::scenario::validate::{is_valid_key, is_valid_value};
use paxoscope_core::scenario::{Action as SimAction, MAX_KEY_LEN};
use std::fmt::Write;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Requests listed, newest first.
const SHOWN: usize = 12;

#[derive(Properties, PartialEq)]
pub struct ClientProps {
    pub run: RunHandle,
    pub notice: Option<Notice>,
    pub dispatch: Dispatch,
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Put,
    Get,
    Cas,
}

/// Turn the form into a scenario action, or say what is wrong with it.
fn build(op: Op, node: u8, key: &str, value: &str, expected: &str) -> Result<SimAction, String> {
    let key = key.trim();
    if !is_valid_key(key) {
        return Err(format!(
            "key: use 1-{MAX_KEY_LEN} characters from A-Z a-z 0-9 _ . : / - (found \"{key}\")"
        ));
    }
    let check = |what: &str, v: &str| {
        if is_valid_value(v) {
            Ok(())
        } else {
            Err(format!(
                "{what}: at most {MAX_KEY_LEN} characters, no control characters"
            ))
        }
    };
    let key = Text::from(key);
    match op {
        Op::Get => Ok(SimAction::Get { node, key }),
        Op::Put => {
            check("value", value)?;
            Ok(SimAction::Put {
                node,
                key,
                value: value.into(),
            })
        }
        Op::Cas => {
            check("value", value)?;
            check("expected value", expected)?;
            let expected = (!expected.is_empty()).then(|| Text::from(expected));
            Ok(SimAction::Cas {
                node,
                key,
                expected,
                value: value.into(),
            })
        }
    }
}

/// What an unanswered request waits on, from the node that holds it: the monitor it was sent
/// to, or the leader once it was forwarded. The node's own wait (`RunView::waiting`, declared by
/// the protocol) is what stalls it: "mon.0 waits for ACCEPT from mon.3, timeout in 7.2 s".
fn stall_text(
    world: &dyn paxoscope_core::view::RunView,
    via: u8,
    forwarded: bool,
) -> Option<String> {
    let holder = match forwarded {
        true => world.status(via)?.leader?,
        false => via,
    };
    let wait = world.waiting(holder)?;
    let left = wait.until_ms.map(|at| {
        format!(
            ", timeout in {} s",
            crate::labels::fixed(at.saturating_sub(world.now_ms()) as f64 / 1000.0, 1)
        )
    });
    Some(format!(
        "{} waits for {}{}",
        mon(holder),
        wait.what,
        left.unwrap_or_default()
    ))
}

/// The value of the form's field labelled `label`, read from the page.
fn field(form: &web_sys::Element, label: &str) -> String {
    let Ok(Some(el)) = form.query_selector(&format!("[aria-label=\"{label}\"]")) else {
        return String::new();
    };
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        input.value()
    } else if let Some(select) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

/// The request the form asks for (`op`), from the values its fields hold now.
fn from_form(form: &web_sys::Element, op: Op) -> Result<SimAction, String> {
    let node = field(form, "Client target").parse().unwrap_or(0);
    build(
        op,
        node,
        &field(form, "Key"),
        &field(form, "Value"),
        &field(form, "Expected value"),
    )
}

/// The form as one HTML string: it depends only on the run's shape (its monitors, whether the
/// protocol has compare-and-set, the default target), so it is written into the page once and
/// its fields keep what a person types (and their focus) while the run plays. The values are
/// read from the fields when a request is sent (`from_form`).
fn form_html(n: u8, target: u8, has_cas: bool) -> String {
    let mut out = String::from(
        r#"<label class="field"><span>Target</span><select aria-label="Client target">"#,
    );
    crate::labels::push_node_options(&mut out, n, target);
    out.push_str(r#"</select></label><label class="field"><span>Key</span><input type="text" aria-label="Key" value="color" size="8"></label><label class="field"><span>Value</span><input type="text" aria-label="Value" value="blue" size="8"></label>"#);
    if has_cas {
        out.push_str(r#"<label class="field"><span>Expected (CAS; empty = absent)</span><input type="text" aria-label="Expected value" value="" size="8"></label>"#);
    }
    out.push_str(r#"<div class="buttons"><button type="submit" class="btn primary">Put</button><button type="button" class="btn" data-op="get">Get</button>"#);
    if has_cas {
        out.push_str(r#"<button type="button" class="btn" data-op="cas">CAS</button>"#);
    }
    out.push_str("</div>");
    out
}

#[component]
pub fn Client(p: &ClientProps) -> Html {
    let run = p.run.run.borrow();
    let world = &*run.session;
    let words = world.presentation();
    let n = world.nodes();
    let events = run.events();
    // Offer compare-and-set only where the protocol carries it out (not Basic Paxos).
    let cas_probe = SimAction::Cas {
        node: 0,
        key: Text::from("k"),
        expected: None,
        value: Text::from("v"),
    };
    let has_cas = world.scenario().protocol.refuses(&cas_probe).is_none();

    // One listener for the form's submit (Enter in a field, or Put) and one for its clicks
    // (Get and CAS carry `data-op`); each sends the request the fields describe.
    let send = |d: &Dispatch, form: Option<web_sys::Element>, op: Op| {
        if let Some(form) = form {
            match from_form(&form, op) {
                Ok(a) => d.dispatch(Action::Inject(a, Area::Client)),
                Err(msg) => d.dispatch(Action::Invalid(Area::Client, msg)),
            }
        }
    };
    let d = p.dispatch.clone();
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let form = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        send(&d, form, Op::Put);
    });
    let d = p.dispatch.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        let Some(button) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-op]").ok().flatten())
        else {
            return;
        };
        let op = match button.get_attribute("data-op").as_deref() {
            Some("cas") => Op::Cas,
            _ => Op::Get,
        };
        send(&d, button.closest("form").ok().flatten(), op);
    });

    let mut body = String::new();
    if let Some(n) = p.notice.as_ref().filter(|n| n.area == Area::Client) {
        n.push_html(&mut body);
    }
    if world.clients().is_empty() {
        body.push_str(r#"<p class="muted">"#);
        push_escaped(&mut body, words.client_help);
        body.push_str("</p>");
    } else {
        body.push_str(r#"<ol class="requests" aria-label="Client requests, newest first">"#);
        for rec in world.clients().iter().rev().take(SHOWN) {
            let committed = world.committed_answer(rec.id);
            let (code, text) = fate(
                rec,
                run.index.was_forwarded(rec.id, events),
                committed.as_ref(),
            );
            // The answer's delay, except after "then committed ..." (it timed the retry).
            let took = rec
                .complete_ms
                .filter(|_| code != "retry-committed")
                .map(|c| format!(" after {}", seconds(c - rec.invoke_ms)))
                .unwrap_or_default();
            let stalled = rec
                .reply
                .is_none()
                .then(|| stall_text(world, rec.node, code == "forwarded"))
                .flatten();
            let _ = write!(
                body,
                r#"<li data-req="{}" data-fate="{code}" class="req fate-{code}"><span class="req-op">"#,
                rec.id
            );
            push_escaped(
                &mut body,
                &format!("#{} {} via {}", rec.id, op_text(&rec.op), mon(rec.node)),
            );
            body.push_str(r#"</span><span class="req-fate">"#);
            push_escaped(&mut body, &text);
            push_escaped(&mut body, &took);
            body.push_str("</span>");
            if let Some(w) = stalled {
                body.push_str(r#"<span class="req-wait" data-req-wait="">"#);
                push_escaped(&mut body, &w);
                body.push_str("</span>");
            }
            body.push_str("</li>");
        }
        body.push_str("</ol>");
    }
    let form = form_html(n, words.client_target, has_cas);
    html! {
        <section class="panel client" aria-labelledby="client-title">
            <h2 id="client-title" class="panel-title">{ "Client" }</h2>
            <form class="client-form" {onsubmit} {onclick}>{ Html::from_html_unchecked(form.into()) }</form>
            { Html::from_html_unchecked(body.into()) }
        </section>
    }
}
