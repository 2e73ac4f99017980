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
                agree(f, world, r, from, value)?;
            }
        } else {
            for (v, value) in store.values.range(from..=store.last_committed) {
                agree(f, world, r, *v, value)?;
            }
        }
        f.agreed_lc[r as usize] = f.agreed_lc[r as usize].max(store.last_committed);
    }
    Ok(())
}

/// Node `r` committed `value` at `v`: the same value as first seen there, or the first one.
/// A mismatch names the node that holds the other value, if one still stores it.
fn agree(f: &mut Facts, world: &World<Ceph>, r: Rank, v: Version, value: &Rc<Value>) -> Check {
    match f.chosen.get(&v) {
        Some(first) if !Rc::ptr_eq(first, value) && first != value => {
            let holder = (0..world.n())
                .find(|&o| o != r && world.durable(o).values.get(&v) == Some(first))
                .map_or("another monitor".to_string(), |o| format!("mon.{o}"));
            broken(
                NAME,
                r,
                format!(
                    "mon.{r} committed v{v} = [{}] while {holder} committed v{v} = [{}]",
                    value.describe(),
                    first.describe()
                ),
            )
        }
        Some(_) => Ok(()),
        None => {
            f.chosen.insert(v, value.clone());
            Ok(())
        }
    }
}
