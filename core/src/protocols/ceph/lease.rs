//! Leases (spec section 10): the leader grants every quorum member a time-limited right to
//! answer reads locally, renews it every `lease_renew_ms`, and bootstraps if a peon stops
//! acknowledging; a peon bootstraps if the leases stop coming.

use super::messages::*;
use super::monitor::{Effect, Monitor, PaxosState, Timer};
use crate::ranks::RankSet;
use crate::scenario::Mutation;

impl Monitor {
    /// `extend_lease` (spec 10.1): grant, arm the ack timer if none is pending, schedule renewal.
    pub(crate) fn extend_lease(&mut self, out: &mut Vec<Effect>) {
        if !self.is_leader() {
            return;
        }
        self.paxos.lease_expire_ms = self.now_ms + self.config.lease_ms;
        self.paxos.acked_lease.clear();
        self.paxos.acked_lease.insert(self.rank);
        let mut m = self.paxos_msg(PaxosOp::Lease);
        m.lease_timestamp_ms = self.paxos.lease_expire_ms;
        self.broadcast(self.quorum_peers(), Msg::Paxos(m), out);
        if !self.timer_armed(Timer::LeaseAck) {
            let t = self.config.lease_ack_timeout_ms;
            self.set_timer(Timer::LeaseAck, t, out);
        }
        let t = self.config.lease_renew_ms;
        self.set_timer(Timer::LeaseRenew, t, out);
    }

    /// Peon: LEASE (spec 10.2). The expiry is on the leader's clock, compared with ours.
    pub(crate) fn handle_lease(&mut self, from: Rank, m: &Paxos, out: &mut Vec<Effect>) {
        if m.last_committed != self.lc() {
            return;
        }
        self.paxos.lease_expire_ms = self.paxos.lease_expire_ms.max(m.lease_timestamp_ms);
        self.set_paxos_state(PaxosState::Active, out);
        let mut ack = self.paxos_msg(PaxosOp::LeaseAck);
        ack.lease_timestamp_ms = self.now_ms;
        self.send(from, Msg::Paxos(ack), out);
        let t = self.config.lease_ack_timeout_ms;
        self.set_timer(Timer::Lease, t, out);
    }

    /// Leader: LEASE_ACK (spec 10.3); a stray ack (no timer armed) is ignored.
    pub(crate) fn handle_lease_ack(&mut self, from: Rank, out: &mut Vec<Effect>) {
        if !self.timer_armed(Timer::LeaseAck) {
            return;
        }
        self.paxos.acked_lease.insert(from);
        if self.paxos.acked_lease == RankSet::from_iter(&self.quorum) {
            self.cancel_timer(Timer::LeaseAck, out);
        }
    }

    /// Spec 10.5: may this monitor answer a read from its local store right now?
    pub fn is_readable(&self) -> bool {
        self.is_readable_at(self.now_ms)
    }

    /// Readability at `now_ms` on our clock (the checker asks between our own inputs).
    pub fn is_readable_at(&self, now_ms: u64) -> bool {
        (self.is_leader() || self.is_peon())
            && matches!(
                self.paxos.state,
                PaxosState::Active | PaxosState::Updating | PaxosState::Writing
            )
            && self.lc() > 0
            && self.lease_valid(now_ms)
    }

    fn lease_valid(&self, now_ms: u64) -> bool {
        self.quorum.len() == 1
            || now_ms < self.paxos.lease_expire_ms
            || (self.is_peon()
                && self.config.broken(Mutation::ReadAfterLeaseExpiry)
                && self.paxos.state == PaxosState::Active)
    }

    /// Like `is_readable`, but `Err` says why not, in words a reader can act on.
    pub fn readable(&self) -> Result<(), String> {
        if self.is_readable() {
            return Ok(());
        }
        if !(self.is_leader() || self.is_peon()) {
            return Err(format!(
                "mon.{} is {}, not in a quorum",
                self.rank,
                self.state.name()
            ));
        }
        if !matches!(
            self.paxos.state,
            PaxosState::Active | PaxosState::Updating | PaxosState::Writing
        ) {
            return Err(format!("paxos is {}", self.paxos.state.name()));
        }
        if self.lc() == 0 {
            return Err("nothing committed yet".into());
        }
        Err(if self.paxos.lease_expire_ms == 0 {
            "no lease (dropped on BEGIN or not granted yet)".to_string()
        } else {
            format!(
                "lease expired {} ms ago",
                self.now_ms.saturating_sub(self.paxos.lease_expire_ms)
            )
        })
    }

    /// Time left on our lease, for the UI (0 if none).
    pub fn lease_left_ms(&self) -> u64 {
        self.lease_left_at(self.now_ms)
    }

    /// Lease time left at `now_ms` on our clock.
    pub fn lease_left_at(&self, now_ms: u64) -> u64 {
        self.paxos.lease_expire_ms.saturating_sub(now_ms)
    }
}
