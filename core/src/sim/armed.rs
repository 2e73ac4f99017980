//! A node's armed timers and the generation of each arming, which tells a current firing
//! from one that was cancelled or re-armed meanwhile. A node has a handful of timer kinds, so
//! a short vector searched in order beats a map.

#[derive(Clone, Debug)]
pub(crate) struct ArmedTimers<T> {
    armed: Vec<(T, u64)>,
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
            .find(|(t, _)| t == timer)
            .map(|(_, gen)| *gen)
    }

    /// Arm `timer` (or re-arm it) with a new generation.
    pub fn arm(&mut self, timer: T, gen: u64) {
        match self.armed.iter_mut().find(|(t, _)| *t == timer) {
            Some(entry) => entry.1 = gen,
            None => self.armed.push((timer, gen)),
        }
    }

    pub fn disarm(&mut self, timer: &T) {
        self.armed.retain(|(t, _)| t != timer);
    }

    pub fn clear(&mut self) {
        self.armed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rearming_replaces_the_generation_and_disarming_forgets_it() {
        let mut timers = ArmedTimers::default();
        timers.arm('a', 1);
        timers.arm('b', 2);
        timers.arm('a', 3);
        assert_eq!(timers.generation(&'a'), Some(3));
        timers.disarm(&'a');
        assert_eq!(timers.generation(&'a'), None);
        assert_eq!(timers.generation(&'b'), Some(2));
        timers.clear();
        assert_eq!(timers.generation(&'b'), None);
    }
}
