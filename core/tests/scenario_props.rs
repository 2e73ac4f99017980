//! Property tests for the scenario text format.
//!
//! 1. Round trips: every valid `Scenario` of every protocol (its node counts, settings, bugs and
//!    actions; Ceph's election strategy, disallowed leaders and pinging; Basic Paxos's proposers)
//!    survives print → parse (and print is stable), and the
//!    URL fragment encoding.
//! 2. Robustness: the parser and the fragment decoder never panic, on random strings, on token
//!    soup and (most effective) on randomly edited valid scenario texts. Whenever such an input
//!    does parse, the result must be valid and round-trip too.
//!
//! Run: `cargo test -p paxoscope-core --release scenario` (about 10 s of tests on 2 cores).
//! Unoptimised builds run a tenth of the cases so a plain `cargo test` stays quick.

use paxoscope_core::protocols::ceph::messages::Text;
use paxoscope_core::scenario::url::{decode_text, encode_text};
use paxoscope_core::scenario::*;
use proptest::prelude::*;
use proptest::sample::{select, subsequence, Index};
use proptest::strategy::{Union, ValueTree};
use proptest::test_runner::Config;

/// `n` cases in release builds, `n / 10` in debug builds.
fn cases(n: u32) -> Config {
    let n = if cfg!(debug_assertions) { n / 10 } else { n };
    Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Valid scenarios

const WORD_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/-";

/// Names, notes and quoted values: plain text plus everything that needs care when printing.
const TEXT_CHARS: &[char] = &[
    'a', 'b', 'k', 'z', 'A', 'Q', '0', '7', ' ', ' ', ' ', '"', '\\', '#', '|', '-', '>', '<', '*',
    '\'', '%', ';', '+', '.', ':', '/', '_', '=', '&', '?', 'é', 'ü', 'ß', '日', '本', '🎉', '𝄞',
    '\u{a0}', '\u{200b}', '\u{2028}', '\u{feff}', '\u{301}', 'Ω',
];

fn word_chars() -> Vec<char> {
    WORD_CHARS.chars().collect()
}

fn string_of(
    chars: Vec<char>,
    len: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = String> {
    proptest::collection::vec(select(chars), len).prop_map(|v| v.into_iter().collect())
}

/// Text of at most `max` characters, usually short.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => string_of(TEXT_CHARS.to_vec(), 0..=max.min(24)),
        1 => string_of(TEXT_CHARS.to_vec(), 0..=max),
    ]
}

fn key() -> impl Strategy<Value = Text> {
    prop_oneof![
        6 => string_of(word_chars(), 1..=8),
        1 => string_of(word_chars(), 1..=MAX_KEY_LEN),
        1 => Just("-".to_string()),
    ]
    .prop_map(Text::from)
}

fn value() -> impl Strategy<Value = Text> {
    prop_oneof![
        4 => string_of(word_chars(), 1..=8),
        1 => string_of(word_chars(), 1..=MAX_KEY_LEN),
        1 => Just("-".to_string()),
        3 => text(MAX_KEY_LEN),
    ]
    .prop_map(Text::from)
}

fn time() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => (0..=MAX_TIME_MS / 1000).prop_map(|s| s * 1000),
        2 => 0..100_000u64,
        2 => 0..=MAX_TIME_MS,
        1 => Just(0u64),
        1 => Just(MAX_TIME_MS),
    ]
}

fn link(n: u8) -> BoxedStrategy<LinkSel> {
    if n < 2 {
        return Just(LinkSel::All).boxed();
    }
    prop_oneof![
        Just(LinkSel::All),
        (0..n, 1..n).prop_map(move |(a, d)| LinkSel::OneWay(a, (a + d) % n)),
        (0..n, 1..n).prop_map(move |(a, d)| LinkSel::Both(a, (a + d) % n)),
    ]
    .boxed()
}

fn partition(n: u8) -> impl Strategy<Value = Action> {
    let all: Vec<u8> = (0..n).collect();
    (
        Just(all).prop_shuffle(),
        1..=usize::from(n),
        proptest::collection::vec(any::<bool>(), usize::from(n)),
    )
        .prop_map(|(perm, k, splits)| {
            let mut groups: Vec<Vec<u8>> = vec![Vec::new()];
            for (i, &node) in perm.iter().take(k).enumerate() {
                if i > 0 && splits[i] {
                    groups.push(Vec::new());
                }
                groups.last_mut().unwrap().push(node);
            }
            Action::Partition(groups)
        })
}

