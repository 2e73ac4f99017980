//! The trace hash's view of Basic Paxos's messages and store writes: every field, so that the
//! hash of a run covers what the nodes said and wrote (`trace::ContentHash`). An enum writes
//! its variant's position (declaration order, from 0), then its fields in declaration order;
//! a proposal number writes its round, then its proposer.

use super::durable::Write;
use super::messages::{Msg, Pn};
use crate::trace::{ContentHash, TraceHasher};

impl ContentHash for Pn {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(u64::from(self.round));
        h.write_u64(u64::from(self.proposer));
    }
}

impl ContentHash for Msg {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            Msg::Prepare { n } => {
                h.write_u64(0);
                n.hash_into(h);
            }
            Msg::Promise { n, accepted } => {
                h.write_u64(1);
                n.hash_into(h);
                accepted.hash_into(h);
            }
            Msg::Nack { n, promised } => {
                h.write_u64(2);
                n.hash_into(h);
                promised.hash_into(h);
            }
            Msg::Accept { n, v } => {
                h.write_u64(3);
                n.hash_into(h);
                v.hash_into(h);
            }
            Msg::Accepted { n, v } => {
                h.write_u64(4);
                n.hash_into(h);
                v.hash_into(h);
            }
            Msg::Ask => h.write_u64(5),
            Msg::Chosen { v } => {
                h.write_u64(6);
                v.hash_into(h);
            }
        }
    }
}

impl ContentHash for Write {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            Write::Promised(n) => {
                h.write_u64(0);
                n.hash_into(h);
            }
            Write::Accepted(n, v) => {
                h.write_u64(1);
                n.hash_into(h);
                v.hash_into(h);
            }
            Write::MaxRound(r) => {
                h.write_u64(2);
                h.write_u64(u64::from(*r));
            }
            Write::Learned(v) => {
                h.write_u64(3);
                v.hash_into(h);
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
    fn accepts_that_differ_only_in_value_or_number_hash_differently() {
        let accept = |round, v: &str| Msg::Accept {
            n: Pn::new(round, 1),
            v: v.into(),
        };
        assert_eq!(hash_of(&accept(2, "A")), hash_of(&accept(2, "A")));
        assert_ne!(hash_of(&accept(2, "A")), hash_of(&accept(2, "B")));
        assert_ne!(hash_of(&accept(2, "A")), hash_of(&accept(3, "A")));
        assert_ne!(
            hash_of(&Msg::Accept {
                n: Pn::new(2, 1),
                v: "A".into()
            }),
            hash_of(&Msg::Accepted {
                n: Pn::new(2, 1),
                v: "A".into()
            }),
            "the variant is hashed, not only the fields"
        );
    }

    #[test]
    fn store_writes_hash_their_contents() {
        assert_ne!(
            hash_of(&Write::Promised(Pn::new(2, 0))),
            hash_of(&Write::Promised(Pn::new(2, 1)))
        );
        assert_ne!(
            hash_of(&Write::Learned("A".into())),
            hash_of(&Write::Learned("B".into()))
        );
    }
}
