//! The scenario as typed data. `parse` turns text into this, `print` turns it back;
//! print-then-parse is the identity (a property test holds us to it).

use super::protocol::ProtocolId;
use crate::client::Text;
use serde::{Deserialize, Serialize};

/// Current version of the text format (`paxoscope scenario v1`).
pub const FORMAT_VERSION: u32 = 1;

/// Limits that keep a hostile scenario (for example from a URL) from hurting the page.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;
pub const MAX_ACTIONS: usize = 10_000;
pub const MAX_TIME_MS: u64 = 24 * 3600 * 1000;
pub const MAX_MONITORS: u8 = 9;
pub const MAX_KEY_LEN: usize = 64;
pub const MAX_NOTE_LEN: usize = 1000;

/// A node is named by its rank (`2` or `mon.2` in text).
pub type NodeRef = u8;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// The protocol it runs (`protocol basic-paxos`); Ceph's when the text says none.
    #[serde(default)]
    pub protocol: ProtocolId,
    /// Basic Paxos: how many nodes propose (`proposers 2`, ranks `0..N`); `None` means
    /// `DEFAULT_PROPOSERS`. Only a protocol with proposers may say it.
    #[serde(default)]
    pub proposers: Option<u8>,
    /// Optional human title (`name "Leader isolated"`).
    pub name: Option<String>,
    pub seed: u64,
    /// Configuration overrides in the order written (`set lease_ms 5000`).
    pub overrides: Vec<(ConfigKey, u64)>,
    /// "Beyond the assumptions" switches (`allow reorder`).
    pub allowances: Vec<Allowance>,
    /// Deliberate protocol bugs (`break commit-on-majority`).
    pub mutations: Vec<Mutation>,
    /// Ceph: the election strategy of the first monmap (`election connectivity`).
    #[serde(default)]
    pub election: ElectionStrategy,
    /// Ceph: the monmap's disallowed leaders (`disallow 0 1`), ascending, without repeats;
    /// only with the disallow and connectivity strategies.
    #[serde(default)]
    pub disallowed: Vec<NodeRef>,
    /// Ceph: when monitors start pinging each other (`pinging boot`); `None` means the
    /// strategy's default (`Pinging::default_for`).
    #[serde(default)]
    pub pinging: Option<Pinging>,
    /// Timed actions, sorted by time (stable: equal times keep their written order).
    pub actions: Vec<TimedAction>,
    /// Run length (`end 60s`); `None` means the front end chooses.
    pub end_ms: Option<u64>,
    /// The playground's view (`view t 41200 node 2 speed 1.0 paused`); ignored by the simulator.
    pub view: Option<View>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            protocol: ProtocolId::Ceph,
            proposers: None,
            name: None,
            seed: 1,
            overrides: Vec::new(),
            allowances: Vec::new(),
            mutations: Vec::new(),
            election: ElectionStrategy::Classic,
            disallowed: Vec::new(),
            pinging: None,
            actions: Vec::new(),
            end_ms: None,
            view: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub t_ms: u64,
    pub node: Option<NodeRef>,
    /// Playback speed multiplier in tenths (10 = 1.0x) so the view stays `Eq` and exact.
    pub speed_tenths: u32,
    pub paused: bool,
}
impl Eq for View {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedAction {
    pub at_ms: u64,
    pub action: Action,
}

/// One link direction or all links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkSel {
    /// `*`: every directed link.
    All,
    /// `a -> b`: messages from a to b only.
    OneWay(NodeRef, NodeRef),
    /// `a <-> b`: both directions between a and b.
    Both(NodeRef, NodeRef),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// `partition 0 1 | 2 3 4`: links between different groups are cut both ways.
    /// Nodes not listed form one more group of their own.
    Partition(Vec<Vec<NodeRef>>),
    /// `isolate 2`: cut node 2 from everybody, both ways.
    Isolate(NodeRef),
    /// `cut 0 -> 1` (one way) or `cut 0 <-> 1` (both ways).
    Cut(LinkSel),
    /// `heal` (every link restored, loss and delay cleared) or `heal 0 -> 1`.
    Heal(Option<LinkSel>),
    /// `loss 0 -> 1 20`: drop this percentage (0..=100) of messages on the selected links.
    Loss(LinkSel, u8),
    /// `delay * 300`: extra one-way latency in ms on the selected links (0 clears).
    Delay(LinkSel, u64),
    /// `crash 2`: the process dies; memory is lost, the durable store is kept.
    Crash(NodeRef),
    /// `crash-in-commit`: crash whichever monitor next starts a leader commit write, mid-write
    /// (lapses if no commit write starts within 10 s).
    CrashInCommit,
    /// `restart 2`: a crashed monitor starts again from its durable store.
    Restart(NodeRef),
    /// `pause 2` / `resume 2`: the process stops running (timers and messages wait) but keeps
    /// memory. A pause longer than the lease margin (about 2 s) is beyond Ceph's assumptions: a
    /// resumed leader renews its own lease before it hears that a new quorum formed.
    Pause(NodeRef),
    Resume(NodeRef),
    /// `skew 2 -300`: set the node's clock offset from true time, in ms.
    Skew(NodeRef, i64),
    /// `drift 2 500`: set the node's clock rate error in parts per million.
    Drift(NodeRef, i64),
    /// `put 3 k v`: client write sent to monitor 3.
    Put {
        node: NodeRef,
        key: Text,
        value: Text,
    },
    /// `get 3 k`: client read at monitor 3.
    Get {
        node: NodeRef,
        key: Text,
    },
    /// `cas 3 k old new`: compare-and-set; `-` as `old` means "key absent".
    Cas {
        node: NodeRef,
        key: Text,
        expected: Option<Text>,
        value: Text,
    },
    /// `note "text"`: narration shown when the playhead passes this time.
    Note(String),
    /// `add-server 3` (Multi-Paxos): every running node is told to want node 3 in the
    /// configuration; the leader proposes the change through the log, one at a time.
    AddServer(NodeRef),
    /// `remove-server 1` (Multi-Paxos): the same, to take node 1 out of the configuration.
    RemoveServer(NodeRef),
    /// `election connectivity`: Ceph's `ceph mon set election_strategy`; every running monitor
    /// takes the new monmap and bootstraps.
    Election(ElectionStrategy),
    /// `disallow 0 1` (or `disallow -` for none): Ceph's `ceph mon add|rm disallowed_leader`,
    /// the whole new list; every running monitor takes the new monmap and bootstraps.
    Disallow(Vec<NodeRef>),
}

