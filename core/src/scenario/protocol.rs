//! Which protocol a scenario runs, and what each protocol's scenarios may say. This is the one
//! place that names the protocols: the scenario's `protocol` line, the CLI's `--protocol` and
//! the playground's picker read `ProtocolId`; each protocol's `actor::Protocol::ID` points back
//! here. It depends on no protocol module (the protocols depend on the scenario, not the other
//! way round).

use super::ast::{Action, ConfigKey, Mutation, MAX_MONITORS};
use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum ProtocolId {
    /// Ceph's monitor Paxos (`protocols::ceph`): the default, a scenario without a
    /// `protocol` line runs it.
    #[default]
    Ceph,
    /// Basic Paxos, single decree (`protocols::basic_paxos`).
    BasicPaxos,
    /// Classic Multi-Paxos: a log of slots, a stable leader, the α window
    /// (`protocols::multi_paxos`).
    MultiPaxos,
}

/// The settings a Basic Paxos scenario may `set`: the node count, the simulated network, and
/// its proposers' retry timing (`backoff_ms 0` lets two proposers duel).
const BASIC_SETTINGS: [ConfigKey; 5] = [
    ConfigKey::Monitors,
    ConfigKey::LatencyMs,
    ConfigKey::JitterMs,
    ConfigKey::RetryMs,
    ConfigKey::BackoffMs,
];

/// Settings only another protocol reads.
const NOT_CEPH: [ConfigKey; 6] = [
    ConfigKey::RetryMs,
    ConfigKey::BackoffMs,
    ConfigKey::Alpha,
    ConfigKey::GroupCommit,
    ConfigKey::Members,
    ConfigKey::LeaderTimeoutMs,
];

/// Ceph's mutations that switch on a Basic Paxos bug of the same spirit, with the Basic Paxos
/// name a scenario writes (`break forget-promise`). protocols/basic_paxos/seam.rs maps them to
/// its own `Mutation` of that name (a test holds the two to the same names).
const BASIC_MUTATIONS: [(Mutation, &str); 5] = [
    (Mutation::ForgetAcceptedPn, "forget-promise"),
    (Mutation::PromiseLowerPn, "accept-below-promise"),
    (Mutation::IgnoreUncommitted, "ignore-promised-value"),
    (Mutation::CommitOnMajority, "learn-on-minority"),
    (Mutation::PnNotUnique, "forget-round"),
];

/// The settings a Multi-Paxos scenario may `set`: the node count, the simulated network, and
/// its own (α, group commit, the first configuration's size, the leader timeout).
const MULTI_SETTINGS: [ConfigKey; 7] = [
    ConfigKey::Monitors,
    ConfigKey::LatencyMs,
    ConfigKey::JitterMs,
    ConfigKey::Alpha,
    ConfigKey::GroupCommit,
    ConfigKey::Members,
    ConfigKey::LeaderTimeoutMs,
];

/// Ceph's mutations that switch on a Multi-Paxos bug of the same spirit, with the name a
/// Multi-Paxos scenario writes. protocols/multi_paxos/seam.rs maps them to its own `Mutation`
/// of that name (a test holds the two to the same names).
const MULTI_MUTATIONS: [(Mutation, &str); 6] = [
    (Mutation::ForgetAcceptedPn, "forget-accepted"),
    (Mutation::PromiseLowerPn, "accept-below-promise"),
    (Mutation::IgnoreUncommitted, "noop-over-accepted"),
    (Mutation::CommitOnMajority, "commit-on-one"),
    (Mutation::PnNotUnique, "id-without-node"),
    (Mutation::RecoverOnMajority, "apply-past-hole"),
];

/// Proposers in a Basic Paxos scenario without a `proposers` line.
pub const DEFAULT_PROPOSERS: u8 = 2;

impl ProtocolId {
    pub const ALL: [ProtocolId; 3] = [
        ProtocolId::Ceph,
        ProtocolId::BasicPaxos,
        ProtocolId::MultiPaxos,
    ];

