//! Check any history (issue 22): paste, drop or pick a client history, Paxoscope's JSON Lines
//! or Jepsen's register log, and get the linearizability verdict with its explanation and a
//! timeline of the operations, one lane per process. Reading and checking are core's
//! (`history`, `check::linearizability`), exactly as `paxoscope check-history` does them; the
//! page only bounds the work (`MAX_TEXT_BYTES`, `MAX_OPS`, `MAX_STATES`) so that no history
//! can freeze the tab, and says so when a bound is what stopped it.

use crate::browser::file_text;
use gloo_timers::callback::Timeout;
use paxoscope_core::check::linearizability::{check_history_with_budget, LinOutcome};
use paxoscope_core::history::{self, Ending, Format, History, Model};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// Largest history text the page reads (the CLI reads any size).
const MAX_TEXT_BYTES: u32 = 2 * 1024 * 1024;
/// Most operations the page checks and draws.
const MAX_OPS: usize = 5_000;
/// The search's budget in the page: beyond it the verdict is "undecided", never a guess.
const MAX_STATES: u64 = 400_000;

/// A short history with a stale read, to try the panel at once.
const EXAMPLE: &str = "{:process 0, :type :invoke, :f :write, :value 1}
{:process 0, :type :ok, :f :write, :value 1}
{:process 1, :type :invoke, :f :write, :value 2}
{:process 2, :type :invoke, :f :read, :value nil}
{:process 1, :type :ok, :f :write, :value 2}
{:process :nemesis, :type :info, :f :start-partition, :value nil}
{:process 0, :type :invoke, :f :cas, :value [2 3]}
{:process 2, :type :ok, :f :read, :value 2}
{:process 3, :type :invoke, :f :read, :value nil}
{:process 0, :type :info, :f :cas, :value [2 3]}
{:process 3, :type :ok, :f :read, :value 1}
";

/// What an operation was in the verdict, for the timeline's colours.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// In the longest prefix that can be ordered.
    Ordered,
    /// Cannot be placed after that prefix.
    Blocked,
    Other,
}

/// The outcome of one check, ready to draw.
#[derive(PartialEq)]
struct Checked {
    counts: String,
    verdict: &'static str,
    lines: Vec<String>,
    history: History,
    parts: BTreeMap<usize, Part>,
}

#[derive(Clone, PartialEq)]
enum Shown {
    Nothing,
    Checking,
    Error(String),
    Done(Rc<Checked>),
}

/// Reads and checks `text`: the verdict, or what was wrong with the text and where.
fn check(text: &str) -> Result<Checked, String> {
    if text.trim().is_empty() {
        return Err("Paste a history first, or drop a file here.".into());
    }
    let format = Format::detect(text);
    let h = history::parse(text, format, format.default_model()).map_err(|e| {
        format!(
            "line {}, column {}: {} (read as {})",
            e.line,
            e.col,
            e.message,
            format_name(format)
        )
    })?;
    if h.ops.len() > MAX_OPS {
        return Err(format!(
            "{} operations: the page checks at most {MAX_OPS}; `paxoscope check-history` \
             checks any number",
            h.ops.len()
        ));
    }
    let report = check_history_with_budget(&h.entries, MAX_STATES);
    let mut parts = BTreeMap::new();
    let (verdict, lines) = match &report.outcome {
        LinOutcome::Linearizable => ("linearizable", Vec::new()),
        LinOutcome::NotLinearizable(f) => {
            let on_key = h.ops_on(&f.key);
            if let Some(d) = &f.detail {
                for &i in &d.prefix {
                    parts.insert(on_key[i], Part::Ordered);
                }
                for b in &d.blocked {
                    parts.insert(on_key[b.op], Part::Blocked);
                }
            }
            ("not linearizable", h.explain(f))
        }
        LinOutcome::Unknown => (
            "undecided",
            vec![format!(
                "The search stopped after {} states (the page's budget) before every key was \
                 decided, and no key decided so far is violated; `paxoscope check-history \
                 --max-states` searches further.",
                report.states_explored
            )],
        ),
    };
    let counts = counts(&h, format, report.states_explored);
    Ok(Checked {
        counts,
        verdict,
        lines,
        history: h,
        parts,
    })
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Jsonl => "Paxoscope JSON Lines",
        Format::Jepsen => "a Jepsen register log",
    }
}

/// `11 operations by 4 processes (8 ok, 0 fail, 1 info), read as a Jepsen register log`.
fn counts(h: &History, format: Format, states: u64) -> String {
    let n = |e: Ending| h.ops.iter().filter(|o| o.ending == e).count();
    let processes: std::collections::BTreeSet<u32> = h.ops.iter().map(|o| o.process).collect();
    let model = match format.default_model() {
        Model::Register => "one register",
        Model::Kv => "keys checked one by one",
    };
    format!(
        "{} operations by {} processes ({} ok, {} fail, {} info), {} faults; read as {} \
         ({model}); {states} search states",
        h.ops.len(),
        processes.len(),
        n(Ending::Ok),
        n(Ending::Fail),
        n(Ending::Info),
        h.faults.len(),
        format_name(format),
    )
}

