//! Ceph's elector (ceph-paxos spec section 6; ceph-elections spec sections 2-5): odd epochs
//! while electing, even epochs once a quorum exists, victory with every monitor's ack at once
//! or a majority when the expire timer fires. How a PROPOSE is judged and whether a VICTORY
//! is accepted depend on the monmap's strategy (`ElectionLogic`'s three handlers): classic
//! (lowest rank), disallow (lowest allowed rank), connectivity (best frozen score).

use super::config::IGNORE_PROPOSE_MARGIN;
use super::connection::ConnectionTracker;
use super::messages::*;
use super::monitor::{Effect, MonState, Monitor, Timer};
use super::store::{StoreWrite, ValueOp};
use crate::scenario::{ElectionStrategy, MonmapChange};
use crate::sorted::SortedSet;
use std::rc::Rc;

/// A monitor that deferred to another waits this much longer than `mon_election_timeout`
/// for its VICTORY (Ceph's elector adds one second).
pub const DEFER_EXTRA_MS: u64 = 1_000;

/// "a beats b": a higher score, or an equal score and a lower rank (exact f64 comparison).
pub fn beats(a: Rank, score_a: f64, b: Rank, score_b: f64) -> bool {
    score_a > score_b || (score_a == score_b && a < b)
}

impl Monitor {
    pub(crate) fn handle_election(&mut self, from: Rank, e: &Election, out: &mut Vec<Effect>) {
        // Election messages (and their tables) are dropped while probing or synchronizing.
        if matches!(
            self.state,
            MonState::Probing | MonState::Synchronizing | MonState::Init
        ) {
            return;
        }
        // `Elector::dispatch`: a message of another strategy is ignored.
        if e.strategy != self.monmap.strategy {
            out.push(Effect::Note(format!(
                "{} from mon.{from} runs the {} strategy, we run {}: ignored",
                Msg::Election(e.clone()).kind(),
                e.strategy.name(),
                self.monmap.strategy.name()
            )));
            return;
        }
        self.begin_peer_ping(from, out);
        if let Some(t) = &e.scoring {
            self.tracker.receive_peer_report(t);
        }
        match e.op {
            ElectionOp::Propose => self.receive_propose(from, e.epoch, e.sharing.as_ref(), out),
            ElectionOp::Ack => self.handle_ack(from, e.epoch, out),
            ElectionOp::Victory => self.handle_victory(from, e.epoch, e.quorum.clone(), out),
            ElectionOp::Nak => {}
        }
    }

    /// An election message of our strategy, carrying our live table when we keep scores.
    pub(crate) fn election_msg(&self, op: ElectionOp, quorum: SortedSet<Rank>) -> Election {
        let mut e = Election::new(op, self.epoch, quorum);
        e.strategy = self.monmap.strategy;
        if self.keeps_scores() {
            e.scoring = Some(Rc::new(self.tracker.clone()));
        }
        e
    }

    fn is_connectivity(&self) -> bool {
        self.monmap.strategy == ElectionStrategy::Connectivity
    }

    pub(crate) fn is_disallowed(&self, r: Rank) -> bool {
        self.monmap.disallowed_leaders.contains(&r)
    }

    /// Persist a new epoch and join the election at it (Ceph's `bump_epoch`).
    fn bump_epoch(&mut self, epoch: Epoch, out: &mut Vec<Effect>) {
        assert!(
            self.epoch <= epoch,
            "epochs never decrease ({} -> {epoch})",
            self.epoch
        );
        self.epoch = epoch;
        if self.keeps_scores() {
            self.tracker.increase_epoch(epoch);
        }
        self.persist_epoch(epoch, out);
        self.elector.electing_me = false;
        self.elector.acked_me.clear();
        self.join_election(out);
    }

    /// `Elector::persist_epoch`: the epoch and the score table in one transaction.
    fn persist_epoch(&mut self, epoch: Epoch, out: &mut Vec<Effect>) {
        let mut txn = vec![StoreWrite::ElectionEpoch(epoch)];
        if !self.tracker.is_untouched() {
            txn.push(StoreWrite::ConnectivityScores(Rc::new(
                self.tracker.clone(),
            )));
        }
        self.persist(txn, out);
    }

    /// Enter `electing` (resetting Paxos and the services) without proposing ourselves.
    fn join_election(&mut self, out: &mut Vec<Effect>) {
        self.cancel_timer(Timer::Probe, out);
        self.reset(out);
        self.set_state(MonState::Electing, out);
    }

    /// Monitor-level `start_election`: reset, enter `electing`, propose ourselves.
    pub(crate) fn start_election(&mut self, out: &mut Vec<Effect>) {
        self.join_election(out);
        self.elector_start(out);
    }

