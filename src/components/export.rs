//! Export the run as the CLI's `paxoscope export` does (core/src/export.rs), for a window of
//! simulated time the reader picks (by default the 5 s before the playhead): the trace
//! entries of the window as JSON Lines, a mermaid sequenceDiagram of the window, or a mermaid
//! stateDiagram-v2 of one monitor's phase history in it. The result is previewed, and can be
//! copied or downloaded (a Blob URL). Only what the playhead has passed can be exported.

use crate::browser::{blob_url, copy_text, revoke_url, select_field};
use crate::labels::seconds;
use crate::run::RunHandle;
use paxoscope_core::view::{ExportKind, RunView};
use std::rc::Rc;
use yew::prelude::*;

/// Default window: this many simulated ms before the playhead.
const DEFAULT_WINDOW_MS: u64 = 5_000;
/// Bytes shown in the preview field (a long trace is still copied and downloaded whole).
const PREVIEW_CHARS: usize = 20_000;

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    pub run: RunHandle,
    pub playhead_ms: u64,
    pub selected: Option<u8>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Trace,
    Sequence,
    State,
}

/// One export the reader asked for.
#[derive(Clone, PartialEq)]
struct Made {
    text: String,
    /// `paxoscope-sequence-4000-9000ms.mmd`
    file_name: String,
    /// One line saying what it holds.
    what: String,
    blob: Option<String>,
    /// While the exporter module loads (the shipped page): the request it will answer.
    pending: Option<String>,
}

/// `4.5`, `12`, `0.020` (seconds, at most 3 decimals) as ms; or what is wrong with the text.
fn parse_seconds(text: &str) -> Result<u64, &'static str> {
    let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) {
        return Err("is not a time in seconds (like 4.5)");
    }
    if frac.len() > 3 {
        return Err("has more than 3 decimals: times go to the millisecond (like 4.125)");
    }
    let frac_ms = format!("{frac:0<3}").parse::<u64>().unwrap_or(0);
    whole
        .parse::<u64>()
        .unwrap_or(if whole.is_empty() { 0 } else { u64::MAX })
        .checked_mul(1000)
        .and_then(|ms| ms.checked_add(frac_ms))
        .ok_or("is too large a number of seconds")
}

/// The window `[from_ms, to_ms]` the two fields give, or the sentence saying what is wrong.
fn read_window(from: &str, to: &str, playhead_ms: u64) -> Result<(u64, u64), String> {
    let field = |name: &str, text: &str| {
        parse_seconds(text).map_err(|why| format!("{name}: “{}” {why}.", text.trim()))
    };
    let (from_ms, to_ms) = (field("From", from)?, field("To", to)?);
    if from_ms > to_ms {
        return Err(format!(
            "The window starts at {} but ends earlier, at {}.",
            seconds(from_ms),
            seconds(to_ms)
        ));
    }
    if to_ms > playhead_ms {
        return Err(format!(
            "The window ends at {}, after the playhead ({}): only what has happened can be exported.",
            seconds(to_ms),
            seconds(playhead_ms)
        ));
    }
    Ok((from_ms, to_ms))
}

/// Builds the export, or says why there is nothing to export. On the shipped page the text
/// may still be on its way (`Made::pending`).
fn make(
    run: &RunHandle,
    kind: Kind,
    (from_ms, to_ms): (u64, u64),
    node: u8,
    playhead_ms: u64,
) -> Result<Made, String> {
    let mut run = run.run.borrow_mut();
    let s = &mut *run.session;
    // Entries no longer kept are re-derived by replay (a windowed run).
    let in_window = s.entries_between_ms(from_ms, to_ms);
    let span = format!("{} – {}", seconds(from_ms), seconds(to_ms));
    if in_window == 0 && kind != Kind::State {
        return Err(format!(
            "Nothing happened between {} and {}: widen the window.",
            seconds(from_ms),
            seconds(to_ms)
        ));
    }
    let (export, name, what) = match kind {
        Kind::Trace => (
            ExportKind::Trace,
            "trace".to_string(),
            format!("{in_window} trace events, {span}"),
        ),
        Kind::Sequence => (
            ExportKind::Sequence,
            "sequence".into(),
            format!("mermaid sequence diagram, {span}"),
        ),
        Kind::State => (
            ExportKind::State,
            format!("state-mon{node}"),
            format!(
                "mermaid state diagram of {}, {span}",
                crate::labels::mon(node)
            ),
        ),
    };
    let ext = if kind == Kind::Trace { "jsonl" } else { "mmd" };
    let made = Made {
        file_name: format!("paxoscope-{name}-{from_ms}-{to_ms}ms.{ext}"),
        what,
        text: String::new(),
        blob: None,
        pending: None,
    };
    match text_of(s, export, (from_ms, to_ms), node, playhead_ms) {
        Written::Text(text) => Ok(made.with_text(text?)),
        Written::Pending(request) => Ok(Made {
            pending: Some(request),
            ..made
        }),
    }
}

