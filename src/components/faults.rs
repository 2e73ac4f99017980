//! Faults: actions on the selected monitor (crash, restart, pause, resume, isolate, clock
//! skew), a partition from picked monitors, a one-way link cut, and heal all. Every one goes
//! through `Session::inject` and so into the scenario, the trace and the URL.

use crate::labels::mon;
use crate::run::RunHandle;
use crate::state::{Action, Area, Dispatch, Notice};
use paxoscope_core::actor::Rank;
use paxoscope_core::scenario::{Action as SimAction, ElectionStrategy, LinkSel, MAX_SKEW_MS};
use paxoscope_core::sorted::SortedSet;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FaultsProps {
    pub run: RunHandle,
    pub selected: Option<Rank>,
    pub group: SortedSet<Rank>,
    pub notice: Option<Notice>,
    pub dispatch: Dispatch,
}

fn select_value(e: &Event) -> Option<String> {
    Some(
        e.target()?
            .dyn_into::<web_sys::HtmlSelectElement>()
            .ok()?
            .value(),
    )
}

fn input_text(e: &InputEvent) -> Option<String> {
    Some(
        e.target()?
            .dyn_into::<web_sys::HtmlInputElement>()
            .ok()?
            .value(),
    )
}

/// Parse a skew typed by a person: an integer number of ms within the format's limit.
pub fn parse_skew(text: &str) -> Result<i64, String> {
    let t = text.trim().trim_end_matches("ms").trim();
    let ms: i64 = t.parse().map_err(|_| {
        format!(
            "clock skew: expected a whole number of milliseconds such as -300, found \"{}\"",
            text.trim()
        )
    })?;
    if ms.unsigned_abs() > MAX_SKEW_MS as u64 {
        return Err(format!("clock skew: {ms} ms is beyond ±{MAX_SKEW_MS} ms"));
    }
    Ok(ms)
}

/// Ceph's election strategy, changed in the running cluster (`election S`: every monitor
/// bootstraps); nothing for a protocol without one or while every monitor is down.
fn strategy_picker(world: &dyn paxoscope_core::view::RunView, d: &Dispatch) -> Html {
    let Some(current) = (0..world.nodes())
        .find_map(|r| world.scores(r))
        .map(|s| s.strategy)
    else {
        return Html::default();
    };
    let d = d.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(s) = select_value(&e).and_then(|v| ElectionStrategy::from_name(&v)) {
            d.dispatch(Action::Inject(SimAction::Election(s), Area::Faults));
        }
    });
    html! {
        <fieldset>
            <legend>{ "Election strategy: a change makes every monitor bootstrap" }</legend>
            <select aria-label="Election strategy" {onchange}>
                { for ElectionStrategy::ALL.iter().map(|s| html! {
                    <option value={s.name()} selected={s.name() == current}>{ s.name() }</option>
                }) }
            </select>
        </fieldset>
    }
}

