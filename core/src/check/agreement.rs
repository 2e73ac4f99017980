//! Spec 14.1, agreement: a version committed on two nodes holds the same value on both.

use super::facts::Facts;
use super::{broken, Check};
use crate::protocol::Ceph;
use crate::sim::World;

pub const NAME: &str = "agreement";

pub fn check(f: &mut Facts, world: &World<Ceph>) -> Check {
    // An untouched node committed nothing new: its versions up to `agreed_lc` were compared.
    for r in f.touched.iter() {
        let store = world.durable(r);
        let from = (f.agreed_lc[r as usize] + 1).max(store.first_committed);
        if from > store.last_committed {
            continue;
        }
        for (v, value) in store.values.range(from..=store.last_committed) {
            match f.chosen.get(v) {
                Some(first) if !std::sync::Arc::ptr_eq(first, value) && first != value => {
                    return broken(
                        NAME,
                        r,
                        format!(
                            "v{v} committed as [{}] here but as [{}] elsewhere",
                            value.describe(),
                            first.describe()
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    f.chosen.insert(*v, value.clone());
                }
            }
        }
        f.agreed_lc[r as usize] = f.agreed_lc[r as usize].max(store.last_committed);
    }
    Ok(())
}
