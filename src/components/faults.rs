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
/// bootstraps); nothing for a protocol without one or while every monitor is down. Its change
/// is taken by the panel's listener (`data-strategy`).
fn strategy_picker(world: &dyn paxoscope_core::view::RunView) -> Html {
    let Some(current) = (0..world.nodes())
        .find_map(|r| world.scores(r))
        .map(|s| s.strategy)
    else {
        return Html::default();
    };
    html! {
        <fieldset>
            <legend>{ "Election strategy: a change makes every monitor bootstrap" }</legend>
            <select aria-label="Election strategy" data-strategy="">
                { for ElectionStrategy::ALL.iter().map(|s| html! {
                    <option value={s.name()} selected={s.name() == current}>{ s.name() }</option>
                }) }
            </select>
        </fieldset>
    }
}

/// The closest element around the event's target with `attr`, and that attribute's value.
fn attr_of(e: &Event, attr: &str) -> Option<(web_sys::Element, String)> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let found = el.closest(&format!("[{attr}]")).ok()??;
    let value = found.get_attribute(attr)?;
    Some((found, value))
}

/// The value of the select labelled `label` in the panel around `el`.
fn select_in_panel(el: &web_sys::Element, label: &str) -> Option<String> {
    let panel = el.closest("section").ok()??;
    let select = panel
        .query_selector(&format!("select[aria-label=\"{label}\"]"))
        .ok()??;
    Some(
        select
            .dyn_into::<web_sys::HtmlSelectElement>()
            .ok()?
            .value(),
    )
}

/// The one-way cut's two pickers and its button: they depend only on the number of monitors,
/// so the string stays the same and the pickers keep their choice; the button's listener
/// reads them (`select_in_panel`).
fn cut_html(n: u8) -> String {
    let options = |current: u8| {
        let mut out = String::new();
        crate::labels::push_node_options(&mut out, n, current);
        out
    };
    format!(
        r#"<fieldset><legend>One-way link cut</legend><div class="row"><select aria-label="Cut from">{}</select><span aria-hidden="true">→</span><select aria-label="Cut to">{}</select><button type="button" class="btn" data-act="cut">Cut link</button></div></fieldset>"#,
        options(0),
        options(1)
    )
}

/// The buttons acting on the selected monitor, each naming its action in `data-act`. They
/// stay nodes: a button disabled by its own click is the same element, at once.
fn node_buttons(up: bool, paused: bool) -> Html {
    let buttons = [
        ("crash", "btn danger", "Crash", up),
        ("restart", "btn", "Restart", !up),
        ("pause", "btn", "Pause node", up && !paused),
        ("resume", "btn", "Resume node", paused),
        ("isolate", "btn", "Isolate", true),
    ];
    html! {
        <div class="buttons">
            { for buttons.into_iter().map(|(act, class, label, enabled)| html! {
                <button type="button" {class} data-act={act} disabled={!enabled}>{ label }</button>
            }) }
        </div>
    }
}

