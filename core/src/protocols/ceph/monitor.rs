//! One Ceph monitor as a sans-IO state machine: `handle(now_ms, input, out)` consumes a message,
//! a timer or a client request and appends effects (send, set/cancel timer, persist, reply).
//! The monitor never reads a clock or a random source; `now_ms` is its own, possibly skewed, clock.
//!
//! The rules live next to Ceph's names: `election.rs` (Elector), `paxos.rs` (recovery, begin,
//! accept, commit), `lease.rs`, `service.rs` (the key-value PaxosService), `probe.rs` and
//! `sync.rs` (Monitor's bootstrap, probe and sync).

use super::config::Config;
use super::connection::ConnectionTracker;
use super::declaration::{CEPH, LEADER, MONITOR, PEON};
use super::messages::*;
use super::store::{ElectionMonmap, Semantics, Store, StoreWrite, Value, ValueOp};
use super::timers::TimerTable;
use crate::machine::{Declaration, MachineId, StateId, Transition};
use crate::ranks::RankSet;
use crate::sorted::{SortedMap, SortedSet};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Monitor-level states (spec section 2), in the order of the monitor machine's states in
/// `declaration::CEPH` (their names and labels are there).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MonState {
    /// Between a (re)boot and its first input; drawn as `down`.
    Init,
    Probing,
    Synchronizing,
    Electing,
    Leader,
    Peon,
}

impl MonState {
    /// The monitor machine's state.
    pub fn id(self) -> StateId {
        StateId(self as u8)
    }

    pub fn name(self) -> &'static str {
        CEPH.state(MONITOR, self.id()).name
    }
}

/// Paxos-level states (spec section 3), in the order of the leader machine's states in
/// `declaration::CEPH`; a peon goes through the first three only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PaxosState {
    Recovering,
    Active,
    Updating,
    UpdatingPrevious,
    Writing,
    WritingPrevious,
    Refresh,
}

impl PaxosState {
    /// The phase's state in the leader machine (and, for the first three, the peon's).
    pub fn id(self) -> StateId {
        StateId(self as u8)
    }

    pub fn name(self) -> &'static str {
        CEPH.state(LEADER, self.id()).name
    }
}

/// Every timer a monitor can arm; at most one of each kind is armed at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Timer {
    /// `mon_probe_timeout`: bootstrap again.
    Probe,
    /// Elector expire timer.
    Election,
    /// Leader: collect timeout.
    Collect,
    /// Leader: accept timeout.
    Accept,
    /// Leader: renew the lease.
    LeaseRenew,
    /// Leader: not every peon acked the lease in time.
    LeaseAck,
    /// Peon: no LEASE or COLLECT in time.
    Lease,
    /// Key-value service: encode pending changes and propose.
    Propose,
    /// Leader: the asynchronous commit write became durable.
    CommitWrite,
    /// Sync requester: no answer in time.
    Sync,
    /// Out of quorum for `2 × mon_lease`: close the client sessions (Ceph's `Monitor::tick`,
    /// `out_for_too_long`), answering the writes that still wait here.
    SessionTrim,
    /// Elector: check the pings to this peer (every `ping_timeout / ping_divisor`).
    PingCheck(Rank),
    /// Elector: report this dead peer dead again (every `ping_timeout`).
    DeadPing(Rank),
}

