//! How the page was opened: the query string's embed options (`?embed=1&autoplay=1&hide=...`)
//! and the two link forms the fragment may hold besides a full scenario: `#tour=<id>` (a
//! guided tour from `presets::PRESETS`) and a scenario whose view stands too far ahead to
//! fast-forward at load. See docs/embedding.md.

use crate::state::{default_scenario, Playground};
use paxoscope_core::presets::{self, Preset, PRESETS};
use paxoscope_core::scenario::{Scenario, View};

/// The fragment prefix of a tour link: `#tour=leader-fails`.
pub const TOUR_PREFIX: &str = "tour=";

/// The furthest a link's playhead is fast-forwarded when the page opens (simulated ms). An
/// hour of the default cluster takes a fraction of a second; a day (`MAX_TIME_MS`) would
/// freeze the page for seconds and hold a large trace, so a link past this opens here.
pub const MAX_OPEN_AT_MS: u64 = 3_600_000;

/// Embed-mode options from the query string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageOptions {
    /// `embed=1`: the compact layout for an iframe.
    pub embed: bool,
    /// `autoplay=1`: an embed starts playing (otherwise it waits, paused, for the reader).
    pub autoplay: bool,
    /// `hide=diagram,narration,controls`: parts an embed leaves out.
    pub hide_diagram: bool,
    pub hide_narration: bool,
    pub hide_controls: bool,
}

