//! Exports of a run for readers outside the playground: the trace as JSON Lines, a summary
//! of where the run ended, a mermaid `sequenceDiagram` of a time window and a mermaid
//! `stateDiagram-v2` of one monitor's phase history. The CLI (`paxoscope export`, `run`)
//! and the web UI both call these, so everything here is plain string building over the
//! recorded trace (no I/O, no web dependencies).
//!
//! Mermaid is strict about a few characters (`;` ends a statement, `#` starts an entity
//! code, quotes and colons delimit labels, `%%` starts a comment, `<`/`>` are HTML), so all
//! text that reaches a diagram goes through [`mermaid_text`].

use crate::actor::Rank;
use crate::actor::{Protocol, Wire};
use crate::check::Violation;
use crate::client::{proposal, ClientOp, ClientReply, Proposal};
use crate::history::jsonl::Line;
use crate::history::{Ending, Func};
use crate::json::{Json, Object};
use crate::machine::{Declaration, Position};
use crate::protocols::ceph::messages::{Msg, PaxosOp, ProbeOp, Sync};
use crate::protocols::ceph::Ceph;
use crate::scenario::print::format_action;
use crate::scenario::Action;
use crate::session::Session;
use crate::sim::ClientRecord;
use crate::trace::{TraceEvent, TraceKind};
use std::fmt::Write as _;

/// Default cap on the body lines of a sequence diagram: mermaid renders a few hundred
/// arrows comfortably; thousands make a page that takes seconds to lay out.
pub const DEFAULT_MAX_LINES: usize = 400;

/// Longest narration or reason kept in a diagram note, in characters.
const MAX_NOTE_CHARS: usize = 90;

// ------------------------------------------------------------------ JSON

/// The run's client history in Paxoscope's JSON Lines history format (docs/history-format.md),
/// one operation per line in request order, each line ending in `\n`. Every request is its own
/// process (the campaign's clients do not wait for one answer before the next request), and
/// `node` names the monitor it went to. A refused request is `fail` (it had no effect), a
/// "retry" answer or none at all is `info` (the write may still commit, or never), a cas that
/// did not match is `fail` with the `current` value it found. Reading the file back
/// (`history::jsonl::parse`) gives the entries the campaign's own linearizability check uses.
pub fn history_json_lines(records: &[ClientRecord]) -> String {
    let mut out = String::new();
    for rec in records {
        out += &history_line(rec).to_json();
        out.push('\n');
    }
    out
}

fn history_line(rec: &ClientRecord) -> Line<'_> {
    let (func, key, value, expected) = match &rec.op {
        ClientOp::Get { key } => (Func::Read, key, None, None),
        ClientOp::Put { key, value } => (Func::Write, key, Some(&**value), None),
        ClientOp::Cas {
            key,
            expected,
            value,
        } => (Func::Cas, key, Some(&**value), expected.as_deref()),
    };
    let mut line = Line {
        id: rec.id,
        process: rec.id as u32,
        node: Some(rec.node),
        func,
        key,
        ending: Ending::Info,
        value,
        expected,
        found: None,
        invoke_ms: rec.invoke_ms,
        complete_ms: rec.complete_ms,
    };
    // A proposal answered with another value than its own: a compare-and-set from absent that
    // found that one, as the run's check reads it (`campaign::trial::history`).
    if let ClientOp::Put { value, .. } = &rec.op {
        if let Some(Proposal::Found(chosen)) = proposal(value, rec.reply.as_ref()) {
            line.func = Func::Cas;
            line.ending = Ending::Fail;
            line.found = Some(Some(chosen));
            return line;
        }
    }
    match &rec.reply {
        None | Some(ClientReply::Retry { .. }) => {}
        Some(ClientReply::Refused { .. }) => line.ending = Ending::Fail,
        Some(ClientReply::Written { .. }) | Some(ClientReply::CasDone { applied: true, .. }) => {
            line.ending = Ending::Ok
        }
        Some(ClientReply::Value { value, .. }) => {
            line.ending = Ending::Ok;
            line.value = value.as_deref();
        }
        Some(ClientReply::CasDone { current, .. }) => {
            line.ending = Ending::Fail;
            line.found = Some(current.as_deref());
        }
    }
    line
}

/// The trace as JSON Lines: one `TraceEvent::to_json` object per line, each line ending in
/// `\n` (see docs/trace-format.md).
pub fn trace_json_lines<P: Protocol>(trace: &[TraceEvent<P>]) -> String {
    let mut out = String::new();
    for e in trace {
        e.write_json(&mut out);
        out.push('\n');
    }
    out
}

/// The entries with `from_ms <= t_ms <= to_ms` (the trace is in time order, so they are one
/// run of it; empty when the window is empty or backwards).
pub fn in_window<P: Protocol>(
    trace: &[TraceEvent<P>],
    from_ms: u64,
    to_ms: u64,
) -> &[TraceEvent<P>] {
    let start = trace.partition_point(|e| e.t_ms < from_ms);
    let end = trace.partition_point(|e| e.t_ms <= to_ms).max(start);
    &trace[start..end]
}

