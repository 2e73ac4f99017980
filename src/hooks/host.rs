//! The browser side of the host-page API (`crate::host`): a `message` listener that takes
//! commands from the parent window only (and, with `?host=<origin>,...`, only from those
//! origins), and the events posted back to it after each render.
//!
//! The page is driven only when it is in a frame: a top-level page has no host.

use crate::browser::real_now_ms;
use crate::host::{self, EmbedEvent, HostCommand, HostError, Plan, RunInfo, API_VERSION};
use crate::run::Run;
use crate::state::{Action, Dispatch, Playground};
use gloo_events::EventListener;
use js_sys::{Object, Reflect};
use paxoscope_core::scenario::MAX_TEXT_BYTES;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::UseReducerHandle;

/// While playing, the playhead is reported at most this often (real ms).
pub const PLAYHEAD_EVERY_MS: f64 = 250.0;

/// The parent window, if the page is in a frame.
fn parent() -> Option<web_sys::Window> {
    let w = web_sys::window()?;
    let parent = w.parent().ok()??;
    (!Object::is(&parent, &w)).then_some(parent)
}

/// The host origins the query string allows (`?host=https://a.example,https://b.example`),
/// none for any.
fn allowed_origins() -> Vec<String> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    crate::page::host_origins(&search)
}

/// Posts `event` to the parent (to each allowed origin: the browser delivers it only to the
/// one the parent has).
fn post(event: &EmbedEvent) {
    let Some(parent) = parent() else { return };
    // An absent value is `null`, as docs/embedding.md's table says (serde-wasm-bindgen's
    // default would leave it `undefined`).
    let to_js = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    let Ok(value) = event.serialize(&to_js) else {
        return;
    };
    let _ = Reflect::set(&value, &"v".into(), &API_VERSION.into());
    let origins = allowed_origins();
    if origins.is_empty() {
        let _ = parent.post_message(&value, "*");
    }
    for origin in &origins {
        let _ = parent.post_message(&value, origin);
    }
}

fn error(e: HostError) {
    post(&EmbedEvent::Error(e));
}

/// The command a message holds, or what is wrong with it and where.
fn read(data: &JsValue) -> Result<HostCommand, HostError> {
    if !data.is_object() || js_sys::Array::is_array(data) {
        return Err(HostError::new(
            None,
            None,
            "a command is an object like {\"v\": 1, \"type\": \"play\"}",
        ));
    }
    let get = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let kind = get("type").as_string().unwrap_or_default();
    let v = get("v");
    if v.as_f64() != Some(API_VERSION as f64) {
        // (`JSON.stringify(undefined)` is undefined, not a string.)
        let said = match v.is_undefined() {
            true => "none".into(),
            false => js_sys::JSON::stringify(&v).map_or("none".into(), String::from),
        };
        return Err(HostError::new(
            Some(&kind),
            Some("v"),
            format!(
                "this page speaks version {API_VERSION} of the host API; the message says {said}"
            ),
        ));
    }
    HostCommand::read(&kind, &mut |name| {
        let value = get(name);
        (!value.is_undefined() && !value.is_null()).then_some(Field(value))
    })
}

/// One field's JS value, read by `host::Decode` (no serde deserializer: its error texts
/// format floats).
struct Field(JsValue);

impl host::FieldValue for Field {
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn text(self) -> Result<String, String> {
        // A string longer than any field may be is refused before it is copied into the wasm
        // (a UTF-16 unit is at least one UTF-8 byte).
        let Some(s) = self.0.dyn_ref::<js_sys::JsString>() else {
            return Err(format!("expected a string, got {}", self.describe()));
        };
        let units = s.length() as usize;
        if units > MAX_TEXT_BYTES {
            return Err(format!(
                "at least {units} bytes; the limit is {MAX_TEXT_BYTES} bytes (MAX_TEXT_BYTES)"
            ));
        }
        Ok(self.0.as_string().unwrap_or_default())
    }

    fn describe(&self) -> String {
        let v = &self.0;
        if let Some(s) = v.dyn_ref::<js_sys::JsString>() {
            // Only a short string is copied in to be quoted.
            return match s.length() as usize > MAX_TEXT_BYTES {
                true => "a string longer than any field".to_string(),
                false => format!(
                    "the string \"{}\"",
                    crate::labels::shorten(&v.as_string().unwrap_or_default(), host::QUOTED_CHARS)
                ),
            };
        }
        match () {
            _ if v.as_f64().is_some() => "a number",
            _ if v.as_bool().is_some() => "a boolean",
            _ if v.is_null() => "null",
            _ if v.is_undefined() => "undefined",
            _ if js_sys::Array::is_array(v) => "an array",
            _ => "an object",
        }
        .to_string()
    }
}

/// Carries out one command on the playground as it stands (`now`).
fn carry_out(cmd: HostCommand, now: &Playground, dispatch: &Dispatch) {
    match host::plan(cmd, now) {
        Err(e) => error(e),
        Ok(Plan::Act(a)) => dispatch.dispatch(a),
        Ok(Plan::Tour(tour, note)) => {
            let d = dispatch.clone();
            crate::page::fetch_tour(tour, move |text| {
                let opened = text
                    .map_err(|e| HostError::new(Some("tour"), Some("id"), e))
                    .and_then(|text| host::tour_at_note(tour, &text, note));
                match opened {
                    Ok(s) => d.dispatch(Action::Load(
                        Box::new(s),
                        format!("Tour: {} (opened by the host page).", tour.title),
                    )),
                    Err(e) => error(e),
                }
            });
        }
    }
}

