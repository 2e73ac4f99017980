//! The shipped page's linearizability verdict, checked by a module loaded on demand (issues 20
//! and 17): the page carries no checker (about 25 KB gzipped); the first time the Client
//! operations panel is on screen with a request to judge, it loads the history page's wasm as a
//! library (src/checker.rs) and sends it the run's client history up to the playhead, as
//! `paxoscope export --what history` writes it. The module answers with the panel's verdict
//! pieces, written by the family page's own writer (`verdicts::verdict_html`), so the two pages
//! say the same. docs/architecture.md ("Three pages, and a module loaded on demand") has the
//! whole path.
//!
//! The JS below waits until the panel is on screen (a reader who never scrolls to it loads
//! nothing), finds the module's hashed file names in `history/index.html` (trunk's own preload
//! links, so any build of the history page serves), starts it once, runs the check in slices
//! of 12 ms between which the page gets the event loop back (a newer history drops the check
//! under way), keeps the answer for the history it was asked about, and says it came with a
//! `paxoscope-verdict` event on the window. In a one-file export (src/components/one_file.rs)
//! it loads nothing: the panel says the verdict is not in the saved file.
//!
//! The same JS loads the Export panel's writers on demand (issue 17): the family page's wasm
//! as a library (src/exporter.rs), started the first time a reader asks for an export.

use crate::components::verdicts::VerdictHtml;
use crate::labels::push_escaped;
use crate::state::{Action, Playground};
use paxoscope_core::export::history_json_lines;
use paxoscope_core::view::RunView;
use wasm_bindgen::prelude::*;
use yew::UseReducerDispatcher;

#[wasm_bindgen(inline_js = r#"
let mod = null, ready = false, asked = null, answer = null, gone = null, timer;
const came = (t) => { answer = t; dispatchEvent(new Event('paxoscope-verdict')); };
const shown = () => new Promise((ok) => { const t = setInterval(() => {
  const r = document.querySelector('section.verdicts')?.getBoundingClientRect();
  if (r?.height && r.bottom > 0 && r.top < innerHeight && !document.hidden) { clearInterval(t); ok(); }
}, 200); });
async function load(page, flag) {
  if (globalThis.paxoscopeOneFile || location.protocol === 'file:') throw 'offline';
  const base = new URL(page, document.baseURI);
  const r = await fetch(base);
  if (!r.ok) throw new Error(base + ' answered HTTP ' + r.status);
  const d = new DOMParser().parseFromString(await r.text(), 'text/html');
  const at = (s) => new URL(d.querySelector(s).getAttribute('href'), base);
  globalThis[flag] = true;
  const m = await import(at('link[rel=modulepreload]:not([href*="/snippets/"])'));
  await m.default({ module_or_path: at('link[rel=preload][href$=".wasm"]') });
  ready = true;
  return m;
}
export function lin_verdict(page, history) {
  if (gone) return gone;
  if (history !== asked) {
    asked = history;
    answer = null;
    clearTimeout(timer);
    (mod ||= shown().then(() => load(page, 'paxoscopeCheckerOnly'))).then((m) => {
      const step = () => { if (asked === history) { const a = m.check_slice(12); a === undefined ? (timer = setTimeout(step, 0)) : came(a); } };
      if (asked === history) { const e = m.check_start(history); e ? came('failed\n' + e) : step(); }
    }, (e) => { gone = e === 'offline' ? e : 'failed\n' + (e?.message || e); came(gone); });
  }
  return answer ?? (ready ? 'checking' : 'loading');
}
let exporter = null, exportMod = null, exportGone = null, exportAsked = null, exportAnswer = null, exportTimer;
const exported = () => dispatchEvent(new Event('paxoscope-export'));
function exportStart(m, request) {
  exportAsked = request;
  exportAnswer = null;
  clearTimeout(exportTimer);
  const step = () => {
    if (exportAsked !== request) return;
    const a = m.export_slice(12);
    if (a === undefined) exportTimer = setTimeout(step, 0); else { exportAnswer = a; exported(); }
  };
  // Never answers in the caller's turn: the page asks from inside its own update.
  const e = m.export_start(request);
  exportTimer = setTimeout(() => { if (e) { exportAnswer = e; exported(); } else step(); }, 0);
}
export function export_text(page, request) {
  if (exportGone) return exportGone;
  if (exportMod) {
    if (request !== exportAsked) exportStart(exportMod, request);
    return exportAnswer ?? 'loading';
  }
  exporter ||= load(page, 'paxoscopeExporterOnly').then((m) => { exportMod = m; },
    (e) => { exportGone = e === 'offline' ? e : 'unavailable\n' + (e?.message || e); });
  exporter.then(exported);
  return 'loading';
}
"#)]
extern "C" {
    /// The verdict of `history` from the checker module of the page at `page`: `loading`,
    /// `checking`, `offline`, `failed` and a line saying why, or the module's answer
    /// (`VerdictHtml` as lines). Asks the module if `history` is new; a `paxoscope-verdict`
    /// event on the window says when the answer came.
    fn lin_verdict(page: &str, history: &str) -> String;

    /// The export `request` (src/exporter.rs, `export_start` and `export_slice`) written by the
    /// exporter module, the family page's wasm at `page`: `loading` while it loads or replays
    /// the run in slices (a `paxoscope-export` event on the window says when it is ready, has
    /// the answer, or could not be had; ask again then), `offline`, `unavailable` and a line
    /// saying why, or the module's answer.
    pub fn export_text(page: &str, request: &str) -> String;
}

thread_local! {
    /// The page's listener for the module's answers (one, for the page's life).
    static LISTENING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The verdict of `run`'s client history up to the playhead: the module's answer once it has
/// come, else what is under way or missing (and the check is asked for). A run without a
/// client request asks nothing and loads nothing.
pub fn checked(run: &dyn RunView, dispatch: &UseReducerDispatcher<Playground>) -> VerdictHtml {
    if run.clients().is_empty() {
        return VerdictHtml::unchecked();
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
    from_answer(&answer)
}

/// The panel's pieces from `lin_verdict`'s answer.
fn from_answer(answer: &str) -> VerdictHtml {
    let (code, rest) = answer.split_once('\n').unwrap_or((answer, ""));
    let (lin, badge, note) = match code {
        "loading" => ("checking", true, "Loading the linearizability checker…".to_string()),
        "checking" => ("checking", true, "Checking the history up to here…".to_string()),
        "offline" => ("unavailable", false, "No linearizability verdict in a saved file: the checker comes from the playground's site. Open the run's link there for it.".to_string()),
        "failed" => ("unavailable", false, format!("The linearizability checker could not be had ({rest}): no verdict. Reload the page to try again.")),
        _ => return VerdictHtml::from_lines(answer),
    };
    let mut why = r#"<p class="small muted" role="status" data-lin-note="">"#.to_string();
    push_escaped(&mut why, &note);
    why.push_str("</p>");
    VerdictHtml {
        lin: lin.into(),
        badge: if badge {
            r#"<span class="badge muted">… checking</span>"#.into()
        } else {
            String::new()
        },
        why,
        ..VerdictHtml::default()
    }
}
