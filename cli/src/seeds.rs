//! Running many seeds on worker threads, shared by the Ceph and the Basic Paxos campaigns.

use std::sync::atomic::{AtomicU64, Ordering};

/// `run(seed)` for every seed of `start..start + count` on `jobs` threads; the results come
/// back in seed order, so they do not depend on `jobs`.
pub fn run_in_order<T: Send>(
    start: u64,
    count: u64,
    jobs: usize,
    run: impl Fn(u64) -> T + Sync,
) -> Vec<T> {
    let next = AtomicU64::new(0);
    let mut all: Vec<(u64, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            return mine;
                        }
                        mine.push((start + i, run(start + i)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a campaign worker panicked"))
            .collect()
    });
    all.sort_by_key(|(seed, _)| *seed);
    all.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_seed_order_whatever_the_jobs() {
        let one = run_in_order(5, 40, 1, |s| s * 3);
        let four = run_in_order(5, 40, 4, |s| s * 3);
        assert_eq!(one, four);
        assert_eq!(one.first(), Some(&15));
        assert_eq!(one.len(), 40);
    }
}