    /// Ceph's `ElectionLogic::init`: the first-boot and odd-epoch quirk (spec 6.2).
    fn elector_init(&mut self, out: &mut Vec<Effect>) {
        let persisted = self.store.election_epoch;
        if persisted == 0 {
            self.epoch = 1; // first boot: not persisted
        } else if persisted % 2 == 1 {
            self.epoch = persisted + 1;
            self.persist_epoch(self.epoch, out);
        } else {
            self.epoch = persisted;
        }
    }

    /// `clear_live_election_state`: forget whom we acked and re-freeze the scores.
    fn clear_live_election_state(&mut self) {
        self.elector.leader_acked = None;
        self.elector.electing_me = false;
        self.reset_stable_tracker();
        self.elector.leader_peer_tracker = None;
    }

    /// `reset_stable_tracker`: freeze a copy of the live table (connectivity votes on it).
    fn reset_stable_tracker(&mut self) {
        if self.is_connectivity() {
            self.elector.stable_peer_tracker = Some(Rc::new(self.tracker.clone()));
        }
    }

    /// `ElectionLogic::start` (spec 6.3).
    fn elector_start(&mut self, out: &mut Vec<Effect>) {
        self.elector.acked_me.clear();
        self.elector_init(out);
        if self.epoch.is_multiple_of(2) {
            let next = self.epoch + 1;
            self.bump_epoch(next, out);
        }
        self.set_state(MonState::Electing, out);
        self.elector.acked_me.insert(self.rank);
        self.clear_live_election_state();
        self.elector.electing_me = true;
        let mut propose = self.election_msg(ElectionOp::Propose, SortedSet::new());
        if self.is_connectivity() {
            propose.sharing = self.elector.stable_peer_tracker.clone();
        }
        self.broadcast(self.others(), Msg::Election(propose), out);
        let t = self.config.election_timeout_ms;
        self.set_timer(Timer::Election, t, out);
    }

    /// `ElectionLogic::receive_propose`: the strategy's handler judges it.
    fn receive_propose(
        &mut self,
        from: Rank,
        epoch: Epoch,
        sharing: Option<&Rc<ConnectionTracker>>,
        out: &mut Vec<Effect>,
    ) {
        match self.monmap.strategy {
            ElectionStrategy::Classic => self.propose_classic_handler(from, epoch, out),
            ElectionStrategy::Disallow => self.propose_disallow_handler(from, epoch, out),
            ElectionStrategy::Connectivity => {
                self.propose_connectivity_handler(from, epoch, sharing, out)
            }
        }
    }

    /// The epoch rules classic and disallow share; true when the proposal is dealt with.
    fn propose_classic_prefix(&mut self, from: Rank, epoch: Epoch, out: &mut Vec<Effect>) -> bool {
        if epoch > self.epoch {
            self.bump_epoch(epoch, out);
        } else if epoch < self.epoch {
            self.old_propose(from, epoch, out);
            return true;
        }
        false
    }

    /// A PROPOSE from an older epoch: if we are in a quorum that lacks its sender, the sender
    /// must have just started, so call an election to bring it in.
    fn old_propose(&mut self, from: Rank, epoch: Epoch, out: &mut Vec<Effect>) {
        if self.epoch.is_multiple_of(2) && !self.quorum.contains(&from) {
            out.push(Effect::Note(format!(
                "stale PROPOSE e{epoch} from mon.{from}, not in our quorum: start a new election"
            )));
            self.start_election(out);
        }
    }

    fn propose_classic_handler(&mut self, from: Rank, epoch: Epoch, out: &mut Vec<Effect>) {
        if self.propose_classic_prefix(from, epoch, out) {
            return;
        }
        if self.rank < from {
            // We would win against them.
            self.i_should_win(out);
        } else {
            let defer = match self.elector.leader_acked {
                None => true,
                Some(acked) => acked >= from,
            };
            if defer {
                self.defer(from, out);
            }
        }
    }

    /// `propose_disallow_handler` (spec 4): allowed beats disallowed, then the lower rank.
    fn propose_disallow_handler(&mut self, from: Rank, epoch: Epoch, out: &mut Vec<Effect>) {
        if self.propose_classic_prefix(from, epoch, out) {
            return;
        }
        let (me, d_me, d_from) = (
            self.rank,
            self.is_disallowed(self.rank),
            self.is_disallowed(from),
        );
        let my_win = !d_me && (me < from || d_from);
        let their_win =
            !d_from && (me > from || d_me) && self.elector.leader_acked.is_none_or(|l| l >= from);
        if my_win {
            self.i_should_win(out);
        } else if their_win {
            self.defer(from, out);
        }
    }

