//! Spec 14.1, agreement: a version committed on two nodes holds the same value on both.

use super::facts::Facts;
use super::{broken, Check};
use crate::actor::Rank;
use crate::protocols::ceph::messages::Version;
use crate::protocols::ceph::{Ceph, Value};
use crate::sim::World;
use std::rc::Rc;

pub const NAME: &str = "agreement";

pub fn check(f: &mut Facts, world: &World<Ceph>) -> Check {
    // A node whose lc did not change committed nothing new: its versions up to `agreed_lc`
    // were compared (a changed lc puts the node in `changed`).
    for r in f.changed.iter() {
        let store = world.durable(r);
        let from = (f.agreed_lc[r as usize] + 1).max(store.first_committed);
        if from > store.last_committed {
            continue;
        }
        if from == store.last_committed {
            // One new commit, the usual case: a lookup is cheaper than a range.
            if let Some(value) = store.values.get(&from) {
                agree(f, r, from, value)?;
            }
        } else {
            for (v, value) in store.values.range(from..=store.last_committed) {
                agree(f, r, *v, value)?;
            }
        }
        f.agreed_lc[r as usize] = f.agreed_lc[r as usize].max(store.last_committed);
    }
    Ok(())
}

/// Node `r` committed `value` at `v`: the same value as first seen there, or the first one.
fn agree(f: &mut Facts, r: Rank, v: Version, value: &Rc<Value>) -> Check {
    match f.chosen.get(&v) {
        Some(first) if !Rc::ptr_eq(first, value) && first != value => broken(
            NAME,
            r,
            format!(
                "v{v} committed as [{}] here but as [{}] elsewhere",
                value.describe(),
                first.describe()
            ),
        ),
        Some(_) => Ok(()),
        None => {
            f.chosen.insert(v, value.clone());
            Ok(())
        }
    }
}
