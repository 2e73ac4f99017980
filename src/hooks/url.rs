//! The URL fragment holds the whole scenario (seed, overrides, scripted and user actions) and
//! the view (playhead, selected node, speed, paused), in the scenario text format's URL form.
//! Read at start, and again when a link changes only the fragment (`hashchange`); rewritten
//! with `history.replaceState`, throttled, as the user acts.
//!
//! A reload reloads the URL as last written, up to `PLAYHEAD_WRITE_MS` old while playing, and
//! the browser fixes that URL before the page's `pagehide` runs, so a write there comes too
//! late. Instead `beforeunload` and `pagehide` keep the exact latest fragment in
//! `sessionStorage` (this tab only), with the URLs this history entry had lately; a page that
//! starts at one of those (a reload, or back to it) starts from the kept one. Any other link
//! starts from its own fragment.
//!
//! "Lately", not "last": the browser learns of a `replaceState` asynchronously, and a reload
//! that comes within moments of one reloads the URL before it (seen in Chromium: 3 reloads in
//! 40 issued 0–9 ms after a `replaceState` loaded the older URL; the e2e reload test failed
//! about 1 run in 4 that way). So every URL the entry had in the last `RECENT_URL_MS` counts.

use crate::browser::real_now_ms;
use crate::page::PageOptions;
use crate::state::{default_scenario, Action, Dispatch, Playground};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use paxoscope_core::scenario::{from_url_fragment, to_url_fragment};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// While playing, a change of scenario, selection, speed or play state is written within
/// this long (real ms).
const CHANGE_WRITE_MS: f64 = 1000.0;
/// While playing, the advancing playhead alone is written this seldom (real ms): every
/// `replaceState` makes the browser process store the whole fragment (tens of KB for a busy
/// scenario, ~90 ms of its CPU on our test machine), which took cores from the animation.
const PLAYHEAD_WRITE_MS: f64 = 10_000.0;

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// sessionStorage keys of the fragment kept at `pagehide`, and of the URLs it stands for (the
/// hashes of this history entry's recent fragments, see `EntryUrls`).
const KEPT_FRAGMENT_KEY: &str = "paxoscope.kept-fragment";
const KEPT_FOR_KEY: &str = "paxoscope.kept-for";

/// How long (real ms) a URL this entry had still counts as "this page" for a reload: far more
/// than the browser's lag in learning of a `replaceState`.
const RECENT_URL_MS: f64 = 10_000.0;

/// The URLs this history entry had lately: (when it was replaced, real ms; hash of the
/// fragment). The current one is last and never expires.
#[derive(Default)]
struct EntryUrls(Vec<(f64, u64)>);

impl EntryUrls {
    fn note(&mut self, frag: &str, now_ms: f64) {
        let h = fragment_hash(frag);
        if self.0.last().is_some_and(|&(_, last)| last == h) {
            return;
        }
        if let Some(current) = self.0.last_mut() {
            current.0 = now_ms; // replaced now
        }
        self.0
            .retain(|&(replaced_ms, _)| now_ms - replaced_ms < RECENT_URL_MS);
        self.0.push((f64::INFINITY, h));
    }

    fn text(&self) -> String {
        let hex: Vec<String> = self.0.iter().map(|(_, h)| format!("{h:016x}")).collect();
        hex.join(",")
    }
}

thread_local! {
    static ENTRY_URLS: RefCell<EntryUrls> = RefCell::new(EntryUrls::default());
}

