//! Playback: play/pause, step, step back, reset, new seed, a log-scale speed slider and the
//! time scrubber over the whole run (dragging it seeks; acting in the past forks).

use crate::labels::{seconds, slider_from_speed, speed_from_slider, speed_text};
use crate::state::{Action, Area, CatchUp, Dispatch, Notice};
use wasm_bindgen::JsCast;
use yew::prelude::*;

pub struct ControlsProps {
    pub playing: bool,
    pub playhead_ms: f64,
    pub frontier_ms: u64,
    pub speed_tenths: u32,
    pub stopped_by_violation: bool,
    pub notice: Option<Notice>,
    /// What Undo would take back (`isolate mon.0`, `Reset`), if anything.
    pub undo: Option<String>,
    pub dispatch: Dispatch,
}

fn input_value(e: &InputEvent) -> Option<f64> {
    let el = e.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    // The browser parses the range's value (NaN if it cannot); no float parser in the wasm.
    let v = el.value_as_number();
    v.is_finite().then_some(v)
}

/// A fresh seed, 1 to 10^9 (short enough to read and type), from the browser's Web Crypto
/// through getrandom (the only randomness the UI uses; the run itself is the seed's).
fn random_seed() -> u64 {
    const SEEDS: u64 = 1_000_000_000;
    // Web Crypto is in every browser that runs wasm; without it the seed is 1, still a valid run.
    getrandom::u64().map_or(1, |r| r % SEEDS + 1)
}

/// Small inline icons (system fonts lack some media symbols), drawn in `currentColor`.
fn icon(name: &str) -> Html {
    let path = match name {
        "play" => "M4 2.5v11l9-5.5z",
        "pause" => "M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z",
        "step" => "M2.5 2.5v11l8-5.5zM11 2.5h2.5v11H11z",
        "back" => "M13.5 2.5v11l-8-5.5zM2.5 2.5H5v11H2.5z",
        "reset" => "M8 2.5a5.5 5.5 0 1 1-5.2 3.7l1.9.6A3.5 3.5 0 1 0 8 4.5V7L4 3.5 8 0z",
        _ => "M3 2h10a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm2 2.2a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm6 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zM8 6.7a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm-3 2.5a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm6 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6z",
    };
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" />
        </svg>
    }
}

/// A toolbar button: an icon, a visible label (hidden on narrow screens) and its shortcut.
fn button(
    label: &'static str,
    icon_name: &'static str,
    key: &'static str,
    onclick: Callback<MouseEvent>,
) -> Html {
    let title = if key.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({key})")
    };
    html! {
        <button type="button" class="btn" aria-label={label} {title} {onclick}>
            { icon(icon_name) }
            <span class="btn-text" aria-hidden="true">{ label }</span>
        </button>
    }
}

/// The playback bar (a plain function: its playhead changes every frame, so a component's
/// memo buys nothing and costs about 1.3 KB of wasm).
pub fn controls(p: &ControlsProps) -> Html {
    let d = p.dispatch.clone();
    let send = move |a: fn() -> Action| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(a()))
    };
    let play_label = if p.playing { "Pause" } else { "Play" };
    let play_icon = if p.playing { "pause" } else { "play" };
    let d = p.dispatch.clone();
    let new_seed = Callback::from(move |_: MouseEvent| d.dispatch(Action::NewSeed(random_seed())));
    let d = p.dispatch.clone();
    let on_speed = Callback::from(move |e: InputEvent| {
        if let Some(v) = input_value(&e) {
            d.dispatch(Action::SetSpeed(speed_from_slider(v)));
        }
    });
    let d = p.dispatch.clone();
    let on_time = Callback::from(move |e: InputEvent| {
        if let Some(v) = input_value(&e) {
            d.dispatch(Action::Seek(v.max(0.0) as u64));
        }
    });
    let t_ms = p.playhead_ms as u64;
    let end_ms = p.frontier_ms.max(t_ms);
    // A range needs max > min; the readout says the true end (0.000 s after a reset).
    let max_ms = end_ms.max(1);
    let notice = p.notice.as_ref().filter(|n| n.area == Area::Playback);
    html! {
        <section class="panel controls" aria-label="Playback">
            <div class="buttons">
                <button type="button" class="btn primary" aria-label={play_label} title={format!("{play_label} (space)")}
                        onclick={send(|| Action::TogglePlay)} disabled={p.stopped_by_violation}>
                    { icon(play_icon) }
                    <span class="btn-text" aria-hidden="true">{ play_label }</span>
                </button>
                { button("Step back", "back", "←", send(|| Action::StepBack)) }
                { button("Step", "step", "→", send(|| Action::Step)) }
                { button("Reset", "reset", "", send(|| Action::Reset)) }
                <button type="button" class="btn" aria-label="Undo" disabled={p.undo.is_none()} data-undo={p.undo.clone()}
                        title={p.undo.as_ref().map_or("Nothing to undo".to_string(), |w| format!("Undo: {w} (Ctrl+Z)"))}
                        onclick={send(|| Action::Undo)}>
                    <span aria-hidden="true">{ "↶" }</span>
                    <span class="btn-text" aria-hidden="true">{ "Undo" }</span>
                </button>
                <button type="button" class="btn" aria-label="New seed" title="Start over with a random seed" onclick={new_seed}>
                    { icon("dice") }
                    <span class="btn-text" aria-hidden="true">{ "New seed" }</span>
                </button>
            </div>
            <label class="speed">
                <span>{ "Speed" }</span>
                <input type="range" aria-label="Speed" min="0" max="300" step="1"
                       value={crate::labels::fixed(slider_from_speed(p.speed_tenths), 0)}
                       aria-valuetext={speed_text(p.speed_tenths)} oninput={on_speed} />
                <output class="speed-value">{ speed_text(p.speed_tenths) }</output>
            </label>
            <label class="scrubber">
                <span class="sr-only">{ "Time" }</span>
                <input type="range" aria-label="Time" min="0" max={max_ms.to_string()} step="1"
                       value={t_ms.to_string()} aria-valuetext={seconds(t_ms)} oninput={on_time} />
            </label>
            <span class="clock" data-sim-time-ms={t_ms.to_string()}>
                <strong>{ seconds(t_ms) }</strong>
                <span class="muted">{ format!(" / {}", seconds(end_ms)) }</span>
            </span>
            if let Some(n) = notice {
                <p class={classes!("notice", n.is_error.then_some("error"))}>{ n.text.clone() }</p>
            }
        </section>
    }
}

/// Progress toward a link's playhead while the run catches up with it, and a way out.
pub fn catch_up_bar(c: CatchUp, playhead_ms: f64, dispatch: &Dispatch) -> Html {
    let d = dispatch.clone();
    let cancel = Callback::from(move |_: MouseEvent| d.dispatch(Action::CancelCatchUp));
    let target = c.target_ms.max(1) as f64;
    let percent = (playhead_ms / target * 100.0).clamp(0.0, 100.0) as u32;
    html! {
        <div class="catch-up" role="status" data-catch-up={percent.to_string()}>
            <span>{ format!("Catching up with this link: {} of {} ({percent}%)",
                            seconds(playhead_ms as u64), seconds(c.target_ms)) }</span>
            <progress max={c.target_ms.to_string()} value={(playhead_ms as u64).to_string()}
                      aria-label="Catching up with the link's playhead" />
            <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
        </div>
    }
}
