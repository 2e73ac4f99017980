//! The step bar of a "why each rule" tour (`presets::WHY_RULES`): which canaries are still
//! on, what the checker caught, and buttons that restore the rule (or break it again). A step
//! opens run to its end, so the failure, or "safety holds", shows at once.

use crate::labels::seconds;
use crate::page::tour_of;
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use paxoscope_core::presets::{why_rules, WhyRules};
use paxoscope_core::scenario::{Scenario, View};
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
    let n = w.steps.len();
    let Some(k) = w.step_of(&s) else {
        return html! {
            <section class="panel why-rules" aria-label="Why each rule" data-why-step="">
                <p class="small">{ "The break switches differ from this tour's steps: pick the tour again to follow them." }</p>
            </section>
        };
    };
    let go = |to: usize, what: String| {
        let d = dispatch.clone();
        let next = step_scenario(w, &s, to, selected);
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Action::Load(Box::new(next.clone()), what.clone()))
        })
    };
    let caught = run
        .violation
        .as_ref()
        .map(|v| (v.invariant.to_string(), v.t_ms));
    let end_ms = s.end_ms.unwrap_or(0);
    let d = dispatch.clone();
    let run_on = Callback::from(move |_: MouseEvent| d.dispatch(Action::Seek(end_ms)));
    let finished = run.session.now_ms() >= end_ms || caught.is_some();
    let on: Vec<&str> = w.on_at(k).collect();
    html! {
        <section class="panel why-rules" aria-label="Why each rule" data-why-step={k.to_string()}>
            <p class="why-pos small muted">{ format!("Step {} of {}", k + 1, n + 1) }</p>
            if k > 0 {
                <p class="small">{ "Restored: " }<strong>{ w.steps[k - 1].rule }</strong></p>
            }
            if k < n {
                <p class="small">{ format!("Still broken ({}): ", on.len()) }
                    { for on.iter().map(|m| html! { <><code>{ format!("break {m}") }</code>{ " " }</> }) }</p>
            } else {
                <p class="small">{ "Every rule restored: the protocol as built." }</p>
            }
            <p data-why-verdict="">
                { match (&caught, finished) {
                    (Some((rule, at)), _) => html! { <><strong class="bad">{ format!("The checker stops the run: {rule} at {}.", seconds(*at)) }</strong></> },
                    (None, true) => html! { <strong class="good">{ format!("Safety holds: no rule broken up to {}.", seconds(end_ms)) }</strong> },
                    (None, false) => html! { <span class="muted">{ "Play, or run to the end, to see what the checker says." }</span> },
                } }
            </p>
            <div class="buttons">
                if k > 0 {
                    <button type="button" class="btn" data-why="back" onclick={go(k - 1, format!("Broke it again: break {}.", w.steps[k - 1].restores))}>{ "‹ Break it again" }</button>
                }
                if !finished {
                    <button type="button" class="btn" data-why="run" onclick={run_on}>{ "Run to the failure" }</button>
                }
                if k < n {
                    <button type="button" class="btn primary" data-why="restore" title={w.steps[k].rule}
                            onclick={go(k + 1, format!("Restored a rule: {}", w.steps[k].rule))}>
                        { format!("Restore the rule ({}) ›", w.steps[k].caught_by) }
                    </button>
                }
            </div>
        </section>
    }
}