impl Timer {
    /// The kinds without a peer, in declaration (and `Ord`) order: `Timer::ALL[i].slot() == i`.
    pub const ALL: [Timer; 11] = [
        Timer::Probe,
        Timer::Election,
        Timer::Collect,
        Timer::Accept,
        Timer::LeaseRenew,
        Timer::LeaseAck,
        Timer::Lease,
        Timer::Propose,
        Timer::CommitWrite,
        Timer::Sync,
        Timer::SessionTrim,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Timer::Probe => "probe_timeout",
            Timer::Election => "election_timeout",
            Timer::Collect => "collect_timeout",
            Timer::Accept => "accept_timeout",
            Timer::LeaseRenew => "lease_renew",
            Timer::LeaseAck => "lease_ack_timeout",
            Timer::Lease => "lease_timeout",
            Timer::Propose => "propose",
            Timer::CommitWrite => "commit_write_done",
            Timer::Sync => "sync_timeout",
            Timer::SessionTrim => "session_trim",
            Timer::PingCheck(_) => "ping_check",
            Timer::DeadPing(_) => "dead_ping",
        }
    }

    /// How many slots `slot` numbers: the eleven kinds, then one per peer for each ping timer.
    pub const SLOTS: usize = Timer::ALL.len() + 2 * crate::scenario::MAX_MONITORS as usize;

    /// A dense number for the timer, in `Ord` order (`TimerTable` indexes by it).
    pub fn slot(self) -> usize {
        let peers = crate::scenario::MAX_MONITORS as usize;
        match self {
            Timer::PingCheck(r) => Timer::ALL.len() + r as usize,
            Timer::DeadPing(r) => Timer::ALL.len() + peers + r as usize,
            t => Timer::ALL
                .iter()
                .position(|k| *k == t)
                .expect("every kind without a peer is in ALL"),
        }
    }

    /// The timer numbered `slot`.
    pub fn from_slot(slot: usize) -> Timer {
        let peers = crate::scenario::MAX_MONITORS as usize;
        let kinds = Timer::ALL.len();
        assert!(slot < Timer::SLOTS, "timer slot {slot} out of range");
        if slot < kinds {
            Timer::ALL[slot]
        } else if slot < kinds + peers {
            Timer::PingCheck((slot - kinds) as Rank)
        } else {
            Timer::DeadPing((slot - kinds - peers) as Rank)
        }
    }
    /// Paxos timers are all cancelled by `restart` and by `propose_pending`.
    pub fn is_paxos(self) -> bool {
        matches!(
            self,
            Timer::Collect | Timer::Accept | Timer::LeaseRenew | Timer::LeaseAck | Timer::Lease
        )
    }
}

pub type Input = crate::actor::Input<Ceph>;
pub type Effect = crate::actor::Effect<Ceph>;

impl crate::actor::TimerName for Timer {
    fn name(&self) -> &'static str {
        Timer::name(*self)
    }
}

/// Marker type: Ceph's monitor Paxos as a `Protocol` for the simulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Ceph;

impl crate::actor::Protocol for Ceph {
    type Node = Monitor;
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Store;
    type Write = StoreWrite;
    type Checker = crate::check::Checker;
    type Config = Config;
    const NAME: &'static str = "ceph-mon";
    const ID: crate::scenario::ProtocolId = crate::scenario::ProtocolId::Ceph;
    const NODE: &'static str = "mon";
    const DECLARATION: &'static Declaration = &CEPH;

