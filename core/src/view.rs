//! The playground's window on a run, the same for every protocol.
//!
//! The page holds one `Box<dyn RunView>`: a `Session` of whichever protocol the scenario names,
//! seen through this object-safe trait. Everything the panels show comes out of it as
//! protocol-neutral data (the declaration, node statuses and positions, the inspector's fields
//! in the protocol's words, trace entries as records with message kinds and families from
//! `Wire`), so the UI is compiled once, not once per protocol (its wasm would double).

use crate::actor::{NodeStatus, Protocol, Rank, RunChecker, TimerName, Wire};
use crate::check::Violation;
use crate::client::{ClientOp, ClientReply, ReqId};
use crate::machine::{Declaration, MachineId, Position, Transition};
use crate::scenario::{Action, Mutation, Scenario};
use crate::sim::bus::Link;
use crate::sim::clock::NodeClock;
use crate::sim::world::{ClientRecord, World};
use crate::trace::{TraceEvent, TraceKind};

/// How the page words a protocol: the legend, the help texts, the messenger's guarantees.
#[derive(Debug)]
pub struct Presentation {
    /// The header's tagline (`Ceph monitor Paxos, visible`).
    pub tagline: &'static str,
    /// The scenario text the playground opens for free play with this protocol.
    pub default_scenario: &'static str,
    /// Message families in legend order: (family as `Wire::family` names it, legend label).
    /// The page gives the i-th family the i-th shape.
    pub families: &'static [(&'static str, &'static str)],
    /// What the client panel says before the first request.
    pub client_help: &'static str,
    /// The node the client panel targets at first.
    pub client_target: Rank,
    /// The deliberate bugs a scenario can switch on for this protocol: (the scenario's
    /// mutation, its name in a `break` line of this protocol, what it breaks in this
    /// protocol's words).
    pub mutations: fn() -> Vec<(Mutation, &'static str, &'static str)>,
    /// Does the protocol rely on a FIFO, exactly-once messenger? If so, reordering and
    /// duplication are "beyond the assumptions" switches; if not, ordinary faults.
    pub needs_fifo: bool,
    /// What the breaks panel says about the messenger.
    pub messenger: &'static str,
    /// Does a node hold a lease (the ring's arc, the diagram's lease pill)?
    pub leases: bool,
    /// What the short line under a node (`Brief::meta`) abbreviates, for its tooltip and the
    /// legend; empty when that line is spelled out already.
    pub meta_legend: &'static str,
}

/// A node as the ring draws it: its top words and the short line under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brief {
    /// Top line (`leader`, `proposer+acceptor+learner`; `down` when crashed).
    pub role: &'static str,
    /// Second line (`active`, `preparing`; `down` when crashed; empty when the node is in no
    /// consensus phase, as a probing or electing Ceph monitor).
    pub phase: &'static str,
    /// Attributes for tests and scripts (`data-epoch`, `data-last-committed`).
    pub epoch: u64,
    pub last_committed: u64,
    /// The line under the node (`e4 · lc 12`, `round 2 · chose "A"`).
    pub meta: String,
}

/// What a node waits for and until when (`Protocol::waiting`, with its timer's deadline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    /// In the protocol's words: `ACCEPT from mon.3, mon.4`.
    pub what: String,
    /// When the timer bounding the wait fires (world time, ms), if one is armed.
    pub until_ms: Option<u64>,
}

/// One list of the inspector: ordered rows, or key-value pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub title: String,
    /// Drawn as a definition list of (head, text) pairs instead of an ordered list.
    pub pairs: bool,
    pub rows: Vec<ListRow>,
    /// Shown when there are no rows.
    pub empty: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRow {
    pub head: String,
    pub text: String,
    /// Not final yet (an uncommitted version): drawn dimmed.
    pub dim: bool,
}

/// The inspector's view of one node, in the protocol's words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inspection {
    /// What the running node holds in memory (empty while it is down).
    pub volatile: Vec<(String, String)>,
    /// What survives a crash.
    pub durable: Vec<(String, String)>,
    pub lists: Vec<Listing>,
}

/// What one node holds at a slot of a replicated log (the log view's colours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SlotState {
    /// Nothing accepted here (below the node's highest slot: a hole).
    Empty,
    /// A value accepted, not known to be chosen.
    Accepted,
    /// Known chosen (a quorum accepted it), not applied yet.
    Chosen,
    /// Applied to the node's state machine, in slot order.
    Applied,
}

