//! Browser services the share, embed and export panels use: the clipboard (which may be
//! missing or refused: callers always show the text too, so it can be copied by hand), Blob
//! URLs for downloads, and the real clock that slices long work.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

// Panels drawn as HTML strings (the ring, the logs, the invariants, the faults) are replaced
// whenever they redraw, which while a run plays is every frame for the ring. If that happens
// between a press and its release, the element pressed is gone, and the browser sends no click
// (or sends it to an ancestor that names no node or button): a click on a monitor while the run
// played was lost about seven times in eight. So when a press's element has left the page by
// its release, a click is sent to the element the release landed on, as the reader meant.
#[wasm_bindgen(inline_js = r#"export function remember_presses() {
  let pressed = null;
  document.addEventListener('mousedown', (e) => { pressed = e.button === 0 ? e.target : null; }, true);
  document.addEventListener('mouseup', (e) => {
    const was = pressed;
    pressed = null;
    const at = e.target;
    if (!was || was.isConnected || e.button !== 0 || !(at instanceof Element) || !at.isConnected) return;
    at.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, detail: 1,
      clientX: e.clientX, clientY: e.clientY, shiftKey: e.shiftKey, ctrlKey: e.ctrlKey,
      altKey: e.altKey, metaKey: e.metaKey }));
  }, true);
}"#)]
extern "C" {
    /// Installs the two listeners above, once, before the app renders.
    pub fn remember_presses();
}

/// Real time in ms (the page's clock; a monotonic one in native tests). Only the page's pacing
/// reads it (slices of long work, how often events are posted): nothing simulated depends on it.
#[cfg(target_arch = "wasm32")]
pub fn real_now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn real_now_ms() -> f64 {
    use std::time::Instant;
    thread_local!(static START: Instant = Instant::now());
    START.with(|s| s.elapsed().as_secs_f64() * 1000.0)
}

/// `navigator.clipboard.writeText(text)`; `done` gets true once it is copied, false if the
/// clipboard is unavailable (insecure page, old browser) or refused (no permission, no focus).
pub fn copy_text(text: &str, done: Callback<bool>) {
    let Some(promise) = write_text_promise(text) else {
        done.emit(false);
        return;
    };
    let ok = done.clone();
    let resolved: Closure<dyn FnMut(JsValue)> = Closure::once(move |_: JsValue| ok.emit(true));
    let rejected: Closure<dyn FnMut(JsValue)> = Closure::once(move |_: JsValue| done.emit(false));
    let _ = promise.then2(&resolved, &rejected);
    // The promise settles once, later: leave the two small closures to it.
    resolved.forget();
    rejected.forget();
}

/// Reached through `Reflect` so it needs no unstable web-sys feature.
fn write_text_promise(text: &str) -> Option<js_sys::Promise> {
    let navigator = web_sys::window()?.navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
    if clipboard.is_undefined() || clipboard.is_null() {
        return None;
    }
    let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    write
        .call1(&clipboard, &JsValue::from_str(text))
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()
}

/// A `blob:` URL holding `text` with this MIME type. Revoke it with [`revoke_url`].
pub fn blob_url(text: &str, mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

pub fn revoke_url(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

#[wasm_bindgen(inline_js = "export function fetch_text(url) { \
    return fetch(url).then(r => r.ok ? r.text() : Promise.reject(new Error('HTTP ' + r.status))); }")]
extern "C" {
    /// `fetch(url)`, resolving to the body's text, rejecting on an HTTP error status.
    #[wasm_bindgen(js_name = fetch_text)]
    fn fetch_text_js(url: &str) -> js_sys::Promise;
}

/// `fetch(url)` and its body as text; `done` gets the text, or why there is none (the HTTP
/// status, or the network error).
pub fn fetch_text(url: &str, done: impl FnOnce(Result<String, String>) + 'static) {
    settle_text(fetch_text_js(url), Box::new(done));
}

/// The text of the file a drop event carries, or of the file picked in an `<input type=file>`
/// (the event's target); at most `max_bytes`, else `done` gets why not.
#[cfg(feature = "history-page")]
pub fn file_text(
    event: &web_sys::Event,
    max_bytes: u32,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    settle_text(file_text_js(event, max_bytes), Box::new(done));
}

#[cfg(feature = "history-page")]
#[wasm_bindgen(inline_js = "export function file_text(e, max) { \
    const files = (e.dataTransfer || e.target).files; \
    if (!files || !files.length) return Promise.reject(new Error('no file was given')); \
    const f = files[0]; \
    if (f.size > max) return Promise.reject(new Error(f.name + ' has ' + f.size + ' bytes, more than the ' + max + ' the page reads')); \
    return f.text(); }")]