    fn configure(scenario: &crate::scenario::Scenario) -> Config {
        crate::sim::world::config_for(scenario)
    }
    fn boot(rank: Rank, config: &Rc<Config>, durable: Store) -> Monitor {
        Monitor::from_store(rank, config.clone(), durable)
    }
    fn handle(node: &mut Monitor, now_ms: u64, input: Input, out: &mut Vec<Effect>) {
        node.handle(now_ms, input, out)
    }
    fn durable(node: &Monitor) -> &Store {
        &node.store
    }
    fn share_durable(node: &mut Monitor, other: &Store) {
        node.store.share_equal_chunks(other);
    }
    fn durable_entries(store: &Store) -> u64 {
        (store.values.len() + store.kv.len()) as u64
    }
    fn status(node: &Monitor, now_ms: u64) -> crate::actor::NodeStatus {
        // A stale `now_ms` (before the node's last input) reads as that input's time.
        let now_ms = now_ms.max(node.now_ms);
        crate::actor::NodeStatus {
            role: node.state.name(),
            phase: node.paxos.state.name(),
            epoch: node.epoch,
            last_committed: node.store.last_committed,
            first_committed: node.store.first_committed,
            leader: node.leader,
            lease_left_ms: if node.is_leader() || node.is_peon() {
                node.lease_left_at(now_ms)
            } else {
                0
            },
            readable: node.is_readable_at(now_ms),
        }
    }
    fn state_of(node: &Monitor, machine: MachineId) -> Option<StateId> {
        match machine {
            MONITOR => Some(node.state.id()),
            LEADER if node.is_leader() => Some(node.paxos.state.id()),
            PEON if node.is_peon() => Some(node.paxos.state.id()),
            _ => None,
        }
    }
    fn mid_commit_write(node: &Monitor) -> bool {
        matches!(
            node.paxos.state,
            PaxosState::Writing | PaxosState::WritingPrevious
        )
    }
    const PRESENTATION: &'static crate::view::Presentation = &super::present::PRESENTATION;
    fn describe_write(w: &StoreWrite) -> String {
        w.describe()
    }
    fn inspect(node: Option<&Monitor>, store: &Store, now_ms: u64) -> crate::view::Inspection {
        super::present::inspect(node, store, now_ms)
    }
    fn brief(node: Option<&Monitor>, store: &Store) -> crate::view::Brief {
        super::present::brief(node, store)
    }
    fn waiting(node: &Monitor) -> Option<(String, Option<Timer>)> {
        super::present::waiting(node)
    }
    fn applied(store: &Store, req: ReqId) -> Option<ClientReply> {
        store.applied.get(&req).map(|(_, reply)| reply.clone())
    }
    fn log(
        node: Option<&Monitor>,
        store: &Store,
        from: u64,
        to: u64,
    ) -> Option<crate::view::NodeLog> {
        Some(super::present::log(node, store, from, to))
    }
    fn scores(node: &Monitor, n: u8) -> Option<crate::view::Scores> {
        Some(super::present::scores(node, n))
    }
    fn narrate(e: &crate::trace::TraceEvent<Ceph>) -> Option<String> {
        super::wording::narrate(e)
    }
}

/// Elector state (spec 6.1 and ceph-elections 2.1, 7.1); the epoch itself lives in the
/// store and `Monitor::epoch`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Elector {
    pub electing_me: bool,
    pub acked_me: RankSet,
    pub leader_acked: Option<Rank>,
    /// The winner of the last election we took part in (ourselves if we won).
    pub last_election_winner: Option<Rank>,
    /// Whom we had acked when that election ended (ourselves if we won).
    pub last_voted_for: Option<Rank>,
    /// Connectivity: the frozen copy of the live table that votes are computed on.
    pub stable_peer_tracker: Option<Rc<ConnectionTracker>>,
    /// Connectivity: the frozen table the monitor we acked sent in its PROPOSE.
    pub leader_peer_tracker: Option<Rc<ConnectionTracker>>,
    /// Peers we ping (`live_pinging`) and peers we report dead without pinging.
    pub live_pinging: RankSet,
    pub dead_pinging: RankSet,
    /// Stamp (our clock) of the newest ping sent to each peer.
    pub peer_sent_ping: SortedMap<Rank, u64>,
    /// Stamp of the newest ping each peer answered, or the time of its last dead report.
    pub peer_acked_ping: SortedMap<Rank, u64>,
}

/// Volatile Paxos state (spec 4.3). In-memory copies of the store's counters live here too,
/// so that a forgotten persist (a mutation) really is forgotten at a crash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaxosCore {
    pub state: PaxosState,
    pub accepted_pn: Pn,
    pub num_last: usize,
    /// Ranks whose LAST with the current pn was counted.
    pub last_from: RankSet,
    pub uncommitted_v: Version,
    pub uncommitted_pn: Pn,
    pub uncommitted_value: Option<Rc<Value>>,
    pub peer_first_committed: SortedMap<Rank, Version>,
    pub peer_last_committed: SortedMap<Rank, Version>,
    pub accepted: RankSet,
    pub new_value: Option<Rc<Value>>,
    pub acked_lease: RankSet,
    /// Readable until this time on our own clock (0 = no lease).
    pub lease_expire_ms: u64,
    pub last_commit_time_ms: u64,
    pub trimming: bool,
}