/// What an `election` or `disallow` action changes in a running cluster's monmap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MonmapChange {
    Strategy(ElectionStrategy),
    DisallowedLeaders(Vec<NodeRef>),
}

/// Ceph's election strategies (`MonMap::election_strategy`, wire numbers 1, 2, 3).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum ElectionStrategy {
    /// The lowest rank wins.
    #[default]
    Classic,
    /// The lowest rank outside the disallowed set wins.
    Disallow,
    /// The best-connected allowed monitor wins (scores from pings).
    Connectivity,
}

impl ElectionStrategy {
    pub const ALL: [ElectionStrategy; 3] = [
        ElectionStrategy::Classic,
        ElectionStrategy::Disallow,
        ElectionStrategy::Connectivity,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ElectionStrategy::Classic => "classic",
            ElectionStrategy::Disallow => "disallow",
            ElectionStrategy::Connectivity => "connectivity",
        }
    }
    pub fn from_name(s: &str) -> Option<ElectionStrategy> {
        ElectionStrategy::ALL
            .iter()
            .copied()
            .find(|x| x.name() == s)
    }
    /// Whether the strategy reads the disallowed set (classic ignores it).
    pub fn reads_disallowed(self) -> bool {
        self != ElectionStrategy::Classic
    }
}

/// When a monitor starts pinging a peer (Ceph's gate in `Elector::begin_peer_ping`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Pinging {
    /// No pings and no scores. Ceph pings under every strategy, but classic never reads the
    /// scores: this is the default under classic, which keeps its runs small.
    Off,
    /// Ceph's gate: only after the monitor was in a quorum since its process started.
    Quorum,
    /// From boot (the convenient switch; the spec's tests assume pinging is active).
    Boot,
}

