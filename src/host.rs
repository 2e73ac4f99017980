//! The host-page API: a page that embeds the playground in an iframe drives it with
//! `postMessage` (load a scenario, play, pause, speed, seek to a time or an event, select a
//! node, open a tour at a note) and hears back what happens (ready, the playhead, state
//! changes, verdicts, errors). The messages are the typed enums below, tagged by `type`, with
//! a version `v`; docs/embedding.md ("Host-page API") is their schema.
//!
//! This layer knows no protocol: a command becomes one of the playground's own `Action`s
//! (`plan`), and the events read the run through `RunView` (`hooks/host.rs`). Hostile input
//! is answered, never trusted: a malformed or unknown message gets an `error` event naming the
//! field, a scenario text is bounded like a link's (`MAX_TEXT_BYTES`) and a parse error comes
//! back with its line and column; the run goes on.

use crate::state::{Action, Playground};
use paxoscope_core::presets::{self, Preset};
use paxoscope_core::scenario::{parse, validate::MAX_SPEED_TENTHS, Scenario, View, MAX_TEXT_BYTES};
use serde::Serialize;

/// The version of the message schema this page speaks: every message carries it as `v`.
pub const API_VERSION: u32 = 1;

/// Furthest a `seek` may send the playhead (simulated ms): what a link may fast-forward to
/// when it opens (an hour of the default cluster runs in a fraction of a second).
pub const MAX_SEEK_MS: u64 = crate::page::MAX_OPEN_AT_MS;

/// Most events a `seek-event` may run past the recorded run, at once, in the page's thread.
pub const MAX_EVENTS_AHEAD: u64 = 200_000;

/// A command from the host page. `{"v": 1, "type": "seek", "t_ms": 4000}`: the `type` names
/// the variant (`HostCommand::read`), the other fields are its fields, each read into its Rust
/// type by `Decode`. (A `#[derive(Deserialize)]` of this enum, tagged by `type`, cost about
/// 15 KB of wasm for serde's buffering of tagged enums, and serde's own error texts format
/// floats, which brings another 7 KB gzipped of float-to-decimal code; the few field types
/// here are read by hand, and the error names the field at fault.)
#[derive(Debug, PartialEq)]
pub enum HostCommand {
    /// A scenario text (docs/scenario-format.md) replaces the run, paused at its `view` (or 0).
    Load {
        text: String,
    },
    Play,
    Pause,
    /// Playback speed in tenths: 10 is 1x, 1 to 1000 (0.1x to 100x).
    SetSpeed {
        speed_tenths: u32,
    },
    /// Time travel to this simulated time.
    Seek {
        t_ms: u64,
    },
    /// Stand just after the run's `event`-th event (1 is the first; 0 the start).
    SeekEvent {
        event: u64,
    },
    /// Select a node by rank (its diagram shows in the embed).
    Select {
        node: u8,
    },
    /// Open a guided tour by id, at its `note`-th note (1-based; the first if absent).
    Tour {
        id: String,
        note: Option<u32>,
    },
}

/// The commands' `type`s, as a refusal lists them.
pub const COMMANDS: [&str; 8] = [
    "load",
    "play",
    "pause",
    "set-speed",
    "seek",
    "seek-event",
    "select",
    "tour",
];

/// A field's value as the message holds it (a JS value in the page, JSON in the tests).
pub trait FieldValue {
    /// The number it holds, if it is a number.
    fn number(&self) -> Option<f64>;
    /// The string it holds, or why not ("expected a string, got a number", or too long).
    fn text(self) -> Result<String, String>;
    /// What it is, for an error that says what came instead: "the string \"soon\"", "a
    /// boolean", "an object".
    fn describe(&self) -> String;
}

/// A command field's Rust type, read from a `FieldValue`; the error says what was expected.
pub trait Decode: Sized {
    fn decode(v: impl FieldValue) -> Result<Self, String>;
}

/// The largest whole number a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A whole number from 0 to `max`.
fn whole(v: impl FieldValue, max: u64) -> Result<u64, String> {
    let expected = format!("expected a whole number from 0 to {max}");
    match v.number() {
        Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= max as f64 => Ok(x as u64),
        Some(_) => Err(format!("{expected}, got another number")),
        None => Err(format!("{expected}, got {}", v.describe())),
    }
}

