//! Integration tests of the linearizability checker.
//!
//! Everything lives in `mod linearizability` so that `cargo test linearizab` selects it.

mod linearizability {
    use paxoscope_core::check::linearizability::{
        check_history, check_history_with_budget, HistoryEntry, KvOp, KvResult, LinOutcome,
    };
    use std::collections::BTreeMap;
    use std::time::Instant;

    // ---------------------------------------------------------------------------------------------
    // Builders.
    // ---------------------------------------------------------------------------------------------

    /// Builds a history with consecutive ids.
    #[derive(Default)]
    struct H(Vec<HistoryEntry>);

    impl H {
        fn push(
            &mut self,
            client: u32,
            op: KvOp,
            span: (u64, Option<u64>),
            result: Option<KvResult>,
        ) -> &mut Self {
            let id = self.0.len() as u64 + 1;
            let (invoke_ms, complete_ms) = span;
            self.0.push(HistoryEntry {
                id,
                client,
                op,
                invoke_ms,
                complete_ms,
                result,
            });
            self
        }
        fn put(&mut self, c: u32, k: &str, v: &str, t: (u64, u64)) -> &mut Self {
            self.push(c, put_op(k, v), (t.0, Some(t.1)), Some(KvResult::Ok))
        }
        fn put_lost(&mut self, c: u32, k: &str, v: &str, invoke: u64) -> &mut Self {
            self.push(c, put_op(k, v), (invoke, None), None)
        }
        fn get(&mut self, c: u32, k: &str, v: Option<&str>, t: (u64, u64)) -> &mut Self {
            let result = KvResult::Value(v.map(str::to_string));
            self.push(
                c,
                KvOp::Get { key: k.into() },
                (t.0, Some(t.1)),
                Some(result),
            )
        }
        fn cas(
            &mut self,
            c: u32,
            k: &str,
            exp: Option<&str>,
            v: &str,
            t: (u64, u64),
            r: KvResult,
        ) -> &mut Self {
            self.push(c, cas_op(k, exp, v), (t.0, Some(t.1)), Some(r))
        }
        fn cas_lost(
            &mut self,
            c: u32,
            k: &str,
            exp: Option<&str>,
            v: &str,
            invoke: u64,
        ) -> &mut Self {
            self.push(c, cas_op(k, exp, v), (invoke, None), None)
        }
        fn check(&self) -> bool {
            let report = check_history(&self.0);
            assert_ne!(report.outcome, LinOutcome::Unknown);
            report.ok()
        }
    }

    fn put_op(k: &str, v: &str) -> KvOp {
        KvOp::Put {
            key: k.into(),
            value: v.into(),
        }
    }

    fn cas_op(k: &str, exp: Option<&str>, v: &str) -> KvOp {
        KvOp::Cas {
            key: k.into(),
            expected: exp.map(str::to_string),
            value: v.into(),
        }
    }

