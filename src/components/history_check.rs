//! Check any history (issue 22): paste, drop or pick a client history, Paxoscope's JSON Lines
//! or Jepsen's register log, and get the linearizability verdict with its explanation and a
//! timeline of the operations, one lane per process. Reading and checking are core's
//! (`history`, `check::linearizability`), exactly as `paxoscope check-history` does them, with
//! the CLI's default search budget.
//!
//! The search runs on the page's main thread in slices of about [`SLICE_MS`] from the event
//! loop ([`LinCheck::step`] keeps its state between them), so a heavy history never freezes
//! the tab: a progress line says how far it has got, Cancel (or a new paste, pick or drop)
//! drops it at once. Reading the text runs in the same slices ([`HistoryReader`] resumes
//! between them, [`LINES_PER_CLOCK_READ`] lines at a time), with "reading: line L of M" and
//! Cancel too; the timeline draws at most [`MAX_DRAWN`] operations, around the ones that cannot
//! be placed.

use crate::browser::file_text;
use crate::browser::real_now_ms;
use gloo_timers::callback::Timeout;
use paxoscope_core::check::linearizability::{
    HistoryEntry, LinCheck, LinOutcome, LinProgress, LinReport, DEFAULT_MAX_STATES,
};
use paxoscope_core::history::{self, Ending, Format, History, HistoryReader, Model};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// Largest history text the page reads (the CLI reads any size): about 13,000 operations of a
/// Jepsen log, 20,000 of Paxoscope's JSON Lines.
const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;
/// The search's budget (configurations visited), the CLI's default: beyond it the verdict is
/// "undecided", never a guess.
const MAX_STATES: u64 = DEFAULT_MAX_STATES;
/// Real time one slice of the search runs before the page gets the event loop back (ms).
const SLICE_MS: f64 = 12.0;
/// Search steps between two readings of the clock within a slice.
const STEPS_PER_CLOCK_READ: u64 = 2_048;
/// Lines read between two readings of the clock within a slice.
const LINES_PER_CLOCK_READ: usize = 200;
/// Most operations the timeline draws (a 10,000-operation history would be a grey smear; at
/// 60 over a dozen lanes the labels still read).
const MAX_DRAWN: usize = 60;
/// Largest file text put in the box: laying out a megabyte of text in a `<textarea>` blocks
/// the page for about a second, so a longer file is checked without being shown.
const MAX_SHOWN_BYTES: usize = 64 * 1024;
/// How often the progress line is redrawn while the search runs (ms).
const PROGRESS_EVERY_MS: f64 = 100.0;

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
    /// Reading: the line reached, of how many.
    Reading(usize, usize),
    Checking(LinProgress),
    /// Stopped by the user (Cancel) or by a new history, with how far it had got.
    Cancelled(String),
    Error(String),
    Done(Rc<Checked>),
}

/// A check under way: the history it reads and the search's state between slices.
struct Job {
    history: History,
    format: Format,
    check: LinCheck,
    /// When reading ended (the search's start), and how long it took (ms).
    read_end_ms: f64,
    read_ms: f64,
    /// When the progress line was last redrawn.
    shown_ms: f64,
}

/// A text being read, between slices.
struct Reading {
    text: Rc<str>,
    format: Format,
    reader: HistoryReader,
    started_ms: f64,
    shown_ms: f64,
}

/// What runs now: the timer of the next piece of work and the reading or the check it
/// continues. Dropping them cancels (a dropped `Timeout` never fires).
#[derive(Default)]
struct Slot {
    timer: Option<Timeout>,
    reading: Option<Reading>,
    job: Option<Job>,
}

impl Slot {
    /// Stops whatever runs; returns how far it had got, if something was running.
    fn cancel(&mut self) -> Option<String> {
        self.timer = None;
        let read = self.reading.take().map(|r| reading_line(&r.reader));
        let checked = self.job.take().map(|j| progress_line(&j.check.progress()));
        read.or(checked)
    }
}

/// `reading: line 1200 of 20000`.
fn reading_line(r: &HistoryReader) -> String {
    format!("reading: line {} of {}", r.line(), r.lines())
}

/// Sets up the reading of `text`, or says why the page does not read it.
fn start_reading(text: Rc<str>) -> Result<Reading, String> {
    if text.trim().is_empty() {
        return Err("Paste a history first, or drop a file here.".into());
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(format!(
            "The history has {} bytes: the page reads at most {MAX_TEXT_BYTES} (2 MiB); \
             `paxoscope check-history` reads any size",
            text.len()
        ));
    }
    let started_ms = real_now_ms();
    let format = Format::detect(&text);
    let reader = HistoryReader::new(&text, format, format.default_model());
    Ok(Reading {
        text,
        format,
        reader,
        started_ms,
        shown_ms: started_ms,
    })
}