impl PaxosCore {
    fn new(accepted_pn: Pn) -> Self {
        PaxosCore {
            state: PaxosState::Recovering,
            accepted_pn,
            num_last: 0,
            last_from: RankSet::new(),
            uncommitted_v: 0,
            uncommitted_pn: 0,
            uncommitted_value: None,
            peer_first_committed: SortedMap::new(),
            peer_last_committed: SortedMap::new(),
            accepted: RankSet::new(),
            new_value: None,
            acked_lease: RankSet::new(),
            lease_expire_ms: 0,
            last_commit_time_ms: 0,
            trimming: false,
        }
    }
}

/// Volatile key-value service state (PaxosService).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Changes accepted by the leader but not yet encoded into a proposal.
    pub pending_ops: Vec<ClientRequest>,
    /// The shared pending transaction, waiting for Paxos to be active.
    pub pending_proposal: Vec<ValueOp>,
    /// The writers whose requests are inside the value currently being proposed.
    pub committing: Vec<ClientRequest>,
    /// Writes whose clients talked to us, waiting for the leader's answer: forwarded to it,
    /// or (while no quorum exists) waiting to be dispatched again after the election (Ceph's
    /// `routed_requests`, resent by `resend_routed_requests`).
    pub forwarded: SortedMap<ReqId, ClientRequest>,
}

/// Who waits for a write's answer: the request and the monitor its client talked to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Writer {
    pub req_id: ReqId,
    pub origin: Rank,
}

impl Writer {
    pub fn of(req: &ClientRequest) -> Self {
        Writer {
            req_id: req.id,
            origin: req.origin,
        }
    }
}

/// One Ceph monitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    pub rank: Rank,
    pub config: Rc<Config>,
    /// Durable: survives a crash.
    pub store: Store,
    pub state: MonState,
    /// In-memory election epoch (mirrors the store except during the first-boot quirk).
    pub epoch: Epoch,
    pub quorum: SortedSet<Rank>,
    pub leader: Option<Rank>,
    pub outside_quorum: SortedSet<Rank>,
    pub elector: Elector,
    /// The monmap's election strategy and disallowed leaders.
    pub monmap: ElectionMonmap,
    /// The live score table (`Elector::peer_tracker`).
    pub tracker: ConnectionTracker,
    /// Our last quorum's features include PINGING: we won or lost an election since this
    /// process started (Ceph's gate in `begin_peer_ping`).
    pub quorum_pinging: bool,
    pub paxos: PaxosCore,
    pub service: Service,
    /// In-memory copy of `last_pn`.
    pub last_pn: Pn,
    /// Leader: the commit write queued by `commit_start`, not yet durable.
    pub commit_in_flight: Option<Version>,
    /// Sync: the provider we are syncing from.
    pub sync_provider: Option<Rank>,
    /// Armed timers and their deadlines on our clock (for the UI's timer arcs).
    pub timers: TimerTable,
    /// Our clock at the last input; effects are timed from it.
    pub now_ms: u64,
}

impl Monitor {
    /// A monitor with an empty store (first boot).
    pub fn new(rank: Rank, config: Rc<Config>) -> Self {
        Monitor::from_store(rank, config, Store::default())
    }

