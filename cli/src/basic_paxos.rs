//! `--protocol basic-paxos` for `campaign` and `model-check`: Basic Paxos's own campaign
//! (paxoscope_core::protocols::basic_paxos::campaign, run by the family's seed loop in
//! `family.rs`) and exhaustive model check (`model`).

use crate::family::{parse_mutation, Family};
use paxoscope_core::protocols::basic_paxos::campaign::{self, Options, Outcome};
use paxoscope_core::protocols::basic_paxos::model::{self, Bounds};
use paxoscope_core::protocols::basic_paxos::Mutation;
use paxoscope_core::scenario::ProtocolId;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

/// Check `--protocol` (`ProtocolId`'s names; `ceph-mon` is accepted for Ceph too).
pub fn is_basic(protocol: &str) -> Result<bool, String> {
    let p = match protocol {
        "ceph-mon" => ProtocolId::Ceph,
        other => other
            .parse::<ProtocolId>()
            .map_err(|e| format!("--protocol: {e}"))?,
    };
    Ok(p == ProtocolId::BasicPaxos)
}

pub struct Basic;

impl Family for Basic {
    type Mutation = Mutation;
    type Outcome = Outcome;
    const NAME: &'static str = "basic-paxos";
    const TITLE: &'static str = "Basic Paxos";
    const BLIND_JUDGES: &'static str = "one value chosen and learners agree";
    const LIVE_MEANS: &'static str = "every learner knew the value";
    const CAUGHT_BY: &'static str = " (by a second chosen value or learners that disagree)";

    fn mutations() -> &'static [Mutation] {
        &Mutation::ALL
    }
    fn mutation_name(m: Mutation) -> &'static str {
        m.name()
    }
    fn mutation_from_name(name: &str) -> Option<Mutation> {
        Mutation::from_name(name)
    }
    fn run_seed(seed: u64, mutation: Option<Mutation>) -> Outcome {
        let opts = Options {
            mutation,
            user_facing_only: false,
        };
        campaign::run_seed(seed, &opts)
    }
    fn canary(m: Mutation, start: u64, budget: u64, blind: bool) -> Option<(u64, String)> {
        campaign::canary(m, start, budget, blind)
    }
    fn verbose_line(o: &Outcome) -> String {
        format!(
            "seed {}: {} nodes, heal at {} ms, chosen {:?}, all learners knew it {} ms after, {} events, {}",
            o.seed,
            o.nodes,
            o.heal_ms,
            o.chosen.as_deref().unwrap_or("-"),
            o.liveness_ms.map_or("-".into(), |l| l.to_string()),
            o.events,
            o.classes.iter().copied().collect::<Vec<_>>().join(",")
        )
    }
    fn headline_extra(_: &[Outcome]) -> String {
        String::new()
    }
    fn extra_lines(outcomes: &[Outcome]) -> Vec<String> {
        let mut chosen: BTreeMap<&str, u64> = BTreeMap::new();
        for v in outcomes.iter().filter_map(|o| o.chosen.as_deref()) {
            *chosen.entry(v).or_default() += 1;
        }
        let ch: Vec<String> = chosen.iter().map(|(v, n)| format!("\"{v}\" {n}")).collect();
        vec![format!("chosen value (seeds): {}", ch.join(", "))]
    }
}

pub struct ModelArgs {
    pub rounds: Option<u32>,
    pub crashes: Option<u8>,
    pub max_states: Option<u64>,
    pub mutations: Vec<String>,
    pub expect_violation: bool,
    pub blind: bool,
    pub proposers: Option<u8>,
    pub search: paxoscope_core::model::Search,
}

pub fn model_check(args: ModelArgs) -> Result<ExitCode, String> {
    if args.mutations.len() > 1 {
        return Err("basic-paxos model-check takes at most one --mutation".into());
    }
    let mutation = args
        .mutations
        .first()
        .map(|m| parse_mutation::<Basic>(m))
        .transpose()?;
    let mut b = Bounds::default();
    if let Some(r) = args.rounds {
        if r == 0 {
            return Err("--rounds must be at least 1".into());
        }
        b.max_round = r;
    }
    if let Some(c) = args.crashes {
        b.crashes = c;
    }
    if let Some(m) = args.max_states {
        b.max_states = m;
    }
    b.blind = args.blind;
    b.search = args.search;
    let proposers = args.proposers.unwrap_or(2);
    if !(1..=2).contains(&proposers) {
        return Err(format!("--proposers {proposers}: expected 1 or 2"));
    }
    let config = model::model_config(proposers, mutation);
    let who = if proposers == 2 {
        "nodes 0 and 1 also propose \"A\" and \"B\""
    } else {
        "node 0 also proposes \"A\""
    };
    println!(
        "basic-paxos model check: 3 acceptors (nodes 0-2; {who}; node 2 learns), \
         any message delivered any number of times in any order or never (loss, duplication, reordering), \
         timers fire at any time, up to {} round(s) per proposer, {} crash(es) with restart{}{}; {} search",
        b.max_round,
        b.crashes,
        mutation.map_or(String::new(), |m| format!(", mutation {}", m.name())),
        if b.blind { ", blind (only one value chosen and learners agree)" } else { "" },
        b.search.name()
    );
    let t0 = Instant::now();
    let r = model::check(config, b);
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{} states, {} transitions, depth {}, {:.2} s, {:.0} states/s",
        r.states,
        r.transitions,
        r.max_depth,
        secs,
        r.states as f64 / secs.max(1e-9)
    );
    println!(
        "{} states with a chosen value, {} with every learner knowing it; {} distinct messages, {} node states, {} node steps run",
        r.chosen_states, r.all_learned_states, r.messages, r.node_states, r.node_steps
    );
    match &r.violation {
        Some((v, path)) => {
            println!("VIOLATION {v}\npath ({} steps):", path.len() - 1);
            for (i, step) in path.iter().enumerate() {
                println!("  {i:>2}. {step}");
            }
            Ok(ExitCode::from(u8::from(!args.expect_violation)))
        }
        None => {
            if r.complete {
                println!("no violation: exhaustive within the bound");
            } else {
                println!(
                    "no violation, but cut short at {} states (raise --max-states)",
                    r.states
                );
            }
            Ok(ExitCode::from(u8::from(
                args.expect_violation || !r.complete,
            )))
        }
    }
}