/// A disallowed-leader list for `n` monitors: ascending, without repeats, one left allowed.
fn disallowed(n: u8) -> impl Strategy<Value = Vec<u8>> {
    subsequence((0..n).collect::<Vec<u8>>(), 0..usize::from(n))
}

/// An action protocol `p` can carry out on `n` nodes.
fn action(n: u8, p: ProtocolId) -> BoxedStrategy<Action> {
    let node = move || 0..n;
    let arms: Vec<BoxedStrategy<Action>> = vec![
        partition(n).boxed(),
        node().prop_map(Action::Isolate).boxed(),
        link(n).prop_map(Action::Cut).boxed(),
        proptest::option::of(link(n)).prop_map(Action::Heal).boxed(),
        (link(n), 0..=100u8)
            .prop_map(|(l, p)| Action::Loss(l, p))
            .boxed(),
        (link(n), prop_oneof![0..=1000u64, 0..=MAX_DELAY_MS])
            .prop_map(|(l, d)| Action::Delay(l, d))
            .boxed(),
        node().prop_map(Action::Crash).boxed(),
        Just(Action::CrashInCommit).boxed(),
        node().prop_map(Action::Restart).boxed(),
        node().prop_map(Action::Pause).boxed(),
        node().prop_map(Action::Resume).boxed(),
        (node(), -MAX_SKEW_MS..=MAX_SKEW_MS)
            .prop_map(|(x, v)| Action::Skew(x, v))
            .boxed(),
        (
            node(),
            prop_oneof![-1000..=1000i64, -MAX_DRIFT_PPM..=MAX_DRIFT_PPM],
        )
            .prop_map(|(x, v)| Action::Drift(x, v))
            .boxed(),
        (node(), key(), value())
            .prop_map(|(node, key, value)| Action::Put { node, key, value })
            .boxed(),
        (node(), key())
            .prop_map(|(node, key)| Action::Get { node, key })
            .boxed(),
        (node(), key(), proptest::option::of(value()), value())
            .prop_map(|(node, key, expected, value)| Action::Cas {
                node,
                key,
                expected,
                value,
            })
            .boxed(),
        text(MAX_NOTE_LEN).prop_map(Action::Note).boxed(),
        node().prop_map(Action::AddServer).boxed(),
        node().prop_map(Action::RemoveServer).boxed(),
        select(ElectionStrategy::ALL.to_vec())
            .prop_map(Action::Election)
            .boxed(),
        disallowed(n).prop_map(Action::Disallow).boxed(),
    ];
    // Whether `p` refuses an action depends on its kind alone: keep the arms whose first
    // value it accepts (a rejection filter would starve the runner on the refused kinds).
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let ours: Vec<BoxedStrategy<Action>> = arms
        .into_iter()
        .filter(|arm| {
            let sample = arm.new_tree(&mut runner).expect("a value").current();
            p.refuses(&sample).is_none()
        })
        .collect();
    Union::new(ours).boxed()
}

fn overrides(p: ProtocolId) -> impl Strategy<Value = Vec<(ConfigKey, u64)>> {
    let others: Vec<ConfigKey> = ConfigKey::ALL
        .iter()
        .copied()
        .filter(|k| *k != ConfigKey::Monitors && p.reads(*k))
        .collect();
    let n = others.len();
    subsequence(others, 0..=n)
        .prop_shuffle()
        .prop_flat_map(|keys| {
            keys.into_iter()
                .map(|k| {
                    let (lo, hi) = k.range();
                    prop_oneof![Just(lo), Just(hi), lo..=hi].prop_map(move |v| (k, v))
                })
                .collect::<Vec<_>>()
        })
}

/// What only some protocols say: Basic Paxos's proposers, Ceph's election strategy,
/// disallowed leaders and pinging.
#[derive(Clone, Debug)]
struct Head {
    proposers: Option<u8>,
    election: ElectionStrategy,
    disallowed: Vec<u8>,
    pinging: Option<Pinging>,
}

