//! Paxos proper (spec sections 8 and 9): recovery with collect/last once per epoch, then one
//! value at a time with begin/accept/commit, all under the pn chosen at recovery.

use super::messages::*;
use super::monitor::{Effect, MonState, Monitor, PaxosState, Timer};
use super::store::{StoreWrite, Value, ValueOp};
use crate::ranks::RankSet;
use crate::scenario::Mutation;
use crate::sorted::SortedMap;
use std::rc::Rc;

impl Monitor {
    // ----- entry points (spec 8.1) -----

    /// Cancel the timers of Paxos itself (collect, accept and the three lease timers).
    fn cancel_paxos_timers(&mut self, out: &mut Vec<Effect>) {
        for t in [
            Timer::Collect,
            Timer::Accept,
            Timer::LeaseRenew,
            Timer::LeaseAck,
            Timer::Lease,
        ] {
            self.cancel_timer(t, out);
        }
    }

    /// Paxos `restart`: cancel every Paxos timer and go back to `recovering`.
    pub(crate) fn paxos_restart(&mut self, out: &mut Vec<Effect>) {
        self.cancel_paxos_timers(out);
        // A queued commit write still lands: the store applies transactions in order.
        if self.commit_in_flight.is_some() {
            self.cancel_timer(Timer::CommitWrite, out);
            self.commit_write_durable(out);
        }
        self.set_paxos_state(PaxosState::Recovering, out);
        self.paxos.lease_expire_ms = 0;
        self.paxos.accepted.clear();
        self.paxos.acked_lease.clear();
        self.paxos.new_value = None;
    }

    pub(crate) fn leader_init(&mut self, out: &mut Vec<Effect>) {
        self.paxos_restart(out);
        self.service.pending_proposal.clear();
        self.paxos.trimming = false;
        if self.quorum.len() == 1 {
            self.set_paxos_state(PaxosState::Active, out);
            return;
        }
        self.collect(0, out);
    }

    pub(crate) fn peon_init(&mut self, out: &mut Vec<Effect>) {
        self.paxos_restart(out);
        let t = self.config.lease_ack_timeout_ms;
        self.set_timer(Timer::Lease, t, out);
    }

    /// Gate Paxos messages by state and epoch, in Ceph's order (spec 2).
    pub(crate) fn dispatch_paxos(&mut self, from: Rank, m: &Paxos, out: &mut Vec<Effect>) {
        if matches!(self.state, MonState::Synchronizing | MonState::Init) {
            return;
        }
        if m.epoch > self.epoch {
            out.push(Effect::Note(format!(
                "{} from mon.{from} carries epoch {} > ours {}: bootstrap",
                m.op_name(),
                m.epoch,
                self.epoch
            )));
            self.bootstrap(out);
            return;
        }
        if m.epoch < self.epoch || !(self.is_leader() || self.is_peon()) {
            return;
        }
        let from_ok = if self.is_leader() {
            self.quorum.contains(&from)
        } else {
            self.leader == Some(from)
        };
        if !from_ok {
            return;
        }
        match m.op {
            PaxosOp::Collect if self.is_peon() => self.handle_collect(from, m, out),
            PaxosOp::Last if self.is_leader() => self.handle_last(from, m, out),
            PaxosOp::Begin if self.is_peon() => self.handle_begin(from, m, out),
            PaxosOp::Accept if self.is_leader() => self.handle_accept(from, m, out),
            PaxosOp::Commit if self.is_peon() => self.handle_commit(m, out),
            PaxosOp::Lease if self.is_peon() => self.handle_lease(from, m, out),
            PaxosOp::LeaseAck if self.is_leader() => self.handle_lease_ack(from, out),
            _ => {}
        }
    }

    // ----- recovery (spec 8.2 - 8.5) -----

    /// `new_pn`: the next multiple of 100 above everything seen, plus our rank; persisted.
    fn new_pn(&mut self, gt: Pn, out: &mut Vec<Effect>) -> Pn {
        let base = self.last_pn.max(gt);
        let rank_digits = if self.config.broken(Mutation::PnNotUnique) {
            0
        } else {
            self.rank as Pn
        };
        self.last_pn = (base / 100 + 1) * 100 + rank_digits;
        self.persist(vec![StoreWrite::LastPn(self.last_pn)], out);
        self.last_pn
    }

