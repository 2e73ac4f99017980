//! `--protocol multi-paxos` for `campaign` (Multi-Paxos's own campaign,
//! paxoscope_core::protocols::multi_paxos::campaign, and its canaries, run by the family's
//! seed loop in `family.rs`) and for `model-check` (protocols/multi_paxos/model.rs).

use crate::family::{parse_mutation, Family};
use paxoscope_core::protocols::multi_paxos::campaign::{self, Options, Outcome};
use paxoscope_core::protocols::multi_paxos::model;
use paxoscope_core::protocols::multi_paxos::Mutation;
use std::process::ExitCode;
use std::time::Instant;

pub struct Multi;

impl Family for Multi {
    type Mutation = Mutation;
    type Outcome = Outcome;
    const NAME: &'static str = "multi-paxos";
    const TITLE: &'static str = "Multi-Paxos";
    const BLIND_JUDGES: &'static str =
        "the replicas' applied sequences and the history's linearizability";
    const LIVE_MEANS: &'static str = "every client answered and the replicas agreed";
    const CAUGHT_BY: &'static str = "";

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
            "seed {}: {} nodes, heal at {} ms, {} slots chosen, live {} ms after, {} events, {}",
            o.seed,
            o.nodes,
            o.heal_ms,
            o.chosen,
            o.liveness_ms.map_or("-".into(), |l| l.to_string()),
            o.events,
            o.classes.iter().copied().collect::<Vec<_>>().join(",")
        )
    }
    fn headline_extra(outcomes: &[Outcome]) -> String {
        let chosen: u64 = outcomes.iter().map(|o| o.chosen).sum();
        let configs: u64 = outcomes.iter().map(|o| o.config_changes).sum();
        format!(", {chosen} slots chosen ({configs} of them configuration changes)")
    }
    fn extra_lines(_: &[Outcome]) -> Vec<String> {
        Vec::new()
    }
}

pub struct ModelArgs {
    pub rounds: Option<u32>,
    pub crashes: Option<u8>,
    pub puts: Option<u8>,
    pub losses: Option<u8>,
    pub duplicates: Option<u8>,
    pub timers: Option<String>,
    pub clients: Option<u8>,
    pub max_states: Option<u64>,
    pub mutations: Vec<String>,
    pub blind: bool,
    pub expect_violation: bool,
}

fn model_bounds(args: &ModelArgs) -> Result<model::Bounds, String> {
    let mut b = model::Bounds {
        max_round: args.rounds.unwrap_or(2),
        crashes: args.crashes.unwrap_or(0),
        commands: args.puts.unwrap_or(1),
        client_nodes: args.clients.unwrap_or(1),
        losses: args.losses.unwrap_or(0),
        duplicates: args.duplicates.unwrap_or(0),
        blind: args.blind,
        ..model::Bounds::default()
    };
    if let Some(m) = args.max_states {
        b.max_states = m;
    }
    match args.timers.as_deref() {
        None | Some("quiet") => b.quiet_timers = true,
        Some("any") => b.quiet_timers = false,
        Some(other) => return Err(format!("--timers {other}: expected `quiet` or `any`")),
    }
    if b.max_round == 0 {
        return Err("--rounds must be at least 1".into());
    }
    if !(1..=3).contains(&b.client_nodes) {
        return Err(format!("--clients {}: expected 1 to 3", b.client_nodes));
    }
    Ok(b)
}

pub fn model_check(args: ModelArgs) -> Result<ExitCode, String> {
    if args.mutations.len() > 1 {
        return Err("multi-paxos model-check takes at most one --mutation".into());
    }
    let mutation = args
        .mutations
        .first()
        .map(|m| parse_mutation::<Multi>(m))
        .transpose()?;
    let b = model_bounds(&args)?;
    println!(
        "multi-paxos model check: 3 servers, α = 2, proposal rounds up to {} ({} leader change(s) after the first election), \
         {} put(s) from a client at node.0{}, messages delivered in any order, {} lost, {} duplicated, \
         timers {}, {} crash(es) with restart{}{}",
        b.max_round,
        b.max_round - 1,
        b.commands,
        if b.client_nodes > 1 { format!("..{}", b.client_nodes - 1) } else { String::new() },
        b.losses,
        b.duplicates,
        if b.quiet_timers { "fire only with no message in flight" } else { "fire at any time" },
        b.crashes,
        mutation.map_or(String::new(), |m| format!(", mutation {}", m.name())),
        if b.blind { ", blind (only the replicas' applied sequences)" } else { "" }
    );
    let t0 = Instant::now();
    let r = model::check(model::model_config(mutation), b);
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
        "{} states with every put applied on every node; {} distinct messages, {} node states, {} node steps run",
        r.all_applied_states, r.messages, r.node_states, r.node_steps
    );
    match &r.violation {
        Some((v, path)) => {
            println!("VIOLATION {v}\npath ({} steps):", path.len() - 1);
            for (i, step) in path.iter().enumerate() {
                println!("  {i:>2}. {step}");
            }
            Ok(ExitCode::from(u8::from(!args.expect_violation)))
        }
        None if r.complete => {
            println!("no violation: exhaustive within the bound");
            Ok(ExitCode::from(u8::from(args.expect_violation)))
        }
        None => {
            println!(
                "no violation, but cut short at {} states (raise --max-states)",
                r.states
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