impl Decode for u64 {
    fn decode(v: impl FieldValue) -> Result<Self, String> {
        whole(v, MAX_SAFE_INTEGER)
    }
}

impl Decode for u32 {
    fn decode(v: impl FieldValue) -> Result<Self, String> {
        whole(v, u32::MAX as u64).map(|x| x as u32)
    }
}

impl Decode for u8 {
    fn decode(v: impl FieldValue) -> Result<Self, String> {
        whole(v, u8::MAX as u64).map(|x| x as u8)
    }
}

impl Decode for String {
    fn decode(v: impl FieldValue) -> Result<Self, String> {
        v.text()
    }
}

/// A quoted string in an error message is cut to this many characters (with the ellipsis).
pub const QUOTED_CHARS: usize = 41;

/// What the playground tells the host page. Each is sent as an object with `type` and `v`
/// (serde's derive, turned into a JS value by serde-wasm-bindgen in `hooks::host`; an absent
/// value is `null`).
#[derive(Serialize, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EmbedEvent {
    /// The page has rendered its first run and listens for commands.
    Ready(RunInfo),
    /// A new run replaced the previous one (a `load`, a `tour`, Reset, a reader's pick).
    Loaded(RunInfo),
    /// Where the playhead stands; while playing at most every `PLAYHEAD_EVERY_MS` of real time.
    Playhead {
        t_ms: u64,
        /// Events the run has executed up to the playhead.
        events: u64,
        playing: bool,
        /// The hash of the recorded run as 16 hex digits (the header's `trace #…` shows its
        /// last 8).
        trace_hash: String,
    },
    /// What the ring shows of a node differs from the last report (reports are coalesced: a
    /// frame at high speed may pass several states; the trace has every one).
    State {
        t_ms: u64,
        node: u8,
        /// The ring's top line (`electing`, `leader`; `down` while the node is crashed).
        role: &'static str,
        /// The ring's second line: the consensus phase (`active`), empty while the node is in
        /// none (a probing or electing Ceph monitor), `down` while crashed.
        phase: &'static str,
        /// The state the node's diagram marks, as the protocol declares it (`electing`,
        /// `leader-active`; space-separated where the node plays several roles, as Basic
        /// Paxos's `proposer-idle acceptor-promised`); `down` while crashed.
        state: String,
        epoch: u64,
        leader: Option<u8>,
    },
    /// The run's checker found a broken rule (`violation`: the run stops there) or a claim
    /// that does not hold under the run's conditions (`finding`: the run goes on).
    Verdict {
        kind: &'static str,
        rule: String,
        t_ms: u64,
        event: u64,
        node: Option<u8>,
        detail: String,
    },
    /// A command was not carried out: what was wrong, and where.
    Error(HostError),
}

/// The run an event describes.
#[derive(Serialize, Debug, PartialEq)]
pub struct RunInfo {
    pub protocol: &'static str,
    pub nodes: u8,
    pub name: Option<String>,
    /// A JS number up to 2^53 - 1; a larger seed is sent as its decimal string, exact (a
    /// number would lose digits, and serde-wasm-bindgen refuses it).
    #[serde(serialize_with = "exact_in_js")]
    pub seed: u64,
    pub t_ms: u64,
    pub end_ms: Option<u64>,
}

