//! The seam between a protocol and the simulator. A protocol is a set of sans-IO nodes:
//! `handle(now_ms, input, out)` in, effects out. The simulator (`sim`), the trace and the UI
//! are written against this trait, so another protocol (Basic Paxos, classic Multi-Paxos) can
//! run on them by implementing it; Ceph's monitor (`protocols::ceph::Ceph`) is the first.
//! What clients ask and are told is the same for every protocol (`client`).

use crate::check::Violation;
use crate::client::{ClientReply, ClientRequest, ReqId};
use crate::machine::{Declaration, MachineId, StateId, Transition};
use crate::scenario::{ProtocolId, Scenario};
use crate::sim::World;
use crate::trace::{ContentHash, TraceEvent};
use serde::{Deserialize, Serialize};
use std::fmt::Debug;
use std::rc::Rc;

pub type Rank = u8;

pub trait Protocol: Clone + Debug + PartialEq + Eq + 'static {
    /// One node's whole state (durable and volatile).
    type Node: Clone + Debug;
    /// `ContentHash`: the trace hash covers what a message says (see `trace.rs`).
    type Msg: Clone + Debug + PartialEq + Eq + Wire + ContentHash;
    type Timer: Copy + Ord + Debug + TimerName;
    /// What survives a crash.
    type Durable: Clone + Debug + Default;
    /// One key written in a store transaction.
    type Write: Clone + Debug + PartialEq + Eq + ContentHash;

    const NAME: &'static str;
    /// Which protocol this is, as scenarios, the CLI and the playground name it.
    const ID: ProtocolId;
    /// What its nodes are called in the trace text and the diagrams (`mon` gives `mon.2`).
    const NODE: &'static str = "node";
    /// Roles, state machines and allowed transitions, as data (`machine.rs`): the trace,
    /// the diagrams and the exports read it; the protocol's `set_state` funnel asserts each
    /// `Effect::Transition` against it.
    const DECLARATION: &'static Declaration;

    /// The protocol's own settings, built once per world from the scenario (Ceph: its
    /// `Config`; Basic Paxos: the roles and timeouts).
    type Config: Clone + Debug;

    /// The settings a scenario asks for (a valid scenario of this protocol).
    fn configure(scenario: &Scenario) -> Self::Config;
    /// Build a node from its durable state (empty on first boot). It receives `Input::Start` next.
    fn boot(rank: Rank, config: &Rc<Self::Config>, durable: Self::Durable) -> Self::Node;
    fn handle(node: &mut Self::Node, now_ms: u64, input: Input<Self>, out: &mut Vec<Effect<Self>>);
    fn durable(node: &Self::Node) -> &Self::Durable;
    /// How many items `durable` holds (Ceph: stored versions and keys): the run's memory
    /// budget counts them in the live world and in every time-travel snapshot (`budget.rs`).
    fn durable_entries(durable: &Self::Durable) -> u64;
    /// Let `node`'s store share memory with `other` (another node's) where they hold the
    /// same entries, without changing what either holds: called before a time-travel
    /// snapshot, so the snapshots keep one copy of what every node stores alike. Nothing by
    /// default.
    fn share_durable(_node: &mut Self::Node, _other: &Self::Durable) {}
    /// What the UI and the trace show for a node, in the protocol's own words, at `now_ms` on
    /// the node's own clock (leases run out between inputs, so time is an argument).
    fn status(node: &Self::Node, now_ms: u64) -> NodeStatus;
    /// The state `machine` is in, or `None` if it is not running (a machine `within` a state
    /// the node is not in). Tests check it against the trace's transitions.
    fn state_of(node: &Self::Node, machine: MachineId) -> Option<StateId>;
    /// The run's checker (`RunChecker`): the protocol's safety rules, asserted after every
    /// event of a `Session`. Its rules are the same predicates the protocol's model checker
    /// uses (one pure predicate per rule).
    type Checker: RunChecker<Self>;

    /// Has the node queued a commit write that is not durable yet? The scenario's
    /// `crash-in-commit` fault crashes the first node that has; a protocol without
    /// asynchronous commit writes keeps the default.
    fn mid_commit_write(_node: &Self::Node) -> bool {
        false
    }

    /// How the playground words this protocol (legend, help texts, the messenger).
    const PRESENTATION: &'static crate::view::Presentation;
    /// One store write in words, for the log (`promised=2.1`).
    fn describe_write(w: &Self::Write) -> String;
    /// The inspector's fields of a node in the protocol's words: `node` is `None` while it is
    /// down (only `durable` survives); `now_ms` is on the node's own clock.
    fn inspect(
        node: Option<&Self::Node>,
        durable: &Self::Durable,
        now_ms: u64,
    ) -> crate::view::Inspection;
    /// The node's replicated log for the log view: where it stands and its slots
    /// `from..=to` (none when `to < from`); `node` is `None` while it is down. The default,
    /// `None`, is a protocol without a log: the page draws no log view.
    fn log(
        _node: Option<&Self::Node>,
        _durable: &Self::Durable,
        _from: u64,
        _to: u64,
    ) -> Option<crate::view::NodeLog> {
        None
    }
    /// A node as the ring draws it (`None` while down: its durable state speaks for it).
    fn brief(node: Option<&Self::Node>, durable: &Self::Durable) -> crate::view::Brief;
    /// What a running node is waiting for, in the protocol's words (`ACCEPT from mon.3`), and
    /// the timer that ends the wait if it does not come; the page reads the timer's deadline
    /// from the world. The default: a protocol that says nothing about waits.
    fn waiting(_node: &Self::Node) -> Option<(String, Option<Self::Timer>)> {
        None
    }
    /// The answer client request `req` got from the committed state this node stores, if the
    /// request was committed and its version is still stored (a write told to retry may
    /// commit later). The default, `None`: a protocol that does not keep it.
    fn applied(_durable: &Self::Durable, _req: ReqId) -> Option<ClientReply> {
        None
    }
    /// A running node's election score tables for the score matrix (`n` nodes). The default,
    /// `None`, is a protocol that keeps no scores: the page draws no matrix.
    fn scores(_node: &Self::Node, _n: u8) -> Option<crate::view::Scores> {
        None
    }
    /// Trace entry `e` as one sentence of narration, in the protocol's words, or `None` when
    /// it is not worth a line (`narrate.rs`). The default says what every protocol shares.
    fn narrate(e: &TraceEvent<Self>) -> Option<String> {
        crate::narrate::common(e)
    }
}