impl SlotState {
    pub const ALL: [SlotState; 4] = [
        SlotState::Empty,
        SlotState::Accepted,
        SlotState::Chosen,
        SlotState::Applied,
    ];
    /// The legend's word and the cell's class.
    pub fn name(self) -> &'static str {
        match self {
            SlotState::Empty => "empty",
            SlotState::Accepted => "accepted",
            SlotState::Chosen => "chosen",
            SlotState::Applied => "applied",
        }
    }
}

/// One slot of one node's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub state: SlotState,
    /// The value is a no-op (a hole a new leader filled); drawn over its state.
    pub noop: bool,
}

impl Slot {
    pub fn empty() -> Slot {
        Slot {
            state: SlotState::Empty,
            noop: false,
        }
    }
}

/// One node's replicated log as the log view draws it (`Protocol::log`): where it stands,
/// its α window, and the slots of the window the view asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeLog {
    /// Slots `1..=applied` are applied (the view folds those left of its window).
    pub applied: u64,
    /// The first slot this node does not know chosen: its α window starts here.
    pub first_unchosen: u64,
    /// How many slots may be in flight from `first_unchosen` on (Ceph: 1).
    pub alpha: u64,
    /// The highest slot holding a value, 0 for none.
    pub highest: u64,
    /// The slots `from..=to` asked for, in order (none when `to < from`).
    pub slots: Vec<Slot>,
}

impl NodeLog {
    /// The last slot of the α window (`first_unchosen - 1` for a closed log, α = 0).
    pub fn window_end(&self) -> u64 {
        (self.first_unchosen + self.alpha).saturating_sub(1)
    }
}

/// Every node's log over one window of slots `from..=to`, the same for every lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logs {
    pub from: u64,
    pub to: u64,
    /// One lane per node, by rank.
    pub lanes: Vec<Lane>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// Down nodes' lanes show what their durable state holds.
    pub up: bool,
    pub log: NodeLog,
}

impl Lane {
    /// The holes in the window: empty slots below the lane's highest one.
    pub fn holes(&self, from: u64) -> Vec<u64> {
        (from..)
            .zip(&self.log.slots)
            .filter(|(i, s)| s.state == SlotState::Empty && *i < self.log.highest)
            .map(|(i, _)| i)
            .collect()
    }
}

/// The logs of `world`'s nodes over the last `shown` slots up to the furthest any node
/// reached (its highest slot or the end of its α window); `None` if `P` keeps no log.
pub fn logs_of<P: Protocol>(world: &World<P>, shown: u64) -> Option<Logs> {
    assert!(shown > 0, "the log view shows at least one slot");
    let log = |r: Rank, from: u64, to: u64| P::log(world.node(r), world.durable(r), from, to);
    let ends = (0..world.n())
        .map(|r| log(r, 1, 0).map(|l| l.highest.max(l.window_end())))
        .collect::<Option<Vec<u64>>>()?;
    let to = ends.into_iter().max().unwrap_or(0).max(1);
    let from = (to + 1).saturating_sub(shown).max(1);
    let lanes = (0..world.n())
        .map(|r| {
            let log = log(r, from, to).expect("a protocol that keeps a log keeps it on every node");
            assert_eq!(
                log.slots.len() as u64,
                to + 1 - from,
                "one slot per slot asked"
            );
            Lane {
                up: world.node(r).is_some(),
                log,
            }
        })
        .collect();
    Some(Logs { from, to, lanes })
}

/// One monitor's election score tables (Ceph's `ConnectionTracker`), for the score matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    /// The monmap's strategy (`classic`, `disallow`, `connectivity`).
    pub strategy: &'static str,
    pub disallowed: Vec<Rank>,
    /// The live table, updated by pings and by the tables other monitors send.
    pub live: ScoreTable,
    /// The frozen copy the node votes with in its current or last election, if any.
    pub frozen: Option<ScoreTable>,
}

/// A table of reports: one row per reporter, one cell per peer.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreTable {
    /// The election epoch of the node's own report in it.
    pub epoch: u64,
    /// Reporters by rank; the reporters the node has no report from are left out.
    pub rows: Vec<ScoreRow>,
    /// Each rank's election score on this table: the sum of the other reporters' scores for
    /// it over links they report alive (`-1` for a disallowed rank, as Ceph scores it).
    pub totals: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScoreRow {
    pub reporter: Rank,
    /// By peer rank: (link alive, score in [0, 1]); `None` for the reporter itself or a peer
    /// it has not reported on.
    pub cells: Vec<Option<(bool, f64)>>,
}