/// Why a command was refused.
#[derive(Serialize, Debug, PartialEq, Default)]
pub struct HostError {
    /// A sentence saying what was wrong.
    pub message: String,
    /// The command's `type`, when it had a readable one.
    pub command: Option<String>,
    /// The message's field at fault.
    pub field: Option<String>,
    /// For a scenario text that does not parse: where (1-based).
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// `seed` as the host page receives it: a number while a JS number holds it exactly.
fn exact_in_js<S: serde::Serializer>(x: &u64, s: S) -> Result<S::Ok, S::Error> {
    if *x <= MAX_SAFE_INTEGER {
        s.serialize_u64(*x)
    } else {
        s.collect_str(x)
    }
}

impl HostError {
    pub fn new(command: Option<&str>, field: Option<&str>, message: impl Into<String>) -> Self {
        HostError {
            message: message.into(),
            command: command.map(str::to_string),
            field: field.map(str::to_string),
            ..HostError::default()
        }
    }
}

impl HostCommand {
    /// The command of type `kind` whose fields `field` gives (none when the message lacks it
    /// or holds null), or what is wrong and where.
    pub fn read<F: FieldValue>(
        kind: &str,
        field: &mut dyn FnMut(&'static str) -> Option<F>,
    ) -> Result<HostCommand, HostError> {
        fn optional<T: Decode, F: FieldValue>(
            kind: &str,
            field: &mut dyn FnMut(&'static str) -> Option<F>,
            name: &'static str,
        ) -> Result<Option<T>, HostError> {
            let wrong = |e: String| HostError::new(Some(kind), Some(name), format!("{name}: {e}"));
            field(name).map(|v| T::decode(v).map_err(wrong)).transpose()
        }
        macro_rules! required {
            ($name:literal) => {
                optional(kind, field, $name)?.ok_or_else(|| {
                    HostError::new(
                        Some(kind),
                        Some($name),
                        format!("missing field `{}`", $name),
                    )
                })?
            };
        }
        Ok(match kind {
            "load" => HostCommand::Load {
                text: required!("text"),
            },
            "play" => HostCommand::Play,
            "pause" => HostCommand::Pause,
            "set-speed" => HostCommand::SetSpeed {
                speed_tenths: required!("speed_tenths"),
            },
            "seek" => HostCommand::Seek {
                t_ms: required!("t_ms"),
            },
            "seek-event" => HostCommand::SeekEvent {
                event: required!("event"),
            },
            "select" => HostCommand::Select {
                node: required!("node"),
            },
            "tour" => HostCommand::Tour {
                id: required!("id"),
                note: optional(kind, field, "note")?,
            },
            _ => {
                let kind: String = kind.chars().take(40).collect();
                return Err(HostError::new(
                    Some(kind.as_str()),
                    Some("type"),
                    format!(
                        "unknown type \"{kind}\": the commands are {}",
                        COMMANDS.join(", ")
                    ),
                ));
            }
        })
    }

    /// The `type` this command is sent as (for error replies).
    pub fn name(&self) -> &'static str {
        match self {
            HostCommand::Load { .. } => "load",
            HostCommand::Play => "play",
            HostCommand::Pause => "pause",
            HostCommand::SetSpeed { .. } => "set-speed",
            HostCommand::Seek { .. } => "seek",
            HostCommand::SeekEvent { .. } => "seek-event",
            HostCommand::Select { .. } => "select",
            HostCommand::Tour { .. } => "tour",
        }
    }
}

/// What carrying out a command takes.
pub enum Plan {
    /// One of the playground's own actions.
    Act(Action),
    /// Fetch a tour's text (the wasm does not carry it), then open it at this note.
    Tour(&'static Preset, Option<u32>),
}

/// The action a command asks of the playground `p`, or why it cannot be done.
pub fn plan(cmd: HostCommand, p: &Playground) -> Result<Plan, HostError> {
    let name = cmd.name();
    let refuse =
        |field: &str, message: String| Err(HostError::new(Some(name), Some(field), message));
    let act = |a: Action| Ok(Plan::Act(a));
    match cmd {
        HostCommand::Load { text } => load(&text).map(|s| {
            Plan::Act(Action::Load(Box::new(s), "Loaded by the host page.".into()))
        }),
        HostCommand::Play => act(Action::Play),
        HostCommand::Pause => act(Action::Pause),
        HostCommand::SetSpeed { speed_tenths } if !(1..=MAX_SPEED_TENTHS).contains(&speed_tenths) => refuse(
            "speed_tenths",
            format!("{speed_tenths} is not a speed: tenths from 1 (0.1x) to {MAX_SPEED_TENTHS} (100x)"),
        ),
        HostCommand::SetSpeed { speed_tenths } => act(Action::SetSpeed(speed_tenths)),
        HostCommand::Seek { t_ms } if t_ms > MAX_SEEK_MS => refuse(
            "t_ms",
            format!("{t_ms} ms is further than the playground seeks at once ({MAX_SEEK_MS} ms)"),
        ),
        HostCommand::Seek { t_ms } => act(Action::Seek(t_ms)),
        HostCommand::SeekEvent { event } => {
            let run = p.run.borrow();
            let reach = run.session.known_events().max(run.events()) + MAX_EVENTS_AHEAD;
            if event > reach {
                return refuse(
                    "event",
                    format!(
                        "event {event} is more than {MAX_EVENTS_AHEAD} events past the recorded run ({} events): seek to a time first",
                        run.session.known_events()
                    ),
                );
            }
            act(Action::SeekEvent(event))
        }
        HostCommand::Select { node } => {
            let nodes = p.run.borrow().session.nodes();
            if node >= nodes {
                return refuse("node", format!("node {node} does not exist: this run has nodes 0 to {}", nodes - 1));
            }
            act(Action::Select(Some(node)))
        }
        HostCommand::Tour { id, note } => {
            let Some(tour) = presets::find(&id) else {
                let known: Vec<&str> = presets::PRESETS.iter().map(|t| t.id).collect();
                let id: String = id.chars().take(40).collect();
                return refuse("id", format!("unknown tour \"{id}\" (known: {})", known.join(", ")));
            };
            if !crate::page::has_protocol(tour.protocol) {
                return refuse(
                    "id",
                    format!("the tour \"{}\" runs {}, which this page leaves out (the family page has it)", tour.id, tour.protocol),
                );
            }
            if note == Some(0) {
                return refuse("note", "notes are counted from 1".into());
            }
            Ok(Plan::Tour(tour, note))
        }
    }
}

/// A host's scenario text, bounded and parsed; paused at its view, or at 0 without one.
pub fn load(text: &str) -> Result<Scenario, HostError> {
    let fail = |field: &str, message: String| HostError::new(Some("load"), Some(field), message);
    if text.len() > MAX_TEXT_BYTES {
        return Err(fail(
            "text",
            format!(
                "the scenario is {} bytes; the limit is {MAX_TEXT_BYTES} bytes (MAX_TEXT_BYTES)",
                text.len()
            ),
        ));
    }
    let mut s = parse(text).map_err(|e| HostError {
        line: Some(e.line),
        column: Some(e.col),
        ..fail(
            "text",
            format!("line {}, column {}: {}", e.line, e.col, e.message),
        )
    })?;
    if !crate::page::has_protocol(s.protocol.name()) {
        return Err(fail(
            "text",
            format!(
                "the scenario runs {}, which this page leaves out (the family page has it)",
                s.protocol.name()
            ),
        ));
    }
    s.view.get_or_insert(View {
        t_ms: 0,
        node: Some(0),
        speed_tenths: crate::state::DEFAULT_SPEED_TENTHS,
        paused: true,
    });
    Ok(s)
}

/// Tour `t`'s scenario from its `text`, standing at its `note`-th note (paused), or why not.
pub fn tour_at_note(t: &Preset, text: &str, note: Option<u32>) -> Result<Scenario, HostError> {
    let fail = |field: &str, message: String| HostError::new(Some("tour"), Some(field), message);
    let mut s = crate::page::tour_scenario(t, text).map_err(|e| fail("id", e))?;
    let Some(n) = note else { return Ok(s) };
    let notes = crate::components::tour::notes(&s);
    let Some(&(at_ms, _)) = (n as usize).checked_sub(1).and_then(|i| notes.get(i)) else {
        return Err(fail(
            "note",
            format!("the tour \"{}\" has {} notes, not {n}", t.id, notes.len()),
        ));
    };
    if let Some(v) = s.view.as_mut() {
        v.t_ms = at_ms;
        v.paused = true;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::default_scenario;

    fn playground() -> Playground {
        Playground::new(default_scenario(), None)
    }

    fn refused(cmd: HostCommand) -> HostError {
        match plan(cmd, &playground()) {
            Err(e) => e,
            Ok(_) => panic!("the command was accepted"),
        }
    }

    /// An event as the host page receives it: serde's fields, and `v` (`hooks::host::post`).
    fn received(e: &EmbedEvent) -> serde_json::Value {
        let mut v = serde_json::to_value(e).unwrap();
        v["v"] = API_VERSION.into();
        v
    }

    /// The events as the host page receives them: `type` and `v` beside the variant's fields,
    /// an absent value as `null` (docs/embedding.md's table), a seed past 2^53 as its string.
    #[test]
    fn events_are_json_objects_with_type_and_version() {
        let info = RunInfo {
            protocol: "ceph",
            nodes: 3,
            name: None,
            seed: 7,
            t_ms: 0,
            end_ms: Some(60_000),
        };
        let ready = received(&EmbedEvent::Ready(info));
        assert_eq!(
            ready,
            serde_json::json!({"type": "ready", "v": 1, "protocol": "ceph", "nodes": 3,
                "name": null, "seed": 7, "t_ms": 0, "end_ms": 60000})
        );
        let state = EmbedEvent::State {
            t_ms: 4125,
            node: 2,
            role: "peon",
            phase: "active",
            state: "peon-active".to_string(),
            epoch: 6,
            leader: Some(0),
        };
        let state = received(&state);
        assert_eq!(
            state,
            serde_json::json!({"type": "state", "v": 1, "t_ms": 4125, "node": 2, "role": "peon",
                "phase": "active", "state": "peon-active", "epoch": 6, "leader": 0})
        );
        let mut e = HostError::new(Some("load"), Some("text"), "line 3: \"sed\" is unknown");
        e.line = Some(3);
        let error = received(&EmbedEvent::Error(e));
        assert_eq!(
            error,
            serde_json::json!({"type": "error", "v": 1, "message": "line 3: \"sed\" is unknown",
                "command": "load", "field": "text", "line": 3, "column": null})
        );
        let big = RunInfo {
            protocol: "ceph",
            nodes: 5,
            name: None,
            seed: u64::MAX,
            t_ms: 0,
            end_ms: None,
        };
        let loaded = received(&EmbedEvent::Loaded(big));
        assert_eq!(loaded["seed"], serde_json::json!("18446744073709551615"));
        assert_eq!(loaded["type"], serde_json::json!("loaded"));
    }

    #[test]
    fn commands_out_of_range_name_their_field() {
        let e = refused(HostCommand::SetSpeed { speed_tenths: 0 });
        assert_eq!(
            (e.command.as_deref(), e.field.as_deref()),
            (Some("set-speed"), Some("speed_tenths"))
        );
        let e = refused(HostCommand::Seek {
            t_ms: MAX_SEEK_MS + 1,
        });
        assert_eq!(e.field.as_deref(), Some("t_ms"));
        let e = refused(HostCommand::Select { node: 5 });
        assert_eq!(e.field.as_deref(), Some("node"));
        assert!(e.message.contains("nodes 0 to 4"), "{}", e.message);
        let e = refused(HostCommand::SeekEvent {
            event: MAX_EVENTS_AHEAD + 1,
        });
        assert_eq!(e.field.as_deref(), Some("event"));
        let e = refused(HostCommand::Tour {
            id: "nope".into(),
            note: None,
        });
        assert_eq!(e.field.as_deref(), Some("id"));
        assert!(
            e.message.contains("leader-fails"),
            "lists the known tours: {}",
            e.message
        );
        let e = refused(HostCommand::Tour {
            id: "leader-fails".into(),
            note: Some(0),
        });
        assert_eq!(e.field.as_deref(), Some("note"));
    }

    #[test]
    fn commands_in_range_become_the_playgrounds_actions() {
        let p = playground();
        let ok = |cmd| plan(cmd, &p).ok();
        assert!(matches!(
            ok(HostCommand::Seek { t_ms: 4_000 }),
            Some(Plan::Act(Action::Seek(4_000)))
        ));
        assert!(matches!(
            ok(HostCommand::Select { node: 4 }),
            Some(Plan::Act(Action::Select(Some(4))))
        ));
        assert!(matches!(
            ok(HostCommand::SetSpeed { speed_tenths: 1000 }),
            Some(Plan::Act(Action::SetSpeed(1000)))
        ));
        assert!(matches!(
            ok(HostCommand::SeekEvent { event: 40 }),
            Some(Plan::Act(Action::SeekEvent(40)))
        ));
        let tour = ok(HostCommand::Tour {
            id: "leader-fails".into(),
            note: Some(2),
        });
        assert!(matches!(tour, Some(Plan::Tour(t, Some(2))) if t.id == "leader-fails"));
    }

    #[test]
    fn a_scenario_that_does_not_parse_comes_back_with_line_and_column() {
        let e = load("paxoscope scenario v1\nseed 7\nsed 3\n").unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(3), Some("text")),
            "{e:?}"
        );
        assert!(e.column.is_some_and(|c| c >= 1));
        assert!(e.message.starts_with("line 3, column"), "{}", e.message);
        let huge = format!(
            "paxoscope scenario v1\n{}",
            "# x\n".repeat(MAX_TEXT_BYTES / 4)
        );
        let e = load(&huge).unwrap_err();
        assert!(
            e.message.contains("MAX_TEXT_BYTES") && e.line.is_none(),
            "{e:?}"
        );
    }