/// An export's text, or the request the exporter module is loading to answer.
enum Written {
    Text(Result<String, String>),
    #[cfg_attr(feature = "own-exports", allow(dead_code))]
    Pending(String),
}

/// The exporter module's request for an export (src/exporter.rs, `export_run`, reads it): the
/// kind, the window, the monitor and the playhead; the page adds the run's scenario.
#[cfg_attr(feature = "own-exports", allow(dead_code))]
pub fn request(kind: ExportKind, window_ms: (u64, u64), node: u8, playhead_ms: u64) -> String {
    let word = match kind {
        ExportKind::Trace => "trace",
        ExportKind::Sequence => "sequence",
        ExportKind::State => "state",
    };
    format!(
        "{word} {} {} {node} {playhead_ms}",
        window_ms.0, window_ms.1
    )
}

/// The text, by the page's own writers (the family page, which carries them).
#[cfg(feature = "own-exports")]
fn text_of(
    s: &mut dyn RunView,
    kind: ExportKind,
    (from_ms, to_ms): (u64, u64),
    node: u8,
    _playhead_ms: u64,
) -> Written {
    Written::Text(s.export(kind, from_ms, to_ms, node))
}

/// The text, by the exporter module the shipped page loads on demand (the family page's wasm,
/// src/exporter.rs): it re-derives the run from its scenario up to the playhead.
#[cfg(not(feature = "own-exports"))]
fn text_of(
    s: &mut dyn RunView,
    kind: ExportKind,
    window_ms: (u64, u64),
    node: u8,
    playhead_ms: u64,
) -> Written {
    let scenario = paxoscope_core::scenario::to_url_fragment(s.scenario());
    ask(format!(
        "{}\n{scenario}",
        request(kind, window_ms, node, playhead_ms)
    ))
}

/// The exporter module's answer to `request`, or the request again while it loads.
#[cfg(not(feature = "own-exports"))]
fn ask(request: String) -> Written {
    let answer = crate::components::verdict_loader::export_text(crate::page::FAMILY_PAGE, &request);
    let (code, rest) = answer.split_once('\n').unwrap_or((&answer, ""));
    Written::Text(match code {
        "loading" => return Written::Pending(request),
        "ok" => Ok(rest.to_string()),
        "failed" => Err(rest.to_string()),
        "offline" => Err("No exports in a saved file: they are written by the playground's site. Open the run's link there to export it.".into()),
        _ => Err(format!("The exporter could not be had ({rest}): no export. Reload the page to try again.")),
    })
}