    /// A monitor starting from its durable store (first boot, or restart after a crash):
    /// everything volatile starts empty and the counters are reloaded from the store.
    pub fn from_store(rank: Rank, config: Rc<Config>, store: Store) -> Self {
        assert!(rank < config.monitors, "rank {rank} outside the monmap");
        let monmap = store.monmap.clone().unwrap_or_else(|| ElectionMonmap {
            strategy: config.election_strategy,
            disallowed_leaders: config.disallowed_leaders.clone(),
        });
        let tracker = match &store.connectivity_scores {
            Some(t) => (**t).clone(),
            None => ConnectionTracker::new(rank, config.score_halflife_s, config.persist_interval),
        };
        Monitor {
            monmap,
            tracker,
            quorum_pinging: false,
            rank,
            paxos: PaxosCore::new(store.accepted_pn),
            last_pn: store.last_pn,
            epoch: store.election_epoch,
            config,
            store,
            state: MonState::Init,
            quorum: SortedSet::new(),
            leader: None,
            outside_quorum: SortedSet::new(),
            elector: Elector::default(),
            service: Service::default(),
            commit_in_flight: None,
            sync_provider: None,
            timers: TimerTable::default(),
            now_ms: 0,
        }
    }

    /// The one entry point: everything the monitor does happens here.
    pub fn handle(&mut self, now_ms: u64, input: Input, out: &mut Vec<Effect>) {
        self.now_ms = now_ms;
        match input {
            Input::Start => self.bootstrap(out),
            Input::Deliver { from, msg } => self.dispatch(from, &msg, out),
            Input::Timeout(timer) => self.on_timeout(timer, out),
            Input::Client(req) => self.handle_client(req, out),
            Input::Membership(_) => {} // Ceph's membership is its monmap (Input::Monmap)
            Input::Monmap(change) => self.notify_new_monmap(change, out),
        }
    }

    fn dispatch(&mut self, from: Rank, msg: &Msg, out: &mut Vec<Effect>) {
        if from == self.rank || from >= self.config.monitors {
            return;
        }
        match msg {
            Msg::Probe(p) => self.handle_probe(from, p, out),
            Msg::Election(e) => self.handle_election(from, e, out),
            Msg::Ping(p) => self.handle_ping(from, p, out),
            Msg::Paxos(p) => self.dispatch_paxos(from, p, out),
            Msg::Sync(s) => self.handle_sync(from, s, out),
            Msg::Forward { epoch, req } => self.handle_forward(from, *epoch, req, out),
            Msg::ForwardReply { req_id, reply } => self.handle_forward_reply(*req_id, reply, out),
        }
    }

    fn on_timeout(&mut self, timer: Timer, out: &mut Vec<Effect>) {
        if self.timers.remove(&timer).is_none() {
            return; // cancelled meanwhile: a stale firing
        }
        match timer {
            Timer::Probe => {
                out.push(Effect::Note("probe timeout: bootstrap again".into()));
                self.bootstrap(out)
            }
            Timer::Election => self.election_expire(out),
            Timer::Collect | Timer::Accept | Timer::LeaseAck
                if self.is_leader()
                    && self
                        .config
                        .broken(crate::scenario::Mutation::LeaderNeverStepsDown) =>
            {
                out.push(Effect::Note(format!(
                    "{} ignored (leader-never-steps-down is switched on)",
                    timer.name()
                )))
            }
            Timer::Collect => {
                self.paxos_timeout("collect timeout: not every quorum member sent LAST", out)
            }
            Timer::Accept => {
                self.paxos_timeout("accept timeout: not every quorum member accepted", out)
            }
            Timer::LeaseAck => {
                self.paxos_timeout("lease_ack timeout: a peon did not ack the lease", out)
            }
            Timer::Lease
                if self
                    .config
                    .broken(crate::scenario::Mutation::ReadAfterLeaseExpiry) =>
            {
                out.push(Effect::Note(
                    "lease timeout ignored (read-after-lease-expiry is switched on)".into(),
                ))
            }
            Timer::Lease => self.paxos_timeout("lease timeout: no LEASE from the leader", out),
            Timer::LeaseRenew => self.extend_lease(out),
            Timer::Propose => self.propose_timer_fired(out),
            Timer::CommitWrite => self.commit_finish(out),
            Timer::Sync => {
                out.push(Effect::Note("sync timeout: bootstrap".into()));
                self.bootstrap(out)
            }
            Timer::SessionTrim => self.trim_client_sessions(out),
            Timer::PingCheck(peer) => self.ping_check(peer, out),
            Timer::DeadPing(peer) => self.dead_ping(peer, out),
        }
    }