/// Ceph: elections won (monitors entering the leader role) in the minute up to `now_ms`,
/// scanning `trace` (up to the playhead) backwards: the thrashing figure the Elections panel
/// shows.
pub fn elections_in_last_minute<P: Protocol>(trace: &[TraceEvent<P>], now_ms: u64) -> u64 {
    assert_eq!(
        P::ID,
        crate::scenario::ProtocolId::Ceph,
        "Ceph's monitor roles"
    );
    let from_ms = now_ms.saturating_sub(60_000);
    let leader = crate::machine::StateId(crate::protocols::ceph::MonState::Leader as u8);
    let monitor = crate::protocols::ceph::declaration::MONITOR;
    let recent = trace.iter().rev().take_while(|e| e.t_ms >= from_ms);
    recent
        .filter(|e| e.t_ms <= now_ms)
        .filter(|e| {
            matches!(&e.kind, TraceKind::Transition(t) if t.machine == monitor && t.to == leader)
        })
        .count() as u64
}

/// A message on the wire, for the animation and its hover card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flight {
    pub from: Rank,
    pub to: Rank,
    pub id: u64,
    pub sent_ms: u64,
    pub arrive_ms: u64,
    pub kind: &'static str,
    pub family: &'static str,
    pub summary: String,
}

/// One trace entry without the protocol's types: what the index, the log and the inspector's
/// message list need. Texts that cost an allocation come from `RunView::text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub event: u64,
    pub t_ms: u64,
    pub node: Option<Rank>,
    /// The short name of the trace's JSON `event` field (`TraceKind::name`).
    pub name: &'static str,
    pub kind: EntryKind<'a>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind<'a> {
    Send {
        to: Rank,
        id: u64,
        kind: &'static str,
        family: &'static str,
        /// The client request it carries to another node (`Wire::forwards`).
        forwards: Option<ReqId>,
    },
    Deliver {
        from: Rank,
        id: u64,
        kind: &'static str,
        family: &'static str,
    },
    Drop {
        from: Rank,
        to: Rank,
        id: u64,
        kind: &'static str,
        family: &'static str,
        reason: &'static str,
    },
    Timer(&'static str),
    Transition(Transition),
    Persist,
    ClientRequest {
        req_id: ReqId,
        op: &'a ClientOp,
    },
    ClientReply {
        req_id: ReqId,
        reply: &'a ClientReply,
    },
    Action(&'a Action),
    Crash,
    Boot,
    Note(&'a str),
}

impl EntryKind<'_> {
    /// The message family of a send, delivery or drop.
    pub fn family(&self) -> Option<&'static str> {
        match self {
            EntryKind::Send { family, .. }
            | EntryKind::Deliver { family, .. }
            | EntryKind::Drop { family, .. } => Some(family),
            _ => None,
        }
    }
}

/// A rule the run's checker knows, and whether this run checks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub checked: bool,
}

/// What the export panel can write (the CLI's `paxoscope export`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// Trace entries as JSON Lines.
    Trace,
    /// A mermaid sequenceDiagram.
    Sequence,
    /// A mermaid stateDiagram-v2 of one node.
    State,
}

/// A run of some protocol, as the playground sees and drives it.
pub trait RunView {
    fn declaration(&self) -> &'static Declaration;
    fn presentation(&self) -> &'static Presentation;
    /// What the protocol calls its nodes (`mon` gives `mon.2`, `node` gives `node.2`).
    fn node_word(&self) -> &'static str;

    // The run.
    fn scenario(&self) -> &Scenario;
    fn now_ms(&self) -> u64;
    fn events(&self) -> u64;
    /// Events recorded so far (the frontier of time travel).
    fn known_events(&self) -> u64;
    fn trace_hash(&self) -> u64;
    fn violation(&self) -> Option<&Violation>;
    fn step(&mut self) -> bool;
    fn run_until(&mut self, t_ms: u64);
    /// `Session::run_until_at_most`: at most `max_events` events towards `t_ms`; true once
    /// the run stands at `t_ms` (or stopped).
    fn run_until_at_most(&mut self, t_ms: u64, max_events: u64) -> bool;
    /// The run cannot go on: a violation, or the budget at the frontier.
    fn stopped(&self) -> bool;
    fn budget_exceeded(&self) -> Option<&crate::budget::BudgetExceeded>;
    fn seek(&mut self, t_ms: u64);
    fn inject(&mut self, action: Action) -> Result<u64, String>;