/// The trace hash as the CLI and the UI print it: 16 lower-case hex digits.
pub fn hash_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// How a protocol's run reads in the summary (`summary_json`): each node's object and the
/// fields about the whole run. Ceph's is here; Basic Paxos's is in
/// `protocols/basic_paxos/summary.rs`.
pub trait Summary: Protocol {
    /// The key of the array of nodes (`monitors` for Ceph).
    const NODES_KEY: &'static str = "nodes";
    /// One node's object (up or crashed).
    fn node_json(session: &Session<Self>, rank: Rank) -> Object;
    /// The protocol's fields about the whole run (Ceph: the leader).
    fn run_json(session: &Session<Self>, o: Object) -> Object;
}

/// Where the run stands now, as one JSON object (the `summary` line of `paxoscope run
/// --format json`; docs/trace-format.md lists the fields).
pub fn summary_json<P: Summary>(session: &Session<P>) -> String {
    use crate::actor::RunChecker;
    let world = session.world();
    let nodes: Vec<Object> = (0..world.n()).map(|r| P::node_json(session, r)).collect();
    let o = Object::new()
        .field("t_ms", session.now_ms())
        .field("seed", world.seed)
        .field("scenario", &session.scenario().name)
        .field(P::NODES_KEY, nodes)
        .field("events", session.trace().len())
        .field("sim_events", world.events())
        .field("trace_hash", hash_hex(session.trace_hash()))
        .field("violation", session.violation())
        .field("timing_findings", session.checker().findings());
    P::run_json(session, o).to_json()
}

impl Summary for Ceph {
    const NODES_KEY: &'static str = "monitors";
    fn node_json(session: &Session, rank: Rank) -> Object {
        monitor_json(session, rank)
    }
    fn run_json(session: &Session, o: Object) -> Object {
        let won = elections_won(session);
        o.field("leader", current_leader(session))
            .field("elections", won)
            .field(
                "elections_per_minute",
                per_minute_text(won, session.now_ms()),
            )
    }
}

/// Elections won so far: each time a monitor entered `leader` (two winners of one epoch
/// count twice). A cluster that thrashes shows it here.
pub fn elections_won(session: &Session) -> u64 {
    use crate::protocols::ceph::declaration::MONITOR;
    let leader = crate::protocols::ceph::MonState::Leader.id();
    session
        .trace()
        .iter()
        .filter(|e| {
            matches!(e.kind, crate::trace::TraceKind::Transition(t)
                if t.machine == MONITOR && t.to == leader)
        })
        .count() as u64
}

/// `count` per minute of `t_ms`, with two decimals, as text (`"1.50"`); `"0.00"` at time 0.
pub fn per_minute_text(count: u64, t_ms: u64) -> String {
    if t_ms == 0 {
        return "0.00".into();
    }
    let hundredths = (count * 6_000_000 + t_ms / 2) / t_ms;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// `{"detail":..,"event":..,"invariant":..,"node":..,"seed":..,"t_ms":..}`.
impl Json for Violation {
    fn write_json(&self, out: &mut String) {
        Object::new()
            .field("invariant", &self.invariant)
            .field("event", self.event)
            .field("t_ms", self.t_ms)
            .field("node", self.node)
            .field("detail", &self.detail)
            .field("seed", self.seed)
            .write_json(out);
    }
}

/// One monitor's line of the summary. A crashed monitor reports `monitor_state: "down"` and
/// the epoch and versions of its durable store.
fn monitor_json(session: &Session, rank: Rank) -> Object {
    let world = session.world();
    let o = Object::new().field("rank", rank);
    match (world.status(rank), world.node(rank)) {
        (Some(s), Some(node)) => {
            // `NodeStatus` reads the lease as of the monitor's last input; the summary asks
            // at the world's time, on the monitor's own clock.
            let local_ms = world.slot(rank).clock.local_ms(world.now_ms());
            let lease_left_ms = if node.is_leader() || node.is_peon() {
                node.paxos.lease_expire_ms.saturating_sub(local_ms)
            } else {
                0
            };
            let state = Position::of(Ceph::DECLARATION, |m| Ceph::state_of(node, m)).label();
            o.field("up", true)
                .field("state", state)
                .field("monitor_state", s.role)
                .field("paxos_state", s.phase)
                .field("epoch", s.epoch)
                .field("first_committed", s.first_committed)
                .field("last_committed", s.last_committed)
                .field("leader", s.leader)
                .field("readable", node.is_readable_at(local_ms))
                .field("lease_left_ms", lease_left_ms)
        }
        _ => {
            let store = world.durable(rank);
            o.field("up", false)
                .field("state", Position::new(Ceph::DECLARATION).label())
                .field("monitor_state", "down")
                .field("paxos_state", None::<&str>)
                .field("epoch", store.election_epoch)
                .field("first_committed", store.first_committed)
                .field("last_committed", store.last_committed)
                .field("leader", None::<Rank>)
                .field("readable", false)
                .field("lease_left_ms", 0u64)
        }
    }
}

/// The monitor in the leader role with the newest epoch (a partitioned old leader can still
/// think it leads until its lease machinery notices), or `None`.
pub fn current_leader(session: &Session) -> Option<Rank> {
    let world = session.world();
    (0..world.n())
        .filter(|r| world.node(*r).is_some_and(|m| m.is_leader()))
        .filter_map(|r| world.status(r).map(|s| (r, s)))
        .max_by_key(|(r, s)| (s.epoch, std::cmp::Reverse(*r)))
        .map(|(r, _)| r)
}

// ------------------------------------------------------------------ mermaid text

/// Text made safe for a mermaid label, keeping what it says: the characters mermaid reads
/// as syntax (`;` ends a statement, `#` starts an entity, `%%` a comment, quotes and `:`
/// delimit labels, `<>&` are HTML, `{}|` shape nodes, backticks start markdown) become
/// mermaid entity codes (`#59;`, `#35;`, `#quot;`, ...), which it renders as the character
/// itself; control characters and runs of white space become one space.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let entity = match c {
            ';' => "#59;",
            '#' => "#35;",
            '"' => "#quot;",
            '`' => "#96;",
            ':' => "#58;",
            '%' => "#37;",
            '<' => "#lt;",
            '>' => "#gt;",
            '&' => "#amp;",
            '{' => "#123;",
            '}' => "#125;",
            '|' => "#124;",
            c if c.is_whitespace() || c.is_control() => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                continue;
            }
            c => {
                out.push(c);
                continue;
            }
        };
        out.push_str(entity);
    }
    out.truncate(out.trim_end().len());
    out
}