impl Made {
    /// The export with its text and a download link for it.
    fn with_text(self, text: String) -> Made {
        let mime = if self.file_name.ends_with(".jsonl") {
            "application/x-ndjson"
        } else {
            "text/plain;charset=utf-8"
        };
        Made {
            blob: blob_url(&text, mime),
            text,
            pending: None,
            ..self
        }
    }
}
/// The `value` of the input or select an event came from.
fn field_value(e: &Event) -> String {
    e.target()
        .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The panel's state: what the reader typed (None follows the playhead, the default window),
/// the monitor chosen, and the latest export or the message saying why there is none.
#[derive(Clone, Default, PartialEq)]
struct Form {
    from: Option<String>,
    to: Option<String>,
    monitor: Option<u8>,
    /// Behind an `Rc`: a reduce clones the form, and the text can be megabytes.
    made: Option<Result<Rc<Made>, String>>,
    /// Whether the clipboard took the current export (None: not asked).
    copied: Option<bool>,
}

enum Edit {
    From(String),
    To(String),
    WholeRun,
    Monitor(Option<u8>),
    Made(Result<Rc<Made>, String>),
    /// The exporter module is ready (or could not be had): ask it again.
    #[cfg(not(feature = "own-exports"))]
    Came,
    Copied(bool),
}

impl Reducible for Form {
    type Action = Edit;
    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut f = Rc::unwrap_or_clone(self);
        match edit {
            Edit::From(t) => f.from = Some(t),
            Edit::To(t) => f.to = Some(t),
            Edit::WholeRun => (f.from, f.to) = (Some("0".into()), None),
            Edit::Monitor(m) => f.monitor = m,
            Edit::Made(m) => {
                if let Some(url) = f
                    .made
                    .as_ref()
                    .and_then(|m| m.as_ref().ok())
                    .and_then(|m| m.blob.as_ref())
                {
                    revoke_url(url);
                }
                (f.made, f.copied) = (Some(m), None);
            }
            #[cfg(not(feature = "own-exports"))]
            Edit::Came => {
                let Some(Ok(m)) = &f.made else {
                    return f.into();
                };
                let Some(request) = m.pending.clone() else {
                    return f.into();
                };
                let made = match ask(request) {
                    Written::Text(text) => text.map(|t| m.as_ref().clone().with_text(t)),
                    Written::Pending(request) => Ok(Made {
                        pending: Some(request),
                        ..m.as_ref().clone()
                    }),
                };
                (f.made, f.copied) = (Some(made.map(Rc::new)), None);
            }
            Edit::Copied(ok) => f.copied = Some(ok),
        }
        f.into()
    }
}

#[component]
pub fn Export(p: &ExportProps) -> Html {
    let form = use_reducer(Form::default);
    #[cfg(not(feature = "own-exports"))]
    {
        // The exporter module says when it is ready (the shipped page loads it on demand).
        let d = form.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, "paxoscope-export", move |_| {
                    d.dispatch(Edit::Came)
                })
            });
            move || drop(listener)
        });
    }
    let monitors = p.run.run.borrow().session.nodes();
    let node = form
        .monitor
        .or(p.selected)
        .unwrap_or(0)
        .min(monitors.saturating_sub(1));
    let from_shown = form
        .from
        .clone()
        .unwrap_or_else(|| plain_seconds(p.playhead_ms.saturating_sub(DEFAULT_WINDOW_MS)));
    let to_shown = form
        .to
        .clone()
        .unwrap_or_else(|| plain_seconds(p.playhead_ms));

    let produce = |kind: Kind| {
        let (d, run) = (form.dispatcher(), p.run.clone());
        let (from, to, playhead_ms) = (from_shown.clone(), to_shown.clone(), p.playhead_ms);
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Edit::Made(
                read_window(&from, &to, playhead_ms)
                    .and_then(|w| make(&run, kind, w, node, playhead_ms))
                    .map(Rc::new),
            ));
        })
    };
    let copy = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(Ok(m)) = &form.made else { return };
            let d = form.dispatcher();
            copy_text(
                &m.text,
                Callback::from(move |ok: bool| {
                    // The field is on the page: select it for copying by hand.
                    if !ok {
                        select_field("export-text");
                    }
                    d.dispatch(Edit::Copied(ok));
                }),
            );
        })
    };
    let on = |edit: fn(String) -> Edit| {
        let d = form.dispatcher();
        Callback::from(move |e: InputEvent| d.dispatch(edit(field_value(&e))))
    };
    let whole_run = {
        let d = form.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Edit::WholeRun))
    };
    let result = match &form.made {
        None => html! {},
        Some(Err(msg)) => html! { <p class="notice error" role="alert">{ msg.clone() }</p> },
        Some(Ok(m)) if m.pending.is_some() => html! {
            <p class="small muted" role="status">{ "Loading the exporter…" }</p>
        },
        Some(Ok(m)) => html! { <>
            <p class="small muted">{ format!("{} · {} bytes{}", m.what, m.text.len(),
                if m.text.len() > PREVIEW_CHARS { " (the field shows the start; Copy and Download take it all)" } else { "" }) }</p>
            <textarea id="export-text" readonly=true rows="8" aria-label="Exported text"
                      value={preview(&m.text).to_string()} />
            <div class="export-actions">
                <button type="button" class="btn" onclick={copy}>{ "Copy" }</button>
                if let Some(url) = &m.blob {
                    <a class="btn" href={url.clone()} download={m.file_name.clone()}>{ format!("Download {}", m.file_name) }</a>
                }
                <span class="small" role="status">{ match form.copied { Some(true) => "Copied", Some(false) => "Copy failed: the text is selected, use Ctrl+C.", None => "" } }</span>
            </div>
        </> },
    };

    html! {
        <section class="panel export" aria-labelledby="export-title">
            <h2 id="export-title" class="panel-title">{ "Export" }</h2>
            <div class="export-window">
                <label>{ "From " }<input type="text" inputmode="decimal" value={from_shown.clone()} aria-label="Window start (s)" oninput={on(Edit::From)} />{ " s" }</label>
                <label>{ "to " }<input type="text" inputmode="decimal" value={to_shown.clone()} aria-label="Window end (s)" oninput={on(Edit::To)} />{ " s" }</label>
                <button type="button" class="btn small" onclick={whole_run}>{ "Whole run" }</button>
                <label>{ "monitor " }<select aria-label="Monitor of the state diagram" oninput={on(|v| Edit::Monitor(v.parse().ok()))}>
                    { for (0..monitors).map(|r| html! { <option value={r.to_string()} selected={r == node}>{ crate::labels::mon(r) }</option> }) }
                </select></label>
            </div>
            <div class="export-buttons">
                <button type="button" class="btn" onclick={produce(Kind::Trace)}>{ "Trace (JSON Lines)" }</button>
                <button type="button" class="btn" onclick={produce(Kind::Sequence)}>{ "Sequence diagram" }</button>
                <button type="button" class="btn" onclick={produce(Kind::State)}>{ format!("State diagram of {}", crate::labels::mon(node)) }</button>
            </div>
            { result }
            <p class="small muted">{ "Is a client history linearizable, this run's or any other system's? " }
                <a href={crate::page::history_page_href()} target="_blank" rel="noopener">{ "Check any history" }</a></p>
        </section>
    }
}

