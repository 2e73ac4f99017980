//! The shipped page's linearizability verdict, checked by a module loaded on demand (issues 20
//! and 17): the page carries no checker (about 25 KB gzipped); the first time the Client
//! operations panel is on screen with a request to judge, it loads the history page's wasm as a
//! library (src/checker.rs) and sends it the run's client history up to the playhead, as
//! `paxoscope export --what history` writes it. The module's answer is the family page's
//! verdict, word for word. docs/architecture.md ("Three pages, and a module loaded on demand")
//! has the whole path.
//!
//! The JS below does the work, so the page's wasm pays only for writing the history and
//! reading the answer: it waits until the panel is on screen (a reader who never scrolls to it
//! loads nothing), finds the module's hashed file names in `history/index.html` (trunk's own
//! preload links, so any build of the history page serves), starts it once, runs the check in
//! slices of 12 ms between which the page gets the event loop back (a newer history drops the
//! check under way), keeps the answer for the history it was asked about, and says so with a
//! `paxoscope-verdict` event on the window. In a one-file export (src/components/one_file.rs)
//! it loads nothing: the panel says the verdict is not in the saved file.

use crate::components::verdicts::Checked;
use crate::state::{Action, Playground};
use paxoscope_core::export::history_json_lines;
use paxoscope_core::verdict::LinWhy;
use paxoscope_core::view::RunView;
use wasm_bindgen::prelude::*;
use yew::UseReducerDispatcher;

#[wasm_bindgen(inline_js = r#"
let checker = null;
let job = null;
let asked = null;
let answer = null;
let gone = null;
const times = (globalThis.paxoscopeChecker = { asked_ms: null, loaded_ms: null, answered_ms: null, checks: 0 });

// Resolves once the Client operations panel has been on screen.
let shown = null;
function on_screen() {
  if (!shown) shown = new Promise((resolve) => {
    const timer = setInterval(() => {
      const r = document.querySelector('section.verdicts')?.getBoundingClientRect();
      if (r && r.height > 0 && r.bottom > 0 && r.top < innerHeight && !document.hidden) { clearInterval(timer); resolve(); }
    }, 200);
  });
  return shown;
}

async function load(page) {
  if (document.getElementById('paxoscope-one-file')) {
    throw 'No linearizability verdict in a saved file: the checker is loaded from the playground\'s site when this panel opens, and a saved file works offline. Open the run\'s link on the site for its verdict.';
  }
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

const came = () => dispatchEvent(new Event('paxoscope-verdict'));
const waiting = () => 'checking\n' + (times.loaded_ms === null ? 'Loading the linearizability checker…' : 'Checking the history up to here…');
const failed = (what, e) => 'unavailable\n' + (typeof e === 'string' ? e : 'The linearizability checker ' + what + ' (' + ((e && e.message) || e) + '): the timeline is drawn without a verdict. Reload the page to try again.');

export function lin_verdict(page, history) {
  if (gone) return gone;
  if (history === asked) return answer ?? waiting();
  asked = history;
  answer = null;
  if (job) { clearTimeout(job.timer); job.check?.free(); }
  const mine = (job = {});
  if (times.asked_ms === null) times.asked_ms = performance.now();
  if (!checker) checker = on_screen().then(() => load(page));
  const give_up = (text) => { if (job === mine) { job = null; gone = text; came(); } };
  checker.then((m) => {
    if (job !== mine) return;
    try { mine.check = new m.RunCheck(history); } catch (e) { return give_up(failed('could not check this history', e)); }
    const slice = () => {
      if (job !== mine) return;
      const a = mine.check.step(12);
      if (a === undefined) { mine.timer = setTimeout(slice, 0); return; }
      mine.check.free();
      job = null;
      times.checks += 1;
      if (times.answered_ms === null) times.answered_ms = performance.now();
      answer = [a.verdict, '', a.ordered.join(' '), a.unplaceable.join(' '), a.wrong_read ?? '', ...a.sentences].join('\n');
      came();
    };
    slice();
  }, (e) => give_up(failed('could not be loaded', e)));
  return waiting();
}
"#)]
extern "C" {
    /// The verdict of `history` from the checker module of the page at `page`, as lines: the
    /// panel's `data-lin` (`checking` and `unavailable` too), a note, the ordered requests, the
    /// requests that cannot be placed, the wrong read, then the explanation's sentences. Asks
    /// the module if `history` is new (a `paxoscope-verdict` event says when it answered).
    fn lin_verdict(page: &str, history: &str) -> String;
}

thread_local! {
    /// The page's listener for the module's answers (one, for the page's life).
    static LISTENING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The verdict of `run`'s client history up to the playhead: the module's answer once it has
/// come, else "checking" (and the check is asked for). A run without a client request asks
/// nothing and loads nothing.
pub fn checked(run: &dyn RunView, dispatch: &UseReducerDispatcher<Playground>) -> Checked {
    if run.clients().is_empty() {
        return Checked::unchecked();
    }
    if !LISTENING.replace(true) {
        if let Some(w) = web_sys::window() {
            let d = dispatch.clone();
            gloo_events::EventListener::new(&w, "paxoscope-verdict", move |_| {
                d.dispatch(Action::VerdictCame)
            })
            .forget();
        }
    }
    let answer = lin_verdict(
        crate::page::history_page_href(),
        &history_json_lines(run.clients()),
    );
    read_answer(&answer)
}

/// The panel's part of `lin_verdict`'s answer.
fn read_answer(answer: &str) -> Checked {
    let mut lines = answer.split('\n');
    let verdict = match lines.next() {
        Some("linearizable") => "linearizable",
        Some("not-linearizable") => "not-linearizable",
        Some("undecided") => "undecided",
        Some("checking") => "checking",
        _ => "unavailable",
    };
    let note = lines.next().unwrap_or_default();
    if matches!(verdict, "checking" | "unavailable") {
        let badge = if verdict == "checking" {
            "… checking"
        } else {
            ""
        };
        return Checked::note(verdict, badge, note);
    }
    let mut ids = || -> Vec<u64> {
        let line = lines.next().unwrap_or_default();
        line.split(' ').filter_map(|x| x.parse().ok()).collect()
    };
    let (ordered, unplaceable) = (ids(), ids());
    let wrong_read = ids().first().copied();
    let why = (verdict == "not-linearizable").then(|| LinWhy {
        key: String::new(),
        ordered,
        unplaceable,
        wrong_read,
        sentences: lines.map(str::to_string).collect(),
    });
    Checked::verdict(verdict, why)
}