    fn collect(&mut self, hint: Pn, out: &mut Vec<Effect>) {
        self.set_paxos_state(PaxosState::Recovering, out);
        self.paxos.uncommitted_v = 0;
        self.paxos.uncommitted_pn = 0;
        self.paxos.uncommitted_value = None;
        self.paxos.peer_first_committed.clear();
        self.paxos.peer_last_committed.clear();
        if let Some(v) = self.store.uncommitted().cloned() {
            let lc = self.lc();
            self.paxos.uncommitted_v = lc + 1;
            self.paxos.uncommitted_pn = if self.store.pending_v == lc + 1 {
                self.store.pending_pn
            } else {
                self.paxos.accepted_pn
            };
            self.paxos.uncommitted_value = Some(v);
        }
        let gt = self.paxos.accepted_pn.max(hint);
        self.paxos.accepted_pn = self.new_pn(gt, out);
        self.paxos.num_last = 1;
        self.paxos.last_from.clear();
        self.paxos.last_from.insert(self.rank);
        let mut m = self.paxos_msg(PaxosOp::Collect);
        m.pn = self.paxos.accepted_pn;
        self.broadcast(self.quorum_peers(), Msg::Paxos(m), out);
        let t = self.config.accept_timeout_ms;
        self.set_timer(Timer::Collect, t, out);
    }

    fn handle_collect(&mut self, from: Rank, c: &Paxos, out: &mut Vec<Effect>) {
        self.set_paxos_state(PaxosState::Recovering, out);
        let t = self.config.lease_ack_timeout_ms;
        self.set_timer(Timer::Lease, t, out);
        if c.first_committed > self.lc() + 1 {
            out.push(Effect::Note(format!(
                "leader's fc {} > our lc+1: bootstrap to sync",
                c.first_committed
            )));
            self.bootstrap(out);
            return;
        }
        let old_promise = self.paxos.accepted_pn;
        if c.pn > self.paxos.accepted_pn
            || (c.pn < old_promise && self.config.broken(Mutation::PromiseLowerPn))
        {
            self.paxos.accepted_pn = c.pn;
            if !self.config.broken(Mutation::ForgetAcceptedPn) {
                self.persist(vec![StoreWrite::AcceptedPn(c.pn)], out);
            }
        } else {
            out.push(Effect::Note(format!(
                "refuse collect pn {}: already promised {}",
                c.pn, old_promise
            )));
        }
        let mut last = self.paxos_msg(PaxosOp::Last);
        last.pn = self.paxos.accepted_pn;
        if c.last_committed < self.lc() {
            last.values = self.committed_values(c.last_committed + 1, self.lc());
        }
        if c.last_committed <= self.lc() {
            if let Some(v) = self.store.uncommitted().cloned() {
                let lc = self.lc();
                last.values.insert(lc + 1, v);
                last.uncommitted_pn = if self.store.pending_v == lc + 1 {
                    self.store.pending_pn
                } else {
                    old_promise
                };
            }
        }
        self.send(from, Msg::Paxos(last), out);
    }

    fn handle_last(&mut self, from: Rank, last: &Paxos, out: &mut Vec<Effect>) {
        self.paxos
            .peer_first_committed
            .insert(from, last.first_committed);
        self.paxos
            .peer_last_committed
            .insert(from, last.last_committed);
        if last.first_committed > self.lc() + 1 {
            out.push(Effect::Note(format!(
                "mon.{from}'s fc {} is beyond our lc+1: bootstrap",
                last.first_committed
            )));
            self.bootstrap(out);
            return;
        }
        self.store_shared_values(&last.values, last.last_committed, out);
        if self.paxos.uncommitted_v != 0 && self.paxos.uncommitted_v <= self.lc() {
            self.paxos.uncommitted_v = 0;
            self.paxos.uncommitted_pn = 0;
            self.paxos.uncommitted_value = None;
        }
        if !self.catch_up_peers(out) {
            return;
        }
        if last.pn > self.paxos.accepted_pn {
            out.push(Effect::Note(format!(
                "mon.{from} promised pn {} > our {}: collect again with a higher pn",
                last.pn, self.paxos.accepted_pn
            )));
            self.cancel_timer(Timer::Collect, out);
            self.collect(last.pn, out);
            return;
        }
        if last.pn < self.paxos.accepted_pn {
            return; // a stale reply to an earlier collect
        }
        self.paxos.num_last += 1;
        self.paxos.last_from.insert(from);
        self.maybe_adopt_uncommitted(last);
        let needed = if self.config.broken(Mutation::RecoverOnMajority) {
            self.config.majority()
        } else {
            self.quorum.len()
        };
        if self.paxos.num_last == needed {
            self.finish_recovery(out);
        }
    }