/// [`mermaid_text`] of the first `max` characters of `s`, with `...` when it was longer
/// (cut before escaping, so no entity is split).
fn mermaid_text_cut(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return mermaid_text(s);
    }
    let cut: String = s.chars().take(max.saturating_sub(3)).collect();
    format!("{}...", mermaid_text(&cut))
}

/// `4.005s`, the time format of the text trace without its padding.
fn seconds(t_ms: u64) -> String {
    format!("{}.{:03}s", t_ms / 1000, t_ms % 1000)
}

/// The participant id of a node (mermaid ids may not contain dots): `mon2`, `node2`.
fn node_id<P: Protocol>(r: Rank) -> String {
    format!("{}{r}", P::NODE)
}

/// A node's state moved from one label to another (`Position::label`: `probing`,
/// `leader/recovering`, `down`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Hop {
    from: String,
    to: String,
    /// No later transition of this node within the same input.
    last_of_input: bool,
}

/// Follows every node's machines through a trace (`machine::Position`), from its start, and
/// says which state each shown transition (`Declaration::shown`) and each crash led to.
struct Follower {
    declaration: &'static Declaration,
    positions: Vec<Position>,
    /// The label of the last state shown, per node.
    shown: Vec<String>,
}

impl Follower {
    fn new(declaration: &'static Declaration) -> Self {
        Follower {
            declaration,
            positions: Vec::new(),
            shown: Vec::new(),
        }
    }

    fn slot(&mut self, r: Rank) -> usize {
        let i = r as usize;
        while self.positions.len() <= i {
            let p = Position::new(self.declaration);
            self.shown.push(p.label());
            self.positions.push(p);
        }
        i
    }

    /// Take `trace[i]` into account; a hop if it shows a new state.
    fn step<P: Protocol>(&mut self, trace: &[TraceEvent<P>], i: usize) -> Option<Hop> {
        let e = &trace[i];
        let r = self.slot(e.node?);
        match e.kind {
            TraceKind::Transition(t) => {
                let applied = self.positions[r].apply(t);
                debug_assert!(applied, "{}.{r} took {t:?} from another state", P::NODE);
                let next = trace[i + 1..]
                    .iter()
                    .take_while(|x| x.event == e.event)
                    .find_map(|x| match x.kind {
                        TraceKind::Transition(n) if x.node == e.node => Some(n),
                        _ => None,
                    });
                if !self.declaration.shown(t, next) {
                    return None;
                }
                let to = self.positions[r].label();
                let from = std::mem::replace(&mut self.shown[r], to.clone());
                Some(Hop {
                    from,
                    to,
                    last_of_input: next.is_none(),
                })
            }
            TraceKind::Crash => {
                self.positions[r].reset();
                let to = self.positions[r].label();
                let from = std::mem::replace(&mut self.shown[r], to.clone());
                Some(Hop {
                    from,
                    to,
                    last_of_input: true,
                })
            }
            _ => None,
        }
    }
}

/// Short arrow label: the kind and the fields a reader follows (pn, versions, epoch).
pub fn message_label(msg: &Msg) -> String {
    let kind = msg.kind();
    match msg {
        Msg::Probe(p) if p.op == ProbeOp::Reply => {
            format!(
                "{kind} fc {} lc {}{}",
                p.first_committed,
                p.last_committed,
                ranks_suffix(" quorum", &p.quorum)
            )
        }
        Msg::Probe(_) => kind.to_string(),
        Msg::Election(e) => format!("{kind} e{}{}", e.epoch, ranks_suffix(" quorum", &e.quorum)),
        Msg::Ping(_) => kind.to_string(),
        Msg::Paxos(p) => {
            let mut s = match p.op {
                PaxosOp::Collect | PaxosOp::Last | PaxosOp::Accept => {
                    format!("{kind} pn {} lc {}", p.pn, p.last_committed)
                }
                PaxosOp::Begin => format!("{kind} pn {}", p.pn),
                PaxosOp::Commit | PaxosOp::Lease | PaxosOp::LeaseAck => {
                    format!("{kind} lc {}", p.last_committed)
                }
            };
            if !p.values.is_empty() {
                let vs: Vec<String> = p.values.keys().map(|v| format!("v{v}")).collect();
                let _ = write!(s, " {}", vs.join(" "));
            }
            if p.op == PaxosOp::Last && p.uncommitted_pn > 0 {
                let _ = write!(s, " uncommitted pn {}", p.uncommitted_pn);
            }
            s
        }
        Msg::Sync(Sync::GetCookieRecent { last_committed }) => {
            format!("{kind} lc {last_committed}")
        }
        Msg::Sync(Sync::LastChunk {
            last_committed,
            values,
            ..
        }) => {
            format!("{kind} lc {last_committed} ({} values)", values.len())
        }
        Msg::Sync(Sync::FullChunk(snap)) => format!(
            "{kind} fc {} lc {}",
            snap.first_committed, snap.last_committed
        ),
        Msg::Sync(Sync::NoCookie) => kind.to_string(),
        Msg::Forward { req, .. } => format!("{kind} req {} {}", req.id, client_op_label(&req.op)),
        Msg::ForwardReply { req_id, reply } => {
            format!("{kind} req {req_id} {}", client_reply_label(reply))
        }
    }
}