/// FNV-1a over the fragment's bytes: the kept list names URLs without storing them again.
fn fragment_hash(frag: &str) -> u64 {
    let frag = frag.trim_start_matches('#');
    frag.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn note_entry_url(frag: &str) {
    let now = real_now_ms();
    ENTRY_URLS.with(|u| u.borrow_mut().note(frag, now));
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Keeps `frag` for a reload of the page at any URL this entry had lately.
fn keep_for_reload(frag: &str) {
    let Some(store) = session_storage() else {
        return;
    };
    note_entry_url(&location_hash());
    let urls = ENTRY_URLS.with(|u| u.borrow().text());
    let _ = store.set_item(KEPT_FOR_KEY, &urls);
    let _ = store.set_item(KEPT_FRAGMENT_KEY, frag);
}

/// The fragment kept at the last `pagehide` if it was kept for `url_frag` (taken once: a later
/// start reads the URL again).
fn take_kept_fragment(url_frag: &str) -> Option<String> {
    let store = session_storage()?;
    let kept_for = store.get_item(KEPT_FOR_KEY).ok()??;
    let kept = store.get_item(KEPT_FRAGMENT_KEY).ok()??;
    let _ = store.remove_item(KEPT_FOR_KEY);
    let _ = store.remove_item(KEPT_FRAGMENT_KEY);
    let url = format!("{:016x}", fragment_hash(url_frag));
    kept_for.split(',').any(|h| h == url).then_some(kept)
}

/// The playground the page starts with: the URL's (see `playground_for`), or the one kept for
/// a reload of this URL.
pub fn initial_playground() -> Playground {
    let hash = location_hash();
    note_entry_url(&hash);
    let kept = take_kept_fragment(hash.trim_start_matches('#'));
    playground_for(kept.as_deref().unwrap_or(hash.trim_start_matches('#')))
}

/// The playground a link's fragment opens: its scenario (or `tour=<id>`, a guided tour from
/// `presets`, or `src=<url>`, a scenario fetched from another site), or the default one with a message saying what was wrong and where.
fn playground_for(frag: &str) -> Playground {
    if frag.is_empty() {
        return Playground::new(default_scenario(), None);
    }
    if crate::page::belongs_elsewhere(frag) {
        // Another protocol's link: the page that has it opens the same link.
        crate::page::open_in_family_page(frag);
        return Playground::new(default_scenario(), None);
    }
    if let Some(name) = frag.strip_prefix(crate::page::FREE_PREFIX) {
        use paxoscope_core::scenario::ProtocolId;
        if ProtocolId::from_name(name).is_none() {
            let msg = format!(
                "This link names the protocol \"{}\", which Paxoscope does not have (it has: {}). \
                 The default scenario is running instead.",
                name.chars().take(40).collect::<String>(),
                ProtocolId::names()
            );
            return Playground::new(default_scenario(), Some(msg));
        }
        return Playground::new(crate::components::tour::free_play(name), None);
    }
    if let Some(id) = frag.strip_prefix(crate::page::TOUR_PREFIX) {
        return crate::page::open_tour(id);
    }
    if let Some(p) = crate::components::challenge::open_link(frag) {
        return p;
    }
    if let Some(url) = crate::remote::source_of(frag) {
        return crate::remote::open_source(&url);
    }
    match from_url_fragment(frag) {
        Ok(s) => crate::page::open_shared(s),
        Err(e) => {
            let msg = format!(
                "The scenario in this link could not be read: line {}, column {}: {}. \
                 The default scenario is running instead.",
                e.line, e.col, e.message
            );
            Playground::new(default_scenario(), Some(msg))
        }
    }
}

/// A link opened in this tab while the page is open (pasted into the address bar, or history
/// back and forward) differs from the page's URL only in its fragment, so the browser does not
/// load the page again: the page opens the new fragment itself. The page's own writes
/// (`replaceState`) fire no `hashchange`.
#[hook]
pub fn use_open_on_hashchange(dispatch: Dispatch, page: PageOptions) {
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|w| {
            EventListener::new(&w, "hashchange", move |_| {
                // The fragment `popstate` saw with the traversal, if fresh: `hashchange` is a
                // task of its own, and a frame or a pending write in between can replace the
                // entry's fragment with the page's current run (the tours e2e "history entry"
                // flake). Else read now: a write of the old state still pending could replace
                // it before a tour's text arrives.
                let frag = TRAVERSED
                    .with(|t| t.borrow_mut().take())
                    .filter(|(at_ms, _)| real_now_ms() - at_ms < TRAVERSED_FRESH_MS)
                    .map_or_else(location_hash, |(_, f)| f);
                let source = crate::remote::source_of(&frag);
                let d = dispatch.clone();
                let open = move || {
                    let p = playground_for(frag.trim_start_matches('#'));
                    d.dispatch(Action::Open(Box::new(crate::page::for_page(p, page))));
                };
                match (crate::page::linked_tour(), source) {
                    (Some(tour), _) => crate::page::fetch_linked_tour(tour, open),
                    (None, Some(url)) => crate::remote::fetch_linked_source(url, open),
                    (None, None) => open(),
                }
            })
        });
        // `popstate` runs with the traversal itself, before any frame: keep the fragment the
        // entry had then.
        let traversal = web_sys::window().map(|w| {
            EventListener::new(&w, "popstate", move |_| {
                TRAVERSED.with(|t| *t.borrow_mut() = Some((real_now_ms(), location_hash())));
            })
        });
        move || drop((listener, traversal))
    });
}

/// How long (real ms) the fragment `popstate` saw stands for the `hashchange` that follows it.
const TRAVERSED_FRESH_MS: f64 = 1000.0;

thread_local! {
    /// (when, real ms; the fragment) as the last history traversal found it.
    static TRAVERSED: RefCell<Option<(f64, String)>> = const { RefCell::new(None) };
}

fn replace_hash(frag: &str) {
    let Some(w) = web_sys::window() else { return };
    note_entry_url(frag);
    if location_hash().trim_start_matches('#') == frag {
        return;
    }
    if let Ok(h) = w.history() {
        let _ =
            h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{frag}")));
    }
}

/// A new history entry, at the same URL, for what opens next (a tour picked from the list): the
/// entry before keeps the page as it was, so Back returns to it (through `hashchange`).
pub fn push_history_entry() {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.push_state(&wasm_bindgen::JsValue::NULL, "");
        // A new entry: the old one's URLs are not this one's (Back returns to them).
        ENTRY_URLS.with(|u| *u.borrow_mut() = EntryUrls::default());
        note_entry_url(&location_hash());
    }
}

