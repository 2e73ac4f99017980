//! Ceph's defaults (spec section 13), in milliseconds, all overridable by a scenario.

use super::messages::Rank;
use crate::scenario::{ConfigKey, ElectionStrategy, Mutation, Pinging};
use crate::sorted::SortedSet;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Monitors in the monmap; ranks are `0..monitors`.
    pub monitors: u8,
    /// `mon_lease`: how long a granted lease lasts.
    pub lease_ms: u64,
    /// `mon_lease_renew_interval_factor × mon_lease`: the leader renews this often.
    pub lease_renew_ms: u64,
    /// `mon_lease_ack_timeout_factor × mon_lease`: leader lease-ack timeout and peon lease timeout.
    pub lease_ack_timeout_ms: u64,
    /// `mon_accept_timeout_factor × mon_lease`: collect and accept timeouts.
    pub accept_timeout_ms: u64,
    /// `mon_election_timeout`: the proposer's election window (deferring monitors wait +1 s).
    pub election_timeout_ms: u64,
    /// `mon_probe_timeout`: re-bootstrap while probing.
    pub probe_timeout_ms: u64,
    /// `paxos_propose_interval`: batching interval after a recent commit.
    pub propose_interval_ms: u64,
    /// `paxos_min_wait`: gathering window after idleness.
    pub min_wait_ms: u64,
    /// `paxos_max_join_drift`: beyond this many versions behind, sync before joining.
    pub max_join_drift: u64,
    /// `paxos_min`, `paxos_trim_min`, `paxos_trim_max`: trimming of old versions (section 11).
    pub paxos_min: u64,
    pub trim_min: u64,
    pub trim_max: u64,
    /// `mon_sync_timeout`: a sync requester gives up after this long without progress.
    pub sync_timeout_ms: u64,
    /// Simulated one-way link latency and its uniform jitter (simulator, not Ceph).
    pub latency_ms: u64,
    pub jitter_ms: u64,
    /// Duration of the leader's asynchronous commit write (0 = instant, as in the spec's timeline).
    pub commit_write_ms: u64,
    /// Deliberate protocol bugs switched on ("break the protocol").
    pub mutations: SortedSet<Mutation>,
    /// `mon_election_default_strategy`: the strategy of the first monmap.
    pub election_strategy: ElectionStrategy,
    /// The first monmap's `disallowed_leaders`.
    pub disallowed_leaders: SortedSet<Rank>,
    /// The pinging gate; `None`: `Pinging::default_for` the monitor's current strategy.
    pub pinging: Option<Pinging>,
    /// `mon_elector_ping_timeout`: no answer for this long marks a link dead.
    pub ping_timeout_ms: u64,
    /// `mon_elector_ping_divisor`: ping checks per timeout.
    pub ping_divisor: u64,
    /// `mon_con_tracker_score_halflife`, in seconds.
    pub score_halflife_s: u64,
    /// `mon_con_tracker_persist_interval`: persist the scores every n-th update.
    pub persist_interval: u64,
}

/// `mon_elector_ignore_propose_margin`: the peon filter's margin (spec 5.3).
pub const IGNORE_PROPOSE_MARGIN: f64 = 0.0005;

impl Default for Config {
    fn default() -> Self {
        Config {
            monitors: 5,
            lease_ms: 5_000,
            lease_renew_ms: 3_000,
            lease_ack_timeout_ms: 10_000,
            accept_timeout_ms: 10_000,
            election_timeout_ms: 5_000,
            probe_timeout_ms: 2_000,
            propose_interval_ms: 1_000,
            min_wait_ms: 50,
            max_join_drift: 10,
            paxos_min: 500,
            trim_min: 250,
            trim_max: 500,
            sync_timeout_ms: 60_000,
            latency_ms: 20,
            jitter_ms: 10,
            commit_write_ms: 1,
            mutations: SortedSet::new(),
            election_strategy: ElectionStrategy::Classic,
            disallowed_leaders: SortedSet::new(),
            pinging: None,
            ping_timeout_ms: 2_000,
            ping_divisor: 2,
            score_halflife_s: 43_200,
            persist_interval: 10,
        }
    }
}

impl Config {
    /// Majority needed to win an election at the timeout: `N/2 + 1`.
    pub fn majority(&self) -> usize {
        self.monitors as usize / 2 + 1
    }

    pub fn broken(&self, m: Mutation) -> bool {
        self.mutations.contains(&m)
    }

    /// Apply one scenario override. Changing `lease_ms` rescales the lease-derived values
    /// by Ceph's factors unless they are overridden later.
    pub fn set(&mut self, key: ConfigKey, value: u64) {
        match key {
            ConfigKey::Monitors => self.monitors = value as u8,
            ConfigKey::LeaseMs => {
                self.lease_ms = value;
                self.lease_renew_ms = value * 3 / 5;
                self.lease_ack_timeout_ms = value * 2;
                self.accept_timeout_ms = value * 2;
            }
            ConfigKey::LeaseRenewMs => self.lease_renew_ms = value,
            ConfigKey::LeaseAckTimeoutMs => self.lease_ack_timeout_ms = value,
            ConfigKey::AcceptTimeoutMs => self.accept_timeout_ms = value,
            ConfigKey::ElectionTimeoutMs => self.election_timeout_ms = value,
            ConfigKey::ProbeTimeoutMs => self.probe_timeout_ms = value,
            ConfigKey::ProposeIntervalMs => self.propose_interval_ms = value,
            ConfigKey::MinWaitMs => self.min_wait_ms = value,
            ConfigKey::MaxJoinDrift => self.max_join_drift = value,
            ConfigKey::PaxosMin => self.paxos_min = value,
            ConfigKey::TrimMin => self.trim_min = value,
            ConfigKey::TrimMax => self.trim_max = value,
            ConfigKey::SyncTimeoutMs => self.sync_timeout_ms = value,
            ConfigKey::LatencyMs => self.latency_ms = value,
            ConfigKey::JitterMs => self.jitter_ms = value,
            ConfigKey::CommitWriteMs => self.commit_write_ms = value,
            // Basic Paxos's own timings: a Ceph scenario cannot set them (ProtocolId::reads).
            ConfigKey::RetryMs | ConfigKey::BackoffMs => {}
            // Multi-Paxos's own settings (`ProtocolId::reads`): no Ceph scenario sets them.
            ConfigKey::Alpha
            | ConfigKey::GroupCommit
            | ConfigKey::Members
            | ConfigKey::LeaderTimeoutMs => {}
        }
    }

    /// True when every timing parameter is Ceph's default, the condition under which the
    /// cross-epoch read-freshness invariant (spec 14.15) is claimed to hold.
    pub fn has_default_timing(&self) -> bool {
        let d = Config::default();
        self.lease_ms == d.lease_ms
            && self.lease_renew_ms == d.lease_renew_ms
            && self.lease_ack_timeout_ms == d.lease_ack_timeout_ms
            && self.accept_timeout_ms == d.accept_timeout_ms
            && self.election_timeout_ms == d.election_timeout_ms
            && self.probe_timeout_ms == d.probe_timeout_ms
    }
}