    /// Store committed values a peer sent that extend ours contiguously (spec 8.5 step 2).
    fn store_shared_values(
        &mut self,
        values: &SortedMap<Version, Rc<Value>>,
        upto: Version,
        out: &mut Vec<Effect>,
    ) {
        let mut next = self.lc() + 1;
        while next <= upto {
            let Some(v) = values.get(&next) else { break };
            let keep_own = self.is_peon()
                && self.config.broken(Mutation::PeonCommitsOwnValue)
                && self.store.values.contains_key(&next);
            let txn = if keep_own {
                vec![StoreWrite::Commit(next)]
            } else {
                vec![StoreWrite::Value(next, v.clone()), StoreWrite::Commit(next)]
            };
            self.persist(txn, out);
            next += 1;
        }
    }

    /// Spec 8.5 step 3: bootstrap if a peer is hopelessly behind, else send it what it lacks.
    /// Returns false if we bootstrapped.
    fn catch_up_peers(&mut self, out: &mut Vec<Effect>) -> bool {
        let peers: Vec<(Rank, Version)> = self
            .paxos
            .peer_last_committed
            .iter()
            .map(|(r, v)| (*r, *v))
            .collect();
        for (peer, peer_lc) in peers {
            if peer_lc + 1 < self.fc() && self.fc() > 1 {
                out.push(Effect::Note(format!(
                    "mon.{peer} is behind our trimmed versions: bootstrap"
                )));
                self.bootstrap(out);
                return false;
            }
            if peer_lc < self.lc() {
                let mut commit = self.paxos_msg(PaxosOp::Commit);
                commit.pn = self.paxos.accepted_pn;
                commit.values = self.committed_values(peer_lc + 1, self.lc());
                self.send(peer, Msg::Paxos(commit), out);
            }
        }
        true
    }

    /// Spec 8.5 step 6: the highest uncommitted pn wins; ties go to the later reply.
    fn maybe_adopt_uncommitted(&mut self, last: &Paxos) {
        if last.uncommitted_pn == 0 || self.config.broken(Mutation::IgnoreUncommitted) {
            return;
        }
        let v = last.last_committed + 1;
        let eligible = last.uncommitted_pn >= self.paxos.uncommitted_pn
            && last.last_committed >= self.lc()
            && v >= self.paxos.uncommitted_v;
        if let (true, Some(value)) = (eligible, last.values.get(&v)) {
            self.paxos.uncommitted_v = v;
            self.paxos.uncommitted_pn = last.uncommitted_pn;
            self.paxos.uncommitted_value = Some(value.clone());
        }
    }

    fn finish_recovery(&mut self, out: &mut Vec<Effect>) {
        self.cancel_timer(Timer::Collect, out);
        self.paxos.peer_first_committed.clear();
        self.paxos.peer_last_committed.clear();
        let held = self.paxos.uncommitted_value.clone();
        let ignore = self.config.broken(Mutation::IgnoreUncommitted);
        match held {
            Some(value) if self.paxos.uncommitted_v == self.lc() + 1 && !ignore => {
                out.push(Effect::Note(format!(
                    "recovery found uncommitted v{} (pn {}): re-propose it first",
                    self.paxos.uncommitted_v, self.paxos.uncommitted_pn
                )));
                self.set_paxos_state(PaxosState::UpdatingPrevious, out);
                self.begin(value, out);
            }
            _ => {
                if self.quorum.len() > 1 {
                    self.extend_lease(out);
                }
                self.finish_round(out);
            }
        }
    }

