//! The key-value service on top of Paxos (Ceph's PaxosService, spec section 12): reads are
//! answered locally under a lease; writes go to the leader, gather into one pending
//! transaction, are proposed with Ceph's batching delays, and answered after commit.

use super::messages::*;
use super::monitor::{Effect, Monitor, Timer, Writer};
use super::store::{CommitReplies, ValueOp};
use crate::scenario::Mutation;

impl Monitor {
    pub(crate) fn handle_client(&mut self, req: ClientRequest, out: &mut Vec<Effect>) {
        assert_eq!(
            req.origin, self.rank,
            "a client request arrives at the monitor it names"
        );
        if !req.op.is_write() {
            self.answer_read(req, out);
        } else if self.is_leader() {
            self.accept_write(req, out);
        } else if self.is_peon() {
            self.forward_to_leader(req, out);
        } else {
            let reason = format!(
                "mon.{} is {}, not in a quorum",
                self.rank,
                self.state.name()
            );
            out.push(Effect::Reply {
                req_id: req.id,
                reply: ClientReply::Refused { reason },
            });
        }
    }

    /// Peon: send a write to the leader and remember it until the answer comes back.
    fn forward_to_leader(&mut self, req: ClientRequest, out: &mut Vec<Effect>) {
        let leader = self.leader.expect("a peon knows its leader");
        self.service.forwarded.insert(req.id, req.clone());
        self.send(
            leader,
            Msg::Forward {
                epoch: self.epoch,
                req,
            },
            out,
        );
    }

    /// After an election (`resend_routed_requests`): every write whose client talked to us
    /// and is still unanswered goes to the new leader, or into our own pending state if we
    /// lead now. We are in a quorum again: no session trim is due.
    pub(crate) fn resend_routed_requests(&mut self, out: &mut Vec<Effect>) {
        self.cancel_timer(Timer::SessionTrim, out);
        if self.service.forwarded.is_empty() {
            return;
        }
        let waiting = std::mem::take(&mut self.service.forwarded);
        out.push(Effect::Note(format!(
            "after the election: dispatch {} waiting write(s) again",
            waiting.len()
        )));
        for (_, req) in waiting {
            if self.is_leader() {
                self.accept_write(req, out);
            } else {
                self.forward_to_leader(req, out);
            }
        }
    }

    fn answer_read(&mut self, req: ClientRequest, out: &mut Vec<Effect>) {
        let readable = if self.is_peon() && self.config.broken(Mutation::PeonRefusesReads) {
            Err(format!("mon.{} is a peon (peon-refuses-reads)", self.rank))
        } else {
            self.readable()
        };
        let reply = match readable {
            Ok(()) => ClientReply::Value {
                value: self.store.kv.get(req.op.key()).cloned(),
                version: self.lc(),
            },
            Err(reason) => ClientReply::Refused { reason },
        };
        out.push(Effect::Reply {
            req_id: req.id,
            reply,
        });
    }

    pub(crate) fn handle_forward(
        &mut self,
        from: Rank,
        epoch: Epoch,
        req: &ClientRequest,
        out: &mut Vec<Effect>,
    ) {
        if !self.is_leader() || epoch != self.epoch || req.origin != from {
            return; // forwarded in another epoch: discarded; the peon resends it after the election
        }
        self.accept_write(req.clone(), out);
    }

    pub(crate) fn handle_forward_reply(
        &mut self,
        req_id: ReqId,
        reply: &ClientReply,
        out: &mut Vec<Effect>,
    ) {
        if self.service.forwarded.remove(&req_id).is_some() {
            out.push(Effect::Reply {
                req_id,
                reply: reply.clone(),
            });
        }
    }

    /// Leader: add a write to the pending state and decide when to propose (`should_propose`).
    fn accept_write(&mut self, req: ClientRequest, out: &mut Vec<Effect>) {
        if self.config.broken(Mutation::RefuseWrites) {
            let reason = format!("mon.{} refuses writes (refuse-writes)", self.rank);
            self.answer(Writer::of(&req), ClientReply::Refused { reason }, out);
            return;
        }
        self.service.pending_ops.push(req);
        if self.timer_armed(Timer::Propose) {
            return; // joins the proposal already scheduled
        }
        let delay = self.propose_delay_ms();
        self.set_timer(Timer::Propose, delay, out);
    }

