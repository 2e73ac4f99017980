//! The fault classes a campaign seed draws from. Every class stays inside Ceph's assumptions:
//! links stay FIFO, delays stay bounded, clocks stay within the lease margin (spec 10.6), pauses
//! are shorter than that margin. `docs/campaign.md` gives each class's bounds.

use serde::{Deserialize, Serialize};

/// One kind of fault. A seed enables a subset of these and schedules episodes of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FaultClass {
    /// A share of the messages on some links is dropped for a while (a session drop).
    MessageLoss,
    /// Extra one-way latency on some links for a while (FIFO order is kept).
    DelaySpike,
    /// The monitors split into groups that cannot talk to each other, both ways.
    SymmetricPartition,
    /// Some directed links are cut while their reverse direction works.
    OneWayPartition,
    /// One link is cut and healed repeatedly.
    FlappingLink,
    /// A monitor crashes and stays down until the heal.
    Crash,
    /// A monitor crashes and restarts from its durable store during the fault phase.
    Restart,
    /// A monitor stops running for less than the lease margin, then resumes.
    PauseResume,
    /// A monitor's clock is offset from true time (bounded).
    ClockSkew,
    /// A monitor's clock runs slightly fast or slow (bounded).
    ClockDrift,
    /// The leader crashes between queuing its commit write and its durability.
    CrashInCommit,
}

impl FaultClass {
    pub const ALL: [FaultClass; 11] = [
        FaultClass::MessageLoss,
        FaultClass::DelaySpike,
        FaultClass::SymmetricPartition,
        FaultClass::OneWayPartition,
        FaultClass::FlappingLink,
        FaultClass::Crash,
        FaultClass::Restart,
        FaultClass::PauseResume,
        FaultClass::ClockSkew,
        FaultClass::ClockDrift,
        FaultClass::CrashInCommit,
    ];

    /// The name used in summaries and docs.
    pub fn name(self) -> &'static str {
        match self {
            FaultClass::MessageLoss => "message-loss",
            FaultClass::DelaySpike => "delay-spike",
            FaultClass::SymmetricPartition => "symmetric-partition",
            FaultClass::OneWayPartition => "one-way-partition",
            FaultClass::FlappingLink => "flapping-link",
            FaultClass::Crash => "crash",
            FaultClass::Restart => "restart",
            FaultClass::PauseResume => "pause-resume",
            FaultClass::ClockSkew => "clock-skew",
            FaultClass::ClockDrift => "clock-drift",
            FaultClass::CrashInCommit => "crash-in-commit",
        }
    }

    pub fn from_name(s: &str) -> Option<FaultClass> {
        FaultClass::ALL.iter().copied().find(|c| c.name() == s)
    }
}

/// Ways to step outside Ceph's assumptions on purpose (the "beyond the assumptions" runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Beyond {
    /// `allow reorder`: messages on a link may overtake each other.
    Reorder,
    /// `allow duplicate`: a message may arrive twice.
    Duplicate,
    /// Clock skew of several seconds, far past the lease margin of about 2 s.
    LargeSkew,
}

impl Beyond {
    pub const ALL: [Beyond; 3] = [Beyond::Reorder, Beyond::Duplicate, Beyond::LargeSkew];

    pub fn name(self) -> &'static str {
        match self {
            Beyond::Reorder => "reorder",
            Beyond::Duplicate => "duplicate",
            Beyond::LargeSkew => "large-skew",
        }
    }

    pub fn from_name(s: &str) -> Option<Beyond> {
        Beyond::ALL.iter().copied().find(|b| b.name() == s)
    }
}