/// A protocol's run checker, as a `Session` drives it: built with the world, told after every
/// event what the step logged, it returns the first broken rule. Rules can be switched off one
/// by one (the playground's invariants panel, blind canaries).
pub trait RunChecker<P: Protocol>: Clone + Debug {
    /// The names of every rule this checker asserts, for the UI's list and the docs.
    const INVARIANTS: &'static [&'static str];

    fn new(world: &World<P>) -> Self;
    /// Record what the last step showed (`log`: its trace entries), then assert every rule.
    fn after_step(&mut self, world: &World<P>, log: &[TraceEvent<P>]) -> Result<(), Violation>;
    /// Switch one rule off for this run; `Err` names the rules there are.
    fn disable(&mut self, invariant: &str) -> Result<(), String>;
    /// Switch every rule off: facts are still recorded, no violation is reported.
    fn disable_all(&mut self);
    /// Broken claims that do not stop the run (Ceph: read freshness across epochs); none by
    /// default.
    fn findings(&self) -> &[Violation] {
        &[]
    }
    /// Whether this run checks `invariant` (not switched off, and it applies to the run).
    fn checks(&self, invariant: &str) -> bool;
    /// The records this checker keeps about the run's past (the memory budget counts them).
    fn kept_entries(&self) -> u64;
}

/// What the simulator needs to know about a message to route, colour and log it.
pub trait Wire {
    /// The protocol's name for it (`begin`, `lease_ack`).
    fn kind(&self) -> &'static str;
    /// A family for colours and filters (`election`, `recovery`, `update`, ...).
    fn family(&self) -> &'static str;
    /// One line with the fields that matter.
    fn summary(&self) -> String;
    /// The client request this message carries to another node, if any (Ceph's forward of
    /// a write to the leader): the client panel says the request was forwarded.
    fn forwards(&self) -> Option<ReqId> {
        None
    }
    /// A short label for a diagram's arrow (the mermaid sequence diagram); the summary unless
    /// the protocol words it shorter.
    fn label(&self) -> String {
        self.summary()
    }
}

pub trait TimerName {
    fn name(&self) -> &'static str;
}

/// Messages are immutable once sent, and shared (`Rc`): a broadcast, the simulator's queue,
/// its trace and the receiver all hold the one message instead of copies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input<P: Protocol> {
    Start,
    Deliver {
        from: Rank,
        msg: Rc<P::Msg>,
    },
    Timeout(P::Timer),
    Client(ClientRequest),
    /// The operator wants a server in or out of the configuration (Multi-Paxos's
    /// `add-server`/`remove-server`, given to every running node; a protocol without a
    /// configuration never receives it: its scenarios may not say it).
    Membership(MembershipChange),
    /// An operator's change to the cluster map (Ceph: a committed monmap with a new election
    /// strategy or disallowed-leader list). Protocols without one ignore it.
    Monmap(crate::scenario::MonmapChange),
}

/// One server in or out of a protocol's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MembershipChange {
    Add(Rank),
    Remove(Rank),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect<P: Protocol> {
    Send {
        to: Rank,
        msg: Rc<P::Msg>,
    },
    /// Arm (or re-arm) `timer` to fire after `after_ms` of the node's own clock.
    SetTimer {
        timer: P::Timer,
        after_ms: u64,
    },
    /// Arm `timer` after `after_ms` plus a delay the simulator draws uniformly in
    /// `0..=jitter_ms` (randomized backoff: a sans-IO node never draws a random number itself;
    /// the world draws from its own seeded stream, a test driver or model checker choose).
    SetTimerJittered {
        timer: P::Timer,
        after_ms: u64,
        jitter_ms: u64,
    },
    CancelTimer(P::Timer),
    /// An atomic store transaction, durable when the effect is emitted.
    Persist(Vec<P::Write>),
    /// Answer to a client that talked to this node.
    Reply {
        req_id: ReqId,
        reply: ClientReply,
    },
    /// A sentence for the log explaining a decision.
    Note(String),
    /// One of the node's machines changed state (emitted by the protocol's `set_state`
    /// funnel, at the point of the change: the trace shows every state passed, in order
    /// with the sends around it).
    Transition(Transition),
}

/// A protocol-neutral summary of one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStatus {
    /// Top-level state (Ceph: probing, electing, leader, peon, ...).
    pub role: &'static str,
    /// Consensus phase (Ceph: recovering, active, updating, ...).
    pub phase: &'static str,
    pub epoch: u64,
    pub last_committed: u64,
    pub first_committed: u64,
    pub leader: Option<Rank>,
    pub lease_left_ms: u64,
    pub readable: bool,
}
