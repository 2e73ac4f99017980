//! Guided tours: scenarios with narration (`note` actions) for the protocol's key stories.
//! The texts live in `core/presets/*.scenario` so authors can read and edit them as files.

use crate::scenario::{parse, ParseError, Scenario};

/// One guided tour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Short stable identifier used in URLs (`#tour=leader-fails`) and on the command line.
    pub id: &'static str,
    /// What the reader will see, in one line.
    pub summary: &'static str,
    /// The scenario text.
    pub text: &'static str,
}

impl Preset {
    pub fn scenario(&self) -> Result<Scenario, ParseError> {
        parse(self.text)
    }
    /// The title from the scenario's `name` line.
    pub fn title(&self) -> String {
        self.scenario().ok().and_then(|s| s.name).unwrap_or_else(|| self.id.to_string())
    }
}

pub const PRESETS: [Preset; 11] = [
    Preset { id: "startup", summary: "Probe, elect, recover, commit the first value, grant leases.", text: include_str!("../presets/startup.scenario") },
    Preset { id: "leader-fails", summary: "The leader crashes; lease timers notice; rank 1 takes over; the old leader returns.", text: include_str!("../presets/leader-fails.scenario") },
    Preset { id: "minority", summary: "A partition: the minority cannot commit, the majority can.", text: include_str!("../presets/minority.scenario") },
    Preset { id: "mid-update", summary: "The leader dies mid-commit; the new leader recovers the uncommitted value.", text: include_str!("../presets/mid-update.scenario") },
    Preset { id: "lease", summary: "A cut-off peon reads under its lease, then refuses once it expires.", text: include_str!("../presets/lease.scenario") },
    Preset { id: "sync", summary: "A monitor more than 10 versions behind syncs before it joins.", text: include_str!("../presets/sync.scenario") },
    Preset { id: "one-way", summary: "A one-way link cut makes the classic election flap.", text: include_str!("../presets/one-way.scenario") },
    Preset { id: "no-quorum", summary: "Three of five down: no quorum, no writes; one restart brings them back.", text: include_str!("../presets/no-quorum.scenario") },
    Preset { id: "beyond-clock", summary: "Beyond the assumptions: a slow leader clock allows a stale read.", text: include_str!("../presets/beyond-skew.scenario") },
    Preset { id: "break-majority", summary: "Break the protocol: commit on a majority, and watch the checker stop it.", text: include_str!("../presets/break-majority.scenario") },
    Preset { id: "walkthrough", summary: "The spec's worked timeline: writes, an isolated leader, the heal.", text: include_str!("../presets/walkthrough.scenario") },
];

pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