    /// We would beat the proposer: unless we acked someone, make sure we are running.
    fn i_should_win(&mut self, out: &mut Vec<Effect>) {
        if self.elector.leader_acked.is_none() && !self.elector.electing_me {
            self.start_election(out);
        }
    }

    /// The table votes are computed on: the frozen copy, or the live one before any copy.
    fn voting_table(&self) -> &ConnectionTracker {
        self.elector
            .stable_peer_tracker
            .as_deref()
            .unwrap_or(&self.tracker)
    }

    /// `connectivity_election_score`: -1 for a disallowed rank, else its total on the
    /// voting table; `None` (rank -1 in Ceph) scores 0.
    pub fn connectivity_election_score(&self, rank: Option<Rank>) -> f64 {
        match rank {
            None => 0.0,
            Some(r) if self.is_disallowed(r) => -1.0,
            Some(r) => self.voting_table().total_connection_score(r).0,
        }
    }

    /// The peon filter (spec 5.3): true when an out-of-quorum proposal is dropped.
    fn peon_filter_drops(&self, from: Rank) -> bool {
        if !self.epoch.is_multiple_of(2)
            || self.elector.last_election_winner == Some(self.rank)
            || self.quorum.contains(&from)
        {
            return false;
        }
        let (mut best, mut best_score, mut voted_score) = (0, 0.0, 0.0);
        for r in 0..self.n() {
            let score = self.connectivity_election_score(Some(r));
            if score > best_score {
                best = r;
                best_score = score;
            }
            if self.elector.last_voted_for == Some(r) {
                voted_score = score;
            }
        }
        Some(best) == self.elector.last_voted_for
            || best_score - voted_score < IGNORE_PROPOSE_MARGIN
    }

    /// `propose_connectivity_handler` (spec 5.3-5.5).
    fn propose_connectivity_handler(
        &mut self,
        from: Rank,
        epoch: Epoch,
        sharing: Option<&Rc<ConnectionTracker>>,
        out: &mut Vec<Effect>,
    ) {
        if self.peon_filter_drops(from) {
            out.push(Effect::Note(format!(
                "PROPOSE e{epoch} from mon.{from}, outside our quorum, would not change our \
                 vote: dropped"
            )));
            return;
        }
        if epoch > self.epoch {
            self.connectivity_bump_epoch_in_election(epoch, out);
        } else if epoch < self.epoch {
            self.old_propose(from, epoch, out);
            return;
        }
        let me = self.rank;
        let my_score = self.connectivity_election_score(Some(me));
        let from_score = self.connectivity_election_score(Some(from));
        let leader = self.elector.leader_acked;
        let leader_score = match leader {
            Some(_) => self.connectivity_election_score(leader),
            None => -1.0,
        };
        let my_win = my_score >= 0.0 && beats(me, my_score, from, from_score);
        let their_win = from_score >= 0.0
            && beats(from, from_score, me, my_score)
            && (from_score > leader_score
                || (leader.is_none_or(|l| from <= l) && from_score >= leader_score));
        assert!(
            (my_score.is_finite() && from_score.is_finite()),
            "scores are finite"
        );
        if my_win {
            if leader.is_some() {
                debug_assert!(
                    leader_score >= from_score,
                    "our acked leader still beats them"
                );
            } else {
                self.i_should_win(out);
            }
            return;
        }
        if !(their_win || leader == Some(from)) {
            return;
        }
        match leader {
            Some(l) if l != from => self.switch_allegiance(from, l, sharing, out),
            _ => self.defer_keeping(from, sharing, out),
        }
    }

    /// Rule 5.5 2a/2b: we acked `leader` and `from` beats it on our frozen scores.
    fn switch_allegiance(
        &mut self,
        from: Rank,
        leader: Rank,
        sharing: Option<&Rc<ConnectionTracker>>,
        out: &mut Vec<Effect>,
    ) {
        let theirs = self
            .elector
            .leader_peer_tracker
            .as_deref()
            .unwrap_or(&self.tracker);
        let raw = |t: &ConnectionTracker, r| t.total_connection_score(r).0;
        if beats(from, raw(theirs, from), leader, raw(theirs, leader)) {
            self.defer_keeping(from, sharing, out);
        } else if beats(
            from,
            raw(&self.tracker, from),
            leader,
            raw(&self.tracker, leader),
        ) {
            out.push(Effect::Note(format!(
                "we acked mon.{leader}, which would not defer to mon.{from}, yet our live \
                 scores prefer mon.{from}: score disagreement, bump and run"
            )));
            let next = self.epoch + 1;
            self.bump_epoch(next, out);
            self.elector_start(out);
        }
    }