fn head(p: ProtocolId, n: u8) -> BoxedStrategy<Head> {
    let proposers = match p.proposer_range() {
        Some((lo, hi)) => proptest::option::of(lo..=hi).boxed(),
        None => Just(None).boxed(),
    };
    if p != ProtocolId::Ceph {
        return proposers
            .prop_map(|proposers| Head {
                proposers,
                election: ElectionStrategy::Classic,
                disallowed: Vec::new(),
                pinging: None,
            })
            .boxed();
    }
    (
        select(ElectionStrategy::ALL.to_vec()),
        disallowed(n),
        proptest::option::of(select(Pinging::ALL.to_vec())),
    )
        .prop_map(|(election, disallowed, pinging)| Head {
            proposers: None,
            disallowed: if election.reads_disallowed() {
                disallowed
            } else {
                Vec::new()
            },
            election,
            pinging,
        })
        .boxed()
}

/// A valid scenario of any protocol.
fn scenario() -> impl Strategy<Value = Scenario> {
    select(ProtocolId::ALL.to_vec()).prop_flat_map(scenario_of)
}

/// A valid scenario of protocol `p`: its node counts, settings, bugs and actions only.
fn scenario_of(p: ProtocolId) -> impl Strategy<Value = Scenario> {
    let (lo, hi) = p.node_range();
    proptest::option::of(lo..=hi)
        .prop_flat_map(move |mon| {
            let n = mon.unwrap_or(DEFAULT_MONITORS);
            (
                (Just(mon), any::<Index>(), overrides(p), head(p, n)),
                proptest::option::of(text(MAX_NOTE_LEN)),
                prop_oneof![any::<u64>(), 0..100u64],
                subsequence(Allowance::ALL.to_vec(), 0..=Allowance::ALL.len()).prop_shuffle(),
                subsequence(p.mutations(), 0..=p.mutations().len()).prop_shuffle(),
                proptest::option::of(prop_oneof![1..=MAX_TIME_MS, (1..=3600u64).prop_map(|s| s * 1000)]),
                proptest::option::of((time(), proptest::option::of(0..n), 1..=1000u32, any::<bool>()).prop_map(
                    |(t_ms, node, speed_tenths, paused)| View { t_ms, node, speed_tenths, paused },
                )),
                prop_oneof![
                    3 => proptest::collection::vec((time(), action(n, p)), 0..12),
                    1 => proptest::collection::vec((prop_oneof![Just(0u64), Just(1000u64), 0..3000u64], action(n, p)), 0..40),
                ],
            )
        })
        .prop_map(move |((mon, at, mut overrides, head), name, seed, allowances, mutations, end_ms, view, actions)| {
            if let Some(m) = mon {
                let i = at.index(overrides.len() + 1);
                overrides.insert(i, (ConfigKey::Monitors, u64::from(m)));
            }
            let mut actions: Vec<TimedAction> =
                actions.into_iter().map(|(at_ms, action)| TimedAction { at_ms, action }).collect();
            actions.sort_by_key(|a| a.at_ms);
            let Head { proposers, election, disallowed, pinging } = head;
            Scenario {
                protocol: p,
                proposers,
                name,
                seed,
                overrides,
                allowances,
                mutations,
                election,
                disallowed,
                pinging,
                actions,
                end_ms,
                view,
            }
        })
}

/// Anything that parses must be valid and round-trip.
fn check_parsed(s: &Scenario) -> Result<(), TestCaseError> {
    prop_assert_eq!(s.validate(), Ok(()));
    let text = print(s);
    let again = parse(&text);
    prop_assert_eq!(again.as_ref(), Ok(s), "printed:\n{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(cases(10_000))]

    #[test]
    fn scenario_print_parse_round_trip(s in scenario()) {
        prop_assert_eq!(s.validate(), Ok(()));
        let text = print(&s);
        let parsed = parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&s), "printed:\n{}", text);
        prop_assert_eq!(print(&parsed.unwrap()), text);
    }
}