    /// Spec 12 `should_propose`: at once while young, after `min_wait` when idle for more than
    /// `propose_interval`, else when `propose_interval` has passed since the last commit.
    fn propose_delay_ms(&self) -> u64 {
        if self.store.kv_version <= 1 {
            return 0;
        }
        let since = self.now_ms.saturating_sub(self.paxos.last_commit_time_ms);
        if since > self.config.propose_interval_ms {
            self.config.min_wait_ms
        } else {
            self.config.propose_interval_ms - since
        }
    }

    pub(crate) fn propose_timer_fired(&mut self, out: &mut Vec<Effect>) {
        if !self.is_leader() || self.service.pending_ops.is_empty() {
            return;
        }
        let ops = std::mem::take(&mut self.service.pending_ops);
        self.service
            .pending_proposal
            .extend(ops.into_iter().map(ValueOp::Client));
        self.trigger_propose(out);
    }

    /// After our commit: answer this round's writers, locally or through their peon.
    pub(crate) fn answer_committed(&mut self, replies: CommitReplies, out: &mut Vec<Effect>) {
        let committing = std::mem::take(&mut self.service.committing);
        for writer in committing.iter().map(Writer::of) {
            let Some((_, reply)) = replies.iter().find(|(id, _)| *id == writer.req_id) else {
                continue;
            };
            self.answer(writer, reply.clone(), out);
        }
    }

    /// Leader: answer a writer, locally or through the peon its client talked to.
    fn answer(&self, writer: Writer, reply: ClientReply, out: &mut Vec<Effect>) {
        if writer.origin == self.rank {
            out.push(Effect::Reply {
                req_id: writer.req_id,
                reply,
            });
        } else {
            let msg = Msg::ForwardReply {
                req_id: writer.req_id,
                reply,
            };
            self.send(writer.origin, msg, out);
        }
    }

    /// On any reset: unproposed changes are dropped. The writes whose clients talked to us
    /// wait to be dispatched again after the election (Ceph wakes them with EAGAIN and its
    /// retry callback re-dispatches them); the writes other monitors forwarded to us are
    /// dropped, since their monitor resends them. A value already sent in BEGIN may still
    /// commit under the next leader: the store applies a request once (`Store::applied`).
    pub(crate) fn service_restart(&mut self, out: &mut Vec<Effect>) {
        self.cancel_timer(Timer::Propose, out);
        let unproposed: Vec<ClientRequest> = std::mem::take(&mut self.service.pending_proposal)
            .into_iter()
            .filter_map(|op| match op {
                ValueOp::Client(req) => Some(req),
                _ => None,
            })
            .collect();
        let mut waiting = std::mem::take(&mut self.service.pending_ops);
        waiting.extend(unproposed);
        waiting.append(&mut self.service.committing);
        let mut kept = 0;
        for req in waiting {
            if req.origin == self.rank {
                self.service.forwarded.insert(req.id, req);
                kept += 1;
            }
        }
        if kept > 0 {
            out.push(Effect::Note(format!(
                "{kept} write(s) of our clients wait for the next election"
            )));
        }
    }

    /// We just left a quorum (Ceph's `exited_quorum`): if writes of our clients wait for the
    /// next election, arm the session trim for `2 × mon_lease` from now. Writes can only
    /// start waiting here, at the reset that leaves a quorum: out of one, a write is refused.
    pub(crate) fn arm_session_trim(&mut self, out: &mut Vec<Effect>) {
        if self.service.forwarded.is_empty() || self.timer_armed(Timer::SessionTrim) {
            return;
        }
        self.set_timer(Timer::SessionTrim, 2 * self.config.lease_ms, out);
    }

    /// Ceph's `Monitor::tick` closes every client session of a monitor out of quorum for more
    /// than `2 × mon_lease` (`out_for_too_long`), and `remove_session` drops the requests it
    /// routed for them. Their clients are told to retry: each write may still commit (it may
    /// have been proposed before the election) or never.
    pub(crate) fn trim_client_sessions(&mut self, out: &mut Vec<Effect>) {
        if self.is_leader() || self.is_peon() {
            return;
        }
        let waiting = std::mem::take(&mut self.service.forwarded);
        let out_s = crate::decimal::ms_as_seconds(2 * self.config.lease_ms);
        out.push(Effect::Note(format!(
            "out of quorum for {out_s} s (2 × mon_lease): close the client sessions, {} write(s) unanswered",
            waiting.len()
        )));
        for (req_id, _) in waiting {
            let reason = format!(
                "mon.{} was out of quorum for {out_s} s and closed the client's session; the write may still commit",
                self.rank
            );
            out.push(Effect::Reply {
                req_id,
                reply: ClientReply::Retry { reason },
            });
        }
    }
}