impl Pinging {
    pub const ALL: [Pinging; 3] = [Pinging::Off, Pinging::Quorum, Pinging::Boot];
    pub fn name(self) -> &'static str {
        match self {
            Pinging::Off => "off",
            Pinging::Quorum => "quorum",
            Pinging::Boot => "boot",
        }
    }
    pub fn from_name(s: &str) -> Option<Pinging> {
        Pinging::ALL.iter().copied().find(|x| x.name() == s)
    }
    /// `off` under classic (which never reads scores), Ceph's gate otherwise.
    pub fn default_for(strategy: ElectionStrategy) -> Pinging {
        match strategy {
            ElectionStrategy::Classic => Pinging::Off,
            _ => Pinging::Quorum,
        }
    }
}

/// Configuration keys a scenario may override (`set KEY VALUE`), with Ceph's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ConfigKey {
    Monitors,
    LeaseMs,
    LeaseRenewMs,
    LeaseAckTimeoutMs,
    AcceptTimeoutMs,
    ElectionTimeoutMs,
    ProbeTimeoutMs,
    ProposeIntervalMs,
    MinWaitMs,
    MaxJoinDrift,
    PaxosMin,
    TrimMin,
    TrimMax,
    SyncTimeoutMs,
    LatencyMs,
    JitterMs,
    CommitWriteMs,
    /// Basic Paxos: a given-up round is retried after this long.
    RetryMs,
    /// Basic Paxos: plus a random delay in `0..=backoff_ms` (0: off, so proposers can duel).
    BackoffMs,
    /// Multi-Paxos: how many slots may be in flight past the first unchosen one (α).
    Alpha,
    /// Multi-Paxos: 1 batches the queued commands into one slot (group commit), 0 does not.
    GroupCommit,
    /// Multi-Paxos: the first configuration is nodes `0..members` (the others start outside
    /// it, as learners, until an `add-server`).
    Members,
    /// Multi-Paxos: a node that hears no leader for this long stands for leader.
    LeaderTimeoutMs,
}