    /// Defer to `from` and keep the frozen table it proposed with.
    fn defer_keeping(
        &mut self,
        from: Rank,
        sharing: Option<&Rc<ConnectionTracker>>,
        out: &mut Vec<Effect>,
    ) {
        self.defer(from, out);
        self.elector.leader_peer_tracker = sharing.cloned();
    }

    /// `connectivity_bump_epoch_in_election` (spec 5.4).
    fn connectivity_bump_epoch_in_election(&mut self, epoch: Epoch, out: &mut Vec<Effect>) {
        assert!(epoch > self.epoch, "a bump moves forward");
        self.bump_epoch(epoch, out);
        self.reset_stable_tracker();
        let mine = self.connectivity_election_score(Some(self.rank));
        let theirs = self.connectivity_election_score(self.elector.leader_acked);
        if mine > theirs {
            self.elector.leader_acked = None;
            self.elector.leader_peer_tracker = None;
        }
    }

    /// `ElectionLogic::defer`: drop out of our own candidacy and ACK `who`.
    fn defer(&mut self, who: Rank, out: &mut Vec<Effect>) {
        if self.monmap.strategy == ElectionStrategy::Classic {
            assert!(who < self.rank, "classic defers to lower ranks only");
        } else {
            assert!(
                !self.is_disallowed(who),
                "never defer to a disallowed leader"
            );
        }
        if self.elector.electing_me {
            self.elector.acked_me.clear();
            self.elector.electing_me = false;
        }
        self.elector.leader_acked = Some(who);
        let ack = self.election_msg(ElectionOp::Ack, SortedSet::new());
        self.send(who, Msg::Election(ack), out);
        let t = self.config.election_timeout_ms + DEFER_EXTRA_MS;
        self.set_timer(Timer::Election, t, out);
    }

    fn handle_ack(&mut self, from: Rank, epoch: Epoch, out: &mut Vec<Effect>) {
        if epoch != self.epoch || !self.elector.electing_me {
            return; // older epoch, or not electing ourselves
        }
        self.elector.acked_me.insert(from);
        if self.elector.acked_me.len() == self.n() as usize {
            out.push(Effect::Note(
                "every monitor acked: declare victory at once".into(),
            ));
            self.declare_victory(out);
        }
    }

    /// Expire timer (spec 6.6).
    pub(crate) fn election_expire(&mut self, out: &mut Vec<Effect>) {
        if self.elector.electing_me && self.elector.acked_me.len() > self.n() as usize / 2 {
            out.push(Effect::Note(format!(
                "election timeout with {} of {} acks: declare victory",
                self.elector.acked_me.len(),
                self.n()
            )));
            self.declare_victory(out);
        } else if self.store.joined {
            out.push(Effect::Note(
                "election timeout without a win: start again".into(),
            ));
            self.start_election(out);
        } else {
            out.push(Effect::Note(
                "election timeout, never joined a quorum: bootstrap".into(),
            ));
            self.bootstrap(out);
        }
    }

    fn declare_victory(&mut self, out: &mut Vec<Effect>) {
        if self.is_connectivity() {
            self.elector.last_election_winner = Some(self.rank);
            self.elector.last_voted_for = Some(self.rank);
        }
        self.clear_live_election_state();
        // Inserted one by one, not collected: `collect` into a set instantiates a sort (wasm
        // bytes) that the already ordered ranks do not need.
        let mut quorum: SortedSet<Rank> = SortedSet::new();
        for r in std::mem::take(&mut self.elector.acked_me).iter() {
            quorum.insert(r);
        }
        assert!(self.epoch % 2 == 1, "victory is declared from an odd epoch");
        let next = self.epoch + 1;
        self.bump_epoch(next, out);
        let victory = self.election_msg(ElectionOp::Victory, quorum.clone());
        let peers = quorum.iter().copied().filter(|r| *r != self.rank);
        self.broadcast(peers, Msg::Election(victory), out);
        self.cancel_timer(Timer::Election, out);
        self.win_election(quorum, out);
    }

    /// `victory_makes_sense`: connectivity accepts a winner scoring at least our own score.
    /// (Classic and disallow assert that the winner outranks us or that we are disallowed;
    /// the only way to break that is a protocol bug, and the checker reports those.)
    fn victory_makes_sense(&self, from: Rank) -> bool {
        match self.monmap.strategy {
            ElectionStrategy::Classic | ElectionStrategy::Disallow => true,
            ElectionStrategy::Connectivity => {
                self.connectivity_election_score(Some(from))
                    >= self.connectivity_election_score(Some(self.rank))
            }
        }
    }