#[component]
pub fn Faults(p: &FaultsProps) -> Html {
    let skew_text = use_state(|| "-300".to_string());
    let run = p.run.run.borrow();
    let world = &*run.session;
    let n = world.nodes();

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
            let skew = skew_text.clone();
            let on_skew = Callback::from(move |e: InputEvent| {
                if let Some(v) = input_text(&e) {
                    skew.set(v);
                }
            });
            let current_skew = world.clock(r).skew_ms(world.now_ms());
            let head = format!(
                r#"<p class="selected-line"><strong>{}</strong>{}{}</p>"#,
                mon(r),
                if up {
                    if paused {
                        " is paused"
                    } else {
                        " is running"
                    }
                } else {
                    " is down (its store is kept)"
                },
                if current_skew != 0 {
                    format!(", clock {current_skew:+} ms")
                } else {
                    String::new()
                }
            );
            html! {
                <>
                { Html::from_html_unchecked(head.into()) }
                { node_buttons(up, paused) }
                <div class="row">
                    <label class="field">
                        <span>{ "Clock skew (ms)" }</span>
                        <input type="text" inputmode="numeric" aria-label="Clock skew (ms)" value={(*skew_text).clone()}
                               oninput={on_skew} size="7" aria-invalid={skew_error.map(|_| "true")}
                               aria-describedby={skew_error.map(|_| "skew-error")} />
                    </label>
                    <button type="button" class="btn" data-act="skew" disabled={!up}>{ "Set skew" }</button>
                </div>
                if let Some(n) = skew_error {
                    <p id="skew-error" class="notice error" role="alert">{ n.text.clone() }</p>
                }
                </>
            }
        }
    };

    let picks = (0..n).map(|r| {
        html! {
            <label class="check">
                <input type="checkbox" checked={p.group.contains(&r)} data-pick={r.to_string()}
                       aria-label={format!("{} in group A", mon(r))} />
                { mon(r) }
            </label>
        }
    });

    // The panel's listeners: a click on a button names its action (`data-act`); a change is a
    // group pick (`data-pick`) or the election strategy (`data-strategy`).
    let d = p.dispatch.clone();
    let (selected, group, skew) = (p.selected, p.group.clone(), skew_text.clone());
    let onclick = Callback::from(move |e: MouseEvent| {
        let Some((button, act)) = attr_of(&e, "data-act") else {
            return;
        };
        let inject = |a: SimAction, area: Area| d.dispatch(Action::Inject(a, area));
        let invalid = |text: &str| d.dispatch(Action::Invalid(Area::Faults, text.into()));
        match (act.as_str(), selected) {
            ("crash", Some(r)) => inject(SimAction::Crash(r), Area::Faults),
            ("restart", Some(r)) => inject(SimAction::Restart(r), Area::Faults),
            ("pause", Some(r)) => inject(SimAction::Pause(r), Area::Faults),
            ("resume", Some(r)) => inject(SimAction::Resume(r), Area::Faults),
            ("isolate", Some(r)) => inject(SimAction::Isolate(r), Area::Faults),
            ("skew", Some(r)) => match parse_skew(&skew) {
                Ok(ms) => inject(SimAction::Skew(r, ms), Area::Skew),
                Err(e) => d.dispatch(Action::Invalid(Area::Skew, e)),
            },
            ("heal", _) => inject(SimAction::Heal(None), Area::Faults),
            ("partition", _) => {
                let a: Vec<Rank> = group.iter().copied().collect();
                let b: Vec<Rank> = (0..n).filter(|r| !group.contains(r)).collect();
                if a.is_empty() || b.is_empty() {
                    invalid("partition: pick at least one monitor for group A and leave at least one out");
                } else {
                    inject(SimAction::Partition(vec![a, b]), Area::Faults);
                }
            }
            ("cut", _) => {
                let pick =
                    |label| select_in_panel(&button, label).and_then(|v| v.parse::<Rank>().ok());
                match (pick("Cut from"), pick("Cut to")) {
                    (Some(from), Some(to)) if from != to => {
                        inject(SimAction::Cut(LinkSel::OneWay(from, to)), Area::Faults)
                    }
                    _ => invalid("one-way cut: pick two different monitors"),
                }
            }
            _ => {}
        }
    });
    let d = p.dispatch.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some((_, r)) = attr_of(&e, "data-pick") {
            if let Ok(r) = r.parse() {
                d.dispatch(Action::ToggleGroup(r));
            }
        } else if let Some(s) = attr_of(&e, "data-strategy")
            .and_then(|_| select_value(&e))
            .and_then(|v| ElectionStrategy::from_name(&v))
        {
            d.dispatch(Action::Inject(SimAction::Election(s), Area::Faults));
        }
    });

    let notice = notice.filter(|_| skew_error.is_none());
    let foot = cut_html(n);
    let strategy = strategy_picker(world);
    // The notice as a string; Heal all stays a node (a focused button keeps its focus when
    // the notice under it changes).
    let mut tail = String::new();
    if let Some(n) = notice {
        n.push_html(&mut tail);
    }
    html! {
        <section class="panel faults" aria-labelledby="faults-title" {onclick} {onchange}>
            <h2 id="faults-title" class="panel-title">{ "Faults" }</h2>
            { node_actions }
            <fieldset>
                <legend>{ "Partition: group A against the rest (or shift-click monitors)" }</legend>
                <div class="checks">{ for picks }</div>
                <button type="button" class="btn" data-act="partition">{ "Partition" }</button>
            </fieldset>
            { Html::from_html_unchecked(foot.into()) }
            { strategy }
            <button type="button" class="btn heal" data-act="heal">{ "Heal all" }</button>
            { Html::from_html_unchecked(tail.into()) }
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
