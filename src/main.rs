//! Paxoscope playground: a Paxos protocol (Ceph's monitors, Basic Paxos) running in the page
//! over a simulated bus; the UI sees it through `paxoscope_core::view::RunView`.
//! `state.rs` holds the one reducer state and its actions, `run.rs` the session, `index.rs`
//! what the views derive from the trace, `components/` the panels, `hooks/` the browser glue.

// The history checker's page (feature `history-page`) renders one panel and leaves the
// playground's modules unused: the build drops their code.
#![cfg_attr(feature = "history-page", allow(dead_code, unused_imports))]

mod app;
mod browser;
#[cfg(feature = "history-page")]
mod checker;
mod components;
// The family page's wasm doubles as the shipped page's exporter module (src/exporter.rs).
#[cfg(all(any(test, feature = "own-exports"), not(feature = "history-page")))]
mod exporter;
mod hooks;
mod host;
mod index;
mod labels;
mod page;
mod remote;
mod run;
mod state;

#[cfg(feature = "history-page")]
fn main() {
    // Started as the shipped page's checker (src/checker.rs): no page of its own.
    if checker::loaded_as_library() {
        return;
    }
    yew::Renderer::<components::history_check::HistoryPage>::new().render();
}

#[cfg(not(feature = "history-page"))]
fn main() {
    // Started as the shipped page's exporter (src/exporter.rs): no page of its own.
    #[cfg(feature = "own-exports")]
    if exporter::loaded_as_library() {
        return;
    }
    // Another protocol's link continues at the page built with it, before anything renders.
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if page::belongs_elsewhere(&hash) {
        return page::open_in_family_page(&hash);
    }
    // A `#tour=<id>` link: fetch the tour's text first (the wasm does not carry the tours'
    // texts), so the page opens on the tour, or says why it could not.
    // A `#src=<url>` link: fetch the scenario from the other site first, likewise.
    match (page::linked_tour(), remote::linked_source()) {
        (Some(tour), _) => page::fetch_linked_tour(tour, render),
        (None, Some(url)) => remote::fetch_linked_source(url, render),
        (None, None) => render(),
    }
}

#[cfg(not(feature = "history-page"))]
fn render() {
    browser::remember_presses();
    yew::Renderer::<app::App>::new().render();
}