impl ConfigKey {
    pub const ALL: [ConfigKey; 23] = [
        ConfigKey::Monitors,
        ConfigKey::LeaseMs,
        ConfigKey::LeaseRenewMs,
        ConfigKey::LeaseAckTimeoutMs,
        ConfigKey::AcceptTimeoutMs,
        ConfigKey::ElectionTimeoutMs,
        ConfigKey::ProbeTimeoutMs,
        ConfigKey::ProposeIntervalMs,
        ConfigKey::MinWaitMs,
        ConfigKey::MaxJoinDrift,
        ConfigKey::PaxosMin,
        ConfigKey::TrimMin,
        ConfigKey::TrimMax,
        ConfigKey::SyncTimeoutMs,
        ConfigKey::LatencyMs,
        ConfigKey::JitterMs,
        ConfigKey::CommitWriteMs,
        ConfigKey::RetryMs,
        ConfigKey::BackoffMs,
        ConfigKey::Alpha,
        ConfigKey::GroupCommit,
        ConfigKey::Members,
        ConfigKey::LeaderTimeoutMs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConfigKey::Monitors => "monitors",
            ConfigKey::LeaseMs => "lease_ms",
            ConfigKey::LeaseRenewMs => "lease_renew_ms",
            ConfigKey::LeaseAckTimeoutMs => "lease_ack_timeout_ms",
            ConfigKey::AcceptTimeoutMs => "accept_timeout_ms",
            ConfigKey::ElectionTimeoutMs => "election_timeout_ms",
            ConfigKey::ProbeTimeoutMs => "probe_timeout_ms",
            ConfigKey::ProposeIntervalMs => "propose_interval_ms",
            ConfigKey::MinWaitMs => "min_wait_ms",
            ConfigKey::MaxJoinDrift => "max_join_drift",
            ConfigKey::PaxosMin => "paxos_min",
            ConfigKey::TrimMin => "trim_min",
            ConfigKey::TrimMax => "trim_max",
            ConfigKey::SyncTimeoutMs => "sync_timeout_ms",
            ConfigKey::LatencyMs => "latency_ms",
            ConfigKey::JitterMs => "jitter_ms",
            ConfigKey::CommitWriteMs => "commit_write_ms",
            ConfigKey::RetryMs => "retry_ms",
            ConfigKey::BackoffMs => "backoff_ms",
            ConfigKey::Alpha => "alpha",
            ConfigKey::GroupCommit => "group_commit",
            ConfigKey::Members => "members",
            ConfigKey::LeaderTimeoutMs => "leader_timeout_ms",
        }
    }

    pub fn from_name(s: &str) -> Option<ConfigKey> {
        ConfigKey::ALL.iter().copied().find(|k| k.name() == s)
    }

    /// Inclusive range a value must fall in.
    pub fn range(self) -> (u64, u64) {
        match self {
            ConfigKey::Monitors => (1, MAX_MONITORS as u64),
            ConfigKey::MaxJoinDrift => (1, 1_000_000),
            ConfigKey::PaxosMin | ConfigKey::TrimMin | ConfigKey::TrimMax => (1, 1_000_000),
            ConfigKey::LatencyMs | ConfigKey::JitterMs | ConfigKey::CommitWriteMs => (0, 60_000),
            ConfigKey::BackoffMs => (0, 60_000),
            ConfigKey::RetryMs => (1, 60_000),
            ConfigKey::MinWaitMs => (0, 3_600_000),
            ConfigKey::Alpha => (1, 16),
            ConfigKey::GroupCommit => (0, 1),
            ConfigKey::Members => (1, MAX_MONITORS as u64),
            _ => (1, 3_600_000),
        }
    }
}

/// "Beyond the assumptions": things Ceph's messenger and clocks rule out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Allowance {
    /// Messages on one link may overtake each other.
    Reorder,
    /// A message may be delivered twice.
    Duplicate,
}

impl Allowance {
    pub const ALL: [Allowance; 2] = [Allowance::Reorder, Allowance::Duplicate];
    pub fn name(self) -> &'static str {
        match self {
            Allowance::Reorder => "reorder",
            Allowance::Duplicate => "duplicate",
        }
    }
    pub fn from_name(s: &str) -> Option<Allowance> {
        Allowance::ALL.iter().copied().find(|a| a.name() == s)
    }
}

/// Deliberate protocol bugs ("break the protocol" toggles / mutation canaries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Mutation {
    /// The leader commits once a majority (not every quorum member) accepted.
    CommitOnMajority,
    /// A peon promises a pn in memory but does not persist `accepted_pn`.
    ForgetAcceptedPn,
    /// A peon answers a COLLECT below its promise by lowering the promise to it.
    PromiseLowerPn,
    /// A peon keeps serving reads after its lease expired and ignores its lease timeout.
    ReadAfterLeaseExpiry,
    /// The new leader ignores uncommitted values reported in LAST.
    IgnoreUncommitted,
    /// Every leader uses the same pn (no rank in the low digits).
    PnNotUnique,
    /// A peon does not drop its lease when it accepts a BEGIN.
    KeepLeaseOnBegin,
    /// The leader finishes recovery on a majority of LASTs instead of every quorum member.
    RecoverOnMajority,
    /// Peons refuse every read: only the leader serves them.
    PeonRefusesReads,
    /// The leader refuses every client write instead of proposing it.
    RefuseWrites,
    /// A compare-and-set writes its value without comparing the current one.
    CasIgnoresExpected,
    /// A leader ignores its collect, accept and lease-ack timeouts: cut off from its quorum,
    /// it never steps down.
    LeaderNeverStepsDown,
    /// A peon told to commit a version it holds an uncommitted value for commits its own
    /// value instead of the one it received.
    PeonCommitsOwnValue,
}