/// Reads for about [`SLICE_MS`]; the check of the history once the text is read, or what was
/// wrong with the text and where.
fn read_slice(r: &mut Reading) -> Option<Result<Job, String>> {
    let from_ms = real_now_ms();
    loop {
        match r.reader.read(&r.text, LINES_PER_CLOCK_READ) {
            Ok(true) => break,
            Ok(false) if real_now_ms() - from_ms >= SLICE_MS => return None,
            Ok(false) => {}
            Err(e) => return Some(Err(unreadable(&e, r.format))),
        }
    }
    let format = r.format;
    let reader = std::mem::replace(
        &mut r.reader,
        HistoryReader::new("", format, format.default_model()),
    );
    let history = match reader.finish() {
        Ok(h) => h,
        Err(e) => return Some(Err(unreadable(&e, format))),
    };
    let check = LinCheck::new(&history.entries, MAX_STATES);
    let read_end_ms = real_now_ms();
    Some(Ok(Job {
        history,
        format,
        check,
        read_end_ms,
        read_ms: read_end_ms - r.started_ms,
        shown_ms: read_end_ms,
    }))
}

fn unreadable(e: &history::ParseError, format: Format) -> String {
    format!(
        "line {}, column {}: {} (read as {})",
        e.line,
        e.col,
        e.message,
        format_name(format)
    )
}

/// Runs the search for about [`SLICE_MS`]; its report once it is over.
fn run_slice(job: &mut Job) -> Option<LinReport> {
    search_for(&mut job.check, &job.history.entries, SLICE_MS)
}

/// Runs `check` on `entries` for about `slice_ms` of real time; its report once it is over.
/// (The run checker of src/checker.rs slices its search the same way.)
pub(crate) fn search_for(
    check: &mut LinCheck,
    entries: &[HistoryEntry],
    slice_ms: f64,
) -> Option<LinReport> {
    let from_ms = real_now_ms();
    loop {
        if let Some(report) = check.step(entries, STEPS_PER_CLOCK_READ) {
            return Some(report);
        }
        if real_now_ms() - from_ms >= slice_ms {
            return None;
        }
    }
}

/// The verdict of a finished check, with its explanation in the CLI's words.
fn verdict(job: Job, report: &LinReport) -> Checked {
    let h = job.history;
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
            vec![history::undecided_explanation(MAX_STATES)],
        ),
    };
    let check_ms = (real_now_ms() - job.read_end_ms).max(0.0) as u64;
    let counts = counts(
        &h,
        job.format,
        report.states_explored,
        job.read_ms as u64,
        check_ms,
    );
    Checked {
        counts,
        verdict,
        lines,
        history: h,
        parts,
    }
}

/// The timer of the check's next slice (one closure type for every slice: the code is not
/// repeated in the page's wasm).
fn next_slice(slot: Rc<RefCell<Slot>>, shown: UseStateHandle<Shown>) -> Timeout {
    Timeout::new(0, move || continue_check(slot, shown))
}

/// Runs one slice of the reading or of the check in `slot` and schedules the next, or shows
/// the verdict.
#[inline(never)]
fn continue_check(slot: Rc<RefCell<Slot>>, shown: UseStateHandle<Shown>) {
    let mut s = slot.borrow_mut();
    // This runs inside that timer's callback: it is dropped once the callback is done.
    let _fired = s.timer.take();
    if let Some(r) = s.reading.as_mut() {
        let next = match read_slice(r) {
            None => {
                let now = real_now_ms();
                let line = (r.reader.line(), r.reader.lines());
                let redraw = now - r.shown_ms >= PROGRESS_EVERY_MS;
                if redraw {
                    r.shown_ms = now;
                }
                redraw.then_some(Shown::Reading(line.0, line.1))
            }
            Some(Ok(job)) => {
                let progress = job.check.progress();
                s.reading = None;
                s.job = Some(job);
                Some(Shown::Checking(progress))
            }
            Some(Err(e)) => {
                s.reading = None;
                drop(s);
                shown.set(Shown::Error(e));
                return;
            }
        };
        s.timer = Some(next_slice(slot.clone(), shown.clone()));
        drop(s);
        if let Some(next) = next {
            shown.set(next);
        }
        return;
    }
    let Some(job) = s.job.as_mut() else { return };
    match run_slice(job) {
        Some(report) => {
            let job = s.job.take().expect("the job just ran");
            drop(s);
            shown.set(Shown::Done(Rc::new(verdict(job, &report))));
        }
        None => {
            let progress = job.check.progress();
            let now = real_now_ms();
            let redraw = now - job.shown_ms >= PROGRESS_EVERY_MS;
            if redraw {
                job.shown_ms = now;
            }
            s.timer = Some(next_slice(slot.clone(), shown.clone()));
            drop(s);
            if redraw {
                shown.set(Shown::Checking(progress));
            }
        }
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Jsonl => "Paxoscope JSON Lines",
        Format::Jepsen => "a Jepsen register log",
    }
}