    // The trace.
    /// Entries recorded up to the frontier.
    fn trace_len(&self) -> usize;
    /// The entries kept now, which `entry`, `text` and `persist_text` can read: a windowed
    /// run keeps at least a snapshot interval of entries before the playhead, up to the
    /// furthest point replayed (the exports re-derive the rest).
    fn resident(&self) -> std::ops::Range<usize>;
    /// Where each node's machines stood just before entry `resident().start`.
    fn resident_positions(&self) -> Vec<Position>;
    /// Entry `i`, which must be kept (`resident()`).
    fn entry(&self, i: usize) -> Entry<'_>;
    /// Entry `i` as one line of text (`TraceEvent::to_text`).
    fn text(&self, i: usize) -> String;
    /// The store writes of a persist entry, in words.
    fn persist_text(&self, i: usize) -> String;
    /// Position in the trace just after everything up to `event` (at least
    /// `resident().start`).
    fn trace_end_at(&self, event: u64) -> usize;
    /// The last `most` sentences of narration up to the playhead, oldest first, in the
    /// protocol's words (`narrate::recent`: it reads a bounded window back from the playhead).
    fn narration(&self, most: usize) -> Vec<crate::narrate::Said>;

    // The world at the playhead.
    fn nodes(&self) -> u8;
    fn link(&self, from: Rank, to: Rank) -> &Link;
    fn in_flight(&self) -> Vec<Flight>;
    fn is_up(&self, r: Rank) -> bool;
    fn paused(&self, r: Rank) -> bool;
    fn clock(&self, r: Rank) -> &NodeClock;
    fn status(&self, r: Rank) -> Option<NodeStatus>;
    /// Lease time left at simulated time `t_ms` on the node's own clock (0 without a lease).
    fn lease_left_at(&self, r: Rank, t_ms: u64) -> u64;
    /// The full lease, for the ring's arc.
    fn lease_ms(&self) -> u64;
    /// Where each of the node's machines stands (every one at its initial state while down).
    fn position(&self, r: Rank) -> Position;
    /// Does node `r` run `machine` now (Basic Paxos: play its role)? False while down.
    fn plays(&self, r: Rank, machine: MachineId) -> bool;
    fn brief(&self, r: Rank) -> Brief;
    /// What node `r` waits for, if anything (nothing while it is down).
    fn waiting(&self, r: Rank) -> Option<Wait>;
    fn inspect(&self, r: Rank) -> Inspection;
    /// Every node's replicated log over the last `shown` slots (`logs_of`); `None` for a
    /// protocol without a log.
    fn logs(&self, shown: u64) -> Option<Logs>;
    /// A running node's score tables (`None` while down or for a protocol without scores).
    fn scores(&self, r: Rank) -> Option<Scores>;
    /// Ceph: elections won in the last minute of simulated time (`elections_in_last_minute`).
    fn elections_last_minute(&self) -> Option<u64>;
    fn clients(&self) -> &[ClientRecord];
    /// What became of request `req` in the committed state, read from the nodes' stores (they
    /// agree on every committed version): its answer, had it committed, whatever its client
    /// was told.
    fn committed_answer(&self, req: crate::client::ReqId) -> Option<ClientReply>;

    // The checker.
    fn rules(&self) -> Vec<Rule>;
    fn findings(&self) -> Vec<Violation>;

    /// The entries up to the playhead within `[from_ms, to_ms]`, counted (re-derived by
    /// replay where they are no longer kept).
    fn entries_between_ms(&mut self, from_ms: u64, to_ms: u64) -> usize;

    /// Export the entries up to the playhead within `[from_ms, to_ms]`; `node` for `State`.
    /// `Err` says why there is none (a protocol without mermaid exports). Entries no longer
    /// kept are re-derived by replay (the diagrams follow the states from the start).
    fn export(
        &mut self,
        kind: ExportKind,
        from_ms: u64,
        to_ms: u64,
        node: Rank,
    ) -> Result<String, String>;
}

