//! The world's client history, built so that time travel does not copy it.
//!
//! The history grows with the run (one record per client request), so a session's snapshots
//! do not save it (see `session.rs`). Instead, after a seek back, the records of the known
//! future stay in place, invisible: `records[..visible]` is the history at the playhead. A
//! record, once answered, never changes, so rewinding to an earlier point only has to hide
//! the later records and clear the answers given after that point; the answers cleared are
//! kept (`rewound`) and put back first at the next rewind, which brings every record back to
//! its state at the frontier (the furthest point the run reached).

use super::world::ClientRecord;
use crate::client::{ClientOp, ClientReply, ReqId};

/// Fewest records the history grows by at once.
const MIN_GROWTH: usize = 1_024;

#[derive(Clone, Debug, Default)]
pub(crate) struct ClientHistory {
    records: Vec<ClientRecord>,
    visible: usize,
    /// Answers (index, complete_ms, reply) cleared by a rewind or a replay, as they stand at
    /// the frontier.
    rewound: Vec<(usize, Option<u64>, Option<ClientReply>)>,
}

impl ClientHistory {
    pub fn visible(&self) -> &[ClientRecord] {
        &self.records[..self.visible]
    }

    /// A new request. While replaying the known future, the record is already there: it
    /// becomes visible and its later answer is cleared until the replay gives it again.
    pub fn start(&mut self, node: u8, op: &ClientOp, invoke_ms: u64) -> ReqId {
        let id = self.visible as ReqId + 1;
        if self.visible < self.records.len() {
            let rec = &mut self.records[self.visible];
            debug_assert!(
                rec.node == node && rec.op == *op && rec.invoke_ms == invoke_ms,
                "a replay repeats its requests"
            );
            self.rewound
                .push((self.visible, rec.complete_ms.take(), rec.reply.take()));
        } else {
            self.grow_if_full();
            self.records.push(ClientRecord {
                id,
                node,
                op: op.clone(),
                invoke_ms,
                complete_ms: None,
                reply: None,
            });
        }
        self.visible += 1;
        id
    }

    /// Make room by a quarter more (at least `MIN_GROWTH` records) instead of letting `push`
    /// double the buffer: the history is the largest single buffer of a long run (128 bytes
    /// per record, one record every ~7 events of the bench's load), and doubling left up to
    /// half of it unused (a 262,144-record buffer for 143,093 records at 10^6 events: 33.5 MB
    /// for 18.4 MB of records). Growing by a quarter wastes at most a fifth, and keeps the
    /// amortised cost of a push constant.
    fn grow_if_full(&mut self) {
        if self.records.len() == self.records.capacity() {
            self.records
                .reserve_exact((self.records.len() / 4).max(MIN_GROWTH));
        }
    }

    /// The visible record with this id.
    pub fn get(&self, id: ReqId) -> Option<&ClientRecord> {
        let rec = self.visible().get(Self::index(id)?)?;
        debug_assert_eq!(rec.id, id, "client records are kept in id order");
        Some(rec)
    }

    /// The visible record with this id, to answer it.
    pub fn get_mut(&mut self, id: ReqId) -> Option<&mut ClientRecord> {
        self.records[..self.visible].get_mut(Self::index(id)?)
    }

    /// Where the record with this id sits: ids count from 1 in the order requests were made.
    fn index(id: ReqId) -> Option<usize> {
        (id as usize).checked_sub(1)
    }

    /// Show the history as it was when `len` requests had been made and `pending` (ids) were
    /// still unanswered. The point must lie on the same run as the records (at or before the
    /// frontier).
    pub fn rewind(&mut self, len: usize, pending: impl IntoIterator<Item = ReqId>) {
        for (i, complete_ms, reply) in self.rewound.drain(..) {
            self.records[i].complete_ms = complete_ms;
            self.records[i].reply = reply;
        }
        assert!(len <= self.records.len(), "rewind within the known run");
        self.visible = len;
        for id in pending {
            let i = id as usize - 1;
            let rec = &mut self.records[i];
            self.rewound
                .push((i, rec.complete_ms.take(), rec.reply.take()));
        }
    }

    /// The playhead is the frontier again: what is visible is the whole truth.
    pub fn caught_up(&mut self) {
        debug_assert_eq!(self.visible, self.records.len());
        self.rewound.clear();
    }

    /// A fork: the known future is thrown away.
    pub fn forget_future(&mut self) {
        self.records.truncate(self.visible);
        self.rewound.clear();
    }
}