/// `11 operations by 4 processes (8 ok, 0 fail, 1 info), 1 fault; read as a Jepsen register
/// log (one register); 12 search states; read in 1 ms, checked in 3 ms`.
fn counts(h: &History, format: Format, states: u64, read_ms: u64, check_ms: u64) -> String {
    let n = |e: Ending| h.ops.iter().filter(|o| o.ending == e).count();
    let processes: std::collections::BTreeSet<u32> = h.ops.iter().map(|o| o.process).collect();
    let model = match format.default_model() {
        Model::Register => "one register",
        Model::Kv => "keys checked one by one",
    };
    format!(
        "{} by {} ({} ok, {} fail, {} info), {}; read as {} ({model}); {states} search \
         states; read in {read_ms} ms, checked in {check_ms} ms",
        counted(h.ops.len(), "operation"),
        counted(processes.len(), "process"),
        n(Ending::Ok),
        n(Ending::Fail),
        n(Ending::Info),
        counted(h.faults.len(), "fault"),
        format_name(format),
    )
}

/// `1 fault`, `2 faults`, `1 process`, `3 processes`.
fn counted(n: usize, noun: &str) -> String {
    let plural = if n == 1 {
        ""
    } else if noun.ends_with('s') {
        "es"
    } else {
        "s"
    };
    format!("{n} {noun}{plural}")
}

/// `6458 of 10000 operations placed, 147018 states explored (of at most 2000000)`, and the
/// key for a history of several.
fn progress_line(p: &LinProgress) -> String {
    let key = if p.keys > 1 {
        format!(", key {} of {}", (p.keys_decided + 1).min(p.keys), p.keys)
    } else {
        String::new()
    };
    format!(
        "{} of {} operations placed, {} states explored (of at most {MAX_STATES}){key}",
        p.ops_placed, p.ops, p.states_explored
    )
}

