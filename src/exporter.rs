//! The family page's wasm as a library (issue 17): the Export panel's writers, which the
//! shipped page loads on demand instead of carrying them (src/components/export.rs,
//! `verdict_loader::export_text`). The run is deterministic, so the module does not need the
//! page's trace: it re-derives the run from the scenario the page runs (its user actions
//! included, as a share link carries them), runs it to the page's playhead in slices of real
//! time between which the page gets its event loop back (a long run does not freeze the tab),
//! and writes the export of the window, as the page's own `RunView::export` would. docs/architecture.md
//! ("Three pages, and a module loaded on demand", "The exporter") says how the page finds and starts this wasm.

use paxoscope_core::view::{ExportKind, RunView};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The global a page sets to `true` before it starts this wasm as a library: `main` then
/// mounts nothing (the family page would land in the playground's body).
pub const LIBRARY_FLAG: &str = "paxoscopeExporterOnly";

/// Was this wasm started as a library (see [`LIBRARY_FLAG`])?
pub fn loaded_as_library() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(LIBRARY_FLAG))
        .is_ok_and(|v| v.is_truthy())
}

/// An export under way: the run re-derived so far, and what to write once it stands at the
/// playhead.
struct Job {
    run: Box<dyn RunView>,
    kind: ExportKind,
    window_ms: (u64, u64),
    node: u8,
    playhead_ms: u64,
}

thread_local! {
    /// The export under way (one at a time; a new request drops the one before).
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
}

/// The whole export `request` at once (`export_start`, then slices until done): `ok`, a
/// newline and the text, or `failed`, a newline and what was wrong.
#[wasm_bindgen]
pub fn export_run(request: &str) -> String {
    let started = export_start(request);
    if !started.is_empty() {
        return started;
    }
    loop {
        if let Some(answer) = export_slice(f64::INFINITY) {
            return answer;
        }
    }
}

/// Starts the export `request` asks for: `KIND FROM_MS TO_MS NODE PLAYHEAD_MS`, a newline,
/// and the run's scenario as a link fragment (`scenario::to_url_fragment`). KIND is `trace`,
/// `sequence` or `state`. An empty string, or `failed`, a newline and what was wrong.
#[wasm_bindgen]
pub fn export_start(request: &str) -> String {
    let (job, answer) = match job_for(request) {
        Ok(job) => (Some(job), String::new()),
        Err(why) => (None, format!("failed\n{why}")),
    };
    JOB.with_borrow_mut(|j| *j = job);
    answer
}

/// Replays the run towards the playhead for about `slice_ms` of real time (`run::run_sliced`),
/// so that the page keeps its event loop on a long run: nothing while the replay goes on, then
/// `ok` and the text, or `failed` and why.
#[wasm_bindgen]
pub fn export_slice(slice_ms: f64) -> Option<String> {
    JOB.with_borrow_mut(|slot| {
        let Some(job) = slot.as_mut() else {
            return Some("failed\nno export was started".to_string());
        };
        if !crate::run::run_sliced(job.run.as_mut(), job.playhead_ms, slice_ms) {
            return None;
        }
        let (from, to) = job.window_ms;
        let answer = match job.run.export(job.kind, from, to, job.node) {
            Ok(text) => format!("ok\n{text}"),
            Err(why) => format!("failed\n{why}"),
        };
        *slot = None;
        Some(answer)
    })
}

fn job_for(request: &str) -> Result<Job, String> {
    let (head, fragment) = request
        .split_once('\n')
        .ok_or("the export request has no scenario")?;
    let malformed = || format!("a malformed export request ({head})");
    let mut words = head.split(' ');
    let kind = match words.next() {
        Some("trace") => ExportKind::Trace,
        Some("sequence") => ExportKind::Sequence,
        Some("state") => ExportKind::State,
        _ => return Err(malformed()),
    };
    let mut numbers = words.map(|w| w.parse::<u64>().map_err(|_| malformed()));
    let mut next = || numbers.next().unwrap_or_else(|| Err(malformed()));
    let (from_ms, to_ms, node, playhead_ms) = (next()?, next()?, next()?, next()?);
    let node = u8::try_from(node).map_err(|_| malformed())?;
    let scenario = paxoscope_core::scenario::from_url_fragment(fragment)
        .map_err(|e| format!("the run's scenario does not read back: {e}"))?;
    Ok(Job {
        run: paxoscope_core::view::open(scenario)?,
        kind,
        window_ms: (from_ms, to_ms),
        node,
        playhead_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::export::request;

    #[test]
    fn a_request_reads_back_and_a_bad_one_says_why() {
        let req = request(ExportKind::State, (2_500, 6_000), 1, 8_000);
        assert_eq!(req, "state 2500 6000 1 8000");
        let error = |r: &str| job_for(r).err().expect("an error");
        assert!(error(&req).contains("no scenario"));
        for bad in ["graph 1 2 3 4\nx", "trace 1 2 3\nx", "trace 1 2 300 4\nx"] {
            assert!(error(bad).contains("malformed"), "{bad}");
        }
        assert!(error("trace 1 2 3 4\n%%%").contains("does not read back"));
        assert_eq!(
            export_slice(1.0).as_deref(),
            Some("failed\nno export was started")
        );
    }

    #[test]
    fn the_module_writes_what_the_page_writes() {
        let scenario = paxoscope_core::scenario::parse(
            "paxoscope scenario v1\nseed 42\nat 3s put 1 color blue\nat 5s crash 2\n",
        )
        .unwrap();
        let fragment = paxoscope_core::scenario::to_url_fragment(&scenario);
        let mut page = paxoscope_core::view::open(scenario).unwrap();
        page.run_until(8_000);
        for kind in [ExportKind::Trace, ExportKind::Sequence, ExportKind::State] {
            let req = format!("{}\n{fragment}", request(kind, (2_500, 6_000), 2, 8_000));
            let text = page.export(kind, 2_500, 6_000, 2).unwrap();
            assert!(!text.is_empty());
            assert_eq!(export_run(&req), format!("ok\n{text}"));
        }
    }
}
