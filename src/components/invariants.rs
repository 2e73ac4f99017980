//! Invariant status at the playhead: every checked rule, green while all hold; on a
//! violation its name, its detail and a jump to the step that broke it. Timing findings too.

use crate::labels::{mon, push_escaped, seconds};
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use std::fmt::Write as _;
use yew::prelude::*;

pub struct InvariantsProps {
    pub run: RunHandle,
    pub dispatch: Dispatch,
}

/// The panel (a plain function, not a component: it has no state of its own, and a component
/// costs about 1.3 KB of wasm; it re-renders with the page, a list of about 20 rules). Its
/// body is one HTML string with the run's words escaped (less wasm than `html!` nodes); the
/// one listener on the section takes the "Go to event" button's click.
pub fn invariants(p: &InvariantsProps) -> Html {
    let run = p.run.run.borrow();
    let now = run.session.violation().cloned();
    let seen = run.violation.clone();
    let status = if now.is_some() { "violated" } else { "ok" };
    let mut body = String::from(r#"<h2 id="inv-title" class="panel-title">"#);
    match &now {
        Some(_) => body.push_str(r#"<span class="badge bad">✕ violated</span>"#),
        None => {
            let checked = run.session.rules().iter().filter(|r| r.checked).count();
            let _ = write!(
                body,
                r#"<span class="badge good">✓ all {checked} hold</span>"#
            );
        }
    }
    body.push_str(" Invariants</h2>");
    if let Some(v) = &seen {
        violation(&mut body, v, now.is_none());
    }
    rules(
        &mut body,
        &*run.session,
        now.as_ref().map(|v| v.invariant.as_str()),
    );
    let findings = run.session.findings();
    if !findings.is_empty() {
        body.push_str(r#"<div class="findings"><h3 class="sub-title">Timing findings</h3>"#);
        for f in findings.iter() {
            body.push_str(r#"<p class="finding"><strong>"#);
            push_escaped(&mut body, &f.invariant);
            let _ = write!(body, "</strong> at {}: ", seconds(f.t_ms));
            push_escaped(&mut body, &f.detail);
            body.push_str("</p>");
        }
        body.push_str("</div>");
    }
    let jump = seen.as_ref().map(|v| {
        let d = p.dispatch.clone();
        let t = v.t_ms;
        Callback::from(move |e: MouseEvent| {
            if on_goto(&e) {
                d.dispatch(Action::Seek(t))
            }
        })
    });
    html! {
        <section class={format!("panel invariants inv-{status}")} aria-labelledby="inv-title" data-invariants={status} onclick={jump}>
            { Html::from_html_unchecked(body.into()) }
        </section>
    }
}

/// Did the click land on the "Go to event" button?
fn on_goto(e: &MouseEvent) -> bool {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("[data-goto-violation]").ok().flatten())
        .is_some()
}

/// The violation seen in this run: its rule, step and facts, and the button to its step.
fn violation(out: &mut String, v: &paxoscope_core::check::Violation, before_it: bool) {
    out.push_str(r#"<div class="violation" role="alert" data-violation=""#);
    push_escaped(out, &v.invariant);
    out.push_str(r#""><dl class="violation-facts"><dt>Rule</dt><dd data-rule="">"#);
    push_escaped(out, &v.invariant);
    let at = v
        .node
        .map(|n| format!(", at {}", mon(n)))
        .unwrap_or_default();
    let _ = write!(
        out,
        r#"</dd><dt>Step</dt><dd data-step="{e}">event {e} at {}{at}</dd><dt>What broke it</dt><dd data-facts="">"#,
        seconds(v.t_ms),
        e = v.event,
    );
    push_escaped(out, &v.detail);
    let _ = write!(
        out,
        r#"</dd></dl><p class="muted small">seed {}: this page's link replays it</p>"#,
        v.seed
    );
    if before_it {
        out.push_str(r#"<p class="muted small">The playhead is before the violation.</p>"#);
    }
    let _ = write!(
        out,
        r#"<button type="button" class="btn danger" data-goto-violation="">Go to event {}</button></div>"#,
        v.event
    );
}

/// Every rule: ✓ held, ✕ the broken one, – off in this scenario.
fn rules(out: &mut String, run: &dyn paxoscope_core::view::RunView, broken: Option<&str>) {
    out.push_str(r#"<ul class="inv-list">"#);
    for rule in run.rules().iter() {
        let name = rule.name;
        if !rule.checked {
            out.push_str(r#"<li class="off" title="this scenario allows reordering or duplicates, which break it on purpose"><span aria-hidden="true">– </span>"#);
            push_escaped(out, name);
            out.push_str(" (off)</li>");
        } else if broken == Some(name) {
            out.push_str(r#"<li class="bad"><span aria-hidden="true">✕ </span>"#);
            push_escaped(out, name);
            out.push_str(r#"<span class="sr-only"> (broken)</span></li>"#);
        } else {
            out.push_str(r#"<li><span aria-hidden="true">✓ </span>"#);
            push_escaped(out, name);
            out.push_str("</li>");
        }
    }
    out.push_str("</ul>");
}