#[component]
pub fn HistoryCheck() -> Html {
    let text = use_state(String::new);
    // A file too long to show in the box (see MAX_SHOWN_BYTES): what Check checks while the
    // box is empty.
    let loaded = use_state(|| None::<Rc<String>>);
    let shown = use_state(|| Shown::Nothing);
    let slot = use_mut_ref(Slot::default);

    // Stops the check under way, if any, and says so.
    let stop = {
        let (shown, slot) = (shown.clone(), slot.clone());
        Rc::new(move |why: &str| {
            if let Some(p) = slot.borrow_mut().cancel() {
                shown.set(Shown::Cancelled(format!("{why} after {p}")));
            }
        })
    };
    // Reads and checks in slices, from after the "Reading…" line is painted.
    let run = {
        let (shown, slot, stop) = (shown.clone(), slot.clone(), stop.clone());
        Rc::new(move |t: String| {
            stop("cancelled: a new history came");
            match start_reading(Rc::from(t)) {
                Ok(r) => {
                    shown.set(Shown::Reading(1, r.reader.lines()));
                    let mut s = slot.borrow_mut();
                    s.reading = Some(r);
                    s.timer = Some(next_slice(slot.clone(), shown.clone()));
                }
                Err(e) => shown.set(Shown::Error(e)),
            }
        })
    };
    let on_check = {
        let (run, text, loaded) = (run.clone(), text.clone(), loaded.clone());
        Callback::from(move |_: MouseEvent| match &*loaded {
            Some(file) if text.is_empty() => run(file.to_string()),
            _ => run((*text).clone()),
        })
    };
    let on_cancel = {
        let stop = stop.clone();
        Callback::from(move |_: MouseEvent| stop("cancelled"))
    };
    let on_example = {
        let (run, text, loaded) = (run.clone(), text.clone(), loaded.clone());
        Callback::from(move |_: MouseEvent| {
            loaded.set(None);
            text.set(EXAMPLE.to_string());
            run(EXAMPLE.to_string());
        })
    };
    let on_input = {
        let (text, stop, loaded) = (text.clone(), stop.clone(), loaded.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                stop("cancelled: the history was edited");
                loaded.set(None);
                text.set(t.value());
            }
        })
    };
    let load_file = {
        let (run, text, shown, stop) = (run.clone(), text.clone(), shown.clone(), stop.clone());
        let loaded = loaded.clone();
        move |e: &Event| {
            stop("cancelled: a new file came");
            let (run, text, shown, loaded) =
                (run.clone(), text.clone(), shown.clone(), loaded.clone());
            file_text(e, MAX_TEXT_BYTES as u32, move |got| match got {
                Ok(t) if t.len() > MAX_SHOWN_BYTES => {
                    text.set(String::new());
                    loaded.set(Some(Rc::new(t.clone())));
                    run(t);
                }
                Ok(t) => {
                    loaded.set(None);
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

    let busy = matches!(&*shown, Shown::Reading(..) | Shown::Checking(_));
    let result = match &*shown {
        Shown::Nothing => html! {},
        Shown::Reading(line, lines) => html! {
            <p class="small muted" role="status" data-history-progress="" data-history-reading="">{ format!("Reading: line {line} of {lines}…") }</p>
        },
        Shown::Checking(p) => html! {
            <p class="small muted" role="status" data-history-progress="">{ format!("Checking: {}…", progress_line(p)) }</p>
        },
        Shown::Cancelled(why) => html! {
            <p class="small muted" role="status" data-history-cancelled="">{ why.clone() }</p>
        },
        Shown::Error(e) => {
            html! { <p class="notice error" role="alert" data-history-error="">{ e.clone() }</p> }
        }
        Shown::Done(c) => html! { <>
            <p class="small muted" data-history-counts="">{ c.counts.clone() }</p>
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
            <p class="small muted">{ "A register history from any system: Jepsen's log (:invoke, :ok, :fail, :info) or Paxoscope's JSON Lines (docs/history-format.md), up to 2 MiB. Paste it, drop a file here, or pick one." }</p>
            <textarea rows="5" aria-label="History to check" value={(*text).clone()} oninput={on_input}
                      placeholder="{:process 0, :type :invoke, :f :write, :value 1}" spellcheck="false" />
            if let (Some(file), true) = (&*loaded, text.is_empty()) {
                <p class="small muted" data-history-file="">{ format!("A file of {} bytes is loaded, too long to show here: Check checks it again; typing in the box replaces it.", file.len()) }</p>
            }
            <div class="export-actions">
                <button type="button" class="btn" onclick={on_check}>{ "Check" }</button>
                if busy {
                    <button type="button" class="btn" onclick={on_cancel}>{ "Cancel" }</button>
                }
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

/// The operations the timeline draws (indices into `ops`, in invocation order): all of them,
/// or [`MAX_DRAWN`] around the first that cannot be placed (else the first ones).
fn drawn(c: &Checked) -> std::ops::Range<usize> {
    let n = c.history.ops.len();
    if n <= MAX_DRAWN {
        return 0..n;
    }
    let blocked = c.parts.iter().find(|(_, &p)| p == Part::Blocked);
    let centre = blocked.map_or(0, |(&i, _)| i);
    let from = centre.saturating_sub(MAX_DRAWN / 2).min(n - MAX_DRAWN);
    from..from + MAX_DRAWN
}

/// One lane per process, one bar per operation from its invocation to its completion (an
/// `:info` one runs dashed to the end: it may take effect at any point after its invocation),
/// the faults as vertical lines, and the verdict's parts in colour: ordered, cannot be placed.
/// A long history is drawn in part (see [`drawn`]), and the caption says which.
fn timeline(c: &Checked) -> Html {
    use super::timeline::{timeline, Bar, Lanes, Mark};
    let h = &c.history;
    let range = drawn(c);
    let ops = &h.ops[range.clone()];
    let lanes: Vec<u32> = {
        let set: std::collections::BTreeSet<u32> = ops.iter().map(|o| o.process).collect();
        set.into_iter().collect()
    };
    let start = ops.iter().map(|o| o.invoke_at).min().unwrap_or(0);
    let last = ops
        .iter()
        .map(|o| o.complete_at.unwrap_or(o.invoke_at))
        .max()
        .unwrap_or(0);
    let whole = range.len() == h.ops.len();
    let faults: Vec<_> = h
        .faults
        .iter()
        .filter(|f| whole || (start..=last).contains(&f.at))
        .collect();
    let end = faults.iter().map(|f| f.at).fold(last, u64::max) + 1;
    let start = start.min(end - 1);
    let bars = ops
        .iter()
        .zip(range.clone())
        .map(|(o, i)| {
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
    let caption = (!whole).then(|| {
        let around = if c.parts.values().any(|&p| p == Part::Blocked) {
            ", around the first that cannot be placed"
        } else {
            ""
        };
        format!(
            "The timeline shows operations {} to {} of {} (in invocation order){around}.",
            range.start + 1,
            range.end,
            h.ops.len()
        )
    });
    html! { <>
        if let Some(caption) = caption {
            <p class="small muted" data-history-drawn="">{ caption }</p>
        }
        { timeline(&Lanes {
            labels: lanes.iter().map(|p| format!("p{p}")).collect(),
            bars,
            marks: faults
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
        }) }
    </> }
}
