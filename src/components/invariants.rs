//! Invariant status at the playhead: every checked rule, green while all hold; on a
//! violation its name, its detail and a jump to the step that broke it. Timing findings too.

use crate::labels::{mon, seconds};
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use yew::prelude::*;

pub struct InvariantsProps {
    pub run: RunHandle,
    pub dispatch: Dispatch,
}

/// The panel (a plain function, not a component: it has no state of its own, and a component
/// costs about 1.3 KB of wasm; it re-renders with the page, a list of about 20 rules).
pub fn invariants(p: &InvariantsProps) -> Html {
    let run = p.run.run.borrow();
    let now = run.session.violation().cloned();
    let seen = run.violation.clone();
    let findings = run.session.findings();
    let broken = now.as_ref().map(|v| v.invariant.clone());
    let status = if now.is_some() { "violated" } else { "ok" };
    let rules = run.session.rules();
    let checked = rules.iter().filter(|r| r.checked).count();
    let jump = seen.as_ref().map(|v| {
        let d = p.dispatch.clone();
        let t = v.t_ms;
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Seek(t)))
    });
    html! {
        <section class={classes!("panel", "invariants", format!("inv-{status}"))} aria-labelledby="inv-title" data-invariants={status}>
            <h2 id="inv-title" class="panel-title">
                if now.is_some() { <span class="badge bad">{ "✕ violated" }</span> }
                else { <span class="badge good">{ format!("✓ all {checked} hold") }</span> }
                { " Invariants" }
            </h2>
            if let Some(v) = &seen {
                <div class="violation" role="alert" data-violation={v.invariant.clone()}>
                    <dl class="violation-facts">
                        <dt>{ "Rule" }</dt><dd data-rule="">{ v.invariant.clone() }</dd>
                        <dt>{ "Step" }</dt><dd data-step={v.event.to_string()}>{ format!("event {} at {}{}", v.event, seconds(v.t_ms),
                            v.node.map(|n| format!(", at {}", mon(n))).unwrap_or_default()) }</dd>
                        <dt>{ "What broke it" }</dt><dd data-facts="">{ v.detail.clone() }</dd>
                    </dl>
                    <p class="muted small">{ format!("seed {}: this page's link replays it", v.seed) }</p>
                    if now.is_none() { <p class="muted small">{ "The playhead is before the violation." }</p> }
                    <button type="button" class="btn danger" onclick={jump.clone()} data-goto-violation="">{ format!("Go to event {}", v.event) }</button>
                </div>
            }
            <ul class="inv-list">
                { for rules.iter().map(|rule| {
                    let name = &rule.name;
                    let bad = broken.as_deref() == Some(*name);
                    if !rule.checked {
                        return html! { <li class="off" title="this scenario allows reordering or duplicates, which break it on purpose">
                            <span aria-hidden="true">{ "– " }</span>{ *name }{ " (off)" }
                        </li> };
                    }
                    html! { <li class={classes!(bad.then_some("bad"))}>
                        <span aria-hidden="true">{ if bad { "✕ " } else { "✓ " } }</span>{ *name }
                        if bad { <span class="sr-only">{ " (broken)" }</span> }
                    </li> }
                }) }
            </ul>
            if !findings.is_empty() {
                <div class="findings">
                    <h3 class="sub-title">{ "Timing findings" }</h3>
                    { for findings.iter().map(|f| html! {
                        <p class="finding"><strong>{ f.invariant.clone() }</strong>{ format!(" at {}: {}", seconds(f.t_ms), f.detail) }</p>
                    }) }
                </div>
            }
        </section>
    }
}
