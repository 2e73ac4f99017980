//! The step bar of a "why each rule" tour (`presets::WHY_RULES`): which canaries are still
//! on, what the checker caught, and buttons that restore the rule (or break it again). A step
//! opens run to its end, so the failure, or "safety holds", shows at once.

use crate::labels::{push_escaped, seconds};
use crate::page::tour_of;
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use paxoscope_core::presets::{why_rules, WhyRules};
use paxoscope_core::scenario::{Scenario, View};
use std::fmt::Write as _;
use yew::prelude::*;

/// `s` at step `k` of `w`, standing at its end (the run stops earlier at a violation).
fn step_scenario(w: &WhyRules, s: &Scenario, k: usize, node: Option<u8>) -> Scenario {
    let mut next = w.at_step(s, k);
    next.view = Some(View {
        t_ms: s.end_ms.unwrap_or(0),
        node,
        speed_tenths: 2,
        paused: true,
    });
    next
}

/// The bar; nothing unless the running scenario is a why-each-rule tour at one of its steps.
pub fn why_rules_bar(run: &RunHandle, selected: Option<u8>, dispatch: &Dispatch) -> Html {
    let run = run.run.borrow();
    let s = run.session.scenario().clone();
    let Some(w) = tour_of(s.name.as_deref()).and_then(why_rules) else {
        return html! {};
    };
    let Some(k) = w.step_of(&s) else {
        return html! {
            <section class="panel why-rules" aria-label="Why each rule" data-why-step="">
                <p class="small">{ "The break switches differ from this tour's steps: pick the tour again to follow them." }</p>
            </section>
        };
    };
    let caught = run
        .violation
        .as_ref()
        .map(|v| (v.invariant.to_string(), v.t_ms));
    let end_ms = s.end_ms.unwrap_or(0);
    let finished = run.session.now_ms() >= end_ms || caught.is_some();
    let body = bar_html(w, k, caught.as_ref(), finished, end_ms);
    let d = dispatch.clone();
    let click = Callback::from(move |e: MouseEvent| {
        let (to, what) = match clicked(&e).as_deref() {
            Some("back") => (
                k - 1,
                format!("Broke it again: break {}.", w.steps[k - 1].restores),
            ),
            Some("restore") => (k + 1, format!("Restored a rule: {}", w.steps[k].rule)),
            Some("run") => return d.dispatch(Action::Seek(end_ms)),
            _ => return,
        };
        let next = step_scenario(w, &s, to, selected);
        d.dispatch(Action::Load(Box::new(next), what))
    });
    html! {
        <section class="panel why-rules" aria-label="Why each rule" data-why-step={k.to_string()} onclick={click}>
            { Html::from_html_unchecked(body.into()) }
        </section>
    }
}

/// The bar's content at step `k` of `w` (0-based; `w.steps.len()` is the last, every rule
/// restored): its buttons carry `data-why` (`back`, `run`, `restore`), read by one listener.
fn bar_html(
    w: &WhyRules,
    k: usize,
    caught: Option<&(String, u64)>,
    finished: bool,
    end_ms: u64,
) -> String {
    let n = w.steps.len();
    let mut out = format!(
        r#"<p class="why-pos small muted">Step {} of {}</p>"#,
        k + 1,
        n + 1
    );
    if k > 0 {
        out.push_str(r#"<p class="small">Restored: <strong>"#);
        push_escaped(&mut out, w.steps[k - 1].rule);
        out.push_str("</strong></p>");
    }
    if k < n {
        let on: Vec<&str> = w.on_at(k).collect();
        let _ = write!(out, r#"<p class="small">Still broken ({}): "#, on.len());
        for m in on {
            out.push_str("<code>break ");
            push_escaped(&mut out, m);
            out.push_str("</code> ");
        }
        out.push_str("</p>");
    } else {
        out.push_str(r#"<p class="small">Every rule restored: the protocol as built.</p>"#);
    }
    out.push_str(r#"<p data-why-verdict="">"#);
    match (caught, finished) {
        (Some((rule, at)), _) => {
            out.push_str(r#"<strong class="bad">The checker stops the run: "#);
            push_escaped(&mut out, rule);
            let _ = write!(out, " at {}.</strong>", seconds(*at));
        }
        (None, true) => {
            let _ = write!(
                out,
                r#"<strong class="good">Safety holds: no rule broken up to {}.</strong>"#,
                seconds(end_ms)
            );
        }
        (None, false) => out.push_str(
            r#"<span class="muted">Play, or run to the end, to see what the checker says.</span>"#,
        ),
    }
    out.push_str(r#"</p><div class="buttons">"#);
    if k > 0 {
        out.push_str(
            r#"<button type="button" class="btn" data-why="back">‹ Break it again</button>"#,
        );
    }
    if !finished {
        out.push_str(
            r#"<button type="button" class="btn" data-why="run">Run to the failure</button>"#,
        );
    }
    if k < n {
        out.push_str(r#"<button type="button" class="btn primary" data-why="restore" title=""#);
        push_escaped(&mut out, w.steps[k].rule);
        out.push_str(r#"">Restore the rule ("#);
        push_escaped(&mut out, w.steps[k].caught_by);
        out.push_str(") ›</button>");
    }
    out.push_str("</div>");
    out
}

/// The `data-why` of the button a click landed on.
fn clicked(e: &MouseEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    el.closest("button").ok()??.get_attribute("data-why")
}
