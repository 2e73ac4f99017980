//! The family page's wasm as a library (issue 17): the Export panel's writers, which the
//! shipped page loads on demand instead of carrying them (src/components/export.rs,
//! `verdict_loader::export_text`). The run is deterministic, so the module does not need the
//! page's trace: it re-derives the run from the scenario the page runs (its user actions
//! included, as a share link carries them), runs it to the page's playhead and writes the
//! export of the window, as the page's own `RunView::export` would. docs/architecture.md
//! ("Three pages, and a module loaded on demand", "The exporter") says how the page finds and starts this wasm.

use paxoscope_core::view::ExportKind;
use wasm_bindgen::prelude::*;

/// The global a page sets to `true` before it starts this wasm as a library: `main` then
/// mounts nothing (the family page would land in the playground's body).
pub const LIBRARY_FLAG: &str = "paxoscopeExporterOnly";

/// Was this wasm started as a library (see [`LIBRARY_FLAG`])?
pub fn loaded_as_library() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(LIBRARY_FLAG))
        .is_ok_and(|v| v.is_truthy())
}

/// The export `request` asks for: `KIND FROM_MS TO_MS NODE PLAYHEAD_MS`, a newline, and the
/// run's scenario as a link fragment (`scenario::to_url_fragment`). KIND is `trace`,
/// `sequence` or `state`. The answer is `ok`, a newline and the text, or `failed`, a newline
/// and what was wrong.
#[wasm_bindgen]
pub fn export_run(request: &str) -> String {
    match answer(request) {
        Ok(text) => format!("ok\n{text}"),
        Err(why) => format!("failed\n{why}"),
    }
}

fn answer(request: &str) -> Result<String, String> {
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
    let mut run = paxoscope_core::view::open(scenario)?;
    run.run_until(playhead_ms);
    run.export(kind, from_ms, to_ms, node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::export::request;

    #[test]
    fn a_request_reads_back_and_a_bad_one_says_why() {
        let req = request(ExportKind::State, (2_500, 6_000), 1, 8_000);
        assert_eq!(req, "state 2500 6000 1 8000");
        assert!(answer(&req).unwrap_err().contains("no scenario"));
        for bad in ["graph 1 2 3 4\nx", "trace 1 2 3\nx", "trace 1 2 300 4\nx"] {
            assert!(answer(bad).unwrap_err().contains("malformed"), "{bad}");
        }
        assert!(answer("trace 1 2 3 4\n%%%")
            .unwrap_err()
            .contains("does not read back"));
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