    /// Any Paxos timeout means a full restart: bootstrap, probe, new election (spec 1.3).
    fn paxos_timeout(&mut self, why: &str, out: &mut Vec<Effect>) {
        out.push(Effect::Note(why.to_string()));
        self.bootstrap(out);
    }

    // ----- small helpers shared by the protocol files -----

    pub(crate) fn n(&self) -> u8 {
        self.config.monitors
    }

    pub(crate) fn others(&self) -> impl Iterator<Item = Rank> + '_ {
        (0..self.n()).filter(move |r| *r != self.rank)
    }

    pub(crate) fn quorum_peers(&self) -> impl Iterator<Item = Rank> + '_ {
        self.quorum.iter().copied().filter(move |r| *r != self.rank)
    }

    pub(crate) fn send(&self, to: Rank, msg: Msg, out: &mut Vec<Effect>) {
        debug_assert_ne!(to, self.rank);
        out.push(Effect::Send {
            to,
            msg: Rc::new(msg),
        });
    }

    /// Send one message to each of `peers`, in order: one shared message, not one copy each.
    pub(crate) fn broadcast(
        &self,
        peers: impl IntoIterator<Item = Rank>,
        msg: Msg,
        out: &mut Vec<Effect>,
    ) {
        let msg = Rc::new(msg);
        for to in peers {
            debug_assert_ne!(to, self.rank);
            out.push(Effect::Send {
                to,
                msg: Rc::clone(&msg),
            });
        }
    }

    pub(crate) fn set_timer(&mut self, timer: Timer, after_ms: u64, out: &mut Vec<Effect>) {
        self.timers.insert(timer, self.now_ms + after_ms);
        out.push(Effect::SetTimer { timer, after_ms });
    }

    pub(crate) fn cancel_timer(&mut self, timer: Timer, out: &mut Vec<Effect>) {
        if self.timers.remove(&timer).is_some() {
            out.push(Effect::CancelTimer(timer));
        }
    }

    pub(crate) fn timer_armed(&self, timer: Timer) -> bool {
        self.timers.contains_key(&timer)
    }

    /// Write a transaction durably, then report it; callers send dependent messages after this.
    pub(crate) fn persist(&mut self, txn: Vec<StoreWrite>, out: &mut Vec<Effect>) {
        self.store.apply_with(&txn, self.semantics());
        out.push(Effect::Persist(txn));
    }

    /// `persist`, returning the client results of the values it commits (for the leader,
    /// which answers the clients).
    pub(crate) fn persist_answering(
        &mut self,
        txn: Vec<StoreWrite>,
        out: &mut Vec<Effect>,
    ) -> super::store::CommitReplies {
        let replies = self.store.apply_answering(&txn, self.semantics());
        out.push(Effect::Persist(txn));
        replies
    }

    /// How this monitor's store evaluates committed client operations.
    fn semantics(&self) -> Semantics {
        Semantics {
            cas_ignores_expected: self
                .config
                .broken(crate::scenario::Mutation::CasIgnoresExpected),
        }
    }

    pub(crate) fn lc(&self) -> Version {
        self.store.last_committed
    }

    pub(crate) fn fc(&self) -> Version {
        self.store.first_committed
    }

    pub(crate) fn is_leader(&self) -> bool {
        self.state == MonState::Leader
    }

    pub(crate) fn is_peon(&self) -> bool {
        self.state == MonState::Peon
    }

    /// The monitor's state changes here and in `set_paxos_state` only: both report the
    /// change as a typed transition (the trace records it, the page draws it), asserted
    /// against the declaration. A leader or peon starts its Paxos phases in `recovering`.
    pub(crate) fn set_state(&mut self, s: MonState, out: &mut Vec<Effect>) {
        let from = self.state;
        if from == s {
            return;
        }
        debug_assert!(
            !matches!(s, MonState::Leader | MonState::Peon)
                || self.paxos.state == PaxosState::Recovering,
            "mon.{} becomes {} in paxos {}",
            self.rank,
            s.name(),
            self.paxos.state.name()
        );
        self.state = s;
        Self::transition(MONITOR, from.id(), s.id(), out);
    }

    /// The Paxos phase changes here only. Its change is a transition of the leader's or the
    /// peon's machine while the monitor is one; otherwise (a restart while electing or
    /// probing) no machine runs it and nothing is reported.
    pub(crate) fn set_paxos_state(&mut self, s: PaxosState, out: &mut Vec<Effect>) {
        let from = self.paxos.state;
        self.paxos.state = s;
        let machine = match self.state {
            MonState::Leader => LEADER,
            MonState::Peon => PEON,
            _ => return,
        };
        if from != s {
            Self::transition(machine, from.id(), s.id(), out);
        }
    }

    fn transition(machine: MachineId, from: StateId, to: StateId, out: &mut Vec<Effect>) {
        let t = Transition { machine, from, to };
        debug_assert!(
            CEPH.allows(t),
            "{} {} -> {} is not declared",
            CEPH.machine(machine).name,
            CEPH.state(machine, from).name,
            CEPH.state(machine, to).name
        );
        out.push(Effect::Transition(t));
    }

    pub(crate) fn paxos_msg(&self, op: PaxosOp) -> Paxos {
        let mut m = Paxos::new(op, self.epoch);
        m.first_committed = self.fc();
        m.last_committed = self.lc();
        m
    }

    /// Committed values `from..=to` that this store still holds.
    pub(crate) fn committed_values(
        &self,
        from: Version,
        to: Version,
    ) -> SortedMap<Version, Rc<Value>> {
        if from > to {
            return SortedMap::new();
        }
        // Inserted one by one, not collected: `collect` into a map instantiates a sort (about
        // 2 KB of wasm for this one type) that the already ordered range does not need.
        let mut out = SortedMap::new();
        for (v, val) in self.store.values.range(from..=to) {
            out.insert(*v, val.clone());
        }
        out
    }

    // ----- Monitor: bootstrap and reset (spec 2 and 7.1) -----

    /// Reset to probing: cancel Paxos timers, clear quorum and leader, restart Paxos in
    /// `recovering`, fail pending service work with "retry", then probe every peer.
    pub fn bootstrap(&mut self, out: &mut Vec<Effect>) {
        self.cancel_timer(Timer::Probe, out);
        self.cancel_timer(Timer::Sync, out);
        self.reset(out);
        self.set_state(MonState::Probing, out);
        self.sync_provider = None;
        if self.n() == 1 {
            self.win_standalone_election(out);
            return;
        }
        self.outside_quorum.clear();
        self.outside_quorum.insert(self.rank);
        let probe = Probe {
            op: ProbeOp::Probe,
            has_ever_joined: self.store.joined,
            quorum: SortedSet::new(),
            first_committed: 0,
            last_committed: 0,
        };
        self.broadcast(self.others(), Msg::Probe(probe), out);
        let t = self.config.probe_timeout_ms;
        self.set_timer(Timer::Probe, t, out);
    }

    /// Ceph's `Monitor::_reset`: leave any quorum and restart Paxos and the services.
    pub(crate) fn reset(&mut self, out: &mut Vec<Effect>) {
        let left_quorum = !self.quorum.is_empty();
        self.quorum.clear();
        self.leader = None;
        self.outside_quorum.clear();
        self.paxos_restart(out);
        self.service_restart(out);
        if left_quorum {
            self.arm_session_trim(out);
        }
    }
}