fn ranks_suffix(prefix: &str, ranks: &crate::sorted::SortedSet<Rank>) -> String {
    if ranks.is_empty() {
        return String::new();
    }
    let rs: Vec<String> = ranks.iter().map(|r| r.to_string()).collect();
    format!("{prefix} {}", rs.join(" "))
}

/// Client operations and replies in words: Ceph's wording module (one place for the trace
/// diagrams, the campaign's messages and the CLI).
pub use crate::protocols::ceph::wording::{
    client_op as client_op_label, client_reply as client_reply_label,
};

// ------------------------------------------------------------------ sequence diagram

/// What to draw in a sequence diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceOptions {
    /// Window of simulated time, both ends included.
    pub from_ms: u64,
    pub to_ms: u64,
    /// Monitors drawn as participants `mon.0..mon.(n-1)`.
    pub monitors: u8,
    /// Body lines (arrows and notes) kept before the rest is summarised in one final note.
    pub max_lines: usize,
}

impl SequenceOptions {
    pub fn window(from_ms: u64, to_ms: u64, monitors: u8) -> Self {
        SequenceOptions {
            from_ms,
            to_ms,
            monitors,
            max_lines: DEFAULT_MAX_LINES,
        }
    }
}

/// A mermaid `sequenceDiagram` of the window: one arrow per delivered message (drawn at its
/// delivery, from sender to receiver), a lost-message arrow (`-x`) per drop, client requests
/// and replies to a `client` participant, and notes for state changes, crashes, restarts,
/// scenario actions and narration. Timers, persists and the monitors' own log notes are left
/// out. Every label starts with the simulated time.
pub fn sequence_diagram<P: Protocol>(trace: &[TraceEvent<P>], opts: &SequenceOptions) -> String {
    assert!(opts.monitors > 0, "a diagram needs at least one monitor");
    let all = all_monitors_span::<P>(opts.monitors);
    let mut body: Vec<String> = Vec::new();
    let mut uses_client = false;
    // The states are followed from the start of the trace; each input that changed a node's
    // state gets one note, with the state it ended in.
    let mut follower = Follower::new(P::DECLARATION);
    let mut input_from: Vec<(u64, String)> = Vec::new();
    for (i, e) in trace.iter().enumerate() {
        if e.t_ms > opts.to_ms {
            break;
        }
        let hop = follower.step(trace, i);
        if e.t_ms < opts.from_ms {
            continue;
        }
        let line = match (&e.kind, hop) {
            (TraceKind::Transition(_), Some(hop)) => {
                state_note(e, hop, &mut input_from).map(SeqLine::plain)
            }
            (TraceKind::Transition(_), None) => None,
            _ => sequence_line(e, &all),
        };
        let Some(line) = line else {
            continue;
        };
        uses_client |= line.involves_client;
        body.push(line.text);
    }
    let mut out = String::from("sequenceDiagram\n");
    let _ = writeln!(
        out,
        "    %% paxoscope trace from {} to {}",
        seconds(opts.from_ms),
        seconds(opts.to_ms)
    );
    for r in 0..opts.monitors {
        let _ = writeln!(
            out,
            "    participant {} as {}.{r}",
            node_id::<P>(r),
            P::NODE
        );
    }
    if uses_client {
        out.push_str("    participant client\n");
    }
    let left_out = body.len().saturating_sub(opts.max_lines);
    for line in body.iter().take(opts.max_lines) {
        let _ = writeln!(out, "    {line}");
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "    Note over {all}: {left_out} more lines left out (cap {}), narrow the window to see them",
            opts.max_lines
        );
    } else if body.is_empty() {
        let _ = writeln!(out, "    Note over {all}: nothing happened in this window");
    }
    out
}

/// One rendered body line, and whether it involves the client participant.
struct SeqLine {
    text: String,
    involves_client: bool,
}

impl SeqLine {
    fn plain(text: String) -> Self {
        SeqLine {
            text,
            involves_client: false,
        }
    }
}

/// `mon0,mon4`: a note over every monitor.
fn all_monitors_span<P: Protocol>(n: u8) -> String {
    if n == 1 {
        node_id::<P>(0)
    } else {
        format!("{},{}", node_id::<P>(0), node_id::<P>(n - 1))
    }
}