/// While paused, the URL is written this long after the last change (a drag of the time
/// slider would otherwise call `replaceState` on every input event).
const PAUSED_DEBOUNCE_MS: u32 = 200;

/// What a URL write stands for besides the playhead: the scenario's revision, the selected
/// node, the speed, the play state and the run (a new one when a scenario opens).
type WriteKey = (
    u64,
    Option<paxoscope_core::actor::Rank>,
    u32,
    bool,
    *const RefCell<crate::run::Run>,
);

#[hook]
pub fn use_url_sync(state: &Playground) {
    // When the URL was last written while playing (real ms), and the key it was written for.
    let written = use_mut_ref(|| (f64::NEG_INFINITY, None::<WriteKey>));
    let pending = use_mut_ref(|| None::<Timeout>);
    // Anything but the playhead changes the key; the playhead counts in whole seconds.
    let key = (
        state.scenario_revision,
        state.selected,
        state.speed_tenths,
        state.playing,
        Rc::as_ptr(&state.run),
    );
    let playhead_s = (state.playhead_ms / 1000.0) as u64;
    // The one copy of the state per render: the effect below and `pagehide` both read it.
    let latest = use_mut_ref(|| state.clone());
    *latest.borrow_mut() = state.clone();
    use_keep_for_reload(latest.clone());
    use_effect_with((key, playhead_s, state.revision), move |(key, _, _)| {
        let scenario = latest.borrow();
        // A scenario just opened (a tour picked, a link loaded: a new run, the key's last part)
        // is written at once, playing or not: Back pressed in the next moment must find it in
        // its own history entry. Throttled while playing, it stayed the entry's old fragment
        // for up to a second, so Back changed no fragment (no `hashchange`), and the late write
        // then put the tour into the entry before (the e2e tours test failed that way in CI).
        let opened = written.borrow().1.is_some_and(|k| k.4 != key.4);
        if scenario.playing {
            // A write still pending from before Play is stale: it must not land later.
            pending.borrow_mut().take();
            let now = real_now_ms();
            let (since_ms, changed) = {
                let w = written.borrow();
                (now - w.0, w.1.as_ref() != Some(key))
            };
            if opened || since_ms >= PLAYHEAD_WRITE_MS || (changed && since_ms >= CHANGE_WRITE_MS) {
                *written.borrow_mut() = (now, Some(*key));
                replace_hash(&to_url_fragment(&scenario.scenario_with_view()));
            }
        } else {
            written.borrow_mut().1 = Some(*key);
            let frag = to_url_fragment(&scenario.scenario_with_view());
            if opened {
                pending.borrow_mut().take();
                return replace_hash(&frag);
            }
            // Replacing the timer cancels the previous one: only the last change is written.
            *pending.borrow_mut() = Some(Timeout::new(PAUSED_DEBOUNCE_MS, move || {
                replace_hash(&frag)
            }));
        }
    });
}

/// Keeps the fragment of `latest` (the state of the last render) for a reload when the page is
/// left (`beforeunload`) or hidden for good (`pagehide`).
#[hook]
fn use_keep_for_reload(latest: Rc<RefCell<Playground>>) {
    use_effect_with((), move |_| {
        // `beforeunload` runs before a reload starts; `pagehide` alone can run after the new
        // page has read the storage (Chromium may unload the old page after committing the new
        // one), which lost the state now and then. `pagehide` still covers leaving to another
        // site and the back-forward cache.
        let w = web_sys::window().expect("a page has a window");
        let keep = move |_: &web_sys::Event| {
            keep_for_reload(&to_url_fragment(&latest.borrow().scenario_with_view()))
        };
        let listeners = (
            EventListener::new(&w, "beforeunload", keep.clone()),
            EventListener::new(&w, "pagehide", keep),
        );
        move || drop(listeners)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(u: &EntryUrls, frag: &str) -> bool {
        let h = format!("{:016x}", fragment_hash(frag));
        u.text().split(',').any(|x| x == h)
    }

    #[test]
    fn a_reload_counts_every_url_the_entry_had_lately_and_the_current_one_always() {
        let mut u = EntryUrls::default();
        u.note("#a", 0.0);
        u.note("b", 500.0);
        u.note("b", 600.0);
        assert!(has(&u, "a") && has(&u, "#b"), "{}", u.text());
        assert_eq!(
            u.text().split(',').count(),
            2,
            "a repeated write is one URL"
        );
        // Well after `a` was replaced: only `b` (current, however old) and what replaced it.
        u.note("c", 500.0 + RECENT_URL_MS + 1.0);
        assert!(
            !has(&u, "a") && has(&u, "b") && has(&u, "c"),
            "{}",
            u.text()
        );
        u.note("d", 500.0 + 3.0 * RECENT_URL_MS);
        assert!(
            !has(&u, "b") && has(&u, "c") && has(&u, "d"),
            "{}",
            u.text()
        );
        assert!(!has(&u, "e"));
    }
}
