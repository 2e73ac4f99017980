//! The shipped page's linearizability verdict, checked by a module loaded on demand (issues 20
//! and 17): the page carries no checker (about 25 KB gzipped); the first time the Client
//! operations panel has a request to judge, it loads the history page's wasm as a library
//! (src/checker.rs) and sends it the run's client history up to the playhead, as `paxoscope
//! export --what history` writes it. The module's answer is the family page's verdict, word for
//! word. docs/architecture.md ("A module loaded on demand") has the whole path.
//!
//! The JS below waits until the panel is on screen (a reader who never scrolls to it loads
//! nothing), finds the module's hashed file names in `history/index.html` (trunk's own
//! preload links, so any build of the history page serves), starts it once, and runs the
//! check in slices of [`SLICE_MS`] between which the page gets the event loop back; a newer
//! history drops the check under way. In a one-file export (src/components/one_file.rs) it
//! loads nothing: the panel says the verdict is not in the saved file.

use crate::components::verdicts::Checked;
use paxoscope_core::export::history_json_lines;
use paxoscope_core::verdict::LinWhy;
use paxoscope_core::view::RunView;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::Callback;

/// Real time one slice of the module's search runs before the page gets the event loop back
/// (ms), as on the history page.
const SLICE_MS: f64 = 12.0;

#[wasm_bindgen(inline_js = r#"
let checker = null;
let job = null;
// Resolves once the Client operations panel has been on screen: a reader who never scrolls
// to it downloads no checker.
let shown = null;
function on_screen() {
  if (!shown) shown = new Promise((resolve) => {
    const look = () => {
      const r = document.querySelector('section.verdicts')?.getBoundingClientRect();
      if (r && r.height > 0 && r.bottom > 0 && r.top < innerHeight && !document.hidden) { clearInterval(timer); resolve(); }
    };
    const timer = setInterval(look, 200);
  });
  return shown;
}
const times = (globalThis.paxoscopeChecker = { asked_ms: null, loaded_ms: null, answered_ms: null, checks: 0 });

async function load(page) {
  if (document.getElementById('paxoscope-one-file')) throw { failed: 'offline' };
  const base = new URL(page, document.baseURI);
  const r = await fetch(base);
  if (!r.ok) throw new Error(base.href + ' answered HTTP ' + r.status);
  const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
  const href = (sel) => [...doc.querySelectorAll(sel)].map((l) => l.getAttribute('href')).find((h) => h && !h.includes('/snippets/'));
  const glue = href('link[rel=modulepreload]');
  const wasm = href('link[rel=preload][href$=".wasm"]');
  if (!glue || !wasm) throw new Error(base.href + ' does not name its wasm and JS');
  globalThis.paxoscopeCheckerOnly = true;
  const m = await import(new URL(glue, base).href);
  await m.default({ module_or_path: new URL(wasm, base) });
  times.loaded_ms = performance.now();
  return m;
}

export function lin_checker_ready() { return times.loaded_ms !== null; }

export function lin_check(page, history, slice_ms, done) {
  if (job) { clearTimeout(job.timer); job.check?.free(); }
  const mine = (job = {});
  if (times.asked_ms === null) times.asked_ms = performance.now();
  if (!checker) checker = on_screen().then(() => load(page));
  const fail = (e) => {
    if (job !== mine) return;
    job = null;
    done(e && e.failed ? e : { failed: 'load', message: String((e && e.message) || e) });
  };
  checker.then((m) => {
    if (job !== mine) return;
    try { mine.check = new m.RunCheck(history); } catch (e) { return fail({ failed: 'check', message: String((e && e.message) || e) }); }
    const slice = () => {
      if (job !== mine) return;
      const answer = mine.check.step(slice_ms);
      if (answer === undefined) { mine.timer = setTimeout(slice, 0); return; }
      mine.check.free();
      job = null;
      times.checks += 1;
      if (times.answered_ms === null) times.answered_ms = performance.now();
      done(answer);
    };
    slice();
  }, fail);
}
"#)]
extern "C" {
    /// Checks `history` with the module of the page at `page` (loaded at the first call), in
    /// slices of `slice_ms`; `done` gets the verdict object (src/checker.rs `RunVerdict`) or
    /// `{failed: "offline" | "load" | "check", message}`. A later call drops this one.
    fn lin_check(page: &str, history: &str, slice_ms: f64, done: &JsValue);
    /// Has the module been started?
    fn lin_checker_ready() -> bool;
}