    #[test]
    fn a_loaded_scenario_waits_paused_at_its_view_or_at_the_start() {
        let s = load("paxoscope scenario v1\nseed 9\n").unwrap();
        let v = s.view.unwrap();
        assert_eq!((v.t_ms, v.paused, s.seed), (0, true, 9));
        let s = load("paxoscope scenario v1\nseed 9\nview t 3s node 2 speed 1 playing\n").unwrap();
        let v = s.view.unwrap();
        assert_eq!((v.t_ms, v.node, v.paused), (3_000, Some(2), false));
    }

    #[test]
    fn a_tour_opens_paused_at_the_note_asked_for() {
        let t = presets::find("leader-fails").unwrap();
        let text = "paxoscope scenario v1\nname \"The leader fails\"\nseed 1\nat 2s note \"one\"\nat 7s note \"two\"\nend 20s\n";
        let s = tour_at_note(t, text, Some(2)).unwrap();
        let v = s.view.unwrap();
        assert_eq!((v.t_ms, v.paused), (7_000, true));
        let e = tour_at_note(t, text, Some(3)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("note"));
        assert!(e.message.contains("has 2 notes, not 3"), "{}", e.message);
    }

    /// A field given as a plain Rust value (the page's are JS values).
    struct Given(serde_json::Value);