/// The protocol-neutral record of a trace entry.
pub fn entry_of<P: Protocol>(e: &TraceEvent<P>) -> Entry<'_> {
    let kind = match &e.kind {
        TraceKind::Send { to, id, msg } => EntryKind::Send {
            to: *to,
            id: *id,
            kind: msg.kind(),
            family: msg.family(),
            forwards: msg.forwards(),
        },
        TraceKind::Deliver { from, id, msg } => EntryKind::Deliver {
            from: *from,
            id: *id,
            kind: msg.kind(),
            family: msg.family(),
        },
        TraceKind::Drop {
            from,
            to,
            id,
            msg,
            reason,
        } => EntryKind::Drop {
            from: *from,
            to: *to,
            id: *id,
            kind: msg.kind(),
            family: msg.family(),
            reason,
        },
        TraceKind::Timer(t) => EntryKind::Timer(t.name()),
        TraceKind::Transition(t) => EntryKind::Transition(*t),
        TraceKind::Persist(_) => EntryKind::Persist,
        TraceKind::ClientRequest { req_id, op } => EntryKind::ClientRequest {
            req_id: *req_id,
            op,
        },
        TraceKind::ClientReply { req_id, reply } => EntryKind::ClientReply {
            req_id: *req_id,
            reply,
        },
        TraceKind::Action(a) => EntryKind::Action(a),
        TraceKind::Crash => EntryKind::Crash,
        TraceKind::Boot => EntryKind::Boot,
        TraceKind::Note(s) => EntryKind::Note(s),
    };
    Entry {
        event: e.event,
        t_ms: e.t_ms,
        node: e.node,
        name: e.kind.name(),
        kind,
    }
}

/// The messages on the wire of `world`.
pub fn flights<P: Protocol>(world: &World<P>) -> Vec<Flight> {
    world
        .in_flight()
        .into_iter()
        .map(|m| Flight {
            from: m.from,
            to: m.to,
            id: m.id,
            sent_ms: m.sent_ms,
            arrive_ms: m.arrive_ms,
            kind: m.msg.kind(),
            family: m.msg.family(),
            summary: m.msg.summary(),
        })
        .collect()
}

