//! A node's armed timers: the generation of each arming, which tells a current firing from
//! an older one, and the handle of its queued firing, so that re-arming or cancelling takes
//! the old firing out of the queue. A node has a handful of timer kinds, so a short vector
//! searched in order beats a map.

use super::queue::Handle;

#[derive(Clone, Debug)]
pub(crate) struct ArmedTimers<T> {
    armed: Vec<(T, u64, Handle)>,
}

impl<T> Default for ArmedTimers<T> {
    fn default() -> Self {
        ArmedTimers { armed: Vec::new() }
    }
}

impl<T: Copy + Eq> ArmedTimers<T> {
    /// The generation `timer` is armed with, if it is armed.
    pub fn generation(&self, timer: &T) -> Option<u64> {
        self.armed
            .iter()
            .find(|(t, ..)| t == timer)
            .map(|(_, gen, _)| *gen)
    }

    /// Arm `timer` (or re-arm it) with a new generation and the handle of its firing.
    /// Returns the handle of the firing it replaces.
    pub fn arm(&mut self, timer: T, gen: u64, firing: Handle) -> Option<Handle> {
        match self.armed.iter_mut().find(|(t, ..)| *t == timer) {
            Some(entry) => {
                entry.1 = gen;
                Some(std::mem::replace(&mut entry.2, firing))
            }
            None => {
                self.armed.push((timer, gen, firing));
                None
            }
        }
    }

    /// Its firing was queued again (a paused node resumed): follow it.
    pub fn requeued(&mut self, timer: &T, gen: u64, firing: Handle) {
        if let Some(entry) = self
            .armed
            .iter_mut()
            .find(|(t, g, _)| t == timer && *g == gen)
        {
            entry.2 = firing;
        }
    }

    /// Forget `timer`; returns the handle of its firing.
    pub fn disarm(&mut self, timer: &T) -> Option<Handle> {
        let i = self.armed.iter().position(|(t, ..)| t == timer)?;
        Some(self.armed.swap_remove(i).2)
    }

    /// Forget every timer; returns the handles of their firings.
    pub fn clear(&mut self) -> impl Iterator<Item = Handle> + '_ {
        self.armed.drain(..).map(|(.., firing)| firing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sim::queue::{EventKey, EventQueue};

    #[test]
    fn rearming_replaces_the_generation_and_disarming_forgets_it() {
        let mut q = EventQueue::default();
        let mut firing = |t_ms| {
            q.push(
                EventKey {
                    t_ms,
                    class: 1,
                    ordinal: t_ms,
                },
                (),
            )
        };
        let (a1, b2, a3) = (firing(1), firing(2), firing(3));
        let mut timers = ArmedTimers::default();
        assert_eq!(timers.arm('a', 1, a1), None);
        assert_eq!(timers.arm('b', 2, b2), None);
        assert_eq!(
            timers.arm('a', 3, a3),
            Some(a1),
            "re-arming hands back the old firing"
        );
        assert_eq!(timers.generation(&'a'), Some(3));
        assert_eq!(timers.disarm(&'a'), Some(a3));
        assert_eq!(timers.generation(&'a'), None);
        assert_eq!(timers.generation(&'b'), Some(2));
        assert_eq!(timers.clear().collect::<Vec<_>>(), [b2]);
        assert_eq!(timers.generation(&'b'), None);
    }
}