/// The start of `text` the field shows: at most `PREVIEW_CHARS` bytes, cut at a character.
fn preview(text: &str) -> &str {
    let mut end = text.len().min(PREVIEW_CHARS);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `4.5` style seconds for the fields: `8`, `3.25`, `0.02` (trailing zeros dropped).
fn plain_seconds(t_ms: u64) -> String {
    let frac = format!("{:03}", t_ms % 1000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        (t_ms / 1000).to_string()
    } else {
        format!("{}.{frac}", t_ms / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_fields_read_as_ms() {
        assert_eq!(parse_seconds("4.5"), Ok(4_500));
        assert_eq!(parse_seconds(" 12 "), Ok(12_000));
        assert_eq!(parse_seconds("0.020"), Ok(20));
        assert_eq!(parse_seconds(".5"), Ok(500));
        assert_eq!(parse_seconds("7."), Ok(7_000));
        for bad in ["", ".", "abc", "-1", "1e3", "4,5", "1.2.3"] {
            assert_eq!(
                parse_seconds(bad),
                Err("is not a time in seconds (like 4.5)"),
                "{bad:?}"
            );
        }
        assert!(parse_seconds("1.2345")
            .unwrap_err()
            .contains("more than 3 decimals"));
        for big in ["99999999999999999999", "18446744073709552"] {
            assert!(
                parse_seconds(big).unwrap_err().contains("too large"),
                "{big}"
            );
        }
        for t in [0, 20, 3_250, 8_000, 41_205] {
            assert_eq!(parse_seconds(&plain_seconds(t)), Ok(t));
        }
        assert_eq!(plain_seconds(8_000), "8");
        assert_eq!(plain_seconds(3_250), "3.25");
    }

    #[test]
    fn a_window_must_be_ordered_and_before_the_playhead() {
        assert_eq!(read_window("3", "8", 8_000), Ok((3_000, 8_000)));
        assert_eq!(read_window("8", "8", 8_000), Ok((8_000, 8_000)));
        let err = read_window("9", "8", 10_000).unwrap_err();
        assert!(
            err.contains("starts at 9.000 s") && err.contains("8.000 s"),
            "{err}"
        );
        let err = read_window("1", "12", 8_000).unwrap_err();
        assert!(err.contains("after the playhead (8.000 s)"), "{err}");
        let err = read_window("soon", "8", 8_000).unwrap_err();
        assert!(err.starts_with("From: “soon” is not a time"), "{err}");
        assert!(read_window("1", "", 8_000).unwrap_err().starts_with("To:"));
    }
}