    // ----- begin / accept / commit (spec 9) -----

    pub(crate) fn begin(&mut self, value: Rc<Value>, out: &mut Vec<Effect>) {
        assert!(self.is_leader(), "only the leader begins");
        let v = self.lc() + 1;
        let value = if self.lc() == 0 {
            let mut wrapped = (*value).clone();
            if !wrapped.ops.contains(&ValueOp::SetFirstCommitted(1)) {
                wrapped.ops.insert(0, ValueOp::SetFirstCommitted(1));
            }
            Rc::new(wrapped)
        } else {
            value
        };
        self.paxos.accepted.clear();
        self.paxos.accepted.insert(self.rank);
        self.paxos.new_value = Some(value.clone());
        let pn = self.paxos.accepted_pn;
        self.persist(
            vec![
                StoreWrite::Value(v, value.clone()),
                StoreWrite::Pending { version: v, pn },
            ],
            out,
        );
        if self.quorum.len() == 1 {
            self.commit_start(out);
            return;
        }
        let mut m = self.paxos_msg(PaxosOp::Begin);
        m.pn = pn;
        m.values.insert(v, value);
        self.broadcast(self.quorum_peers(), Msg::Paxos(m), out);
        let t = self.config.accept_timeout_ms;
        self.set_timer(Timer::Accept, t, out);
    }

    fn handle_begin(&mut self, from: Rank, b: &Paxos, out: &mut Vec<Effect>) {
        if b.pn < self.paxos.accepted_pn {
            out.push(Effect::Note(format!(
                "ignore BEGIN pn {} < promised {}",
                b.pn, self.paxos.accepted_pn
            )));
            return;
        }
        let v = self.lc() + 1;
        let Some(value) = b
            .values
            .get(&v)
            .cloned()
            .filter(|_| b.last_committed == self.lc())
        else {
            // Ceph asserts this cannot happen over its lossless sessions; with loss it can.
            out.push(Effect::Note(format!(
                "BEGIN for lc {} but ours is {}: out of step, bootstrap",
                b.last_committed,
                self.lc()
            )));
            self.bootstrap(out);
            return;
        };
        self.set_paxos_state(PaxosState::Updating, out);
        if !self.config.broken(Mutation::KeepLeaseOnBegin) {
            self.paxos.lease_expire_ms = 0;
        }
        self.persist(
            vec![
                StoreWrite::Value(v, value),
                StoreWrite::Pending {
                    version: v,
                    pn: b.pn,
                },
            ],
            out,
        );
        let mut accept = self.paxos_msg(PaxosOp::Accept);
        accept.pn = b.pn;
        self.send(from, Msg::Paxos(accept), out);
    }

    fn handle_accept(&mut self, from: Rank, a: &Paxos, out: &mut Vec<Effect>) {
        if a.pn != self.paxos.accepted_pn || (self.lc() > 0 && a.last_committed + 1 < self.lc()) {
            return;
        }
        if !matches!(
            self.paxos.state,
            PaxosState::Updating | PaxosState::UpdatingPrevious
        ) {
            return; // a late or duplicated ACCEPT of a finished round
        }
        self.paxos.accepted.insert(from);
        let enough = if self.config.broken(Mutation::CommitOnMajority) {
            self.paxos.accepted.len() >= self.config.majority()
        } else {
            self.paxos.accepted == RankSet::from_iter(&self.quorum)
        };
        if enough {
            self.commit_start(out);
        }
    }

    /// Queue the asynchronous commit write (spec 9.5); `commit_finish` runs once it is durable.
    fn commit_start(&mut self, out: &mut Vec<Effect>) {
        self.cancel_timer(Timer::Accept, out);
        let next = if self.paxos.state == PaxosState::UpdatingPrevious {
            PaxosState::WritingPrevious
        } else {
            PaxosState::Writing
        };
        self.set_paxos_state(next, out);
        self.commit_in_flight = Some(self.lc() + 1);
        let t = self.config.commit_write_ms;
        self.set_timer(Timer::CommitWrite, t, out);
    }

