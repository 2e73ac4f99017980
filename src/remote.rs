//! `#src=<url>`: a scenario text fetched from another site that allows it (CORS), so a course
//! or a documentation page can link to the playground with a scenario it hosts. The hostile-link
//! rules hold: the text is bounded like a link's (`MAX_TEXT_BYTES`), the fetch gives up after
//! `FETCH_TIMEOUT_MS`, and whatever fails, the default scenario runs under a message saying
//! what was wrong (and, for a scenario that does not parse, the line and column). Once opened,
//! the page's address becomes the full scenario fragment, so a share link no longer depends on
//! the other site.

use crate::state::{default_scenario, Playground};
use paxoscope_core::scenario::{parse, MAX_TEXT_BYTES};
use std::cell::RefCell;

/// The fragment prefix: `#src=https://example.org/course/leader.scenario` (percent-encoded or
/// not; a relative address is read from the page's own site).
pub const SRC_PREFIX: &str = "src=";

/// How long the page waits for the other site (real ms) before it opens the default scenario.
pub const FETCH_TIMEOUT_MS: u32 = 10_000;

/// Longest address quoted back in a message (a hostile link may be megabytes long).
const MAX_QUOTED_CHARS: usize = 120;

thread_local! {
    /// The address a `#src=` link named and its text, or why there is none: fetched before
    /// the page opens it (main.rs, and `hooks::url` on `hashchange`).
    static FETCHED: RefCell<Option<(String, Result<String, String>)>> = const { RefCell::new(None) };
}

/// The address a `#src=` fragment names (percent-decoded), if `frag` is one.
pub fn source_of(frag: &str) -> Option<String> {
    let raw = frag.trim_start_matches('#').strip_prefix(SRC_PREFIX)?;
    let decoded = js_sys::decode_uri_component(raw)
        .ok()
        .and_then(|s| s.as_string());
    Some(decoded.unwrap_or_else(|| raw.to_string()))
}

/// The address the page's own `#src=` link names.
pub fn linked_source() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    source_of(&hash)
}

/// Fetches `url`'s text for [`open_source`], then calls `done`.
pub fn fetch_linked_source(url: String, done: impl FnOnce() + 'static) {
    let max_bytes = u32::try_from(MAX_TEXT_BYTES).unwrap_or(u32::MAX);
    crate::browser::fetch_text_bounded(&url.clone(), max_bytes, FETCH_TIMEOUT_MS, move |got| {
        if got.as_deref().is_ok_and(belongs_elsewhere) {
            // Before anything renders (or rewrites the address): the family page fetches it.
            let encoded = js_sys::encode_uri_component(&url);
            return crate::page::open_in_family_page(&format!("{SRC_PREFIX}{encoded}"));
        }
        FETCHED.with(|f| *f.borrow_mut() = Some((url, got)));
        done();
    });
}

/// Is `text` a scenario of a protocol this page leaves out?
fn belongs_elsewhere(text: &str) -> bool {
    parse(text).is_ok_and(|s| !crate::page::has_protocol(s.protocol.name()))
}

fn quoted(url: &str) -> String {
    let mut q: String = url.chars().take(MAX_QUOTED_CHARS).collect();
    if url.chars().count() > MAX_QUOTED_CHARS {
        q.push('…');
    }
    q
}

/// `#src=<url>`: the fetched scenario, or the default one with a message saying what failed.
/// (A scenario of a protocol this page leaves out continued at the family page when it
/// arrived, which fetches it again.)
pub fn open_source(url: &str) -> Playground {
    let got = FETCHED.with(|f| f.borrow_mut().take());
    let text = match got {
        Some((fetched, text)) if fetched == url => text,
        _ => Err("it was not fetched".into()),
    };
    let failed = |why: String| {
        let msg = format!(
            "The scenario at {} could not be opened: {why}. The default scenario is running instead.",
            quoted(url)
        );
        Playground::new(default_scenario(), Some(msg))
    };
    let text = match text {
        Ok(text) => text,
        Err(e) => return failed(e),
    };
    match parse(&text) {
        Ok(s) => crate::page::open_shared(s),
        Err(e) => failed(format!("line {}, column {}: {}", e.line, e.col, e.message)),
    }
}
