//! Per-node clocks: true simulated time plus a skew offset and a drift rate. A node only ever
//! sees its own clock; leases compare the leader's clock with the peon's, so skew matters.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeClock {
    /// Local time at `anchor_true_ms`, in ms (may be negative before clamping).
    anchor_local_ms: i64,
    anchor_true_ms: u64,
    /// Rate error in parts per million (+500 runs 0.05% fast).
    drift_ppm: i64,
}

impl NodeClock {
    /// The node's reading at true time `t_ms` (never below zero).
    pub fn local_ms(&self, t_ms: u64) -> u64 {
        if self.drift_ppm == 0 && self.anchor_local_ms == self.anchor_true_ms as i64 {
            return t_ms; // the common case: a perfect clock
        }
        let elapsed = (t_ms - self.anchor_true_ms.min(t_ms)) as i128;
        let local = self.anchor_local_ms as i128
            + elapsed * (1_000_000 + self.drift_ppm as i128) / 1_000_000;
        local.max(0) as u64
    }

    /// Offset of the local clock from true time at `t_ms`.
    pub fn skew_ms(&self, t_ms: u64) -> i64 {
        self.local_ms(t_ms) as i64 - t_ms as i64
    }

    pub fn drift_ppm(&self) -> i64 {
        self.drift_ppm
    }

    /// Set the offset from true time, effective at `t_ms`.
    pub fn set_skew(&mut self, t_ms: u64, skew_ms: i64) {
        self.anchor_true_ms = t_ms;
        self.anchor_local_ms = t_ms as i64 + skew_ms;
    }

    /// Set the rate error, effective at `t_ms` (the reading does not jump).
    pub fn set_drift(&mut self, t_ms: u64, ppm: i64) {
        let now_local = self.local_ms(t_ms) as i64;
        self.anchor_true_ms = t_ms;
        self.anchor_local_ms = now_local;
        self.drift_ppm = ppm.clamp(-500_000, 500_000);
    }

    /// True-time duration of `local_ms` on this clock (at least the local duration's sign).
    pub fn true_duration_ms(&self, local_ms: u64) -> u64 {
        if self.drift_ppm == 0 {
            return local_ms;
        }
        let rate = (1_000_000 + self.drift_ppm) as u128;
        ((local_ms as u128 * 1_000_000).div_ceil(rate)) as u64
    }
}
