//! Export the run as the CLI's `paxoscope export` does (core/src/export.rs): the trace up to
//! the playhead as JSON Lines, a mermaid sequenceDiagram of a window before the playhead,
//! and a mermaid stateDiagram-v2 of the selected monitor's phase history. Each can be copied
//! or downloaded (a Blob URL).

use crate::browser::{blob_url, copy_text, revoke_url, select_field};
use crate::index::trace_end_at;
use crate::run::RunHandle;
use paxoscope_core::export::{sequence_diagram, state_diagram, trace_json_lines, SequenceOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Default window of the sequence diagram: this many simulated ms before the playhead.
const DEFAULT_WINDOW_MS: u64 = 5_000;
/// Characters shown in the preview field (a long trace is still downloaded whole).
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

impl Kind {
    fn file_name(self) -> &'static str {
        match self {
            Kind::Trace => "paxoscope-trace.jsonl",
            Kind::Sequence => "paxoscope-sequence.mmd",
            Kind::State => "paxoscope-state.mmd",
        }
    }
    fn mime(self) -> &'static str {
        match self {
            Kind::Trace => "application/x-ndjson",
            Kind::Sequence | Kind::State => "text/plain;charset=utf-8",
        }
    }
}

#[derive(Clone, PartialEq)]
struct Made {
    kind: Kind,
    text: String,
    blob: Option<String>,
    what: String,
    copied: Option<bool>,
}

fn make(run: &RunHandle, kind: Kind, t_ms: u64, node: u8, window_ms: u64) -> (String, String) {
    let run = run.run.borrow();
    let s = &run.session;
    let trace = s.trace();
    let seen = &trace[..trace_end_at(trace, s.world().events())];
    let from_ms = t_ms.saturating_sub(window_ms);
    let at = crate::labels::seconds;
    match kind {
        Kind::Trace => (
            trace_json_lines(seen),
            format!("trace up to {} ({} events)", at(t_ms), seen.len()),
        ),
        Kind::Sequence => (
            sequence_diagram(seen, &SequenceOptions::window(from_ms, t_ms, s.world().n())),
            format!("sequence diagram {} – {}", at(from_ms), at(t_ms)),
        ),
        Kind::State => (
            state_diagram(seen, node, 0, t_ms),
            format!("state diagram of mon.{node}, 0 s – {}", at(t_ms)),
        ),
    }
}

#[component]
pub fn Export(p: &ExportProps) -> Html {
    let made = use_state(|| None::<Made>);
    let window_s = use_state(|| DEFAULT_WINDOW_MS / 1000);
    let node = p.selected.unwrap_or(0);

    let produce = |kind: Kind| {
        let made = made.clone();
        let run = p.run.clone();
        let t_ms = p.playhead_ms;
        let window_ms = *window_s * 1000;
        Callback::from(move |_: MouseEvent| {
            if let Some(old) = made.as_ref().and_then(|m| m.blob.clone()) {
                revoke_url(&old);
            }
            let (text, what) = make(&run, kind, t_ms, node, window_ms);
            let blob = blob_url(&text, kind.mime());
            made.set(Some(Made {
                kind,
                text,
                blob,
                what,
                copied: None,
            }));
        })
    };
    // When the clipboard failed, select the text (once it is rendered) for copying by hand.
    use_effect_with(made.as_ref().and_then(|m| m.copied), |copied| {
        if *copied == Some(false) {
            select_field("export-text");
        }
    });
    let copy = {
        let made = made.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(m) = (*made).clone() else { return };
            let made = made.clone();
            let text = m.text.clone();
            copy_text(
                &text,
                Callback::from(move |ok: bool| {
                    made.set(Some(Made {
                        copied: Some(ok),
                        ..m.clone()
                    }));
                }),
            );
        })
    };
    let on_window = {
        let window_s = window_s.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.value().parse::<u64>().ok());
            if let Some(v) = v {
                window_s.set(v.clamp(1, 600));
            }
        })
    };

    html! {
        <section class="panel export" aria-labelledby="export-title">
            <h2 id="export-title" class="panel-title">{ "Export" }</h2>
            <div class="export-buttons">
                <button type="button" class="btn" onclick={produce(Kind::Trace)}>{ "Trace (JSON Lines)" }</button>
                <button type="button" class="btn" onclick={produce(Kind::Sequence)}>{ "Sequence diagram" }</button>
                <label class="small">{ "of the last " }
                    <input type="number" min="1" max="600" value={window_s.to_string()} aria-label="Sequence window (s)" oninput={on_window} />
                    { " s" }</label>
                <button type="button" class="btn" onclick={produce(Kind::State)}>{ format!("State diagram of mon.{node}") }</button>
            </div>
            if let Some(m) = &*made {
                <p class="small muted">{ format!("{} · {} bytes{} · mermaid renders the diagrams (mermaid.live, GitHub markdown)", m.what, m.text.len(),
                    if m.text.len() > PREVIEW_CHARS { "; the field shows the start, Copy and Download take it all" } else { "" }) }</p>
                <textarea id="export-text" readonly=true rows="8" aria-label="Exported text" data-export={m.kind.file_name()}
                          value={m.text.chars().take(PREVIEW_CHARS).collect::<String>()} />
                <div class="export-actions">
                    <button type="button" class="btn" onclick={copy}>{ "Copy" }</button>
                    if let Some(url) = &m.blob {
                        <a class="btn" href={url.clone()} download={m.kind.file_name()}>{ format!("Download {}", m.kind.file_name()) }</a>
                    }
                    <span class="small" role="status">{ match m.copied { Some(true) => "Copied", Some(false) => "Copy failed: the text is selected, use Ctrl+C.", None => "" } }</span>
                </div>
            }
        </section>
    }
}
