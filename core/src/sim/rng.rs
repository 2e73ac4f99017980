//! The simulator's only source of randomness: PCG streams derived from the scenario seed,
//! one per purpose, so adding draws for one purpose never shifts another.

use rand_core::RngCore;
use rand_pcg::Pcg64;

#[derive(Clone, Debug)]
pub struct SimRng(Pcg64);

/// Purposes with their own stream.
#[derive(Clone, Copy, Debug)]
pub enum Stream {
    Latency = 1,
    Loss = 2,
    Beyond = 3,
    Faults = 4,
    Clients = 5,
    /// Randomized backoff a node asks for (`Effect::SetTimerJittered`).
    Backoff = 6,
}

impl SimRng {
    pub fn new(seed: u64, stream: Stream) -> Self {
        // Pcg64 takes (state, stream); mixing the seed keeps nearby seeds unrelated.
        SimRng(Pcg64::new(
            splitmix(seed) as u128 | ((splitmix(seed ^ 0x9e37) as u128) << 64),
            stream as u128,
        ))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0);
        // Lemire's multiply-shift: unbiased enough for a simulation, no division.
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi);
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `pct` percent.
    pub fn chance_pct(&mut self, pct: u64) -> bool {
        pct > 0 && self.below(100) < pct
    }
}

/// SplitMix64 finaliser: spreads consecutive seeds across the state space.
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
