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
            let leader = self.leader.expect("a peon knows its leader");
            self.service.forwarded.insert(req.id);
            self.send(
                leader,
                Msg::Forward {
                    epoch: self.epoch,
                    req,
                },
                out,
            );
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
            return; // forwarded in another epoch: the peon fails it when it resets
        }
        self.accept_write(req.clone(), out);
    }

    pub(crate) fn handle_forward_reply(
        &mut self,
        req_id: ReqId,
        reply: &ClientReply,
        out: &mut Vec<Effect>,
    ) {
        if self.service.forwarded.remove(&req_id) {
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
        for writer in committing {
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

    /// On any reset: unproposed changes are dropped and every waiting client is told to retry
    /// (a value already sent in BEGIN may still commit under the next leader).
    pub(crate) fn service_restart(&mut self, out: &mut Vec<Effect>) {
        self.cancel_timer(Timer::Propose, out);
        // Writes taken into the pending transaction but not proposed yet (Paxos was busy)
        // have waiting clients too.
        let unproposed: Vec<Writer> = std::mem::take(&mut self.service.pending_proposal)
            .iter()
            .filter_map(|op| match op {
                ValueOp::Client(req) => Some(Writer::of(req)),
                _ => None,
            })
            .collect();
        let forwarded = std::mem::take(&mut self.service.forwarded);
        let waiting: Vec<Writer> = self
            .service
            .pending_ops
            .drain(..)
            .map(|req| Writer::of(&req))
            .chain(unproposed)
            .chain(self.service.committing.drain(..))
            .chain(forwarded.into_iter().map(|req_id| Writer {
                req_id,
                origin: self.rank,
            }))
            .collect();
        for writer in waiting {
            if writer.origin == self.rank {
                let reason = format!(
                    "mon.{} left its quorum (election or bootstrap) before the write committed",
                    self.rank
                );
                out.push(Effect::Reply {
                    req_id: writer.req_id,
                    reply: ClientReply::Retry { reason },
                });
            }
        }
    }
}