/// What the host was last told, so that only changes are posted.
#[derive(Default)]
struct Told {
    /// The run the reports are about (a new one is `ready`, then `loaded`).
    run: Option<Rc<RefCell<Run>>>,
    playhead: Option<(u64, u64, bool)>,
    playhead_real_ms: f64,
    /// Each node's ring lines and declared state, as last reported.
    states: Vec<(&'static str, &'static str, String)>,
    violation: bool,
    findings: usize,
}

fn run_info(p: &Playground) -> RunInfo {
    let run = p.run.borrow();
    let s = &run.session;
    RunInfo {
        protocol: s.declaration().name,
        nodes: s.nodes(),
        name: s.scenario().name.clone(),
        seed: s.scenario().seed,
        t_ms: p.playhead_ms as u64,
        end_ms: p.end_ms(),
    }
}

/// Posts what changed since `told`: a new run, node states, verdicts, the playhead.
fn report(p: &Playground, told: &mut Told) {
    if !told.run.as_ref().is_some_and(|r| Rc::ptr_eq(r, &p.run)) {
        let info = run_info(p);
        post(&if told.run.is_none() {
            EmbedEvent::Ready(info)
        } else {
            EmbedEvent::Loaded(info)
        });
        *told = Told {
            run: Some(p.run.clone()),
            ..Told::default()
        };
    }
    let run = p.run.borrow();
    let s = &run.session;
    let t_ms = p.playhead_ms as u64;
    told.states.resize(s.nodes() as usize, Default::default());
    let d = s.declaration();
    for node in 0..s.nodes() {
        let status = s.status(node);
        // What the ring shows: its two lines (`Protocol::brief`; no consensus phase outside a
        // quorum), and the state the node's diagram marks, from the protocol's declaration.
        let brief = s.brief(node);
        let state = if status.is_none() {
            "down".to_string()
        } else {
            let keys: Vec<String> = s
                .position(node)
                .leaves()
                .into_iter()
                .map(|(m, st)| d.key(m, st))
                .collect();
            keys.join(" ")
        };
        let now = (brief.role, brief.phase, state);
        if told.states[node as usize] != now {
            post(&EmbedEvent::State {
                t_ms,
                node,
                role: now.0,
                phase: now.1,
                state: now.2.clone(),
                epoch: status.as_ref().map_or(0, |st| st.epoch),
                leader: status.and_then(|st| st.leader),
            });
            told.states[node as usize] = now;
        }
    }
    if let Some(v) = s.violation().filter(|_| !told.violation) {
        told.violation = true;
        post(&verdict("violation", v));
    }
    let playhead = (t_ms, s.events(), p.playing);
    let due = !p.playing || real_now_ms() - told.playhead_real_ms >= PLAYHEAD_EVERY_MS;
    let moved_or_toggled = told.playhead.is_none_or(|(_, _, was)| was != p.playing);
    if told.playhead != Some(playhead) && (due || moved_or_toggled) {
        told.playhead = Some(playhead);
        told.playhead_real_ms = real_now_ms();
        post(&EmbedEvent::Playhead {
            t_ms,
            events: playhead.1,
            playing: p.playing,
            trace_hash: format!("{:016x}", s.trace_hash()),
        });
        // Findings are looked for at the playhead's pace (a copy of the list each time).
        let findings = s.findings();
        for f in findings.iter().skip(told.findings) {
            post(&verdict("finding", f));
        }
        told.findings = findings.len();
    }
}

fn verdict(kind: &'static str, v: &paxoscope_core::check::Violation) -> EmbedEvent {
    EmbedEvent::Verdict {
        kind,
        rule: v.invariant.clone(),
        t_ms: v.t_ms,
        event: v.event,
        node: v.node,
        detail: v.detail.clone(),
    }
}

/// The listener and what the host was told, for the page's one playground.
struct Host {
    /// The playground as last rendered, for the listener's checks (node count, recorded run).
    latest: Playground,
    dispatch: Dispatch,
    told: Told,
    _listener: EventListener,
}

thread_local! {
    static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
}

/// Takes one message from the window: a command if it comes from the parent (and an allowed
/// origin, if any is set); everything else is ignored.
fn on_message(e: &web_sys::MessageEvent, origins: &[String]) {
    let from_parent = e
        .source()
        .zip(parent())
        .is_some_and(|(s, p)| Object::is(&s, &p));
    if !from_parent || !(origins.is_empty() || origins.contains(&e.origin())) {
        return;
    }
    let cmd = match read(&e.data()) {
        Ok(cmd) => cmd,
        Err(err) => return error(err),
    };
    // Not borrowed while the command runs: a dispatch may render (and report) at once.
    let now = HOST.with(|h| {
        h.borrow()
            .as_ref()
            .map(|h| (h.latest.clone(), h.dispatch.clone()))
    });
    if let Some((now, dispatch)) = now {
        carry_out(cmd, &now, &dispatch);
    }
}

/// The host-page API of the playground `state`, called as the page renders it (only in a
/// frame): the first call starts listening for commands; every call posts what changed. (A
/// plain function, not a hook: the events are posted, so they arrive after the render, and
/// Yew's effect and ref hooks cost 2.7 KB of wasm before wasm-opt, 0.9 KB gzipped, for the
/// same.)
pub fn host_api(state: &UseReducerHandle<Playground>) {
    if parent().is_none() {
        return;
    }
    let latest = (**state).clone();
    HOST.with(|h| {
        let mut h = h.borrow_mut();
        let host = h.get_or_insert_with(|| {
            let origins = allowed_origins();
            let window = web_sys::window().expect("a page in a frame has a window");
            Host {
                latest: latest.clone(),
                dispatch: state.dispatcher(),
                told: Told::default(),
                _listener: EventListener::new(&window, "message", move |e| {
                    if let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() {
                        on_message(e, &origins);
                    }
                }),
            }
        });
        report(&latest, &mut host.told);
        host.latest = latest;
    });
}