/// What the page knows of the verdicts it asked for.
#[derive(Default)]
struct Asked {
    /// The history last sent to the module, and its answer once it came.
    history: Option<Rc<str>>,
    answer: Option<Checked>,
    /// The module could not be had (offline, blocked): no check is asked again.
    unavailable: Option<Checked>,
    /// Bumped at every answer: the page redraws the panel when it changes.
    revision: u32,
    redraw: Option<Callback<u32>>,
}

thread_local! {
    static ASKED: RefCell<Asked> = RefCell::new(Asked::default());
}

/// The verdict of `run`'s client history up to the playhead: the module's answer when it
/// has come, else "checking" (and the check is asked for); `redraw` is told when an answer
/// comes. A run without a client request asks nothing (and loads nothing).
pub fn checked(run: &dyn RunView, redraw: &Callback<u32>) -> Checked {
    if run.clients().is_empty() {
        return Checked::unchecked();
    }
    let history: Rc<str> = history_json_lines(run.clients()).into();
    ASKED.with(|a| {
        let mut a = a.borrow_mut();
        a.redraw = Some(redraw.clone());
        if let Some(gone) = &a.unavailable {
            return gone.clone();
        }
        if a.history.as_deref() == Some(&*history) {
            if let Some(answer) = &a.answer {
                return answer.clone();
            }
        } else {
            a.history = Some(history.clone());
            a.answer = None;
            let asked = history.clone();
            let done = Closure::once_into_js(move |answer: JsValue| answered(&asked, &answer));
            lin_check(crate::page::history_page_href(), &history, SLICE_MS, &done);
        }
        Checked::note(
            "checking",
            "… checking",
            if lin_checker_ready() {
                "Checking the history up to here…"
            } else {
                "Loading the linearizability checker…"
            },
        )
    })
}

/// The module answered for `history`: keep it if it is still the one asked about, and redraw.
fn answered(history: &Rc<str>, answer: &JsValue) {
    let redraw = ASKED.with(|a| {
        let mut a = a.borrow_mut();
        let checked = read_answer(answer);
        if checked.verdict == "unavailable" {
            a.unavailable = Some(checked);
        } else if a.history.as_ref().is_some_and(|h| Rc::ptr_eq(h, history)) {
            a.answer = Some(checked);
        } else {
            return None;
        }
        a.revision += 1;
        a.redraw.clone().map(|r| (r, a.revision))
    });
    if let Some((redraw, revision)) = redraw {
        redraw.emit(revision);
    }
}

/// The module's answer as the panel draws it, or why there is none.
fn read_answer(answer: &JsValue) -> Checked {
    let text = |name: &str| field(answer, name).as_string().unwrap_or_default();
    match text("failed").as_str() {
        "" => {}
        "offline" => {
            return Checked::note(
                "unavailable",
                "",
                "No linearizability verdict in a saved file: the checker is loaded from the \
                 playground's site when this panel opens, and a saved file works offline. Open \
                 the run's link on the site for its verdict.",
            )
        }
        failed => {
            let what = if failed == "check" {
                "could not check this history"
            } else {
                "could not be loaded"
            };
            return Checked::note(
                "unavailable",
                "",
                &format!(
                    "The linearizability checker {what} ({}): the timeline is drawn without a \
                     verdict. Reload the page to try again.",
                    text("message")
                ),
            );
        }
    }
    let verdict = match text("verdict").as_str() {
        "linearizable" => "linearizable",
        "not-linearizable" => "not-linearizable",
        _ => "undecided",
    };
    let sentences: Vec<String> = list(&field(answer, "sentences"))
        .iter()
        .filter_map(|s| s.as_string())
        .collect();
    let why = (verdict == "not-linearizable").then(|| LinWhy {
        key: text("key"),
        ordered: ids(&field(answer, "ordered")),
        unplaceable: ids(&field(answer, "unplaceable")),
        wrong_read: field(answer, "wrong_read").as_f64().map(|r| r as u64),
        sentences,
    });
    Checked::verdict(verdict, why)
}

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// The items of a JS array (none if `v` is not one).
fn list(v: &JsValue) -> Vec<JsValue> {
    v.clone()
        .dyn_into::<js_sys::Array>()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Request ids from a JS array of numbers.
fn ids(v: &JsValue) -> Vec<u64> {
    list(v)
        .iter()
        .filter_map(|x| x.as_f64())
        .map(|x| x as u64)
        .collect()
}
