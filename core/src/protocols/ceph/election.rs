//! The classic election strategy (spec section 6): odd epochs while electing, even epochs
//! once a quorum exists, the lowest rank wins, victory with every monitor's ack at once or a
//! majority when the expire timer fires.

use super::messages::*;
use super::monitor::{Effect, MonState, Monitor, Timer};
use super::store::{StoreWrite, ValueOp};
use crate::sorted::SortedSet;

/// A monitor that deferred to another waits this much longer than `mon_election_timeout`
/// for its VICTORY (Ceph's elector adds one second).
pub const DEFER_EXTRA_MS: u64 = 1_000;

impl Monitor {
    pub(crate) fn handle_election(&mut self, from: Rank, e: &Election, out: &mut Vec<Effect>) {
        // Election messages are dropped while probing or synchronizing (spec 2).
        if matches!(
            self.state,
            MonState::Probing | MonState::Synchronizing | MonState::Init
        ) {
            return;
        }
        match e.op {
            ElectionOp::Propose => self.handle_propose(from, e.epoch, out),
            ElectionOp::Ack => self.handle_ack(from, e.epoch, out),
            ElectionOp::Victory => self.handle_victory(from, e.epoch, e.quorum.clone(), out),
            ElectionOp::Nak => {}
        }
    }

    /// Persist a new epoch and join the election at it (Ceph's `bump_epoch`).
    fn bump_epoch(&mut self, epoch: Epoch, out: &mut Vec<Effect>) {
        assert!(
            self.epoch <= epoch,
            "epochs never decrease ({} -> {epoch})",
            self.epoch
        );
        self.epoch = epoch;
        self.persist(vec![StoreWrite::ElectionEpoch(epoch)], out);
        self.elector.electing_me = false;
        self.elector.acked_me.clear();
        self.join_election(out);
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
            self.persist(vec![StoreWrite::ElectionEpoch(self.epoch)], out);
        } else {
            self.epoch = persisted;
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
        self.elector.leader_acked = None;
        self.elector.electing_me = true;
        let propose = Election {
            op: ElectionOp::Propose,
            epoch: self.epoch,
            quorum: SortedSet::new(),
        };
        self.broadcast(self.others(), Msg::Election(propose), out);
        let t = self.config.election_timeout_ms;
        self.set_timer(Timer::Election, t, out);
    }

    fn handle_propose(&mut self, from: Rank, epoch: Epoch, out: &mut Vec<Effect>) {
        if epoch > self.epoch {
            self.bump_epoch(epoch, out);
        } else if epoch < self.epoch {
            let in_quorum = self.quorum.contains(&from);
            if self.epoch.is_multiple_of(2) && !in_quorum {
                out.push(Effect::Note(format!(
                    "stale PROPOSE e{epoch} from mon.{from}, not in our quorum: start a new election"
                )));
                self.start_election(out);
            }
            return;
        }
        if self.rank < from {
            // We would win against them.
            if self.elector.leader_acked.is_none() && !self.elector.electing_me {
                self.start_election(out);
            }
        } else {
            self.maybe_defer(from, out);
        }
    }

    fn maybe_defer(&mut self, from: Rank, out: &mut Vec<Effect>) {
        let defer = match self.elector.leader_acked {
            None => true,
            Some(acked) => acked >= from,
        };
        if !defer {
            return;
        }
        if self.elector.electing_me {
            self.elector.acked_me.clear();
            self.elector.electing_me = false;
        }
        self.elector.leader_acked = Some(from);
        let ack = Election {
            op: ElectionOp::Ack,
            epoch: self.epoch,
            quorum: SortedSet::new(),
        };
        self.send(from, Msg::Election(ack), out);
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
        self.elector.leader_acked = None;
        self.elector.electing_me = false;
        // Inserted one by one, not collected: `collect` into a set instantiates a sort (wasm
        // bytes) that the already ordered ranks do not need.
        let mut quorum: SortedSet<Rank> = SortedSet::new();
        for r in std::mem::take(&mut self.elector.acked_me).iter() {
            quorum.insert(r);
        }
        assert!(self.epoch % 2 == 1, "victory is declared from an odd epoch");
        let next = self.epoch + 1;
        self.bump_epoch(next, out);
        let victory = Election {
            op: ElectionOp::Victory,
            epoch: self.epoch,
            quorum: quorum.clone(),
        };
        let peers = quorum.iter().copied().filter(|r| *r != self.rank);
        self.broadcast(peers, Msg::Election(victory), out);
        self.cancel_timer(Timer::Election, out);
        self.win_election(quorum, out);
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
        self.elector.leader_acked = None;
        self.elector.electing_me = false;
        if epoch == self.epoch + 1 {
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
    }

    fn lose_election(&mut self, leader: Rank, quorum: SortedSet<Rank>, out: &mut Vec<Effect>) {
        self.set_state(MonState::Peon, out);
        self.leader = Some(leader);
        self.quorum = quorum;
        self.mark_joined(out);
        self.peon_init(out);
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
}
