//! Client requests against a chosen node (put, get, compare-and-set) and each request's
//! fate as the world records it.

use crate::labels::{fate, mon, op_text, seconds};
use crate::run::RunHandle;
use crate::state::{Action, Area, Dispatch, Notice};
use paxoscope_core::client::Text;
use paxoscope_core::scenario::validate::{is_valid_key, is_valid_value};
use paxoscope_core::scenario::{Action as SimAction, MAX_KEY_LEN};
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

fn text_of(e: &InputEvent) -> Option<String> {
    Some(
        e.target()?
            .dyn_into::<web_sys::HtmlInputElement>()
            .ok()?
            .value(),
    )
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

#[component]
pub fn Client(p: &ClientProps) -> Html {
    let run = p.run.run.borrow();
    let world = &*run.session;
    let words = world.presentation();
    let target = use_state(|| words.client_target);
    let key = use_state(|| "color".to_string());
    let value = use_state(|| "blue".to_string());
    let expected = use_state(String::new);
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

    let on_text = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = text_of(&e) {
                h.set(v);
            }
        })
    };
    let t = target.clone();
    let on_target = Callback::from(move |e: Event| {
        let v = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .map(|s| s.value());
        if let Some(r) = v.and_then(|v| v.parse().ok()) {
            t.set(r);
        }
    });
    let send = |op: Op| {
        let (d, k, v, x, node) = (
            p.dispatch.clone(),
            key.clone(),
            value.clone(),
            expected.clone(),
            *target,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match build(op, node, &k, &v, &x) {
                Ok(a) => d.dispatch(Action::Inject(a, Area::Client)),
                Err(msg) => d.dispatch(Action::Invalid(Area::Client, msg)),
            }
        })
    };
    let click = |op: Op| {
        let (d, k, v, x, node) = (
            p.dispatch.clone(),
            key.clone(),
            value.clone(),
            expected.clone(),
            *target,
        );
        Callback::from(move |_: MouseEvent| match build(op, node, &k, &v, &x) {
            Ok(a) => d.dispatch(Action::Inject(a, Area::Client)),
            Err(msg) => d.dispatch(Action::Invalid(Area::Client, msg)),
        })
    };

    let requests = world.clients().iter().rev().take(SHOWN).map(|rec| {
        let committed = world.committed_answer(rec.id);
        let (code, text) = fate(rec, run.index.was_forwarded(rec.id, events), committed.as_ref());
        // The answer's delay, except after "then committed ..." (it timed the retry).
        let took = rec.complete_ms.filter(|_| code != "retry-committed").map(|c| format!(" after {}", seconds(c - rec.invoke_ms))).unwrap_or_default();
        let stalled = rec.reply.is_none().then(|| stall_text(world, rec.node, code == "forwarded")).flatten();
        html! {
            <li key={rec.id.to_string()} data-req={rec.id.to_string()} data-fate={code} class={classes!("req", format!("fate-{code}"))}>
                <span class="req-op">{ format!("#{} {} via {}", rec.id, op_text(&rec.op), mon(rec.node)) }</span>
                <span class="req-fate">{ format!("{text}{took}") }</span>
                if let Some(w) = stalled { <span class="req-wait" data-req-wait="">{ w }</span> }
            </li>
        }
    });
    let notice = p.notice.as_ref().filter(|n| n.area == Area::Client);
    html! {
        <section class="panel client" aria-labelledby="client-title">
            <h2 id="client-title" class="panel-title">{ "Client" }</h2>
            <form class="client-form" onsubmit={send(Op::Put)}>
                <label class="field"><span>{ "Target" }</span>
                    <select aria-label="Client target" onchange={on_target}>
                        { for (0..n).map(|r| html! { <option value={r.to_string()} selected={r == *target}>{ mon(r) }</option> }) }
                    </select>
                </label>
                <label class="field"><span>{ "Key" }</span>
                    <input type="text" aria-label="Key" value={(*key).clone()} oninput={on_text(&key)} size="8" /></label>
                <label class="field"><span>{ "Value" }</span>
                    <input type="text" aria-label="Value" value={(*value).clone()} oninput={on_text(&value)} size="8" /></label>
                if has_cas {
                    <label class="field"><span>{ "Expected (CAS; empty = absent)" }</span>
                        <input type="text" aria-label="Expected value" value={(*expected).clone()} oninput={on_text(&expected)} size="8" /></label>
                }
                <div class="buttons">
                    <button type="submit" class="btn primary">{ "Put" }</button>
                    <button type="button" class="btn" onclick={click(Op::Get)}>{ "Get" }</button>
                    if has_cas {
                        <button type="button" class="btn" onclick={click(Op::Cas)}>{ "CAS" }</button>
                    }
                </div>
            </form>
            if let Some(n) = notice {
                <p class={classes!("notice", n.is_error.then_some("error"))} role={n.is_error.then_some("alert")}>{ n.text.clone() }</p>
            }
            if world.clients().is_empty() {
                <p class="muted">{ words.client_help }</p>
            } else {
                <ol class="requests" aria-label="Client requests, newest first">{ for requests }</ol>
            }
        </section>
    }
}