/// A persist entry's writes in words.
pub fn persist_text<P: Protocol>(e: &TraceEvent<P>) -> String {
    match &e.kind {
        TraceKind::Persist(writes) => writes
            .iter()
            .map(P::describe_write)
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

/// Where `world`'s node `r` stands, as the node itself tells it.
pub fn position_of<P: Protocol>(world: &World<P>, r: Rank) -> Position {
    match world.node(r) {
        Some(n) => Position::of(P::DECLARATION, |m| P::state_of(n, m)),
        None => Position::new(P::DECLARATION),
    }
}

/// Lease time left at true time `t_ms` on node `r`'s own clock.
pub fn lease_left_at<P: Protocol>(world: &World<P>, r: Rank, t_ms: u64) -> u64 {
    let local = world.slot(r).clock.local_ms(t_ms);
    world
        .node(r)
        .map_or(0, |n| P::status(n, local).lease_left_ms)
}

/// The inspector's view of node `r`.
pub fn inspect_node<P: Protocol>(world: &World<P>, r: Rank) -> Inspection {
    let local = world.slot(r).clock.local_ms(world.now_ms());
    P::inspect(world.node(r), world.durable(r), local)
}

impl<P: Protocol> RunView for crate::session::Session<P> {
    fn declaration(&self) -> &'static Declaration {
        P::DECLARATION
    }
    fn presentation(&self) -> &'static Presentation {
        P::PRESENTATION
    }
    fn node_word(&self) -> &'static str {
        P::NODE
    }
    fn scenario(&self) -> &Scenario {
        crate::session::Session::<P>::scenario(self)
    }
    fn now_ms(&self) -> u64 {
        crate::session::Session::<P>::now_ms(self)
    }
    fn events(&self) -> u64 {
        self.world().events()
    }
    fn known_events(&self) -> u64 {
        crate::session::Session::<P>::known_events(self)
    }
    fn trace_hash(&self) -> u64 {
        crate::session::Session::<P>::trace_hash(self)
    }
    fn violation(&self) -> Option<&Violation> {
        crate::session::Session::<P>::violation(self)
    }
    fn step(&mut self) -> bool {
        crate::session::Session::<P>::step(self)
    }
    fn run_until(&mut self, t_ms: u64) {
        crate::session::Session::<P>::run_until(self, t_ms)
    }
    fn run_until_at_most(&mut self, t_ms: u64, max_events: u64) -> bool {
        crate::session::Session::<P>::run_until_at_most(self, t_ms, max_events)
    }
    fn stopped(&self) -> bool {
        crate::session::Session::<P>::stopped(self)
    }
    fn budget_exceeded(&self) -> Option<&crate::budget::BudgetExceeded> {
        crate::session::Session::<P>::budget_exceeded(self)
    }
    fn seek(&mut self, t_ms: u64) {
        crate::session::Session::<P>::seek(self, t_ms)
    }
    fn inject(&mut self, action: Action) -> Result<u64, String> {
        crate::session::Session::<P>::inject(self, action)
    }
    fn trace_len(&self) -> usize {
        crate::session::Session::<P>::trace_len(self)
    }
    fn resident(&self) -> std::ops::Range<usize> {
        let (start, held) = crate::session::Session::<P>::resident(self);
        start..start + held.len()
    }
    fn resident_positions(&self) -> Vec<Position> {
        match self.window_start_world() {
            Some(w) => (0..w.n()).map(|r| position_of(w, r)).collect(),
            None => Vec::new(),
        }
    }
    fn entry(&self, i: usize) -> Entry<'_> {
        entry_of(kept(self, i))
    }
    fn text(&self, i: usize) -> String {
        kept(self, i).to_text()
    }
    fn persist_text(&self, i: usize) -> String {
        persist_text(kept(self, i))
    }
    fn trace_end_at(&self, event: u64) -> usize {
        crate::session::Session::<P>::trace_end_at(self, event)
    }
    fn narration(&self, most: usize) -> Vec<crate::narrate::Said> {
        // The entries kept (a windowed run keeps a snapshot interval or more before the
        // playhead; a full one keeps all), up to the playhead.
        let (start, held) = crate::session::Session::<P>::resident(self);
        let end = RunView::trace_end_at(self, self.world().events()).saturating_sub(start);
        crate::narrate::recent(&held[..end.min(held.len())], most)
    }
    fn nodes(&self) -> u8 {
        self.world().n()
    }
    fn link(&self, from: Rank, to: Rank) -> &Link {
        self.world().bus.link(from, to)
    }
    fn in_flight(&self) -> Vec<Flight> {
        flights(self.world())
    }
    fn is_up(&self, r: Rank) -> bool {
        self.world().node(r).is_some()
    }
    fn paused(&self, r: Rank) -> bool {
        self.world().slot(r).paused
    }
    fn clock(&self, r: Rank) -> &NodeClock {
        &self.world().slot(r).clock
    }
    fn status(&self, r: Rank) -> Option<NodeStatus> {
        self.world().status(r)
    }
    fn lease_left_at(&self, r: Rank, t_ms: u64) -> u64 {
        lease_left_at(self.world(), r, t_ms)
    }
    fn lease_ms(&self) -> u64 {
        self.world().config.lease_ms
    }
    fn position(&self, r: Rank) -> Position {
        position_of(self.world(), r)
    }
    fn plays(&self, r: Rank, machine: MachineId) -> bool {
        self.world()
            .node(r)
            .is_some_and(|n| P::state_of(n, machine).is_some())
    }
    fn brief(&self, r: Rank) -> Brief {
        let w = self.world();
        P::brief(w.node(r), w.durable(r))
    }
    fn inspect(&self, r: Rank) -> Inspection {
        inspect_node(self.world(), r)
    }
    fn waiting(&self, r: Rank) -> Option<Wait> {
        let w = self.world();
        let (what, timer) = P::waiting(w.node(r)?)?;
        let until_ms = timer.and_then(|t| w.timer_deadline(r, t));
        Some(Wait { what, until_ms })
    }
    fn logs(&self, shown: u64) -> Option<Logs> {
        logs_of(self.world(), shown)
    }
    fn scores(&self, r: Rank) -> Option<Scores> {
        P::scores(self.world().node(r)?, self.world().n())
    }
    fn elections_last_minute(&self) -> Option<u64> {
        (P::ID == crate::scenario::ProtocolId::Ceph).then(|| {
            // The recorded trace may run past the playhead (after a seek back).
            let (start, held) = crate::session::Session::<P>::resident(self);
            let end = self.trace_end_at(self.events()) - start;
            elections_in_last_minute(&held[..end], self.now_ms())
        })
    }
    fn clients(&self) -> &[ClientRecord] {
        self.world().clients()
    }
    fn committed_answer(&self, req: crate::client::ReqId) -> Option<ClientReply> {
        let w = self.world();
        (0..w.n()).find_map(|r| P::applied(w.durable(r), req))
    }
    fn rules(&self) -> Vec<Rule> {
        let c = self.checker();
        <P::Checker as RunChecker<P>>::INVARIANTS
            .iter()
            .map(|name| Rule {
                name,
                checked: c.checks(name),
            })
            .collect()
    }
    fn findings(&self) -> Vec<Violation> {
        self.checker().findings().to_vec()
    }
    fn entries_between_ms(&mut self, from_ms: u64, to_ms: u64) -> usize {
        crate::session::Session::<P>::entries_between_ms(self, from_ms, to_ms).len()
    }
    fn export(
        &mut self,
        kind: ExportKind,
        from_ms: u64,
        to_ms: u64,
        node: Rank,
    ) -> Result<String, String> {
        if kind == ExportKind::Trace {
            let mut out = String::new();
            for e in crate::session::Session::<P>::entries_between_ms(self, from_ms, to_ms) {
                out.push_str(&e.to_json());
                out.push('\n');
            }
            return Ok(out);
        }
        let events = self.world().events();
        let mut seen = self.replay_entries(0, events);
        seen.retain(|e| e.t_ms <= to_ms);
        match kind {
            ExportKind::Sequence => Ok(crate::export::sequence_diagram(
                &seen,
                &crate::export::SequenceOptions::window(from_ms, to_ms, self.world().n()),
            )),
            _ => Ok(crate::export::state_diagram(&seen, node, from_ms, to_ms)),
        }
    }
}

