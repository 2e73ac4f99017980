//! The trace hash's view of Multi-Paxos's messages, values and store writes: every field, so
//! that the hash of a run covers what the nodes said and wrote (`trace::ContentHash`). An enum
//! writes its variant's position (declaration order, from 0), then its fields in order.

use super::durable::Write;
use super::messages::{Command, Members, Msg, Pid, Value};
use crate::trace::{ContentHash, TraceHasher};

impl ContentHash for Pid {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(u64::from(self.round));
        h.write_u64(u64::from(self.node));
    }
}

impl ContentHash for Members {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(u64::from(self.0));
    }
}

impl ContentHash for Command {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(u64::from(self.origin));
        h.write_u64(self.req);
        self.op.hash_into(h);
    }
}

impl ContentHash for Value {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            Value::Noop => h.write_u64(0),
            Value::Commands(cs) => {
                h.write_u64(1);
                cs.hash_into(h);
            }
            Value::Config(m) => {
                h.write_u64(2);
                m.hash_into(h);
            }
        }
    }
}

/// (slot, id, value): a reported accepted entry.
fn entry(h: &mut TraceHasher, slot: u64, id: &Pid, v: &Value) {
    h.write_u64(slot);
    id.hash_into(h);
    v.hash_into(h);
}

impl ContentHash for Msg {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            Msg::Prepare { id, start } => {
                h.write_u64(0);
                id.hash_into(h);
                h.write_u64(*start);
            }
            Msg::Promise {
                id,
                start,
                accepted,
                chosen,
            } => {
                h.write_u64(1);
                id.hash_into(h);
                h.write_u64(*start);
                h.write_u64(accepted.len() as u64);
                for (s, p, v) in accepted.iter() {
                    entry(h, *s, p, v);
                }
                chosen.hash_into(h);
            }
            Msg::Nack { id, promised } => {
                h.write_u64(2);
                id.hash_into(h);
                promised.hash_into(h);
            }
            Msg::Accept { id, slot, value } => {
                h.write_u64(3);
                entry(h, *slot, id, value);
            }
            Msg::Accepted { id, slot } => {
                h.write_u64(4);
                id.hash_into(h);
                h.write_u64(*slot);
            }
            Msg::Commit { slot, value } => {
                h.write_u64(5);
                h.write_u64(*slot);
                value.hash_into(h);
            }
            Msg::Heartbeat { id, upto } => {
                h.write_u64(6);
                id.hash_into(h);
                h.write_u64(*upto);
            }
            Msg::CatchUp { from } => {
                h.write_u64(7);
                h.write_u64(*from);
            }
            Msg::Entries { entries } => {
                h.write_u64(8);
                entries.hash_into(h);
            }
            Msg::Forward { cmd } => {
                h.write_u64(9);
                cmd.hash_into(h);
            }
        }
    }
}

impl ContentHash for Write {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            Write::Promised(id) => {
                h.write_u64(0);
                id.hash_into(h);
            }
            Write::Accepted(s, id, v) => {
                h.write_u64(1);
                entry(h, *s, id, v);
            }
            Write::Chosen(s, v) => {
                h.write_u64(2);
                h.write_u64(*s);
                v.hash_into(h);
            }
            Write::MaxRound(r) => {
                h.write_u64(3);
                h.write_u64(u64::from(*r));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_of(c: &impl ContentHash) -> u64 {
        let mut h = TraceHasher::default();
        c.hash_into(&mut h);
        h.finish()
    }

    #[test]
    fn accepts_that_differ_in_slot_id_or_value_hash_differently() {
        let accept = |round, slot, value| Msg::Accept {
            id: Pid::new(round, 1),
            slot,
            value,
        };
        let cfg = Value::Config(Members::first(3));
        assert_eq!(
            hash_of(&accept(2, 5, Value::Noop)),
            hash_of(&accept(2, 5, Value::Noop))
        );
        assert_ne!(
            hash_of(&accept(2, 5, Value::Noop)),
            hash_of(&accept(2, 6, Value::Noop))
        );
        assert_ne!(
            hash_of(&accept(2, 5, Value::Noop)),
            hash_of(&accept(3, 5, Value::Noop))
        );
        assert_ne!(
            hash_of(&accept(2, 5, Value::Noop)),
            hash_of(&accept(2, 5, cfg))
        );
    }
}