    /// The queued commit transaction becomes durable: `lc += 1` with the value's operations.
    fn commit_write_durable(&mut self, out: &mut Vec<Effect>) -> super::store::CommitReplies {
        let Some(v) = self.commit_in_flight.take() else {
            return Vec::new();
        };
        assert_eq!(v, self.lc() + 1, "the commit write targets lc+1");
        self.persist_answering(vec![StoreWrite::Commit(v)], out)
    }

    pub(crate) fn commit_finish(&mut self, out: &mut Vec<Effect>) {
        let replies = self.commit_write_durable(out);
        if !self.is_leader()
            || !matches!(
                self.paxos.state,
                PaxosState::Writing | PaxosState::WritingPrevious
            )
        {
            return;
        }
        self.paxos.lease_expire_ms = 0;
        self.paxos.last_commit_time_ms = self.now_ms;
        let v = self.lc();
        let mut m = self.paxos_msg(PaxosOp::Commit);
        m.pn = self.paxos.accepted_pn;
        if let Some(val) = self.store.values.get(&v) {
            m.values.insert(v, val.clone());
        }
        self.broadcast(self.quorum_peers(), Msg::Paxos(m), out);
        if self
            .store
            .values
            .get(&v)
            .is_some_and(|val| val.ops.iter().any(|op| matches!(op, ValueOp::Trim { .. })))
        {
            self.paxos.trimming = false;
        }
        self.set_paxos_state(PaxosState::Refresh, out);
        self.answer_committed(replies, out);
        if self.quorum.len() > 1 {
            self.extend_lease(out);
        }
        self.finish_round(out);
    }

    fn handle_commit(&mut self, c: &Paxos, out: &mut Vec<Effect>) {
        self.store_shared_values(&c.values, c.last_committed, out);
    }

    /// End of a round on the leader: `active`, trim if due, propose what is pending.
    pub(crate) fn finish_round(&mut self, out: &mut Vec<Effect>) {
        self.set_paxos_state(PaxosState::Active, out);
        self.maybe_trim();
        if !self.service.pending_proposal.is_empty() {
            self.propose_pending(out);
        }
    }

    /// Spec 11: erase old versions inside a replicated value, so every node trims alike.
    fn maybe_trim(&mut self) {
        let (lc, fc, cfg) = (self.lc(), self.fc(), &self.config);
        if self.paxos.trimming || lc.saturating_sub(fc) <= cfg.paxos_min + cfg.trim_min {
            return;
        }
        let end = (lc - cfg.paxos_min).min(fc + cfg.trim_max);
        self.service
            .pending_proposal
            .push(ValueOp::Trim { to: end });
        self.paxos.trimming = true;
    }

    /// Propose the shared pending transaction if Paxos is active; otherwise `finish_round`
    /// will (spec 9.1).
    pub(crate) fn trigger_propose(&mut self, out: &mut Vec<Effect>) {
        if self.is_leader()
            && self.paxos.state == PaxosState::Active
            && !self.service.pending_proposal.is_empty()
        {
            self.propose_pending(out);
        }
    }

    fn propose_pending(&mut self, out: &mut Vec<Effect>) {
        assert!(self.is_leader() && self.paxos.state == PaxosState::Active);
        self.cancel_paxos_timers(out);
        let ops = std::mem::take(&mut self.service.pending_proposal);
        if ops.iter().any(|op| matches!(op, ValueOp::Trim { .. })) {
            self.paxos.trimming = true;
        }
        self.service.committing = ops
            .iter()
            .filter_map(|op| match op {
                ValueOp::Client(r) => Some(r.clone()),
                _ => None,
            })
            .collect();
        self.set_paxos_state(PaxosState::Updating, out);
        self.begin(Rc::new(Value { ops }), out);
    }
}

impl Paxos {
    pub fn op_name(&self) -> &'static str {
        Msg::Paxos(Paxos::new(self.op, 0)).kind()
    }
}
