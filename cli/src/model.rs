//! `paxoscope model-check`: exhaustive bounded exploration of three real monitors (see
//! docs/model-checking.md). Prints the bound, the figures, and either "no violation within the
//! bound" or the shortest counterexample.

use paxoscope_core::model::directed::{describe_prefix, explore_directed, Directed};
use paxoscope_core::model::{explore, invariants, Model, ModelConfig, Report, Search};
use paxoscope_core::scenario::Mutation;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Depth bound: actions from the boot state.
    #[arg(long)]
    depth: Option<u32>,
    /// Stop after this many distinct states.
    #[arg(long)]
    max_states: Option<u64>,
    /// Elections explored beyond the start state.
    #[arg(long)]
    elections: Option<u64>,
    /// Messages that may be lost in total.
    #[arg(long)]
    losses: Option<u8>,
    /// Restarts allowed after the crash (0 or 1).
    #[arg(long)]
    restarts: Option<u8>,
    /// Client puts injected.
    #[arg(long)]
    puts: Option<u8>,
    /// Client compare-and-sets of x injected (default 0), each expecting the latest put's
    /// value or a stale one.
    #[arg(long)]
    cas: Option<u8>,
    /// No client reads (by default a client reads at every leader and peon in every state).
    #[arg(long)]
    no_reads: bool,
    /// Crashes allowed (0 or 1; a crashed monitor may restart once).
    #[arg(long)]
    crashes: Option<u8>,
    /// Where to start: `boot` (empty stores) or `quorum` (the stable quorum, v1 committed,
    /// that the canonical schedule reaches from boot). Default: quorum; boot with
    /// --allow-dup-reorder.
    #[arg(long, value_name = "boot|quorum")]
    start: Option<String>,
    /// When timers may fire: `quiet` (only with no message in flight: delay below every
    /// timeout, a late message is a lost one) or `any` (message delay unbounded). Default: quiet.
    #[arg(long, value_name = "quiet|any")]
    timers: Option<String>,
    /// Go beyond Ceph's messenger: one duplicated and one reordered delivery allowed.
    #[arg(long)]
    allow_dup_reorder: bool,
    /// Duplicated deliveries allowed (default 1 with --allow-dup-reorder, else 0).
    #[arg(long)]
    duplicates: Option<u8>,
    /// Out-of-order deliveries allowed (default 1 with --allow-dup-reorder, else 0).
    #[arg(long)]
    reorders: Option<u8>,
    /// Switch on a protocol bug (e.g. commit-on-majority); repeatable.
    #[arg(long = "mutation", value_name = "NAME")]
    mutations: Vec<String>,
    /// A violation is the expected outcome: exit 0 if one is found, 1 if none.
    #[arg(long)]
    expect_violation: bool,
    /// The protocol: `ceph`, `basic-paxos` (which takes --proposers, --rounds, --crashes,
    /// --max-states, --mutation, --blind and --expect-violation) or `multi-paxos` (--rounds,
    /// --crashes, --puts, --losses, --duplicates, --timers, --clients, --max-states, --mutation,
    /// --blind, --expect-violation).
    #[arg(long, default_value = "ceph")]
    protocol: String,
    /// multi-paxos: the client talks to the first N servers (default 1: node.0).
    #[arg(long)]
    clients: Option<u8>,
    /// basic-paxos: rounds each proposer may start (default 1); multi-paxos: the highest
    /// proposal round (default 2: one leader change after the first election).
    #[arg(long)]
    rounds: Option<u32>,
    /// basic-paxos: proposers, 1 or 2 (default 2).
    #[arg(long)]
    proposers: Option<u8>,
    /// The search order: `bfs` (breadth first: shortest counterexamples, the default) or `dfs`
    /// (depth first over the same visited set: reaches bugs that need long paths, such as
    /// three elections, long before a breadth-first search would). Ceph and basic-paxos.
    #[arg(long, value_name = "bfs|dfs")]
    search: Option<String>,
    /// Directed search (Ceph): walk a prefix of the model's own steps to a named
    /// precondition (`held-alone`: mon.1 holds an uncommitted value of its own that no one
    /// else has, and the others committed another), then explore breadth first from there.
    #[arg(long, value_name = "NAME")]
    directed: Option<String>,
    /// basic-paxos: check only what a user relies on (one value chosen, learners agree);
    /// multi-paxos: only the replicas' applied sequences.
    #[arg(long)]
    blind: bool,
}