impl Mutation {
    pub const ALL: [Mutation; 13] = [
        Mutation::CommitOnMajority,
        Mutation::ForgetAcceptedPn,
        Mutation::PromiseLowerPn,
        Mutation::ReadAfterLeaseExpiry,
        Mutation::IgnoreUncommitted,
        Mutation::PnNotUnique,
        Mutation::KeepLeaseOnBegin,
        Mutation::RecoverOnMajority,
        Mutation::PeonRefusesReads,
        Mutation::RefuseWrites,
        Mutation::CasIgnoresExpected,
        Mutation::LeaderNeverStepsDown,
        Mutation::PeonCommitsOwnValue,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Mutation::CommitOnMajority => "commit-on-majority",
            Mutation::ForgetAcceptedPn => "forget-accepted-pn",
            Mutation::PromiseLowerPn => "promise-lower-pn",
            Mutation::ReadAfterLeaseExpiry => "read-after-lease-expiry",
            Mutation::IgnoreUncommitted => "ignore-uncommitted",
            Mutation::PnNotUnique => "pn-not-unique",
            Mutation::KeepLeaseOnBegin => "keep-lease-on-begin",
            Mutation::RecoverOnMajority => "recover-on-majority",
            Mutation::PeonRefusesReads => "peon-refuses-reads",
            Mutation::RefuseWrites => "refuse-writes",
            Mutation::CasIgnoresExpected => "cas-ignores-expected",
            Mutation::LeaderNeverStepsDown => "leader-never-steps-down",
            Mutation::PeonCommitsOwnValue => "peon-commits-own-value",
        }
    }
    pub fn from_name(s: &str) -> Option<Mutation> {
        Mutation::ALL.iter().copied().find(|m| m.name() == s)
    }
    /// One sentence for the UI: what rule this breaks.
    pub fn describe(self) -> &'static str {
        match self {
            Mutation::CommitOnMajority => {
                "commit after a majority of accepts instead of every quorum member"
            }
            Mutation::ForgetAcceptedPn => "peons do not persist their promise (accepted_pn)",
            Mutation::PromiseLowerPn => "peons lower their promise to a COLLECT with a smaller pn",
            Mutation::ReadAfterLeaseExpiry => {
                "peons answer reads after their lease expired, and ignore their lease timeout"
            }
            Mutation::IgnoreUncommitted => {
                "a new leader ignores uncommitted values reported in LAST"
            }
            Mutation::PnNotUnique => {
                "proposal numbers do not carry the rank, so two leaders can share one"
            }
            Mutation::KeepLeaseOnBegin => "peons keep serving reads after accepting a new value",
            Mutation::RecoverOnMajority => "the leader finishes recovery with a majority of LASTs",
            Mutation::PeonRefusesReads => "peons refuse every read (only the leader serves reads)",
            Mutation::RefuseWrites => "the leader refuses every client write",
            Mutation::CasIgnoresExpected => {
                "compare-and-set writes without comparing the current value"
            }
            Mutation::LeaderNeverStepsDown => {
                "a leader ignores its collect, accept and lease-ack timeouts and never steps down"
            }
            Mutation::PeonCommitsOwnValue => {
                "a peon commits the uncommitted value it holds instead of the one it received"
            }
        }
    }
}