#[component]
pub fn Faults(p: &FaultsProps) -> Html {
    let skew_text = use_state(|| "-300".to_string());
    let cut_from = use_state(|| 0u8);
    let cut_to = use_state(|| 1u8);
    let run = p.run.run.borrow();
    let world = &*run.session;
    let n = world.nodes();
    let inject = {
        let d = p.dispatch.clone();
        move |a: SimAction| {
            let d = d.clone();
            Callback::from(move |_: MouseEvent| d.dispatch(Action::Inject(a.clone(), Area::Faults)))
        }
    };

    let notice = p
        .notice
        .as_ref()
        .filter(|n| matches!(n.area, Area::Faults | Area::Skew));
    // A bad skew is explained under its field (and tied to it), not at the panel's foot.
    let skew_error = notice.filter(|n| n.is_error && n.area == Area::Skew);
    let node_actions = match p.selected {
        None => {
            html! { <p class="muted">{ "Select a monitor (click it in the cluster) to act on it." }</p> }
        }
        Some(r) => {
            let up = world.is_up(r);
            let paused = world.paused(r);
            let d = p.dispatch.clone();
            let skew = skew_text.clone();
            let set_skew = Callback::from(move |_: MouseEvent| match parse_skew(&skew) {
                Ok(ms) => d.dispatch(Action::Inject(SimAction::Skew(r, ms), Area::Skew)),
                Err(e) => d.dispatch(Action::Invalid(Area::Skew, e)),
            });
            let skew = skew_text.clone();
            let on_skew = Callback::from(move |e: InputEvent| {
                if let Some(v) = input_text(&e) {
                    skew.set(v);
                }
            });
            let current_skew = world.clock(r).skew_ms(world.now_ms());
            html! {
                <>
                <p class="selected-line"><strong>{ mon(r) }</strong>
                    { if up { if paused { " is paused" } else { " is running" } } else { " is down (its store is kept)" } }
                    { if current_skew != 0 { format!(", clock {current_skew:+} ms") } else { String::new() } }
                </p>
                <div class="buttons">
                    <button type="button" class="btn danger" onclick={inject(SimAction::Crash(r))} disabled={!up}>{ "Crash" }</button>
                    <button type="button" class="btn" onclick={inject(SimAction::Restart(r))} disabled={up}>{ "Restart" }</button>
                    <button type="button" class="btn" onclick={inject(SimAction::Pause(r))} disabled={!up || paused}>{ "Pause node" }</button>
                    <button type="button" class="btn" onclick={inject(SimAction::Resume(r))} disabled={!paused}>{ "Resume node" }</button>
                    <button type="button" class="btn" onclick={inject(SimAction::Isolate(r))}>{ "Isolate" }</button>
                </div>
                <div class="row">
                    <label class="field">
                        <span>{ "Clock skew (ms)" }</span>
                        <input type="text" inputmode="numeric" aria-label="Clock skew (ms)" value={(*skew_text).clone()}
                               oninput={on_skew} size="7" aria-invalid={skew_error.map(|_| "true")}
                               aria-describedby={skew_error.map(|_| "skew-error")} />
                    </label>
                    <button type="button" class="btn" onclick={set_skew} disabled={!up}>{ "Set skew" }</button>
                </div>
                if let Some(n) = skew_error {
                    <p id="skew-error" class="notice error" role="alert">{ n.text.clone() }</p>
                }
                </>
            }
        }
    };

    let picks = (0..n).map(|r| {
        let d = p.dispatch.clone();
        let onchange = Callback::from(move |_: Event| d.dispatch(Action::ToggleGroup(r)));
        html! {
            <label class="check">
                <input type="checkbox" checked={p.group.contains(&r)} {onchange}
                       aria-label={format!("{} in group A", mon(r))} />
                { mon(r) }
            </label>
        }
    });
    let d = p.dispatch.clone();
    let group = p.group.clone();
    let partition = Callback::from(move |_: MouseEvent| {
        let a: Vec<Rank> = group.iter().copied().collect();
        let b: Vec<Rank> = (0..n).filter(|r| !group.contains(r)).collect();
        if a.is_empty() || b.is_empty() {
            d.dispatch(Action::Invalid(
                Area::Faults,
                "partition: pick at least one monitor for group A and leave at least one out"
                    .into(),
            ));
        } else {
            d.dispatch(Action::Inject(
                SimAction::Partition(vec![a, b]),
                Area::Faults,
            ));
        }
    });

    let options = |current: u8| {
        (0..n)
            .map(move |r| html! { <option value={r.to_string()} selected={r == current}>{ mon(r) }</option> })
            .collect::<Html>()
    };
    let set = |h: UseStateHandle<u8>| {
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e).and_then(|v| v.parse().ok()) {
                h.set(v);
            }
        })
    };
    let (from, to) = (*cut_from, *cut_to);
    let d = p.dispatch.clone();
    let cut = Callback::from(move |_: MouseEvent| {
        if from == to {
            d.dispatch(Action::Invalid(
                Area::Faults,
                "one-way cut: pick two different monitors".into(),
            ));
        } else {
            d.dispatch(Action::Inject(
                SimAction::Cut(LinkSel::OneWay(from, to)),
                Area::Faults,
            ));
        }
    });
    let notice = notice.filter(|_| skew_error.is_none());
    let strategy = strategy_picker(world, &p.dispatch);
    html! {
        <section class="panel faults" aria-labelledby="faults-title">
            <h2 id="faults-title" class="panel-title">{ "Faults" }</h2>
            { node_actions }
            <fieldset>
                <legend>{ "Partition: group A against the rest (or shift-click monitors)" }</legend>
                <div class="checks">{ for picks }</div>
                <button type="button" class="btn" onclick={partition}>{ "Partition" }</button>
            </fieldset>
            <fieldset>
                <legend>{ "One-way link cut" }</legend>
                <div class="row">
                    <select aria-label="Cut from" onchange={set(cut_from.clone())}>{ options(from) }</select>
                    <span aria-hidden="true">{ "→" }</span>
                    <select aria-label="Cut to" onchange={set(cut_to.clone())}>{ options(to) }</select>
                    <button type="button" class="btn" onclick={cut}>{ "Cut link" }</button>
                </div>
            </fieldset>
            { strategy }
            <button type="button" class="btn heal" onclick={inject(SimAction::Heal(None))}>{ "Heal all" }</button>
            if let Some(n) = notice {
                <p class={classes!("notice", n.is_error.then_some("error"))} role={n.is_error.then_some("alert")}>{ n.text.clone() }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_skew;

    #[test]
    fn skew_input_is_checked() {
        assert_eq!(parse_skew(" -300 "), Ok(-300));
        assert_eq!(parse_skew("250ms"), Ok(250));
        assert!(parse_skew("soon").unwrap_err().contains("found \"soon\""));
        assert!(parse_skew("999999999999").unwrap_err().contains("beyond"));
    }
}