fn search(args: &Args) -> Result<Search, String> {
    match args.search.as_deref() {
        None => Ok(Search::Bfs),
        Some(name) => Search::from_name(name)
            .ok_or_else(|| format!("--search {name}: expected `bfs` or `dfs`")),
    }
}

fn bounds(args: &Args) -> Result<ModelConfig, String> {
    let mut b = if args.allow_dup_reorder {
        ModelConfig::dup_reorder()
    } else {
        ModelConfig::fifo()
    };
    match args.start.as_deref() {
        None => {}
        Some("boot") => b.start_in_quorum = false,
        Some("quorum") => b.start_in_quorum = true,
        Some(other) => return Err(format!("--start {other}: expected `boot` or `quorum`")),
    }
    match args.timers.as_deref() {
        None => {}
        Some("quiet") => b.quiet_timers = true,
        Some("any") => b.quiet_timers = false,
        Some(other) => return Err(format!("--timers {other}: expected `quiet` or `any`")),
    }
    if let Some(d) = args.depth {
        b.depth = d;
    }
    if let Some(n) = args.max_states {
        b.max_states = n;
    }
    if let Some(e) = args.elections {
        b.elections = e;
    }
    if let Some(l) = args.losses {
        b.losses = l;
    }
    if let Some(d) = args.duplicates {
        b.duplicates = d;
    }
    if let Some(r) = args.reorders {
        b.reorders = r;
    }
    if let Some(p) = args.puts {
        b.puts = p;
    }
    if let Some(c) = args.cas {
        b.cas = c;
    }
    if args.no_reads {
        b.reads = false;
    }
    if let Some(c) = args.crashes {
        if c > 1 {
            return Err(format!("--crashes {c}: the model allows at most one crash"));
        }
        b.crashes = c;
        b.restarts = c;
    }
    if let Some(r) = args.restarts {
        b.restarts = r.min(b.crashes);
    }
    for name in &args.mutations {
        let m = Mutation::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Mutation::ALL.iter().map(|m| m.name()).collect();
            format!("--mutation {name}: unknown; known: {}", known.join(", "))
        })?;
        b.mutations.push(m);
    }
    b.search = search(args)?;
    if b.depth == 0 || b.max_states == 0 {
        return Err("--depth and --max-states must be at least 1".into());
    }
    Ok(b)
}

pub fn main(args: Args) -> Result<ExitCode, String> {
    if args.protocol == "multi-paxos" {
        return crate::multi_paxos::model_check(crate::multi_paxos::ModelArgs {
            rounds: args.rounds,
            crashes: args.crashes,
            puts: args.puts,
            losses: args.losses,
            duplicates: args.duplicates,
            timers: args.timers,
            clients: args.clients,
            max_states: args.max_states,
            mutations: args.mutations,
            blind: args.blind,
            expect_violation: args.expect_violation,
        });
    }
    if crate::basic_paxos::is_basic(&args.protocol)? {
        let search = search(&args)?;
        return crate::basic_paxos::model_check(crate::basic_paxos::ModelArgs {
            rounds: args.rounds,
            crashes: args.crashes,
            max_states: args.max_states,
            mutations: args.mutations,
            expect_violation: args.expect_violation,
            blind: args.blind,
            proposers: args.proposers,
            search,
        });
    }
    let b = bounds(&args)?;
    println!("model-check: {}", b.describe());
    println!("time: one global clock; timers fire exactly at their deadlines, earliest first");
    if let Some(name) = &args.directed {
        return directed(&b, name, args.expect_violation);
    }
    let model = Model::new(b.clone());
    let prefix = model.prefix();
    if !prefix.is_empty() {
        println!(
            "start: the stable quorum, reached from boot by {} canonical steps (no loss, no crash)",
            prefix.len()
        );
    }
    let started = Instant::now();
    let report = explore(&model, &mut |r: &Report| {
        eprintln!(
            "  ... {} states, depth {}, {:.0} states/s",
            r.distinct_states,
            r.max_depth,
            r.distinct_states as f64 / started.elapsed().as_secs_f64()
        );
    });
    let secs = started.elapsed().as_secs_f64();
    print_figures(&report, secs);
    Ok(verdict(&report, args.expect_violation))
}