    /// The name in the scenario's `protocol` line and the CLI's `--protocol`.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolId::Ceph => "ceph",
            ProtocolId::BasicPaxos => "basic-paxos",
            ProtocolId::MultiPaxos => "multi-paxos",
        }
    }

    pub fn from_name(s: &str) -> Option<ProtocolId> {
        ProtocolId::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The protocol's name for people (the playground's picker).
    pub fn title(self) -> &'static str {
        match self {
            ProtocolId::Ceph => "Ceph monitor Paxos",
            ProtocolId::BasicPaxos => "Basic Paxos",
            ProtocolId::MultiPaxos => "Multi-Paxos",
        }
    }

    /// `ceph, basic-paxos`: for error messages.
    pub fn names() -> String {
        let names: Vec<&str> = ProtocolId::ALL.iter().map(|p| p.name()).collect();
        names.join(", ")
    }

    /// The node counts (`set monitors`) the protocol runs with, inclusive.
    pub fn node_range(self) -> (u8, u8) {
        match self {
            ProtocolId::Ceph => (1, MAX_MONITORS),
            ProtocolId::BasicPaxos | ProtocolId::MultiPaxos => (3, 7),
        }
    }

    /// The proposer counts (`proposers N`) the protocol runs with, if it has proposers.
    pub fn proposer_range(self) -> Option<(u8, u8)> {
        match self {
            ProtocolId::Ceph => None,
            ProtocolId::BasicPaxos => Some((1, 3)),
            ProtocolId::MultiPaxos => None,
        }
    }

    /// Does the protocol read this setting? A scenario may `set` only those.
    pub fn reads(self, key: ConfigKey) -> bool {
        match self {
            ProtocolId::Ceph => !NOT_CEPH.contains(&key),
            ProtocolId::BasicPaxos => BASIC_SETTINGS.contains(&key),
            ProtocolId::MultiPaxos => MULTI_SETTINGS.contains(&key),
        }
    }

    /// The protocol that reads `key` (for saying whose setting a scenario got wrong).
    pub fn owner_of(key: ConfigKey) -> ProtocolId {
        let owner = ProtocolId::ALL.into_iter().find(|p| p.reads(key));
        owner.expect("every config key is read by some protocol")
    }

    /// `lease_ms is a Ceph setting`: whose setting `key` is, for errors.
    pub fn not_ours(self, key: ConfigKey) -> String {
        let owner = match ProtocolId::owner_of(key) {
            ProtocolId::Ceph => "Ceph",
            other => other.title(),
        };
        debug_assert!(!self.reads(key));
        format!("{} is a {owner} setting", key.name())
    }

    /// The settings the protocol reads, in `ConfigKey::ALL` order.
    pub fn settings(self) -> Vec<ConfigKey> {
        ConfigKey::ALL
            .into_iter()
            .filter(|k| self.reads(*k))
            .collect()
    }

    /// The name a scenario of this protocol writes to switch `m` on, if the protocol has it.
    pub fn mutation_name(self, m: Mutation) -> Option<&'static str> {
        match self {
            ProtocolId::Ceph => Some(m.name()),
            ProtocolId::BasicPaxos => BASIC_MUTATIONS
                .iter()
                .find(|(x, _)| *x == m)
                .map(|(_, name)| *name),
            ProtocolId::MultiPaxos => MULTI_MUTATIONS
                .iter()
                .find(|(x, _)| *x == m)
                .map(|(_, name)| *name),
        }
    }

    pub fn mutation_from_name(self, name: &str) -> Option<Mutation> {
        self.mutations()
            .into_iter()
            .find(|m| self.mutation_name(*m) == Some(name))
    }

    /// The mutations a scenario of this protocol may switch on, in `Mutation::ALL` order.
    pub fn mutations(self) -> Vec<Mutation> {
        Mutation::ALL
            .into_iter()
            .filter(|m| self.mutation_name(*m).is_some())
            .collect()
    }

    /// `None` if the protocol can carry out `a`, else why not.
    pub fn refuses(self, a: &Action) -> Option<&'static str> {
        let membership = matches!(a, Action::AddServer(_) | Action::RemoveServer(_));
        match (self, a) {
            (ProtocolId::Ceph | ProtocolId::BasicPaxos, _) if membership => Some(
                "add-server and remove-server are Multi-Paxos's (its configuration changes \
                 through the log)",
            ),
            (ProtocolId::Ceph, _) => None,
            (ProtocolId::BasicPaxos, Action::CrashInCommit) => {
                Some("crash-in-commit is Ceph's (Basic Paxos has no commit write)")
            }
            (ProtocolId::BasicPaxos, Action::Cas { .. }) => {
                Some("cas is Ceph's (Basic Paxos chooses one value: use put)")
            }
            (
                ProtocolId::BasicPaxos | ProtocolId::MultiPaxos,
                Action::Election(_) | Action::Disallow(_),
            ) => Some("election and disallow change Ceph's monmap (this protocol has none)"),
            (ProtocolId::BasicPaxos, _) => None,
            (ProtocolId::MultiPaxos, Action::CrashInCommit) => {
                Some("crash-in-commit is Ceph's (Multi-Paxos has no asynchronous commit write)")
            }
            (ProtocolId::MultiPaxos, _) => None,
        }
    }
}