/// Entry `i` of `session`'s trace, which the caller knows is kept.
fn kept<P: Protocol>(session: &crate::session::Session<P>, i: usize) -> &TraceEvent<P> {
    session.entry(i).unwrap_or_else(|| {
        let (start, held) = session.resident();
        panic!(
            "trace entry {i} is not kept: the window holds {start}..{} (read from \
             RunView::resident_start on, or export to re-derive older entries)",
            start + held.len()
        )
    })
}

/// The protocols the playground offers, in the picker's order (the first is the default):
/// each one's declaration (its `name` is the scenario's `protocol` line) and presentation.
/// Basic Paxos only with the feature `basic-paxos-view`, Multi-Paxos with `multi-paxos-view`.
pub fn protocols() -> Vec<(&'static Declaration, &'static Presentation)> {
    use crate::protocols::ceph::Ceph;
    #[allow(unused_mut)]
    let mut all = vec![(Ceph::DECLARATION, Ceph::PRESENTATION)];
    #[cfg(feature = "basic-paxos-view")]
    {
        use crate::protocols::basic_paxos::BasicPaxos;
        all.push((BasicPaxos::DECLARATION, BasicPaxos::PRESENTATION));
    }
    #[cfg(feature = "multi-paxos-view")]
    {
        use crate::protocols::multi_paxos::MultiPaxos;
        all.push((MultiPaxos::DECLARATION, MultiPaxos::PRESENTATION));
    }
    all
}

/// A run of `scenario`, of the protocol it names (its `protocol` line). A protocol this
/// build leaves out of `protocols()` runs nothing: `Err` says so. The run keeps a window of
/// its trace (`Session::windowed`), so that a long run's memory stays small.
pub fn open(scenario: Scenario) -> Result<Box<dyn RunView>, String> {
    use crate::scenario::ProtocolId;
    match scenario.protocol {
        ProtocolId::Ceph => Ok(Box::new(crate::session::Session::new(scenario).windowed())),
        #[cfg(feature = "basic-paxos-view")]
        ProtocolId::BasicPaxos => Ok(Box::new(
            crate::session::Session::<crate::protocols::basic_paxos::BasicPaxos>::open(scenario)
                .windowed(),
        )),
        #[cfg(feature = "multi-paxos-view")]
        ProtocolId::MultiPaxos => Ok(Box::new(
            crate::session::Session::<crate::protocols::multi_paxos::MultiPaxos>::open(scenario)
                .windowed(),
        )),
        #[allow(unreachable_patterns)]
        other => Err(format!(
            "this playground was built without {} (build it with the feature basic-paxos)",
            other.title()
        )),
    }
}