fn sequence_line<P: Protocol>(e: &TraceEvent<P>, all: &str) -> Option<SeqLine> {
    let t = seconds(e.t_ms);
    let node = e.node;
    let text = match &e.kind {
        TraceKind::Deliver { from, msg, .. } => {
            let label = msg.label();
            format!(
                "{}->>{}: {t} {}",
                node_id::<P>(*from),
                node_id::<P>(node?),
                mermaid_text(&label)
            )
        }
        TraceKind::Drop {
            from,
            to,
            msg,
            reason,
            ..
        } => {
            let label = msg.label();
            format!(
                "{}-x{}: {t} {} lost ({})",
                node_id::<P>(*from),
                node_id::<P>(*to),
                mermaid_text(&label),
                mermaid_text(reason)
            )
        }
        TraceKind::Crash => format!("Note over {}: {t} crash", node_id::<P>(node?)),
        TraceKind::Boot => format!("Note over {}: {t} restart", node_id::<P>(node?)),
        TraceKind::ClientRequest { req_id, op } => {
            return Some(SeqLine {
                text: format!(
                    "client->>{}: {t} req {req_id} {}",
                    node_id::<P>(node?),
                    mermaid_text(&client_op_label(op))
                ),
                involves_client: true,
            });
        }
        TraceKind::ClientReply { req_id, reply } => {
            return Some(SeqLine {
                text: format!(
                    "{}-->>client: {t} req {req_id} {}",
                    node_id::<P>(node?),
                    mermaid_text_cut(&client_reply_label(reply), MAX_NOTE_CHARS)
                ),
                involves_client: true,
            });
        }
        TraceKind::Action(a) => action_note::<P>(a, node, all, &t)?,
        TraceKind::Send { .. }
        | TraceKind::Transition(_)
        | TraceKind::Timer(_)
        | TraceKind::Persist(_)
        | TraceKind::Note(_) => return None,
    };
    Some(SeqLine::plain(text))
}

/// The note for the last state an input led a node to, if it differs from the state the
/// input found (`input_from` keeps, per node, the input's event and that first state).
fn state_note<P: Protocol>(
    e: &TraceEvent<P>,
    hop: Hop,
    input_from: &mut Vec<(u64, String)>,
) -> Option<String> {
    let r = e.node? as usize;
    if input_from.len() <= r {
        input_from.resize(r + 1, (u64::MAX, String::new()));
    }
    if input_from[r].0 != e.event {
        input_from[r] = (e.event, hop.from.clone());
    }
    if !hop.last_of_input || input_from[r].1 == hop.to {
        return None;
    }
    let t = seconds(e.t_ms);
    Some(format!(
        "Note over {}: {t} {}",
        node_id::<P>(r as Rank),
        mermaid_text(&hop.to)
    ))
}

/// A note for a scenario action. Crash and restart show as the `crash`/`boot` entries that
/// follow them (only when they took effect), client operations as request arrows.
fn action_note<P: Protocol>(a: &Action, node: Option<Rank>, all: &str, t: &str) -> Option<String> {
    let text = match a {
        Action::Crash(_)
        | Action::Restart(_)
        | Action::Put { .. }
        | Action::Get { .. }
        | Action::Cas { .. } => return None,
        Action::Note(text) => mermaid_text_cut(text, MAX_NOTE_CHARS),
        other => mermaid_text(&format_action(other)),
    };
    let over = node.map(node_id::<P>).unwrap_or_else(|| all.to_string());
    Some(format!("Note over {over}: {t} {text}"))
}

// ------------------------------------------------------------------ state diagram

/// The state a crashed monitor is in, in the state diagram.
pub const DOWN: &str = "down";

/// One transition a monitor really took, with how often and when first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: String,
    pub to: String,
    pub count: u64,
    pub first_ms: u64,
}

/// A monitor's phase history in a window: the state it stood in at `from_ms`, the states it
/// visited (in order of first visit), the transitions (in order of first use) and where it
/// stood at the end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhaseHistory {
    pub initial: String,
    pub states: Vec<String>,
    pub transitions: Vec<Transition>,
    pub last: String,
}

/// Walk the trace and collect monitor `rank`'s state history between `from_ms` and
/// `to_ms`: each state shown ([`Follower`]), labelled as `Position::label` says (`down`
/// while crashed).
pub fn phase_history<P: Protocol>(
    trace: &[TraceEvent<P>],
    rank: Rank,
    from_ms: u64,
    to_ms: u64,
) -> PhaseHistory {
    let mut follower = Follower::new(P::DECLARATION);
    let mut current = {
        let r = follower.slot(rank);
        follower.shown[r].clone()
    };
    let mut initial: Option<String> = None;
    let mut h = PhaseHistory {
        initial: String::new(),
        states: Vec::new(),
        transitions: Vec::new(),
        last: String::new(),
    };
    for (i, e) in trace.iter().enumerate() {
        if e.t_ms > to_ms {
            break;
        }
        if e.node != Some(rank) {
            continue;
        }
        let Some(hop) = follower.step(trace, i) else {
            continue;
        };
        if e.t_ms >= from_ms {
            if initial.is_none() {
                initial = Some(current.clone());
                visit(&mut h.states, &current);
            }
            if hop.from != hop.to {
                record(&mut h, &hop.from, &hop.to, e.t_ms);
            }
        }
        current = hop.to;
    }
    h.initial = initial.unwrap_or_else(|| current.clone());
    visit(&mut h.states, &h.initial.clone());
    h.last = current;
    h
}

