//! `--protocol multi-paxos` for `campaign` (Multi-Paxos's own campaign,
//! paxoscope_core::protocols::multi_paxos::campaign, and its canaries) and for `model-check`
//! (protocols/multi_paxos/model.rs).

use crate::basic_paxos::CampaignArgs;
use paxoscope_core::protocols::multi_paxos::campaign::{self, Options};
use paxoscope_core::protocols::multi_paxos::model;
use paxoscope_core::protocols::multi_paxos::Mutation;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

pub fn parse_mutation(name: &str) -> Result<Mutation, String> {
    Mutation::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Mutation::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown Multi-Paxos mutation {name:?} (expected one of: {})",
            known.join(", ")
        )
    })
}

pub fn campaign(args: CampaignArgs) -> Result<ExitCode, String> {
    if args.jobs == 0 {
        return Err("--jobs must be at least 1".into());
    }
    let mutation = args.mutation.as_deref().map(parse_mutation).transpose()?;
    if args.canaries {
        return canaries(&args);
    }
    let count = args.seeds.unwrap_or(100);
    let opts = Options {
        mutation,
        user_facing_only: false,
    };
    let t0 = Instant::now();
    let outcomes = crate::seeds::run_in_order(args.start, count, args.jobs, |seed| {
        campaign::run_seed(seed, &opts)
    });
    let wall_s = t0.elapsed().as_secs_f64();
    let (mut failed, mut events, mut chosen, mut configs) = (0, 0, 0, 0);
    let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
    let mut liveness: Vec<u64> = Vec::new();
    for o in &outcomes {
        events += o.events;
        chosen += o.chosen;
        configs += o.config_changes;
        for c in &o.classes {
            *classes.entry(c).or_default() += 1;
        }
        liveness.extend(o.liveness_ms);
        if args.verbose {
            println!(
                "seed {}: {} nodes, heal at {} ms, {} slots chosen, live {} ms after, {} events, {}",
                o.seed,
                o.nodes,
                o.heal_ms,
                o.chosen,
                o.liveness_ms.map_or("-".into(), |l| l.to_string()),
                o.events,
                o.classes.iter().copied().collect::<Vec<_>>().join(",")
            );
        }
        if let Some(f) = &o.failure {
            failed += 1;
            let m = mutation.map_or(String::new(), |m| format!(" --mutation {}", m.name()));
            println!(
                "FAIL seed {} (rerun: paxoscope campaign --protocol multi-paxos --start {} --seeds 1 --verbose{m}): {f}",
                o.seed, o.seed
            );
        }
    }
    liveness.sort_unstable();
    let pct = |p: usize| {
        liveness
            .get(liveness.len().saturating_sub(1) * p / 100)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "multi-paxos campaign: seeds {}..{}, {} events in {wall_s:.1} s ({:.0} events/s), {chosen} slots chosen ({configs} of them configuration changes)",
        args.start,
        args.start + count,
        events,
        events as f64 / wall_s.max(1e-9)
    );
    let cls: Vec<String> = classes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    println!("fault classes (seeds): {}", cls.join(", "));
    println!(
        "every client answered and the replicas agreed after the heal: median {} ms, p99 {} ms, max {} ms",
        pct(50),
        pct(99),
        pct(100)
    );
    println!("{} passed, {failed} failed", outcomes.len() as u64 - failed);
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Each mutation, first with every rule on, then blind (only what a user relies on: the
/// replicas apply the same sequence, the key-value history is linearizable).
fn canaries(args: &CampaignArgs) -> Result<ExitCode, String> {
    let budget = args.seeds.unwrap_or(1_000);
    let modes: &[bool] = if args.blind { &[true] } else { &[false, true] };
    let jobs = Mutation::ALL.len() * modes.len();
    let found = crate::seeds::run_in_order(0, jobs as u64, args.jobs, |i| {
        let m = Mutation::ALL[i as usize / modes.len()];
        let blind = modes[i as usize % modes.len()];
        let t0 = Instant::now();
        let d = campaign::canary(m, args.start, budget, blind);
        (m, blind, d, t0.elapsed().as_secs_f64())
    });
    println!(
        "multi-paxos canaries: seeds {}.. up to {budget} per mutation; blind = only the replicas' applied sequences and the history's linearizability judge",
        args.start
    );
    println!("| mutation | checks | seeds | caught by |");
    println!("|---|---|---|---|");
    let mut missed = 0;
    for (m, blind, d, secs) in &found {
        let checks = if *blind { "blind" } else { "all rules" };
        match d {
            Some((seed, f)) => println!(
                "| `{}` | {checks} | {} (seed {seed}, {secs:.1} s) | {f} |",
                m.name(),
                seed - args.start + 1
            ),
            None => {
                missed += u32::from(*blind);
                println!("| `{}` | {checks} | NOT caught in {budget} | |", m.name());
            }
        }
    }
    println!(
        "{} of {} canaries caught blind",
        Mutation::ALL.len() as u32 - missed,
        Mutation::ALL.len()
    );
    Ok(if missed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
        .map(|m| parse_mutation(m))
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
