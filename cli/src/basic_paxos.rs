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
    /// Run the directed starts too (no option changed the bound, no --no-directed).
    pub directed: bool,
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
    let mut runs = Vec::new();
    if args.directed {
        println!(
            "directed starts first (cheap; the breadth-first run follows): each reached from boot by a prefix of the model's own steps, every rule checked on the way, then explored breadth first within the same bound"
        );
        for d in &model::DIRECTED {
            let run = directed(config.clone(), b.clone(), d, mutation.is_some())?;
            let found = run.1.violation.is_some();
            runs.push(run);
            if found {
                return Ok(verdict(&runs, args.expect_violation));
            }
        }
        println!("\nbreadth first from boot:");
    }
    let t0 = Instant::now();
    let r = model::check(config, b);
    let secs = t0.elapsed().as_secs_f64();
    print_figures(&r, secs, "");
    runs.push(("breadth first from boot".to_string(), r, secs));
    if runs.len() > 1 {
        println!("\nsummary (wall time):");
        for (name, r, secs) in &runs {
            println!(
                "  {name:<40} {:>9} states {:>10} transitions {secs:>6.2} s {:>8.0} states/s",
                r.states,
                r.transitions,
                r.states as f64 / secs.max(1e-9)
            );
        }
    }
    Ok(verdict(&runs, args.expect_violation))
}

/// One exploration: its name, what it found, its wall time.
type Run = (String, model::Report, f64);

fn print_figures(r: &model::Report, secs: f64, from: &str) {
    println!(
        "{} states, {} transitions, depth {}{from}, {:.2} s, {:.0} states/s",
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
}

/// One directed start: the prefix, then the exploration from its end. Unreachable under a
/// mutation it is reported and skipped; without one it is an error.
fn directed(
    config: paxoscope_core::protocols::basic_paxos::BasicConfig,
    b: Bounds,
    d: &model::Directed,
    mutated: bool,
) -> Result<Run, String> {
    println!("\ndirected start `{}`: {}", d.name, d.about);
    let t0 = Instant::now();
    let run = model::check_directed(config, b, d);
    let secs = t0.elapsed().as_secs_f64();
    let name = format!("directed start {}", d.name);
    if !run.reached && run.report.violation.is_none() {
        let why = format!(
            "directed start `{}` not reached from boot ({} states searched)",
            d.name, run.prefix_states
        );
        if !mutated {
            return Err(why);
        }
        println!("{why}: the mutation makes it unreachable");
        return Ok((
            name,
            model::Report {
                complete: true,
                ..run.report
            },
            secs,
        ));
    }
    if run.reached {
        println!(
            "prefix: {} steps from boot (found breadth first among {} states):",
            run.prefix.len(),
            run.prefix_states
        );
        for (i, step) in run.prefix.iter().enumerate() {
            println!("  {:>2}. {step}", i + 1);
        }
        print_figures(&run.report, secs, " from the directed start");
    } else {
        println!(
            "a rule broke on the way to it ({} states searched)",
            run.prefix_states
        );
    }
    Ok((name, run.report, secs))
}

/// The first violation among the runs (or their absence); the exit status.
fn verdict(runs: &[Run], expect_violation: bool) -> ExitCode {
    if let Some((name, r, _)) = runs.iter().find(|(_, r, _)| r.violation.is_some()) {
        let (v, path) = r.violation.as_ref().expect("found above");
        if runs.len() > 1 || name.starts_with("directed") {
            println!("found in {name}:");
        }
        println!("VIOLATION {v}\npath ({} steps):", path.len() - 1);
        for (i, step) in path.iter().enumerate() {
            println!("  {i:>2}. {step}");
        }
        return ExitCode::from(u8::from(!expect_violation));
    }
    let complete = runs.iter().all(|(_, r, _)| r.complete);
    if complete {
        println!("no violation: exhaustive within the bound");
    } else {
        println!("no violation, but cut short (raise --max-states)");
    }
    ExitCode::from(u8::from(expect_violation || !complete))
}