/// Reads `?embed=1&autoplay=1&hide=a,b` (unknown keys and values are ignored).
pub fn parse_query(query: &str) -> PageOptions {
    let mut o = PageOptions::default();
    for pair in query.trim_start_matches('?').split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let on = matches!(value, "1" | "true" | "yes" | "");
        match key {
            "embed" => o.embed = on,
            "autoplay" => o.autoplay = on,
            "hide" => {
                for part in value.split([',', '+', ' ']) {
                    match part {
                        "diagram" => o.hide_diagram = true,
                        "narration" => o.hide_narration = true,
                        "controls" => o.hide_controls = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    o
}

/// `?host=https://docs.example,https://b.example`: the origins whose pages may drive this one
/// through the host-page API (docs/embedding.md); none listed means any parent page may.
/// Values are percent-decoded; a value that is not an origin (`scheme://host[:port]`) is left
/// out.
pub fn host_origins(query: &str) -> Vec<String> {
    let mut origins = Vec::new();
    for pair in query.trim_start_matches('?').split('&') {
        let Some(value) = pair.strip_prefix("host=") else {
            continue;
        };
        let value = value
            .replace("%3A", ":")
            .replace("%3a", ":")
            .replace("%2F", "/")
            .replace("%2f", "/");
        for origin in value.split([',', ' ']) {
            let origin = origin.trim_end_matches('/');
            let is_origin = origin.split_once("://").is_some_and(|(scheme, rest)| {
                !scheme.is_empty() && !rest.is_empty() && !rest.contains('/')
            });
            if is_origin {
                origins.push(origin.to_string());
            }
        }
    }
    origins
}

/// The page built with every protocol, relative to this one. The shipped page carries Ceph's
/// monitor Paxos only, to keep its first load small (`scripts/bundle-size.mjs`); `scripts/test.sh`
/// builds the family page into `dist/family/` (`--features basic-paxos,multi-paxos`), and `scripts/serve.sh`
/// serves that build. A link or a pick of another protocol continues there.
pub const FAMILY_PAGE: &str = "family/";

/// The history checker's own page (`dist/history/`, the same app built with the feature
/// `history-page`), relative to the shipped page: it carries the linearizability checker and
/// no protocol, so neither page pays for the other's code.
pub const HISTORY_PAGE: &str = "history/";

/// The history checker's page relative to this one (the family page lives one level down).
pub fn history_page_href() -> &'static str {
    if cfg!(any(feature = "basic-paxos", feature = "multi-paxos")) {
        "../history/"
    } else {
        HISTORY_PAGE
    }
}

/// `#free=<protocol>`: free play on that protocol's default scenario (how the picker of a page
/// without the protocol hands over to the family page).
pub const FREE_PREFIX: &str = "free=";

/// Is the protocol named `name` (a declaration's name) compiled into this page?
pub fn has_protocol(name: &str) -> bool {
    paxoscope_core::view::protocols()
        .iter()
        .any(|(d, _)| d.name == name)
}

/// Does the link fragment `frag` name a protocol this page leaves out (a scenario's `protocol`
/// line, a tour of that protocol, or `free=<protocol>`)? Then the family page opens it.
pub fn belongs_elsewhere(frag: &str) -> bool {
    let frag = frag.trim_start_matches('#');
    let protocol = if let Some(name) = frag.strip_prefix(FREE_PREFIX) {
        paxoscope_core::scenario::ProtocolId::from_name(name).map(|p| p.name())
    } else if let Some(id) = frag.strip_prefix(TOUR_PREFIX) {
        presets::find(id).map(|t| t.protocol)
    } else {
        paxoscope_core::scenario::from_url_fragment(frag)
            .ok()
            .map(|s| s.protocol.name())
    };
    protocol.is_some_and(|p| !has_protocol(p))
}

/// Continues at the family page with this fragment (and this page's query: an embed stays an
/// embed).
pub fn open_in_family_page(frag: &str) {
    let Some(w) = web_sys::window() else { return };
    let search = w.location().search().unwrap_or_default();
    let _ = w.location().replace(&format!(
        "{FAMILY_PAGE}{search}#{}",
        frag.trim_start_matches('#')
    ));
}

pub fn options() -> PageOptions {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    parse_query(&search)
}

/// The page's address without query and fragment (`https://host/sub/index.html`).
pub fn page_base() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

thread_local! {
    /// The text of the tour a `#tour=<id>` link names, or why it could not be fetched: main.rs
    /// fetches it before the first render (the wasm does not carry the tours' texts).
    static LINKED_TOUR_TEXT: std::cell::RefCell<Option<Result<String, String>>> =
        const { std::cell::RefCell::new(None) };
}

/// Tour `p`'s scenario text, fetched from `presets/<file>` next to the page. `done` gets the
/// text, or a sentence saying why it could not be had.
pub fn fetch_tour(p: &'static Preset, done: impl FnOnce(Result<String, String>) + 'static) {
    let url = format!("presets/{}", p.file);
    crate::browser::fetch_text(&url.clone(), move |got| {
        done(got.map_err(|e| format!("could not fetch {url} ({e})")))
    });
}

/// Fetches the linked tour's text for [`open_tour`], then calls `done`.
pub fn fetch_linked_tour(p: &'static Preset, done: impl FnOnce() + 'static) {
    fetch_tour(p, move |got| {
        LINKED_TOUR_TEXT.with(|t| *t.borrow_mut() = Some(got));
        done();
    });
}

/// The tour a `#tour=<id>` link names, if it is a known one.
pub fn linked_tour() -> Option<&'static Preset> {
    let hash = web_sys::window()?.location().hash().ok()?;
    presets::find(hash.strip_prefix('#')?.strip_prefix(TOUR_PREFIX)?)
}

/// A tour as the playground opens it: paused at its view, or at 0 if it has none, so that
/// the reader starts at the first note.
pub fn tour_scenario(p: &Preset, text: &str) -> Result<Scenario, String> {
    let mut s = paxoscope_core::scenario::parse(text)
        .map_err(|e| format!("the tour \"{}\" does not parse: {e}", p.id))?;
    if s.view.is_none() {
        s.view = Some(View {
            t_ms: 0,
            node: Some(0),
            speed_tenths: 10,
            paused: true,
        });
    }
    Ok(s)
}

/// `#tour=<id>`: the tour (its text was fetched before the page rendered, see main.rs), or
/// the default scenario with a message naming the known tours or saying what failed.
pub fn open_tour(id: &str) -> Playground {
    let found = presets::find(id).ok_or_else(|| {
        let known: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
        format!(
            "unknown tour \"{}\" (known: {})",
            id.chars().take(40).collect::<String>(),
            known.join(", ")
        )
    });
    let text = |p: &'static Preset| {
        let got = LINKED_TOUR_TEXT.with(|t| t.borrow_mut().take());
        got.unwrap_or_else(|| Err(format!("presets/{} was not fetched", p.file)))
            .map(|text| (p, text))
    };
    match found.and_then(text).and_then(|(p, text)| tour_scenario(p, &text)) {
        Ok(s) => Playground::new(s, None),
        Err(e) => Playground::new(
            default_scenario(),
            Some(format!(
                "The tour in this link could not be opened: {e}. The default scenario is running instead."
            )),
        ),
    }
}

/// A parsed link scenario, with its playhead brought back to `MAX_OPEN_AT_MS` if needed.
pub fn open_shared(mut s: Scenario) -> Playground {
    let mut note = None;
    if let Some(v) = s.view.as_mut().filter(|v| v.t_ms > MAX_OPEN_AT_MS) {
        note = Some(format!(
            "This link's playhead ({}) is further than the playground fast-forwards when it opens \
             ({}); it opens there instead. Press Play to go on.",
            crate::labels::seconds(v.t_ms),
            crate::labels::seconds(MAX_OPEN_AT_MS)
        ));
        v.t_ms = MAX_OPEN_AT_MS;
        v.paused = true;
    }
    Playground::new(s, note)
}

/// Embed mode decides whether the run starts playing: only with `autoplay=1`.
pub fn for_page(mut p: Playground, o: PageOptions) -> Playground {
    if o.embed {
        p.playing = o.autoplay && p.run.borrow().session.violation().is_none();
    }
    if first_visit(o) {
        // The welcome comes first; the run waits for the reader's choice.
        p.welcome = true;
        p.playing = false;
    }
    p
}

/// Where a dismissed welcome is remembered (the page's own localStorage key).
const WELCOMED_KEY: &str = "paxoscope.welcomed";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// A first visit: not an embed, no link in the fragment, and the welcome never dismissed
/// here. (A browser that refuses localStorage is treated as a returning visitor.)
pub fn first_visit(o: PageOptions) -> bool {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok());
    !o.embed
        && hash.is_none_or(|h| h.trim_start_matches('#').is_empty())
        && storage().is_some_and(|s| s.get_item(WELCOMED_KEY).ok().flatten().is_none())
}