fn visit(states: &mut Vec<String>, s: &str) {
    if !states.iter().any(|x| x == s) {
        states.push(s.to_string());
    }
}

fn record(h: &mut PhaseHistory, from: &str, to: &str, t_ms: u64) {
    visit(&mut h.states, from);
    visit(&mut h.states, to);
    match h
        .transitions
        .iter_mut()
        .find(|t| t.from == from && t.to == to)
    {
        Some(t) => t.count += 1,
        None => h.transitions.push(Transition {
            from: from.into(),
            to: to.into(),
            count: 1,
            first_ms: t_ms,
        }),
    }
}

/// A mermaid id for a state label: `leader/recovering` → `s_leader_recovering`.
fn state_id(label: &str) -> String {
    let body: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("s_{body}")
}

/// A mermaid `stateDiagram-v2` of monitor `rank`'s phase history in the window: one state
/// per (role/phase) combination it visited, one arrow per transition it really took,
/// labelled with how often and when first; the state it ended in is highlighted.
pub fn state_diagram<P: Protocol>(
    trace: &[TraceEvent<P>],
    rank: Rank,
    from_ms: u64,
    to_ms: u64,
) -> String {
    let h = phase_history(trace, rank, from_ms, to_ms);
    let mut out = String::from("stateDiagram-v2\n");
    let _ = writeln!(
        out,
        "    %% {}.{rank} from {} to {}",
        P::NODE,
        seconds(from_ms),
        seconds(to_ms)
    );
    for s in &h.states {
        let _ = writeln!(out, "    state \"{}\" as {}", mermaid_text(s), state_id(s));
    }
    let _ = writeln!(out, "    [*] --> {}", state_id(&h.initial));
    for t in &h.transitions {
        let when = if t.count == 1 {
            format!("at {}", seconds(t.first_ms))
        } else {
            format!("first {}", seconds(t.first_ms))
        };
        let _ = writeln!(
            out,
            "    {} --> {} : {}x {when}",
            state_id(&t.from),
            state_id(&t.to),
            t.count
        );
    }
    out.push_str("    classDef current stroke-width:3px,font-weight:bold\n");
    let _ = writeln!(out, "    class {} current", state_id(&h.last));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{parse, Scenario};
    use serde_json::Value as Json;

    /// The summary, parsed (serde_json is a dev-dependency only).
    #[test]
    fn elections_per_minute_counts_wins_over_the_run() {
        assert_eq!(per_minute_text(0, 0), "0.00");
        assert_eq!(per_minute_text(1, 60_000), "1.00");
        assert_eq!(per_minute_text(10, 180_000), "3.33");
        let calm = summary(&run("paxoscope scenario v1\n", 60_000));
        assert_eq!(calm["elections"], 1);
        assert_eq!(calm["elections_per_minute"], "1.00");
        let cut = "paxoscope scenario v1\nset monitors 3\nat 20s cut 0 <-> 2\n";
        let thrash = summary(&run(cut, 120_000));
        let won = thrash["elections"].as_u64().unwrap();
        assert!(won >= 10, "classic thrashes on a chain: {won} elections");
    }

    fn summary(s: &Session) -> Json {
        serde_json::from_str(&summary_json(s)).expect("the summary is JSON")
    }

    fn run(text: &str, until_ms: u64) -> Session {
        let mut s = Session::new(parse(text).expect("test scenario parses"));
        s.run_until(until_ms);
        s
    }

    fn startup(until_ms: u64) -> Session {
        let mut s = Session::new(Scenario::default());
        s.run_until(until_ms);
        s
    }

    /// Every character a mermaid label may not contain raw, checked on a whole diagram body
    /// once the entity codes (`#59;`) are taken out.
    fn assert_mermaid_safe(diagram: &str) {
        for line in diagram.lines().skip(1) {
            let label = line.split_once(": ").map(|(_, l)| l).unwrap_or("");
            let raw = without_entities(label);
            for bad in [';', '#', '"', '<', '>', '%', '&', '{', '}', ':', '|', '`'] {
                assert!(!raw.contains(bad), "label {label:?} contains {bad:?}");
            }
        }
    }

    fn without_entities(label: &str) -> String {
        let mut out = String::new();
        let mut rest = label;
        while let Some(i) = rest.find('#') {
            out.push_str(&rest[..i]);
            let tail = &rest[i + 1..];
            match tail.find(';') {
                Some(j) if j > 0 && tail[..j].chars().all(|c| c.is_ascii_alphanumeric()) => {
                    rest = &tail[j + 1..];
                }
                _ => {
                    out.push('#');
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn trace_json_lines_one_object_per_event() {
        let s = startup(100);
        let text = trace_json_lines(s.trace());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), s.trace().len());
        for (line, e) in lines.iter().zip(s.trace()) {
            let v: Json = serde_json::from_str(line).expect("each line is JSON");
            assert_eq!(v["event"], e.kind.name());
            assert_eq!(v["t_ms"], e.t_ms);
        }
    }

    #[test]
    fn in_window_keeps_exactly_the_entries_of_the_window() {
        let s = startup(10_000);
        let trace = s.trace();
        for (from, to) in [
            (0, 10_000),
            (1_000, 4_000),
            (4_005, 4_005),
            (3_000, 2_000),
            (20_000, 30_000),
        ] {
            let expected: Vec<_> = trace
                .iter()
                .filter(|e| (from..=to).contains(&e.t_ms))
                .collect();
            let got: Vec<_> = in_window(trace, from, to).iter().collect();
            assert_eq!(got, expected, "window {from}..={to}");
        }
        assert!(!in_window(trace, 1_000, 4_000).is_empty());
    }

    #[test]
    fn summary_reports_the_startup_quorum() {
        let s = startup(20_000);
        let sum = summary(&s);
        assert_eq!(sum["leader"], 0);
        assert_eq!(sum["monitors"].as_array().unwrap().len(), 5);
        for m in sum["monitors"].as_array().unwrap() {
            assert_eq!(m["paxos_state"], "active");
            assert_eq!(m["epoch"], sum["monitors"][0]["epoch"]);
        }
        assert_eq!(sum["trace_hash"].as_str().unwrap().len(), 16);
        assert_eq!(sum["violation"], Json::Null);
        assert_eq!(sum["events"], s.trace().len());
    }

    #[test]
    fn summary_shows_a_crashed_monitor_as_down() {
        let s = run("paxoscope scenario v1\nat 5s crash 2\n", 6_000);
        let m = &summary(&s)["monitors"][2];
        assert_eq!(m["monitor_state"], "down");
        assert_eq!(m["up"], false);
        assert!(
            m["last_committed"].as_u64().unwrap() >= 1,
            "the store survives: {m}"
        );
    }

    #[test]
    fn summary_reads_leases_at_the_world_time() {
        // The leader dies at 10 s; its last lease (renewed at 9 s, 5 s long) runs out near
        // 14 s, but the peons only notice at their lease timeout, later still.
        let s = run("paxoscope scenario v1\nat 10s crash 0\n", 16_000);
        let sum = summary(&s);
        for m in &sum["monitors"].as_array().unwrap()[1..] {
            assert_eq!(m["monitor_state"], "peon", "{m}");
            assert_eq!(m["readable"], false, "lease expired: {m}");
            assert_eq!(m["lease_left_ms"], 0, "{m}");
        }
        let fresh = summary(&startup(16_000));
        assert_eq!(fresh["monitors"][1]["readable"], true);
    }

    #[test]
    fn mermaid_text_escapes_syntax_as_entities() {
        assert_eq!(
            mermaid_text("a;b:c \"d\" #1 50% <x> {q} | & `m`"),
            "a#59;b#58;c #quot;d#quot; #35;1 50#37; #lt;x#gt; #123;q#125; #124; #amp; #96;m#96;"
        );
        assert_eq!(mermaid_text("cut 0 -> 1"), "cut 0 -#gt; 1");
        assert_eq!(
            mermaid_text("it's ünï ✓"),
            "it's ünï ✓",
            "other text is kept"
        );
        assert_eq!(
            mermaid_text("  many   spaces\n\tand\rtabs  "),
            "many spaces and tabs"
        );
        let long = "a;b ".repeat(50);
        let cut = mermaid_text_cut(&long, 22);
        assert_eq!(
            cut,
            format!("{}a#59;b...", "a#59;b ".repeat(4)),
            "cut before escaping"
        );
        assert_eq!(mermaid_text_cut("short", 21), "short");
    }

    #[test]
    fn sequence_diagram_of_startup() {
        // Long enough for probes, the election and the first COLLECT at any default latency.
        let s = startup(300);
        let d = sequence_diagram(s.trace(), &SequenceOptions::window(0, 300, 5));
        assert!(d.starts_with("sequenceDiagram\n"));
        for r in 0..5 {
            assert!(
                d.contains(&format!("participant mon{r} as mon.{r}\n")),
                "{d}"
            );
        }
        assert!(
            !d.contains("participant client"),
            "no client events at startup"
        );
        let delivered = s
            .trace()
            .iter()
            .filter(|e| matches!(e.kind, TraceKind::Deliver { .. }))
            .count();
        let arrows = d.lines().filter(|l| l.contains("->>")).count();
        assert_eq!(arrows, delivered, "one arrow per delivered message");
        for r in 1..5 {
            let collect = format!("mon0->>mon{r}: ");
            assert!(
                d.lines()
                    .any(|l| l.trim_start().starts_with(&collect)
                        && l.ends_with("collect pn 100 lc 0")),
                "COLLECT to mon.{r}: {d}"
            );
        }
        assert!(
            d.contains("Note over mon0:") && d.contains("leader/recovering"),
            "{d}"
        );
        assert!(d.contains("begin pn 100 v1"), "{d}");
        assert_mermaid_safe(&d);
    }

    #[test]
    fn sequence_diagram_shows_drops_actions_and_clients() {
        let text = "paxoscope scenario v1\nat 5s put 2 color blue\nat 6s isolate 4\nat 6s note \"Isolated; see #4: it's \\\"alone\\\"\"\nat 7s put 1 k v\nat 8s crash 3\n";
        let s = run(text, 9_000);
        let d = sequence_diagram(s.trace(), &SequenceOptions::window(5_000, 9_000, 5));
        assert!(d.contains("participant client\n"), "{d}");
        assert!(
            d.contains("client->>mon2: 5.000s req 1 put color=blue"),
            "{d}"
        );
        assert!(d.contains("-->>client:") && d.contains("written v"), "{d}");
        assert!(d.contains("Note over mon4: 6.000s isolate 4"), "{d}");
        assert!(
            d.contains(
                "Note over mon0,mon4: 6.000s Isolated#59; see #35;4#58; it's #quot;alone#quot;"
            ),
            "{d}"
        );
        assert!(d.contains("Note over mon3: 8.000s crash"), "{d}");
        assert!(
            d.lines()
                .any(|l| l.contains("-xmon4:") && l.contains("lost (link cut)")),
            "{d}"
        );
        assert!(!d.contains("mon0->>mon1: 0."), "nothing before the window");
        assert_mermaid_safe(&d);
    }

    #[test]
    fn sequence_diagram_caps_its_lines() {
        let s = startup(60_000);
        let mut opts = SequenceOptions::window(0, 60_000, 5);
        let full = sequence_diagram(s.trace(), &opts);
        let full_body = full
            .lines()
            .filter(|l| l.contains("->>") || l.contains("Note over"))
            .count();
        assert!(
            full_body > 50,
            "a minute of startup has many lines: {full_body}"
        );
        opts.max_lines = 30;
        let capped = sequence_diagram(s.trace(), &opts);
        let last = capped.lines().last().unwrap();
        assert_eq!(last, format!("    Note over mon0,mon4: {} more lines left out (cap 30), narrow the window to see them", full_body - 30));
        assert_eq!(
            capped
                .lines()
                .filter(|l| l.contains("->>") || l.contains("Note over"))
                .count(),
            31
        );
    }

    #[test]
    fn sequence_diagram_of_an_empty_window_says_so() {
        let s = startup(10_000);
        let d = sequence_diagram(s.trace(), &SequenceOptions::window(1_000, 1_001, 5));
        assert!(
            d.ends_with("Note over mon0,mon4: nothing happened in this window\n"),
            "{d}"
        );
    }

    #[test]
    fn phase_history_of_the_startup_leader() {
        let s = startup(10_000);
        let h = phase_history(s.trace(), 0, 0, 10_000);
        // Before its first input a monitor stands in `init`, which the declaration labels
        // `down`, as while crashed.
        assert_eq!(h.initial, DOWN);
        assert_eq!(h.last, "leader/active");
        let path: Vec<(&str, &str)> = h
            .transitions
            .iter()
            .map(|t| (t.from.as_str(), t.to.as_str()))
            .collect();
        assert!(path.contains(&("probing", "electing")), "{path:?}");
        assert!(
            path.contains(&("electing", "leader/recovering")),
            "{path:?}"
        );
        assert!(
            path.contains(&("leader/recovering", "leader/active"))
                || path.contains(&("leader/recovering", "leader/updating")),
            "{path:?}"
        );
        assert!(
            h.states.contains(&"leader/writing".to_string()),
            "{:?}",
            h.states
        );
        for t in &h.transitions {
            assert!(h.states.contains(&t.from) && h.states.contains(&t.to));
            assert_ne!(t.from, t.to);
        }
    }

    #[test]
    fn phase_history_through_a_crash_and_restart() {
        let s = run(
            "paxoscope scenario v1\nat 5s crash 0\nat 20s restart 0\n",
            40_000,
        );
        let h = phase_history(s.trace(), 0, 0, 40_000);
        let hop = |a: &str, b: &str| h.transitions.iter().find(|t| t.from == a && t.to == b);
        let crash = hop("leader/active", DOWN).expect("the leader crashed while active");
        assert_eq!(crash.first_ms, 5_000);
        assert!(hop(DOWN, "probing").is_some(), "{:?}", h.transitions);
        assert_eq!(
            h.last, "leader/active",
            "rank 0 leads again after the restart"
        );
        let sums: u64 = h
            .transitions
            .iter()
            .filter(|t| t.to == "electing")
            .map(|t| t.count)
            .sum();
        assert!(
            sums >= 2,
            "elected once at start-up and again after the restart"
        );
    }

    #[test]
    fn phase_history_window_starts_where_the_monitor_stood() {
        let s = startup(30_000);
        let h = phase_history(s.trace(), 1, 10_000, 30_000);
        assert_eq!(h.initial, "peon/active");
        for t in &h.transitions {
            assert!(t.first_ms >= 10_000);
        }
    }

    #[test]
    fn state_diagram_is_valid_looking_mermaid() {
        let s = startup(10_000);
        let d = state_diagram(s.trace(), 0, 0, 10_000);
        assert!(d.starts_with("stateDiagram-v2\n"));
        assert!(
            d.contains("    state \"leader/recovering\" as s_leader_recovering\n"),
            "{d}"
        );
        assert!(d.contains("    [*] --> s_down\n"), "{d}");
        assert!(d.contains("    s_probing --> s_electing : "), "{d}");
        assert!(d.ends_with("    class s_leader_active current\n"), "{d}");
        for line in d.lines().filter(|l| l.contains(" --> ")) {
            let (arrow, _) = line.split_once(" : ").unwrap_or((line, ""));
            for id in arrow.trim().split(" --> ") {
                assert!(
                    id == "[*]" || id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "bad id {id:?}"
                );
            }
        }
        let declared = d
            .lines()
            .filter(|l| l.trim_start().starts_with("state \""))
            .count();
        assert_eq!(
            declared,
            phase_history(s.trace(), 0, 0, 10_000).states.len()
        );
    }
}