proptest! {
    #![proptest_config(cases(2_000))]

    #[test]
    fn scenario_url_fragment_round_trip(s in scenario(), hash in any::<bool>()) {
        let frag = to_url_fragment(&s);
        prop_assert!(
            frag.chars().all(|c| c.is_ascii_alphanumeric() || "-._~!$&()*,=:@/?+;'%".contains(c)),
            "not URL-safe: {}", frag
        );
        let input = if hash { format!("#{frag}") } else { frag.clone() };
        prop_assert_eq!(from_url_fragment(&input), Ok(s));
    }

    #[test]
    fn scenario_url_text_codec_round_trip(t in prop_oneof![
        any::<String>(),
        string_of(TEXT_CHARS.iter().copied().chain(['\n', '\t', '\r', '\0']).collect(), 0..=60),
    ]) {
        let frag = encode_text(&t);
        prop_assert_eq!(decode_text(&frag), Ok(t));
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness

const HEADER_LINE: &str = "paxoscope scenario v1\n";

/// Pieces of the grammar, valid and almost valid, for token soup and for insertions.
const VOCAB: &[&str] = &[
    "paxoscope",
    "scenario",
    "v1",
    "v2",
    "v0",
    "name",
    "seed",
    "set",
    "allow",
    "break",
    "end",
    "view",
    "at",
    "t",
    "node",
    "speed",
    "playing",
    "paused",
    "partition",
    "isolate",
    "cut",
    "heal",
    "loss",
    "delay",
    "crash",
    "crash-in-commit",
    "restart",
    "pause",
    "resume",
    "skew",
    "drift",
    "put",
    "get",
    "cas",
    "note",
    "monitors",
    "lease_ms",
    "jitter_ms",
    "reorder",
    "duplicate",
    "commit-on-majority",
    "0",
    "1",
    "2",
    "4",
    "5",
    "8",
    "9",
    "10",
    "255",
    "256",
    "-1",
    "-",
    "+5",
    "mon.0",
    "mon.4",
    "mon.9",
    "mon.",
    "*",
    "->",
    "<->",
    "|",
    "||",
    "20s",
    "1.5s",
    "1.2345s",
    "20000ms",
    "86400s",
    "86401s",
    "1e999s",
    "99999999999999999999",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "9223372036854775807",
    "0.1",
    "100.0",
    "100.1",
    "1.0",
    "%",
    "20%",
    "k",
    "key/with:all.chars-_",
    "\"\"",
    "\"text\"",
    "\"a\\\"b\"",
    "\"a\\\\\"",
    "\"unterminated",
    "\"bad\\n\"",
    "\"ü🎉\"",
    "#",
    "# comment",
    "\t",
    "é",
    "\u{feff}",
    "\u{0}",
    "\r",
];

/// Single characters and snippets inserted by the mutator.
const INSERTS: &[&str] = &[
    " ",
    " ",
    "\n",
    "\r\n",
    "\t",
    "\"",
    "\\",
    "#",
    "|",
    "-",
    ">",
    "<",
    "*",
    "%",
    ".",
    ":",
    "/",
    "_",
    "0",
    "1",
    "4",
    "5",
    "9",
    "s",
    "m",
    "v",
    "é",
    "日",
    "🎉",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "\u{85}",
    "\u{2028}",
    "99999999999999999999999",
    "mon.",
    "1.5",
    "<->",
    "->",
    "at 0 ",
    "set monitors 1\n",
    "set monitors 9\n",
    "\nat 1s crash 4",
    "\nat 0 note \"x\"",
    "\nseed 1",
    "\nname \"n\"",
    "\nview t 0 node - speed 1 paused",
    "\npaxoscope scenario v1\n",
    "crash-in-commit",
    "heal",
    "\\\"",
];

/// Random edits of a text (character positions, so multi-byte characters are edited whole).
#[derive(Clone, Debug)]
enum Edit {
    Delete(Index, usize),
    Insert(Index, &'static str),
    Replace(Index, &'static str),
    DupLine(Index),
    SwapChars(Index, Index),
    Truncate(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), 1..4usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        3 => (any::<Index>(), select(INSERTS)).prop_map(|(i, s)| Edit::Insert(i, s)),
        2 => (any::<Index>(), select(VOCAB)).prop_map(|(i, s)| Edit::Insert(i, s)),
        3 => (any::<Index>(), select(INSERTS)).prop_map(|(i, s)| Edit::Replace(i, s)),
        1 => any::<Index>().prop_map(Edit::DupLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapChars(a, b)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut cs: Vec<char> = text.chars().collect();
    for e in edits {
        let len = cs.len();
        match e {
            Edit::Delete(i, n) if len > 0 => {
                let at = i.index(len);
                cs.drain(at..(at + n).min(len));
            }
            Edit::Insert(i, s) => {
                let at = i.index(len + 1);
                cs.splice(at..at, s.chars());
            }
            Edit::Replace(i, s) if len > 0 => {
                let at = i.index(len);
                cs.splice(at..at + 1, s.chars());
            }
            Edit::DupLine(i) if len > 0 => {
                let at = i.index(len);
                let start = cs[..at]
                    .iter()
                    .rposition(|&c| c == '\n')
                    .map_or(0, |p| p + 1);
                let end = cs[at..]
                    .iter()
                    .position(|&c| c == '\n')
                    .map_or(len, |p| at + p);
                let mut line: Vec<char> = cs[start..end].to_vec();
                line.push('\n');
                cs.splice(start..start, line);
            }
            Edit::SwapChars(a, b) if len > 0 => cs.swap(a.index(len), b.index(len)),
            Edit::Truncate(i) if len > 0 => cs.truncate(i.index(len)),
            _ => {}
        }
    }
    cs.into_iter().collect()
}

fn mutated_text() -> impl Strategy<Value = String> {
    (scenario(), proptest::collection::vec(edit(), 1..4))
        .prop_map(|(s, edits)| apply(&print(&s), &edits))
}

/// Line starts that get past the directive and action names, so the soup reaches their arguments.
const STARTS: &[&str] = &[
    "",
    "name",
    "seed",
    "set",
    "set monitors",
    "set lease_ms",
    "allow",
    "break",
    "end",
    "view",
    "view t 0 node",
    "view t 1s node 1 speed",
    "at",
    "at 0",
    "at 1s partition",
    "at 1s isolate",
    "at 1s cut",
    "at 1s heal",
    "at 1s loss",
    "at 1s loss *",
    "at 1s delay",
    "at 1s delay 0 -> 1",
    "at 1s crash",
    "at 1s restart",
    "at 1s skew 1",
    "at 1s drift 2",
    "at 1s put",
    "at 1s put 1",
    "at 1s put 1 k",
    "at 1s get 2",
    "at 1s cas 1 k",
    "at 1s cas 1 k -",
    "at 1s note",
];

fn token_soup() -> impl Strategy<Value = String> {
    let line = (
        select(STARTS),
        proptest::collection::vec(select(VOCAB), 0..6),
    )
        .prop_map(|(start, ws)| format!("{start} {}", ws.join(" ")));
    (
        prop::bool::weighted(0.9),
        proptest::collection::vec(line, 0..12),
    )
        .prop_map(|(header, lines)| {
            let body = lines.join("\n");
            if header {
                format!("{HEADER_LINE}{body}")
            } else {
                body
            }
        })
}

fn random_text() -> impl Strategy<Value = String> {
    let grammar_chars: Vec<char> = "paxoscenriv1 \n\"\\#|-><*%.:/_0123456789smé🎉\t\r"
        .chars()
        .collect();
    (
        any::<bool>(),
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(any::<char>(), 0..200)
                .prop_map(|v| v.into_iter().collect::<String>()),
            string_of(grammar_chars, 0..=200),
        ],
    )
        .prop_map(|(header, s)| {
            if header {
                format!("{HEADER_LINE}{s}")
            } else {
                s
            }
        })
}

proptest! {
    #![proptest_config(cases(50_000))]

    #[test]
    fn scenario_parse_never_panics_on_mutations(text in mutated_text()) {
        if let Ok(s) = parse(&text) {
            check_parsed(&s)?;
        }
    }
}

proptest! {
    #![proptest_config(cases(25_000))]

    #[test]
    fn scenario_parse_never_panics_on_token_soup(text in token_soup()) {
        if let Ok(s) = parse(&text) {
            check_parsed(&s)?;
        }
    }

    #[test]
    fn scenario_parse_never_panics_on_random_text(text in random_text()) {
        if let Ok(s) = parse(&text) {
            check_parsed(&s)?;
        }
    }
}

fn fragment_char() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(&["%", "%2", "%C3", "%BC", "%E2%82", "%AC", "%FF", "%zz", "%7c", "%0A", "+", ";", "'", "#",
            "a", "0", "F", "é", "\u{0}", " ", "|"][..]).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(cases(10_000))]

    #[test]
    fn scenario_fragment_never_panics_on_random(parts in proptest::collection::vec(fragment_char(), 0..80)) {
        let frag: String = parts.concat();
        if let Ok(s) = from_url_fragment(&frag) {
            check_parsed(&s)?;
        }
    }

    #[test]
    fn scenario_fragment_never_panics_on_mutations(
        s in scenario(),
        edits in proptest::collection::vec(edit(), 1..5),
    ) {
        let frag = apply(&to_url_fragment(&s), &edits);
        if let Ok(s) = from_url_fragment(&frag) {
            check_parsed(&s)?;
        }
    }
}

/// Ways to break a valid scenario's AST (each may or may not actually make it invalid).
#[derive(Clone, Debug)]
enum Corruption {
    DupAllowance,
    DupMutation,
    DupOverride(Index),
    Monitors(u64),
    Action(Index, Action),
    Time(Index, u64),
    End(u64),
    View(u64, Option<u8>, u32),
    Name(String),
    TooManyActions,
}

fn corruption() -> impl Strategy<Value = Corruption> {
    let bad_action = prop_oneof![
        (0u8..=10).prop_map(Action::Crash),
        (0u8..=10).prop_map(|n| Action::Cut(LinkSel::OneWay(n, n))),
        (0u8..=10, 0u8..=10).prop_map(|(a, b)| Action::Heal(Some(LinkSel::Both(a, b)))),
        (99u8..=101).prop_map(|p| Action::Loss(LinkSel::All, p)),
        Just(Action::Delay(LinkSel::All, MAX_DELAY_MS + 1)),
        prop_oneof![
            Just(MAX_SKEW_MS + 1),
            Just(-MAX_SKEW_MS - 1),
            Just(i64::MIN),
            Just(MAX_SKEW_MS)
        ]
        .prop_map(|v| Action::Skew(0, v)),
        prop_oneof![
            Just(MAX_DRIFT_PPM + 1),
            Just(i64::MIN),
            Just(-MAX_DRIFT_PPM)
        ]
        .prop_map(|v| Action::Drift(0, v)),
        Just(Action::Partition(vec![])),
        Just(Action::Partition(vec![vec![0], vec![]])),
        Just(Action::Partition(vec![vec![0, 1], vec![1]])),
        prop_oneof![
            Just(String::new()),
            Just("a b".to_string()),
            Just("k".repeat(65)),
            Just("k\"".to_string())
        ]
        .prop_map(|key| Action::Get {
            node: 0,
            key: key.into()
        }),
        prop_oneof![
            Just("v".repeat(65)),
            Just("a\nb".to_string()),
            Just("\t".to_string()),
            Just("ok".to_string())
        ]
        .prop_map(|v| Action::Cas {
            node: 0,
            key: "k".into(),
            expected: Some(v.as_str().into()),
            value: v.into()
        }),
        prop_oneof![
            Just("x".repeat(1001)),
            Just("x".repeat(1000)),
            Just("a\nat 0 heal".to_string()),
            Just("\r".to_string())
        ]
        .prop_map(Action::Note),
    ];
    prop_oneof![
        1 => Just(Corruption::DupAllowance),
        1 => Just(Corruption::DupMutation),
        1 => any::<Index>().prop_map(Corruption::DupOverride),
        1 => prop_oneof![Just(0u64), Just(10), Just(1), Just(9)].prop_map(Corruption::Monitors),
        3 => (any::<Index>(), bad_action).prop_map(|(i, a)| Corruption::Action(i, a)),
        1 => (any::<Index>(), prop_oneof![Just(0u64), Just(MAX_TIME_MS), Just(MAX_TIME_MS + 1), Just(u64::MAX)])
            .prop_map(|(i, t)| Corruption::Time(i, t)),
        1 => prop_oneof![Just(0u64), Just(1), Just(MAX_TIME_MS + 1)].prop_map(Corruption::End),
        1 => (prop_oneof![Just(0u64), Just(MAX_TIME_MS + 1)], proptest::option::of(0u8..=10), prop_oneof![Just(0u32), Just(1), Just(1000), Just(1001)])
            .prop_map(|(t, n, sp)| Corruption::View(t, n, sp)),
        1 => prop_oneof![Just("a\"b".to_string()), Just("\u{7}".to_string()), Just("n".repeat(1001))].prop_map(Corruption::Name),
        1 => Just(Corruption::TooManyActions),
    ]
}

fn corrupt(s: &mut Scenario, c: Corruption) {
    match c {
        Corruption::DupAllowance => s.allowances.push(Allowance::Reorder),
        Corruption::DupMutation => s.mutations.push(Mutation::PnNotUnique),
        Corruption::DupOverride(i) => {
            if !s.overrides.is_empty() {
                let o = s.overrides[i.index(s.overrides.len())];
                s.overrides.push(o);
            }
        }
        Corruption::Monitors(m) => {
            s.overrides.retain(|(k, _)| *k != ConfigKey::Monitors);
            s.overrides.push((ConfigKey::Monitors, m));
        }
        Corruption::Action(i, a) => {
            if s.actions.is_empty() {
                s.actions.push(TimedAction {
                    at_ms: 0,
                    action: a,
                });
            } else {
                let n = s.actions.len();
                s.actions[i.index(n)].action = a;
            }
        }
        Corruption::Time(i, t) => {
            if !s.actions.is_empty() {
                let n = s.actions.len();
                s.actions[i.index(n)].at_ms = t;
            }
        }
        Corruption::End(e) => s.end_ms = Some(e),
        Corruption::View(t_ms, node, speed_tenths) => {
            s.view = Some(View {
                t_ms,
                node,
                speed_tenths,
                paused: true,
            })
        }
        Corruption::Name(n) => s.name = Some(n),
        Corruption::TooManyActions => {
            let a = TimedAction {
                at_ms: MAX_TIME_MS,
                action: Action::CrashInCommit,
            };
            s.actions.resize(MAX_ACTIONS + 1, a);
        }
    }
}

proptest! {
    #![proptest_config(cases(5_000))]

    /// `validate` accepts exactly the scenarios that survive print → parse.
    #[test]
    fn scenario_validate_matches_round_trip(mut s in scenario(), c in corruption()) {
        corrupt(&mut s, c);
        let valid = s.validate();
        let round_trips = parse(&print(&s)).as_ref() == Ok(&s);
        prop_assert_eq!(valid.is_ok(), round_trips, "validate: {:?}", valid);
    }
}

#[test]
fn scenario_large_valid_scenario_round_trips() {
    // Near the limits: MAX_ACTIONS actions, long notes, every key set, the text just under the size limit.
    let mut s = Scenario {
        name: Some("n".repeat(MAX_NOTE_LEN)),
        seed: u64::MAX,
        ..Scenario::default()
    };
    s.overrides = ProtocolId::Ceph
        .settings()
        .iter()
        .map(|&k| (k, k.range().1))
        .collect();
    s.allowances = Allowance::ALL.to_vec();
    s.mutations = Mutation::ALL.to_vec();
    for i in 0..MAX_ACTIONS {
        let action = match i % 3 {
            0 => Action::Note("x\"y".into()),
            1 => Action::Cut(LinkSel::Both(8, 0)),
            _ => Action::Put {
                node: 8,
                key: "k".into(),
                value: "v w".into(),
            },
        };
        s.actions.push(TimedAction {
            at_ms: (i as u64) * 8_000,
            action,
        });
    }
    assert_eq!(s.validate(), Ok(()));
    let text = print(&s);
    assert!(text.len() <= MAX_TEXT_BYTES, "{}", text.len());
    assert_eq!(parse(&text), Ok(s.clone()));
    assert_eq!(from_url_fragment(&to_url_fragment(&s)), Ok(s));
}

/// How deep the fuzz inputs get: the share that parses and the error kinds reached.
/// `cargo test -p paxoscope-core --release --test scenario_props -- --ignored --nocapture`
#[test]
#[ignore]
fn scenario_fuzz_depth_report() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::BTreeMap;
    let mut runner = TestRunner::deterministic();
    for (label, strat) in [
        ("mut", mutated_text().boxed()),
        ("soup", token_soup().boxed()),
        ("rand", random_text().boxed()),
    ] {
        let mut ok = 0;
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..20000 {
            let t = strat.new_tree(&mut runner).unwrap().current();
            match parse(&t) {
                Ok(_) => ok += 1,
                Err(e) => {
                    let k: String = e
                        .message
                        .split(|c: char| c == '"' || c.is_ascii_digit())
                        .next()
                        .unwrap()
                        .to_string();
                    *kinds.entry(k).or_default() += 1;
                }
            }
        }
        println!("{label}: ok {ok}/20000, {} error kinds", kinds.len());
        for (k, v) in kinds {
            println!("   {v:6} {k}");
        }
    }
}