    fn failed(cur: Option<&str>) -> KvResult {
        KvResult::CasFailed {
            current: cur.map(str::to_string),
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Hand-written histories.
    // ---------------------------------------------------------------------------------------------

    #[test]
    fn empty_history_is_linearizable() {
        let report = check_history(&[]);
        assert!(report.ok());
        assert_eq!((report.keys_checked, report.ops_checked), (0, 0));
    }

    #[test]
    fn sequential_valid_history() {
        let mut h = H::default();
        h.get(1, "k", None, (0, 1))
            .put(1, "k", "a", (2, 3))
            .get(2, "k", Some("a"), (4, 5))
            .put(2, "k", "b", (6, 7))
            .get(1, "k", Some("b"), (8, 9));
        let report = check_history(&h.0);
        assert!(report.ok(), "{report:?}");
        assert_eq!((report.keys_checked, report.ops_checked), (1, 5));
    }

    #[test]
    fn sequential_invalid_history() {
        let mut h = H::default();
        h.put(1, "k", "a", (0, 1))
            .put(1, "k", "b", (2, 3))
            .get(2, "k", Some("a"), (4, 5));
        assert!(!h.check());
        let mut h = H::default();
        h.put(1, "k", "a", (0, 1)).get(2, "k", None, (4, 5));
        assert!(!h.check(), "read of absent after a completed write");
    }

    #[test]
    fn concurrent_put_and_get_may_go_either_way() {
        for seen in [None, Some("a")] {
            let mut h = H::default();
            h.put(1, "k", "a", (0, 10)).get(2, "k", seen, (5, 15));
            assert!(
                h.check(),
                "get returning {seen:?} concurrently with the put"
            );
        }
        // Touching endpoints count as concurrent (closed intervals).
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10)).get(2, "k", None, (10, 15));
        assert!(h.check());
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10)).get(2, "k", None, (11, 15));
        assert!(!h.check());
    }

    #[test]
    fn stale_read_after_completed_write_is_rejected() {
        let mut h = H::default();
        h.put(1, "k", "old", (0, 5))
            .put(1, "k", "new", (10, 20))
            .get(2, "k", Some("new"), (21, 25))
            .get(3, "k", Some("old"), (30, 35));
        let report = check_history(&h.0);
        let failure = report.failure().expect("stale read must be rejected");
        assert_eq!(failure.key, "k");
        assert_eq!(failure.ops.len(), 4);
        assert!(
            failure.explanation.contains("\"k\""),
            "{}",
            failure.explanation
        );
        assert!(
            failure
                .explanation
                .contains("Longest linearizable prefix: 3"),
            "{}",
            failure.explanation
        );
        assert!(
            failure
                .explanation
                .contains("every write of \"old\" was followed by put k=\"new\""),
            "{}",
            failure.explanation
        );
    }

    #[test]
    fn reads_observing_writes_in_opposite_orders_are_rejected() {
        let mut h = H::default();
        h.put(1, "k", "a", (0, 100))
            .put(2, "k", "b", (0, 100))
            .get(3, "k", Some("a"), (10, 20))
            .get(3, "k", Some("b"), (30, 40))
            .get(4, "k", Some("b"), (10, 20))
            .get(4, "k", Some("a"), (30, 40));
        assert!(!h.check());
        // Either reader alone is fine.
        let mut h = H::default();
        h.put(1, "k", "a", (0, 100))
            .put(2, "k", "b", (0, 100))
            .get(4, "k", Some("b"), (10, 20))
            .get(4, "k", Some("a"), (30, 40));
        assert!(h.check());
    }

    #[test]
    fn cas_success_and_failure_semantics() {
        let mut h = H::default();
        h.cas(1, "k", None, "a", (0, 1), KvResult::CasOk)
            .cas(1, "k", None, "b", (2, 3), failed(Some("a")))
            .cas(2, "k", Some("a"), "c", (4, 5), KvResult::CasOk)
            .get(1, "k", Some("c"), (6, 7));
        assert!(h.check());

        let cases: [(&str, H); 4] = [
            ("cas succeeded though the key held another value", {
                let mut h = H::default();
                h.put(1, "k", "a", (0, 1))
                    .cas(1, "k", Some("z"), "b", (2, 3), KvResult::CasOk);
                h
            }),
            ("cas failed reporting a wrong current value", {
                let mut h = H::default();
                h.put(1, "k", "a", (0, 1))
                    .cas(1, "k", Some("z"), "b", (2, 3), failed(Some("q")));
                h
            }),
            ("cas failed though current equals expected", {
                let mut h = H::default();
                h.put(1, "k", "a", (0, 1))
                    .cas(1, "k", Some("a"), "b", (2, 3), failed(Some("a")));
                h
            }),
            ("a failed cas must not write", {
                let mut h = H::default();
                h.put(1, "k", "a", (0, 1))
                    .cas(1, "k", Some("z"), "b", (2, 3), failed(Some("a")))
                    .get(1, "k", Some("b"), (4, 5));
                h
            }),
        ];
        for (what, h) in cases {
            assert!(!h.check(), "{what}");
        }
    }

    #[test]
    fn two_concurrent_cas_from_absent_cannot_both_succeed() {
        let mut h = H::default();
        h.cas(1, "k", None, "a", (0, 10), KvResult::CasOk).cas(
            2,
            "k",
            None,
            "b",
            (0, 10),
            KvResult::CasOk,
        );
        assert!(!h.check());
        let mut h = H::default();
        h.cas(1, "k", None, "a", (0, 10), KvResult::CasOk).cas(
            2,
            "k",
            None,
            "b",
            (0, 10),
            failed(Some("a")),
        );
        assert!(h.check());
    }

    #[test]
    fn incomplete_write_whose_value_is_later_read_is_linearizable() {
        let mut h = H::default();
        h.put_lost(1, "k", "a", 0)
            .get(2, "k", None, (5, 6))
            .get(2, "k", Some("a"), (500, 501));
        assert!(h.check());
        // Applied late: after a completed write that began after it.
        let mut h = H::default();
        h.put_lost(1, "k", "a", 0)
            .put(2, "k", "b", (10, 20))
            .get(3, "k", Some("b"), (30, 40))
            .get(3, "k", Some("a"), (50, 60))
            .get(3, "k", Some("a"), (70, 80));
        assert!(h.check());
        // But once read, it cannot vanish again without a write.
        h.get(3, "k", Some("b"), (90, 95));
        assert!(!h.check());
    }

    #[test]
    fn incomplete_write_never_read_is_linearizable() {
        let mut h = H::default();
        h.put(1, "k", "a", (0, 1))
            .put_lost(2, "k", "lost", 2)
            .get(1, "k", Some("a"), (10, 11));
        assert!(h.check());
    }

    #[test]
    fn incomplete_write_cannot_explain_a_read_that_ended_before_it_began() {
        let mut h = H::default();
        h.get(1, "k", Some("a"), (0, 5)).put_lost(2, "k", "a", 6);
        assert!(!h.check());
    }

    #[test]
    fn incomplete_cas_applies_only_when_expected_matches() {
        let mut h = H::default();
        h.put(1, "k", "a", (0, 1))
            .cas_lost(2, "k", Some("a"), "b", 2)
            .get(1, "k", Some("b"), (10, 11));
        assert!(h.check());
        let mut h = H::default();
        h.put(1, "k", "a", (0, 1))
            .cas_lost(2, "k", Some("z"), "b", 2)
            .get(1, "k", Some("b"), (10, 11));
        assert!(!h.check());
        // Chains of incomplete operations.
        let mut h = H::default();
        h.put_lost(1, "k", "a", 0)
            .cas_lost(2, "k", Some("a"), "b", 1)
            .get(3, "k", Some("b"), (10, 11));
        assert!(h.check());
    }

    #[test]
    fn incomplete_get_and_its_bogus_result_are_ignored() {
        let mut h = H::default();
        h.put(1, "k", "a", (0, 1)).push(
            2,
            KvOp::Get { key: "k".into() },
            (2, None),
            Some(KvResult::Value(Some("garbage".into()))),
        );
        assert!(h.check());
    }

    #[test]
    fn a_refused_write_has_no_effect() {
        // Refused before it was proposed: a later read of its value has no writer.
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10))
            .push(2, put_op("k", "b"), (20, Some(30)), Some(KvResult::Refused))
            .get(3, "k", Some("b"), (40, 50));
        let report = check_history(&h.0);
        assert!(report.failure().is_some(), "{report:?}");
        // The same write answered "retry" (effect unknown) may have taken effect.
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10))
            .put_lost(2, "k", "b", 20)
            .get(3, "k", Some("b"), (40, 50));
        assert!(h.check());
    }

    #[test]
    fn refused_operations_stay_in_the_history_and_constrain_nothing() {
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10))
            .push(
                2,
                KvOp::Get { key: "k".into() },
                (20, Some(21)),
                Some(KvResult::Refused),
            )
            .push(
                3,
                cas_op("k", Some("a"), "c"),
                (22, Some(23)),
                Some(KvResult::Refused),
            )
            .get(4, "k", Some("a"), (30, 40));
        let report = check_history(&h.0);
        assert!(report.ok(), "{report:?}");
        assert_eq!(
            report.ops_checked, 4,
            "refused entries are counted, not dropped"
        );
    }

    #[test]
    fn read_of_a_value_nobody_wrote_is_rejected() {
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10))
            .get(2, "k", Some("ghost"), (5, 15));
        let report = check_history(&h.0);
        let failure = report.failure().expect("must be rejected");
        assert!(
            failure.explanation.contains("ever wrote \"ghost\""),
            "{}",
            failure.explanation
        );
    }

    #[test]
    fn explanation_names_the_only_possible_writes() {
        let mut h = H::default();
        h.put(1, "k", "b", (1000, 1100))
            .get(2, "k", Some("a"), (1200, 1300))
            .put(1, "k", "a", (1400, 1500));
        let failure = check_history(&h.0)
            .failure()
            .cloned()
            .expect("must be rejected");
        let text = failure.explanation;
        assert!(text.contains("get k at [1200,1300]"), "{text}");
        assert!(text.contains("could precede it wrote \"b\""), "{text}");
    }

    #[test]
    fn keys_are_independent() {
        // Valid per key, interleaved in time: an order for the whole history exists.
        let mut h = H::default();
        h.put(1, "x", "1", (0, 10))
            .put(2, "y", "1", (0, 10))
            .get(1, "y", Some("1"), (11, 12))
            .get(2, "x", Some("1"), (11, 12))
            .put(1, "x", "2", (13, 14))
            .get(2, "y", Some("1"), (15, 16));
        let report = check_history(&h.0);
        assert!(report.ok());
        assert_eq!((report.keys_checked, report.ops_checked), (2, 6));
        // A violation on y is reported on y alone, whatever x does.
        h.get(2, "y", Some("2"), (20, 21));
        let failure = check_history(&h.0).failure().cloned().expect("y is broken");
        assert_eq!(failure.key, "y");
        assert_eq!(failure.ops.len(), 4);
        assert!(failure.ops.iter().all(|e| e.op.key() == "y"));
        // A value written on one key does not make it readable on another.
        let mut h = H::default();
        h.put(1, "x", "v", (0, 1)).get(2, "y", Some("v"), (5, 6));
        assert!(!h.check());
    }

    #[test]
    fn malformed_entries_are_reported() {
        let mut h = H::default();
        h.push(
            1,
            put_op("k", "a"),
            (5, Some(10)),
            Some(KvResult::Value(None)),
        );
        let failure = check_history(&h.0).failure().cloned().expect("malformed");
        assert!(
            failure.explanation.contains("malformed"),
            "{}",
            failure.explanation
        );
        let mut h = H::default();
        h.push(1, put_op("k", "a"), (5, Some(4)), Some(KvResult::Ok));
        assert!(!h.check());
        let mut h = H::default();
        h.push(1, put_op("k", "a"), (5, Some(6)), None);
        assert!(!h.check());
    }

    /// Many writes that waited long (across an election, say) and were committed together:
    /// each overwritten unseen, or seen only by a failed CAS that waited with it, while short
    /// writes and reads go on. The search leaves them out (each spans a short put) and never
    /// tries a read elsewhere once it applied, so this takes few configurations; without those
    /// two rules it took millions.
    fn waited_long_history(n: u32, stale_read: bool) -> H {
        let mut h = H::default();
        for i in 0..n {
            let t = 10 * i as u64;
            h.put(i, "k", &format!("long{i}"), (t, 10_000));
            h.cas(
                100 + i,
                "k",
                Some("never"),
                "x",
                (t + 1, 10_000),
                KvResult::CasFailed {
                    current: Some(format!("long{i}")),
                },
            );
            h.put(200 + i, "k", &format!("short{i}"), (t + 2, t + 4));
            h.get(300 + i, "k", Some(&format!("short{i}")), (t + 5, t + 6));
        }
        let last = format!("long{}", n - 1);
        h.get(999, "k", Some(&last), (10_001, 10_002));
        if stale_read {
            // After `short0` was read, a read of the initial value.
            h.get(998, "k", None, (7, 8));
        }
        h
    }

    #[test]
    fn writes_that_waited_long_are_decided_in_few_configurations() {
        let h = waited_long_history(40, false);
        let report = check_history_with_budget(&h.0, 100_000);
        assert!(report.ok(), "{:?}", report.outcome);
        assert!(report.states_explored < 2_000, "{}", report.states_explored);
        // The rules change no verdict: a stale read among them is still found.
        let h = waited_long_history(40, true);
        let report = check_history_with_budget(&h.0, 100_000);
        assert!(report.failure().is_some(), "{:?}", report.outcome);
    }

    #[test]
    fn a_put_left_out_of_the_search_still_has_to_fit() {
        // `a` completes before the read starts, so the read must see `a` or a later write: the
        // put of `b` inside `a`'s interval does not excuse it.
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10))
            .put(2, "k", "b", (2, 4))
            .get(3, "k", Some("b"), (20, 21));
        assert!(h.check(), "a then b, read b");
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10))
            .put(2, "k", "b", (2, 4))
            .get(3, "k", None, (20, 21));
        assert!(
            !h.check(),
            "a read of the initial value after two acknowledged puts"
        );
        // An observer whose own interval does not hold the inner put keeps `a` in the search.
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10))
            .put(2, "k", "b", (2, 4))
            .get(3, "k", Some("a"), (5, 6))
            .get(4, "k", Some("b"), (7, 8));
        assert!(
            !h.check(),
            "b was read after a, so b came after a, yet a was read first"
        );
        // A failed CAS that reports the value it expected can never be placed, left out or not.
        let mut h = H::default();
        h.put(1, "k", "a", (0, 10)).put(2, "k", "b", (2, 4)).cas(
            3,
            "k",
            Some("a"),
            "c",
            (0, 10),
            KvResult::CasFailed {
                current: Some("a".into()),
            },
        );
        assert!(!h.check(), "a CAS cannot fail finding what it expected");
    }

    #[test]
    fn budget_exhaustion_is_unknown_not_a_verdict() {
        // 14 overlapping writes and a read of a value none of them wrote: refuting it takes many
        // configurations (every subset of the writes, roughly). Staggered, so that no write's
        // interval holds another's (which would let the search leave it out).
        let mut h = H::default();
        for i in 0..14 {
            h.put(i, "k", &format!("v{i}"), (i as u64, 100 + i as u64));
        }
        h.get(99, "k", Some("ghost"), (50, 60));
        let report = check_history_with_budget(&h.0, 1000);
        assert_eq!(report.outcome, LinOutcome::Unknown);
        assert!(report.states_explored <= 1000);
        assert_eq!(report.keys_checked, 0);
        let report = check_history(&h.0);
        assert!(report.failure().is_some());
        assert!(report.states_explored > 1000);
        // A violation on another (small) key is still found under a tiny budget.
        h.put(1, "other", "a", (0, 1))
            .get(1, "other", Some("b"), (2, 3));
        let report = check_history_with_budget(&h.0, 10);
        assert_eq!(report.failure().map(|f| f.key.as_str()), Some("other"));
    }

    #[test]
    fn many_unread_incomplete_writes_do_not_blow_up() {
        // 300 timed-out writes whose values nobody reads, over a 300-op sequential history.
        let mut h = H::default();
        for i in 0..300u64 {
            h.put_lost(1000 + i as u32, "k", &format!("lost{i}"), i * 10);
            h.put(1, "k", &format!("v{i}"), (i * 10 + 1, i * 10 + 2));
            h.get(2, "k", Some(&format!("v{i}")), (i * 10 + 3, i * 10 + 4));
        }
        let report = check_history(&h.0);
        assert!(report.ok());
        assert!(report.states_explored <= 600, "{}", report.states_explored);
    }

    #[test]
    fn many_read_incomplete_writes_stay_cheap() {
        // 200 timed-out writes, each read back later while others are still pending.
        let mut h = H::default();
        for i in 0..200u64 {
            h.put_lost(1000 + i as u32, "k", &format!("lost{i}"), i * 10);
            h.get(
                2,
                "k",
                Some(&format!("lost{i}")),
                (i * 10 + 50, i * 10 + 51),
            );
        }
        let report = check_history(&h.0);
        assert!(report.ok());
        assert!(
            report.states_explored <= 20_000,
            "{}",
            report.states_explored
        );
    }

    // ---------------------------------------------------------------------------------------------
    // Randomized histories from a simulated atomic register.
    // ---------------------------------------------------------------------------------------------

    /// SplitMix64 PRNG.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }
    }

    struct GenParams {
        ops: usize,
        clients: u32,
        keys: u32,
        incomplete_percent: u64,
        /// Every written value distinct (else drawn from a small pool).
        unique_values: bool,
    }

    /// A history produced by a real atomic register map: each operation takes effect at an instant
    /// inside its interval (incomplete ones at any later instant, or never) and its result is what
    /// the map returned at that instant.
    fn generate(rng: &mut Rng, p: &GenParams) -> Vec<HistoryEntry> {
        let mut clock: Vec<u64> = (0..p.clients).map(|_| rng.below(10)).collect();
        let mut written: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut history = Vec::new();
        let mut effect_at: Vec<Option<u64>> = Vec::new();
        for id in 0..p.ops {
            let client = rng.below(u64::from(p.clients)) as u32;
            let key = format!("k{}", rng.below(u64::from(p.keys)));
            let value = if p.unique_values {
                format!("v{id}")
            } else {
                format!("v{}", rng.below(4))
            };
            let op = match rng.below(10) {
                0..=3 => KvOp::Put {
                    key: key.clone(),
                    value: value.clone(),
                },
                4..=7 => KvOp::Get { key: key.clone() },
                _ => {
                    let seen = written.get(&key).map_or(&[][..], Vec::as_slice);
                    let expected = match rng.below(seen.len() as u64 + 2) {
                        0 => None,
                        1 => Some("never".to_string()),
                        i => Some(seen[i as usize - 2].clone()),
                    };
                    KvOp::Cas {
                        key: key.clone(),
                        expected,
                        value: value.clone(),
                    }
                }
            };
            if !matches!(op, KvOp::Get { .. }) {
                written.entry(key).or_default().push(value);
            }
            let invoke = clock[client as usize] + rng.below(5);
            let (point, complete) = if rng.chance(p.incomplete_percent) {
                clock[client as usize] = invoke + rng.below(30);
                (rng.chance(60).then(|| invoke + rng.below(200)), None)
            } else {
                let point = invoke + rng.below(15);
                let complete = point + rng.below(15);
                clock[client as usize] = complete + rng.below(3);
                (Some(point), Some(complete))
            };
            effect_at.push(point);
            let id = id as u64;
            history.push(HistoryEntry {
                id,
                client,
                op,
                invoke_ms: invoke,
                complete_ms: complete,
                result: None,
            });
        }
        apply_in_effect_order(&mut history, &effect_at, rng);
        history
    }

    /// Runs the operations that took effect through a sequential map, in order of their effect
    /// instants (ties broken at random), and records the results of the completed ones.
    fn apply_in_effect_order(
        history: &mut [HistoryEntry],
        effect_at: &[Option<u64>],
        rng: &mut Rng,
    ) {
        let mut order: Vec<(u64, u64, usize)> = effect_at
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.map(|t| (t, rng.next(), i)))
            .collect();
        order.sort_unstable();
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (_, _, i) in order {
            let e = &mut history[i];
            let result = match &e.op {
                KvOp::Put { key, value } => {
                    map.insert(key.clone(), value.clone());
                    KvResult::Ok
                }
                KvOp::Get { key } => KvResult::Value(map.get(key).cloned()),
                KvOp::Cas {
                    key,
                    expected,
                    value,
                } => {
                    let current = map.get(key).cloned();
                    if current == *expected {
                        map.insert(key.clone(), value.clone());
                        KvResult::CasOk
                    } else {
                        KvResult::CasFailed { current }
                    }
                }
            };
            if e.complete_ms.is_some() {
                e.result = Some(result);
            }
        }
    }

    fn small_params(rng: &mut Rng, unique_values: bool) -> GenParams {
        GenParams {
            ops: 5 + rng.below(40) as usize,
            clients: 1 + rng.below(6) as u32,
            keys: 1 + rng.below(3) as u32,
            incomplete_percent: rng.below(30),
            unique_values,
        }
    }

    fn completed_gets(h: &[HistoryEntry]) -> Vec<usize> {
        (0..h.len())
            .filter(|&i| h[i].complete_ms.is_some() && matches!(h[i].op, KvOp::Get { .. }))
            .collect()
    }

    fn set_read(e: &mut HistoryEntry, v: &str) {
        e.result = Some(KvResult::Value(Some(v.to_string())));
    }

    #[test]
    fn random_register_histories_are_accepted_and_corruptions_rejected() {
        let mut rng = Rng(0x5EED_0001);
        let mut rejected = 0;
        for case in 0..4000 {
            let params = small_params(&mut rng, case % 2 == 0);
            let mut h = generate(&mut rng, &params);
            let report = check_history(&h);
            assert!(
                report.ok(),
                "case {case}: valid history rejected: {:?}\n{h:#?}",
                report.outcome
            );
            let gets = completed_gets(&h);
            if gets.is_empty() {
                continue;
            }
            let g = gets[rng.below(gets.len() as u64) as usize];
            set_read(&mut h[g], "never-written");
            let report = check_history(&h);
            let failure = report
                .failure()
                .unwrap_or_else(|| panic!("case {case}: corruption accepted\n{h:#?}"));
            assert_eq!(failure.key, h[g].op.key());
            rejected += 1;
        }
        assert!(rejected > 3000, "too few corrupted cases: {rejected}");
    }

    /// With distinct written values, two corruptions are certainly not linearizable: a read of a
    /// value whose only write began after the read completed, and a read of a value whose only write
    /// was followed (in real time) by another completed write that preceded the read.
    #[test]
    fn random_future_and_stale_reads_are_rejected() {
        let mut rng = Rng(0x5EED_0002);
        let (mut future, mut stale) = (0, 0);
        for case in 0..3000 {
            let params = small_params(&mut rng, true);
            let h = generate(&mut rng, &params);
            for g in completed_gets(&h) {
                let key = h[g].op.key();
                let (invoke, complete) = (h[g].invoke_ms, h[g].complete_ms.unwrap());
                let writes: Vec<&HistoryEntry> = h
                    .iter()
                    .filter(|e| e.op.key() == key && !matches!(e.op, KvOp::Get { .. }))
                    .collect();
                let later = writes.iter().find(|w| w.invoke_ms > complete);
                let overwritten = writes.iter().find(|w| {
                    writes.iter().any(|w2| {
                        matches!(w2.op, KvOp::Put { .. })
                            && w.complete_ms.is_some_and(|c| c < w2.invoke_ms)
                            && w2.complete_ms.is_some_and(|c2| c2 < invoke)
                    })
                });
                for (target, counter) in [(later, &mut future), (overwritten, &mut stale)] {
                    let Some(w) = target else { continue };
                    let mut bad = h.clone();
                    set_read(&mut bad[g], written_value(w));
                    assert!(
                        !check_history(&bad).ok(),
                        "case {case}: corrupted read of #{} accepted\n{bad:#?}",
                        h[g].id
                    );
                    *counter += 1;
                }
            }
        }
        assert!(
            future > 500 && stale > 500,
            "too few corruptions: {future} future, {stale} stale"
        );
    }

    fn written_value(e: &HistoryEntry) -> &str {
        match &e.op {
            KvOp::Put { value, .. } | KvOp::Cas { value, .. } => value,
            KvOp::Get { .. } => unreachable!(),
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Agreement with a brute-force oracle on small arbitrary histories.
    // ---------------------------------------------------------------------------------------------

    /// Tries every order of the whole history (no partitioning, no pruning): an operation may go
    /// next unless a completed operation not yet placed ended before it began; incomplete
    /// operations may be left out; completed ones must return their recorded result.
    fn oracle(
        h: &[HistoryEntry],
        done: &mut Vec<bool>,
        map: &mut BTreeMap<String, String>,
    ) -> bool {
        if (0..h.len()).all(|i| done[i] || h[i].complete_ms.is_none()) {
            return true;
        }
        for x in 0..h.len() {
            let blocked = (0..h.len())
                .any(|y| !done[y] && h[y].complete_ms.is_some_and(|c| c < h[x].invoke_ms));
            if done[x] || blocked {
                continue;
            }
            let saved = map.clone();
            let result = apply(&h[x].op, map);
            if h[x].complete_ms.is_none() || h[x].result.as_ref() == Some(&result) {
                done[x] = true;
                if oracle(h, done, map) {
                    return true;
                }
                done[x] = false;
            }
            *map = saved;
        }
        false
    }

    fn apply(op: &KvOp, map: &mut BTreeMap<String, String>) -> KvResult {
        match op {
            KvOp::Put { key, value } => {
                map.insert(key.clone(), value.clone());
                KvResult::Ok
            }
            KvOp::Get { key } => KvResult::Value(map.get(key).cloned()),
            KvOp::Cas {
                key,
                expected,
                value,
            } => {
                let current = map.get(key).cloned();
                if current == *expected {
                    map.insert(key.clone(), value.clone());
                    KvResult::CasOk
                } else {
                    KvResult::CasFailed { current }
                }
            }
        }
    }

    /// Up to 7 operations on 1–2 keys over 3 values, random intervals, random (well-formed)
    /// results: a mix of linearizable and non-linearizable histories.
    fn arbitrary_history(rng: &mut Rng) -> Vec<HistoryEntry> {
        let pick = |rng: &mut Rng| match rng.below(4) {
            0 => None,
            i => Some(["a", "b", "c"][i as usize - 1].to_string()),
        };
        let keys = 1 + rng.below(2);
        (0..1 + rng.below(7))
            .map(|id| {
                let key = format!("k{}", rng.below(keys));
                let value = pick(rng).unwrap_or_else(|| "a".into());
                let (op, result) = match rng.below(3) {
                    0 => (KvOp::Put { key, value }, KvResult::Ok),
                    1 => (KvOp::Get { key }, KvResult::Value(pick(rng))),
                    _ => {
                        let expected = pick(rng);
                        let result = if rng.chance(50) {
                            KvResult::CasOk
                        } else {
                            KvResult::CasFailed { current: pick(rng) }
                        };
                        (
                            KvOp::Cas {
                                key,
                                expected,
                                value,
                            },
                            result,
                        )
                    }
                };
                let invoke_ms = rng.below(20);
                let complete_ms = (!rng.chance(20)).then(|| invoke_ms + rng.below(10));
                let result = complete_ms.map(|_| result);
                HistoryEntry {
                    id,
                    client: id as u32,
                    op,
                    invoke_ms,
                    complete_ms,
                    result,
                }
            })
            .collect()
    }

    #[test]
    fn agrees_with_brute_force_oracle_on_small_histories() {
        let mut rng = Rng(0x5EED_0005);
        let (mut yes, mut no) = (0, 0);
        for case in 0..30_000 {
            let h = arbitrary_history(&mut rng);
            let expected = oracle(&h, &mut vec![false; h.len()], &mut BTreeMap::new());
            let report = check_history(&h);
            assert_eq!(
                report.ok(),
                expected,
                "case {case}: {:?}\n{h:#?}",
                report.outcome
            );
            if expected {
                yes += 1;
            } else {
                no += 1;
            }
        }
        assert!(
            yes > 5000 && no > 5000,
            "unbalanced sample: {yes} linearizable, {no} not"
        );
    }

    // ---------------------------------------------------------------------------------------------
    // Performance: bounded search on realistic histories.
    // ---------------------------------------------------------------------------------------------

    fn measure(name: &str, h: &[HistoryEntry]) -> u64 {
        let rounds = 20;
        let start = Instant::now();
        let mut states = 0;
        for _ in 0..rounds {
            let report = check_history(h);
            assert!(report.ok(), "{name}: {:?}", report.outcome);
            states = report.states_explored;
        }
        let secs = start.elapsed().as_secs_f64() / f64::from(rounds);
        println!(
            "{name}: {} ops, {states} states, {:.3} ms per check, {:.0} ops/s",
            h.len(),
            secs * 1e3,
            h.len() as f64 / secs
        );
        states
    }

    #[test]
    fn performance_typical_2000_ops_over_10_keys() {
        let mut rng = Rng(0x5EED_0003);
        let params = GenParams {
            ops: 2000,
            clients: 5,
            keys: 10,
            incomplete_percent: 5,
            unique_values: true,
        };
        let h = generate(&mut rng, &params);
        let states = measure("2000 ops / 10 keys / 5 clients / 5% incomplete", &h);
        assert!(states <= 3 * 2000, "{states} states");
    }

    #[test]
    fn performance_contended_2000_ops_on_one_key() {
        let mut rng = Rng(0x5EED_0004);
        let params = GenParams {
            ops: 2000,
            clients: 8,
            keys: 1,
            incomplete_percent: 10,
            unique_values: false,
        };
        let h = generate(&mut rng, &params);
        let states = measure(
            "2000 ops / 1 key / 8 clients / 10% incomplete / 4 values",
            &h,
        );
        assert!(states <= 50 * 2000, "{states} states");
    }
}