impl std::fmt::Display for ProtocolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ProtocolId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProtocolId::from_name(s).ok_or_else(|| {
            format!(
                "unknown protocol {s:?} (expected one of: {})",
                ProtocolId::names()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ceph_is_the_default() {
        for p in ProtocolId::ALL {
            assert_eq!(ProtocolId::from_name(p.name()), Some(p));
            assert_eq!(p.name().parse::<ProtocolId>(), Ok(p));
        }
        assert_eq!(ProtocolId::default(), ProtocolId::Ceph);
        let err = "paxos".parse::<ProtocolId>().unwrap_err();
        assert!(err.contains("basic-paxos"), "{err}");
    }

    #[test]
    fn basic_paxos_mutation_names_round_trip_and_ceph_keeps_its_own() {
        let basic = ProtocolId::BasicPaxos;
        assert_eq!(basic.mutations().len(), BASIC_MUTATIONS.len());
        for m in basic.mutations() {
            let name = basic.mutation_name(m).expect("named");
            assert_eq!(basic.mutation_from_name(name), Some(m));
            assert_eq!(basic.mutation_from_name(m.name()), None, "{}", m.name());
        }
        for m in Mutation::ALL {
            assert_eq!(ProtocolId::Ceph.mutation_from_name(m.name()), Some(m));
        }
    }

    use crate::scenario::{from_url_fragment, parse, print, to_url_fragment, Action, Scenario};

    const BASIC: &str = "paxoscope scenario v1\nprotocol basic-paxos\n";

    /// The error `text` gives: (line, col, message).
    fn error(text: &str) -> (usize, usize, String) {
        let e = parse(text).expect_err("an error");
        (e.line, e.col, e.message)
    }

    #[test]
    fn a_basic_paxos_scenario_round_trips_through_text_and_url() {
        let text = format!(
            "{BASIC}proposers 3\nseed 7\nset monitors 6\nset latency_ms 20\nallow reorder\n\
             break forget-promise\nat 1s put 0 x A\nat 2s crash 2\nat 3s get 4 x\n"
        );
        let s = parse(&text).expect("parses");
        assert_eq!(s.protocol, ProtocolId::BasicPaxos);
        assert_eq!((s.proposer_count(), s.monitor_count()), (3, 6));
        assert_eq!(s.mutations, [Mutation::ForgetAcceptedPn]);
        assert_eq!(print(&s), text, "the text is already canonical");
        assert_eq!(from_url_fragment(&to_url_fragment(&s)), Ok(s.clone()));
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn ceph_is_the_default_and_prints_no_protocol_line() {
        let plain = parse("paxoscope scenario v1\nseed 3\n").expect("parses");
        let named = parse("paxoscope scenario v1\nprotocol ceph\nseed 3\n").expect("parses");
        assert_eq!(plain, named);
        assert_eq!(plain.protocol, ProtocolId::Ceph);
        assert_eq!(print(&named), "paxoscope scenario v1\nseed 3\n");
    }

    #[test]
    fn the_protocol_line_counts_wherever_it_is() {
        let s = parse("paxoscope scenario v1\nproposers 1\nprotocol basic-paxos\n").expect("ok");
        assert_eq!((s.protocol, s.proposers), (ProtocolId::BasicPaxos, Some(1)));
    }

    #[test]
    fn what_basic_paxos_cannot_run_is_an_error_naming_its_line() {
        let (line, col, m) = error(&format!("{BASIC}set lease_ms 5000\n"));
        assert_eq!((line, col), (3, 5));
        assert!(
            m.contains("lease_ms is a Ceph setting") && m.contains("jitter_ms"),
            "{m}"
        );
        let (line, col, m) = error(&format!("{BASIC}seed 1\nat 1s cas 0 k - v\n"));
        assert_eq!((line, col), (4, 7));
        assert!(m.contains("cas is Ceph's"), "{m}");
        let (line, _, m) = error(&format!("{BASIC}at 1s crash-in-commit\n"));
        assert!(line == 3 && m.contains("crash-in-commit is Ceph's"), "{m}");
        let (line, col, m) = error(&format!("{BASIC}proposers 4\n"));
        assert_eq!((line, col), (3, 11));
        assert!(m.contains("1-3 proposers"), "{m}");
        let (line, col, m) = error(&format!("{BASIC}set monitors 9\n"));
        assert_eq!((line, col), (3, 14));
        assert!(m.contains("3-7 nodes"), "{m}");
        let (line, _, m) = error(&format!("{BASIC}break forget-accepted-pn\n"));
        assert!(line == 3 && m.contains("forget-promise"), "{m}");
        let (line, col, m) = error("paxoscope scenario v1\nproposers 2\n");
        assert_eq!((line, col), (2, 1));
        assert!(m.contains("protocol basic-paxos"), "{m}");
        let (line, col, m) = error("paxoscope scenario v1\nprotocol raft\n");
        assert_eq!((line, col), (2, 10));
        assert!(
            m.contains("unknown protocol") && m.contains("basic-paxos"),
            "{m}"
        );
        let (line, _, m) = error(&format!("{BASIC}protocol basic-paxos\n"));
        assert!(line == 3 && m.contains("already given on line 2"), "{m}");
    }

    #[test]
    fn a_multi_paxos_scenario_round_trips_and_its_lines_are_its_own() {
        let text = "paxoscope scenario v1\nprotocol multi-paxos\nseed 7\nset monitors 5\n\
                    set alpha 5\nset group_commit 1\nset members 3\nset leader_timeout_ms 400\n\
                    at 1s put 0 x A\nat 2s add-server 3\nat 3s remove-server 0\n";
        let s = parse(text).expect("parses");
        assert_eq!(s.protocol, ProtocolId::MultiPaxos);
        assert_eq!(print(&s), text, "the text is already canonical");
        assert_eq!(from_url_fragment(&to_url_fragment(&s)), Ok(s.clone()));
        assert_eq!(s.validate(), Ok(()));
        let (line, col, m) = error("paxoscope scenario v1\nset alpha 3\n");
        assert_eq!((line, col), (2, 5));
        assert!(m.contains("alpha is a Multi-Paxos setting"), "{m}");
        let (line, _, m) = error("paxoscope scenario v1\nat 1s add-server 2\n");
        assert!(line == 2 && m.contains("Multi-Paxos's"), "{m}");
        let (line, _, m) = error(&format!("{BASIC}at 1s remove-server 2\n"));
        assert!(line == 3 && m.contains("Multi-Paxos's"), "{m}");
        let (_, _, m) = error("paxoscope scenario v1\nprotocol multi-paxos\nset lease_ms 9\n");
        assert!(
            m.contains("lease_ms is a Ceph setting") && m.contains("alpha"),
            "{m}"
        );
        let (_, _, m) = error("paxoscope scenario v1\nprotocol multi-paxos\nset alpha 17\n");
        assert!(m.contains("alpha must be between 1 and 16"), "{m}");
    }

    #[test]
    fn validate_rejects_a_hand_built_scenario_basic_paxos_cannot_run() {
        let mut s = Scenario {
            protocol: ProtocolId::BasicPaxos,
            ..Scenario::default()
        };
        assert_eq!(s.validate(), Ok(()));
        s.actions.push(crate::scenario::TimedAction {
            at_ms: 5,
            action: Action::Cas {
                node: 0,
                key: "k".into(),
                expected: None,
                value: "v".into(),
            },
        });
        assert!(s.validate().unwrap_err().contains("cas is Ceph's"));
        s.actions.clear();
        s.mutations.push(Mutation::RefuseWrites);
        assert!(s.validate().unwrap_err().contains("refuse-writes"));
        s.mutations.clear();
        s.proposers = Some(0);
        assert!(s.validate().unwrap_err().contains("1-3 proposers"));
        s.protocol = ProtocolId::Ceph;
        s.proposers = Some(2);
        assert!(s.validate().unwrap_err().contains("Basic Paxos setting"));
    }
}