extern "C" {
    #[wasm_bindgen(js_name = file_text)]
    fn file_text_js(event: &web_sys::Event, max_bytes: u32) -> js_sys::Promise;
}

/// What a text fetch calls when it settles (boxed: one `settle_text` serves every caller).
type TextDone = Box<dyn FnOnce(Result<String, String>)>;

/// Calls `done` with the text a promise resolves to, or the message it rejects with.
fn settle_text(promise: js_sys::Promise, done: TextDone) {
    // The promise settles once, calling one of the two closures: they share `done`.
    let done = std::rc::Rc::new(std::cell::Cell::new(Some(done)));
    let failed = done.clone();
    let read: Closure<dyn FnMut(JsValue)> = Closure::once(move |text: JsValue| {
        if let Some(done) = done.take() {
            done(text.as_string().ok_or_else(|| "not text".into()));
        }
    });
    let error: Closure<dyn FnMut(JsValue)> = Closure::once(move |e: JsValue| {
        if let Some(done) = failed.take() {
            let message = js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string());
            done(Err(message.unwrap_or_else(|| "network error".into())));
        }
    });
    let _ = promise.then2(&read, &error);
    // The promise settles once, later: leave the two small closures to it.
    read.forget();
    error.forget();
}

/// The element that has the keyboard focus, if it is an HTML element.
pub fn focused_element() -> Option<web_sys::HtmlElement> {
    let active = web_sys::window()?.document()?.active_element()?;
    active.dyn_into::<web_sys::HtmlElement>().ok()
}

/// The HTML element with this id, if any.
pub fn element_by_id(id: &str) -> Option<web_sys::HtmlElement> {
    let el = web_sys::window()?.document()?.get_element_by_id(id)?;
    el.dyn_into::<web_sys::HtmlElement>().ok()
}

/// Move the keyboard focus to `el` (nothing when there is none).
pub fn focus(el: Option<web_sys::HtmlElement>) {
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// Select the text of a field (so a reader can copy it by hand when the clipboard fails).
pub fn select_field(id: &str) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id));
    if let Some(input) = el
        .as_ref()
        .and_then(|e| e.dyn_ref::<web_sys::HtmlInputElement>())
    {
        input.select();
    } else if let Some(area) = el
        .as_ref()
        .and_then(|e| e.dyn_ref::<web_sys::HtmlTextAreaElement>())
    {
        area.select();
    }
}

/// `fetch(url)` of a text from another site, bounded: only `http:`/`https:` (relative to the
/// page), no cookies, at most `max_bytes` (read as a stream, so a huge body is cut off rather
/// than held), answered within `timeout_ms`, UTF-8. `done` gets the text or a sentence saying
/// which of these failed.
pub fn fetch_text_bounded(
    url: &str,
    max_bytes: u32,
    timeout_ms: u32,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    settle_text(fetch_bounded_js(url, max_bytes, timeout_ms), Box::new(done));
}

#[wasm_bindgen(inline_js = r#"export async function fetch_bounded(url, max, ms) {
  let u;
  try { u = new URL(url, location.href); } catch (e) { throw new Error('it is not a web address'); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('only http: and https: addresses are loaded, not ' + u.protocol);
  const ctl = new AbortController();
  const late = new Error('the site did not answer within ' + ms / 1000 + ' s');
  const timer = setTimeout(() => ctl.abort(), ms);
  try {
    let r;
    try { r = await fetch(u, { signal: ctl.signal, credentials: 'omit' }); }
    catch (e) { throw ctl.signal.aborted ? late : new Error('the request failed: the site is unreachable, or it does not let other sites read the file (CORS)'); }
    if (!r.ok) throw new Error('the site answered HTTP ' + r.status);
    const too_big = 'it is larger than the ' + max + ' bytes a scenario may have';
    if (Number(r.headers.get('content-length')) > max) throw new Error(too_big);
    const reader = r.body.getReader(), parts = [];
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.length;
      if (got > max) { reader.cancel(); throw new Error(too_big); }
      parts.push(value);
    }
    const all = new Uint8Array(got);
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    try { return new TextDecoder('utf-8', { fatal: true }).decode(all); }
    catch (e) { throw new Error('it is not UTF-8 text'); }
  } catch (e) {
    throw ctl.signal.aborted ? late : e;
  } finally { clearTimeout(timer); }
}"#)]
extern "C" {
    #[wasm_bindgen(js_name = fetch_bounded)]
    fn fetch_bounded_js(url: &str, max_bytes: u32, timeout_ms: u32) -> js_sys::Promise;
}
