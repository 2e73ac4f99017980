//! `--protocol basic-paxos` for `campaign` and `model-check`: Basic Paxos's own campaign
//! (paxoscope_core::protocols::basic_paxos::campaign) and exhaustive model check (`model`).

use paxoscope_core::protocols::basic_paxos::campaign::{self, Options};
use paxoscope_core::protocols::basic_paxos::model::{self, Bounds};
use paxoscope_core::protocols::basic_paxos::Mutation;
use paxoscope_core::scenario::ProtocolId;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

pub struct CampaignArgs {
    pub seeds: Option<u64>,
    pub start: u64,
    pub mutation: Option<String>,
    pub jobs: usize,
    pub verbose: bool,
    pub canaries: bool,
    /// With `canaries`: only the blind runs.
    pub blind: bool,
}

pub fn parse_mutation(name: &str) -> Result<Mutation, String> {
    Mutation::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Mutation::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown Basic Paxos mutation {name:?} (expected one of: {})",
            known.join(", ")
        )
    })
}

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
    let mut failed = 0;
    let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
    let mut chosen: BTreeMap<String, u64> = BTreeMap::new();
    let mut liveness: Vec<u64> = Vec::new();
    let mut events = 0;
    for o in &outcomes {
        events += o.events;
        for c in &o.classes {
            *classes.entry(c).or_default() += 1;
        }
        if let Some(v) = &o.chosen {
            *chosen.entry(v.to_string()).or_default() += 1;
        }
        liveness.extend(o.liveness_ms);
        if args.verbose {
            println!(
                "seed {}: {} nodes, heal at {} ms, chosen {:?}, all learners knew it {} ms after, {} events, {}",
                o.seed,
                o.nodes,
                o.heal_ms,
                o.chosen.as_deref().unwrap_or("-"),
                o.liveness_ms.map_or("-".into(), |l| l.to_string()),
                o.events,
                o.classes.iter().copied().collect::<Vec<_>>().join(",")
            );
        }
        if let Some(f) = &o.failure {
            failed += 1;
            let m = mutation.map_or(String::new(), |m| format!(" --mutation {}", m.name()));
            println!(
                "FAIL seed {} (rerun: paxoscope campaign --protocol basic-paxos --start {} --seeds 1 --verbose{m}): {f}",
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
        "basic-paxos campaign: seeds {}..{}, {} events in {wall_s:.1} s ({:.0} events/s)",
        args.start,
        args.start + count,
        events,
        events as f64 / wall_s.max(1e-9)
    );
    let cls: Vec<String> = classes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    println!("fault classes (seeds): {}", cls.join(", "));
    let ch: Vec<String> = chosen.iter().map(|(v, n)| format!("\"{v}\" {n}")).collect();
    println!("chosen value (seeds): {}", ch.join(", "));
    println!(
        "every learner knew the value after the heal: median {} ms, p99 {} ms, max {} ms",
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

/// Each mutation, first with every rule on, then blind (only what a user relies on: one
/// value chosen, learners agree): the first seed that catches it and the rule that did.
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
        "basic-paxos canaries: seeds {}.. up to {budget} per mutation; blind = only one value chosen and learners agree judge",
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
        "{} of {} canaries caught blind (by a second chosen value or learners that disagree)",
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
    pub max_states: Option<u64>,
    pub mutations: Vec<String>,
    pub expect_violation: bool,
    pub blind: bool,
    pub proposers: Option<u8>,
}

pub fn model_check(args: ModelArgs) -> Result<ExitCode, String> {
    if args.mutations.len() > 1 {
        return Err("basic-paxos model-check takes at most one --mutation".into());
    }
    let mutation = args
        .mutations
        .first()
        .map(|m| parse_mutation(m))
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
         timers fire at any time, up to {} round(s) per proposer, {} crash(es) with restart{}{}",
        b.max_round,
        b.crashes,
        mutation.map_or(String::new(), |m| format!(", mutation {}", m.name())),
        if b.blind { ", blind (only one value chosen and learners agree)" } else { "" }
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