/// Print the findings and the violation (or its absence); the exit status.
fn verdict(report: &Report, expect_violation: bool) -> ExitCode {
    for f in &report.findings {
        println!(
            "\nfinding (Ceph allows this, see docs/campaign.md \"Two leaders in one epoch\"; not a violation):"
        );
        print!("{f}");
    }
    let found = report.violation.is_some();
    match &report.violation {
        Some(cx) => {
            println!("\nVIOLATION");
            print!("{cx}");
            if expect_violation {
                println!(
                    "(expected: this run goes beyond what the protocol assumes of its messenger)"
                );
            }
        }
        None if report.stopped_at_max_states => {
            println!("\nno violation within the bound (stopped at --max-states)")
        }
        None => {
            println!("\nno violation within the bound (every state within the bounds explored)")
        }
    }
    match (found, expect_violation) {
        (false, false) | (true, true) => ExitCode::SUCCESS,
        (true, false) => ExitCode::from(1),
        (false, true) => {
            println!("expected a violation and found none");
            ExitCode::from(1)
        }
    }
}

/// `--directed NAME`: the prefix, then the exploration from its end.
fn directed(b: &ModelConfig, name: &str, expect_violation: bool) -> Result<ExitCode, String> {
    let d = Directed::from_name(name).ok_or_else(|| {
        format!(
            "--directed {name}: unknown; known: {}",
            Directed::names().join(", ")
        )
    })?;
    if !b.start_in_quorum {
        return Err("--directed starts from the stable quorum: drop --start boot".into());
    }
    println!("directed start `{}`: {}", d.name, d.about);
    let started = Instant::now();
    let run = explore_directed(b, d, &mut |r: &Report| {
        eprintln!(
            "  ... {} states, depth {} from the directed start",
            r.distinct_states, r.max_depth
        );
    })?;
    println!(
        "start: the stable quorum, then a directed prefix of {} steps (the model's own, found breadth first); the figures below count from its end:",
        run.prefix.len()
    );
    for (i, step) in describe_prefix(b, d, &run.prefix).iter().enumerate() {
        println!("{:>5}. {}", i + 1, step.action);
    }
    let secs = started.elapsed().as_secs_f64();
    print_figures(&run.report, secs);
    Ok(verdict(&run.report, expect_violation))
}

fn print_figures(r: &Report, secs: f64) {
    println!("distinct states:      {}", r.distinct_states);
    println!("transitions:          {}", r.transitions);
    println!("max depth reached:    {}", r.max_depth);
    println!(
        "at the depth bound:   {} (checked, not expanded)",
        r.at_depth_bound
    );
    println!(
        "outside the bounds:   {} (epoch or link bound; checked, not expanded)",
        r.outside_bounds
    );
    println!("distinct monitors:    {}", r.distinct_monitors);
    println!("distinct messages:    {}", r.distinct_messages);
    println!("time:                 {secs:.1} s");
    println!(
        "states/s:             {:.0}",
        r.distinct_states as f64 / secs.max(1e-9)
    );
    println!(
        "transitions/s:        {:.0}",
        r.transitions as f64 / secs.max(1e-9)
    );
    println!(
        "invariants checked:   {} ({})",
        invariants::CHECKED.len(),
        invariants::CHECKED.join(", ")
    );
    println!("finding reported:     {}", invariants::TWO_WINNERS);
}