/// Remember that the welcome was answered, so it is not shown again.
pub fn remember_welcomed() {
    if let Some(s) = storage() {
        let _ = s.set_item(WELCOMED_KEY, "1");
    }
}

/// The preset whose title is the scenario's name (how a loaded tour is recognised after a
/// reload, when the URL holds the full scenario).
pub fn tour_of(name: Option<&str>) -> Option<&'static str> {
    let name = name?;
    PRESETS.iter().find(|p| p.title == name).map(|p| p.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_options() {
        assert_eq!(parse_query(""), PageOptions::default());
        let o = parse_query("?embed=1&autoplay=1&hide=diagram,controls");
        assert!(o.embed && o.autoplay && o.hide_diagram && o.hide_controls && !o.hide_narration);
        let o = parse_query("?embed=0&hide=narration+diagram&x=y");
        assert!(!o.embed && o.hide_narration && o.hide_diagram);
    }

    #[test]
    fn host_origins_are_origins_only() {
        assert!(host_origins("?embed=1").is_empty());
        let o = host_origins(
            "?embed=1&host=https://docs.example,http%3A%2F%2F127.0.0.1%3A8080/&host=x",
        );
        assert_eq!(o, ["https://docs.example", "http://127.0.0.1:8080"]);
        assert!(
            host_origins("?host=https://a.example/path").is_empty(),
            "a path is not an origin"
        );
    }
}