#[component]
pub fn HistoryCheck() -> Html {
    let text = use_state(String::new);
    let shown = use_state(|| Shown::Nothing);
    let pending = use_mut_ref(|| None::<Timeout>);

    // Check after the "Checking…" line is painted.
    let run = {
        let (shown, pending) = (shown.clone(), pending.clone());
        Rc::new(move |t: String| {
            shown.set(Shown::Checking);
            let shown = shown.clone();
            *pending.borrow_mut() = Some(Timeout::new(20, move || {
                shown.set(match check(&t) {
                    Ok(c) => Shown::Done(Rc::new(c)),
                    Err(e) => Shown::Error(e),
                })
            }));
        })
    };
    let on_check = {
        let (run, text) = (run.clone(), text.clone());
        Callback::from(move |_: MouseEvent| run((*text).clone()))
    };
    let on_example = {
        let (run, text) = (run.clone(), text.clone());
        Callback::from(move |_: MouseEvent| {
            text.set(EXAMPLE.to_string());
            run(EXAMPLE.to_string());
        })
    };
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                text.set(t.value());
            }
        })
    };
    let load_file = {
        let (run, text, shown) = (run.clone(), text.clone(), shown.clone());
        move |e: &Event| {
            let (run, text, shown) = (run.clone(), text.clone(), shown.clone());
            file_text(e, MAX_TEXT_BYTES, move |got| match got {
                Ok(t) => {
                    text.set(t.clone());
                    run(t);
                }
                Err(why) => shown.set(Shown::Error(format!("The file could not be read: {why}."))),
            });
        }
    };
    let on_drop = {
        let load = load_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            load(&e);
        })
    };
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_pick = Callback::from(move |e: Event| load_file(&e));

    let result = match &*shown {
        Shown::Nothing => html! {},
        Shown::Checking => html! { <p class="small muted" role="status">{ "Checking…" }</p> },
        Shown::Error(e) => {
            html! { <p class="notice error" role="alert" data-history-error="">{ e.clone() }</p> }
        }
        Shown::Done(c) => html! { <>
            <p class="small muted">{ c.counts.clone() }</p>
            <p class={classes!("history-verdict", (c.verdict != "linearizable").then_some("bad"))}
               role="status" data-history-verdict={c.verdict}>{ c.verdict }</p>
            if !c.lines.is_empty() {
                <pre class="history-explanation">{ c.lines.join("\n") }</pre>
            }
            { timeline(c) }
        </> },
    };
    html! {
        <section class="panel history-check" aria-labelledby="history-title"
                 ondrop={on_drop} ondragover={on_drag_over}>
            <h2 id="history-title" class="panel-title">{ "Check any history" }</h2>
            <p class="small muted">{ "A register history from any system: Jepsen's log (:invoke, :ok, :fail, :info) or Paxoscope's JSON Lines (docs/history-format.md). Paste it, drop a file here, or pick one." }</p>
            <textarea rows="5" aria-label="History to check" value={(*text).clone()} oninput={on_input}
                      placeholder="{:process 0, :type :invoke, :f :write, :value 1}" spellcheck="false" />
            <div class="export-actions">
                <button type="button" class="btn" onclick={on_check}>{ "Check" }</button>
                <button type="button" class="btn" onclick={on_example}>{ "Try an example" }</button>
                <label class="btn">{ "Open a file…" }<input type="file" class="sr-only" accept=".edn,.jsonl,.json,.txt,.log" onchange={on_pick} /></label>
            </div>
            { result }
        </section>
    }
}

/// The history checker's page: the panel, a title, and the way back to the playground.
#[component]
pub fn HistoryPage() -> Html {
    use_effect_with((), |_| {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title("Paxoscope — check any history for linearizability");
        }
    });
    html! {
        <main class="history-page">
            <header class="history-header">
                <h1>{ "Paxoscope" }<span class="tagline">{ " check any history" }</span></h1>
                <a class="btn" href="../">{ "Open the playground" }</a>
            </header>
            <HistoryCheck />
        </main>
    }
}

/// One lane per process, one bar per operation from its invocation to its completion (an
/// `:info` one runs dashed to the end: it may take effect any time after its invocation), the
/// faults as vertical lines, and the verdict's parts in colour: ordered, cannot be placed.
fn timeline(c: &Checked) -> Html {
    use super::timeline::{timeline, Bar, Lanes, Mark};
    let h = &c.history;
    let lanes: Vec<u32> = {
        let set: std::collections::BTreeSet<u32> = h.ops.iter().map(|o| o.process).collect();
        set.into_iter().collect()
    };
    let end = h
        .ops
        .iter()
        .map(|o| o.complete_at.unwrap_or(o.invoke_at))
        .chain(h.faults.iter().map(|f| f.at))
        .max()
        .unwrap_or(0)
        + 1;
    let start = h
        .ops
        .iter()
        .map(|o| o.invoke_at)
        .min()
        .unwrap_or(0)
        .min(end - 1);
    let bars = h
        .ops
        .iter()
        .enumerate()
        .map(|(i, o)| {
            // An :info op may take effect at any point after its invocation: to the end.
            let open_ended = o.ending == Ending::Info || o.complete_at.is_none();
            let part = match c.parts.get(&i).copied().unwrap_or(Part::Other) {
                Part::Ordered => "ordered",
                Part::Blocked => "blocked",
                Part::Other => "",
            };
            let ending = match o.ending {
                Ending::Ok => "",
                Ending::Fail => "fail",
                Ending::Info => "info",
            };
            Bar {
                lane: lanes.binary_search(&o.process).unwrap_or(0),
                from_ms: o.invoke_at,
                to_ms: if open_ended { None } else { o.complete_at },
                label: o.label(),
                title: h.describe(i),
                class: format!("{part} {ending}"),
                id: i.to_string(),
            }
        })
        .collect();
    timeline(&Lanes {
        labels: lanes.iter().map(|p| format!("p{p}")).collect(),
        bars,
        marks: h
            .faults
            .iter()
            .map(|f| Mark {
                at_ms: f.at,
                label: format!("{} (line {})", f.label, f.line),
            })
            .collect(),
        from_ms: start,
        to_ms: end,
        playhead_ms: None,
        aria: "Operations by process over time",
        label_width: 48.0,
    })
}