    impl FieldValue for Given {
        fn number(&self) -> Option<f64> {
            self.0.as_f64()
        }
        fn text(self) -> Result<String, String> {
            let got = self.describe();
            self.0
                .as_str()
                .map(str::to_string)
                .ok_or(format!("expected a string, got {got}"))
        }
        fn describe(&self) -> String {
            match &self.0 {
                serde_json::Value::String(s) => {
                    format!("the string \"{}\"", crate::labels::shorten(s, QUOTED_CHARS))
                }
                serde_json::Value::Number(_) => "a number".into(),
                serde_json::Value::Bool(_) => "a boolean".into(),
                serde_json::Value::Null => "null".into(),
                serde_json::Value::Array(_) => "an array".into(),
                serde_json::Value::Object(_) => "an object".into(),
            }
        }
    }

    fn read(kind: &str, fields: serde_json::Value) -> Result<HostCommand, HostError> {
        HostCommand::read(kind, &mut |name| fields.get(name).cloned().map(Given))
    }

    #[test]
    fn commands_are_read_field_by_field_and_name_the_field_at_fault() {
        use serde_json::json;
        assert_eq!(
            read("seek", json!({"t_ms": 4000})),
            Ok(HostCommand::Seek { t_ms: 4_000 })
        );
        assert_eq!(read("play", json!({"extra": 1})), Ok(HostCommand::Play));
        let tour = HostCommand::Tour {
            id: "lease".into(),
            note: None,
        };
        assert_eq!(read("tour", json!({"id": "lease"})), Ok(tour));
        let e = read("seek", json!({})).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("t_ms"), "missing field `t_ms`")
        );
        let e = read("seek", json!({"t_ms": "soon"})).unwrap_err();
        assert_eq!(
            (e.command.as_deref(), e.field.as_deref()),
            (Some("seek"), Some("t_ms"))
        );
        assert_eq!(
            e.message,
            "t_ms: expected a whole number from 0 to 9007199254740991, got the string \"soon\""
        );
        let e = read("seek", json!({"t_ms": 1.5})).unwrap_err();
        assert_eq!(
            e.message,
            "t_ms: expected a whole number from 0 to 9007199254740991, got another number"
        );
        let e = read("tour", json!({"id": 7})).unwrap_err();
        assert_eq!(e.message, "id: expected a string, got a number");
        let e = read("select", json!({"node": 300})).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("node"),
            "300 is no u8: {}",
            e.message
        );
        let e = read("jump", json!({})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("type"));
        assert!(
            e.message.contains("the commands are load, play"),
            "{}",
            e.message
        );
    }
}