    fn handle_victory(
        &mut self,
        from: Rank,
        epoch: Epoch,
        quorum: SortedSet<Rank>,
        out: &mut Vec<Effect>,
    ) {
        if epoch < self.epoch {
            return;
        }
        let okay = self.victory_makes_sense(from);
        if self.is_connectivity() {
            self.elector.last_election_winner = Some(from);
            self.elector.last_voted_for = self.elector.leader_acked;
        }
        self.clear_live_election_state();
        if !okay {
            out.push(Effect::Note(format!(
                "VICTORY e{epoch} from mon.{from}, which scores below us: bump and run"
            )));
            self.bump_epoch(epoch, out);
            self.elector_start(out);
        } else if epoch == self.epoch + 1 {
            self.bump_epoch(epoch, out);
            self.cancel_timer(Timer::Election, out);
            self.lose_election(from, quorum, out);
        } else {
            out.push(Effect::Note(format!(
                "VICTORY e{epoch} out of step with our e{}: new election",
                self.epoch
            )));
            self.bump_epoch(epoch, out);
            self.start_election(out);
        }
    }

    fn mark_joined(&mut self, out: &mut Vec<Effect>) {
        if !self.store.joined {
            self.persist(vec![StoreWrite::Joined], out);
        }
    }

    fn win_election(&mut self, quorum: SortedSet<Rank>, out: &mut Vec<Effect>) {
        self.set_state(MonState::Leader, out);
        self.leader = Some(self.rank);
        self.quorum = quorum;
        self.quorum_pinging = self.keeps_scores();
        self.mark_joined(out);
        self.leader_init(out);
        if self.lc() == 0 {
            self.service.pending_proposal.push(ValueOp::InitialState);
        }
        let bookkeeping = ValueOp::Bookkeeping {
            epoch: self.epoch,
            leader: self.rank,
        };
        self.service.pending_proposal.push(bookkeeping);
        self.trigger_propose(out);
        self.resend_routed_requests(out);
    }

    fn lose_election(&mut self, leader: Rank, quorum: SortedSet<Rank>, out: &mut Vec<Effect>) {
        self.set_state(MonState::Peon, out);
        self.leader = Some(leader);
        self.quorum = quorum;
        self.quorum_pinging = self.keeps_scores();
        self.mark_joined(out);
        self.peon_init(out);
        self.resend_routed_requests(out);
    }

    /// A one-monitor monmap elects itself at once (spec 7.1).
    pub(crate) fn win_standalone_election(&mut self, out: &mut Vec<Effect>) {
        self.elector_init(out);
        if self.epoch.is_multiple_of(2) {
            let next = self.epoch + 1;
            self.bump_epoch(next, out);
        }
        let next = self.epoch + 1;
        self.bump_epoch(next, out);
        let mut quorum = SortedSet::new();
        quorum.insert(self.rank);
        self.win_election(quorum, out);
    }

    /// `Monitor::notify_new_monmap` for the election fields: take the new strategy or
    /// disallowed set, persist it, and bootstrap (every monmap change does, spec 1.2).
    pub(crate) fn notify_new_monmap(&mut self, change: MonmapChange, out: &mut Vec<Effect>) {
        let mut monmap = self.monmap.clone();
        match change {
            MonmapChange::Strategy(s) => monmap.strategy = s,
            MonmapChange::DisallowedLeaders(ranks) => {
                if !self.monmap.strategy.reads_disallowed() {
                    out.push(Effect::Note(
                        "disallowed leaders are refused under the classic strategy (Ceph \
                         answers EINVAL): monmap unchanged"
                            .into(),
                    ));
                    return;
                }
                monmap.disallowed_leaders = ranks.into_iter().collect();
            }
        }
        if monmap == self.monmap {
            return; // Ceph: a no-op when unchanged
        }
        out.push(Effect::Note(format!(
            "new monmap: strategy {}, disallowed leaders {:?}: bootstrap",
            monmap.strategy.name(),
            monmap.disallowed_leaders
        )));
        // The cluster pinged before the change (Ceph pings under every strategy): a monitor
        // that was in a quorum keeps its gate open.
        self.quorum_pinging |= self.is_leader() || self.is_peon();
        self.monmap = monmap.clone();
        self.persist(vec![StoreWrite::Monmap(monmap)], out);
        self.elector.stable_peer_tracker = None;
        self.elector.leader_peer_tracker = None;
        self.bootstrap(out);
    }
}
