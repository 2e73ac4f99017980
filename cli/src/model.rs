//! `paxoscope model-check`: exhaustive bounded exploration of three real monitors (see
//! docs/model-checking.md). Prints the bound, the figures, and either "no violation within the
//! bound" or the shortest counterexample.

use paxoscope_core::model::directed::{describe_prefix, explore_directed, Directed, DIRECTED};
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
    /// --max-states, --mutation, --blind, --search, --no-directed and --expect-violation) or `multi-paxos` (--rounds,
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
    /// Directed search (Ceph): walk a prefix of the model's own steps to a named situation
    /// (`held-alone`: mon.1 holds an uncommitted value of its own that no one else has;
    /// `held-by-two`: the leader dies holding a value one peon accepted), then explore breadth
    /// first from there within this command line's bound (the default check runs both, each
    /// within its own bound).
    #[arg(long, value_name = "NAME")]
    directed: Option<String>,
    /// Run only the breadth-first exploration, not the default check's directed starts (nor,
    /// Ceph, its compare-and-set bounds). Ceph: they run after it, only when no option changes the bound (--depth, --max-states,
    /// --elections, --losses, --restarts, --puts, --cas, --no-reads, --crashes, --start,
    /// --timers, --allow-dup-reorder, --duplicates, --reorders, --search, --directed);
    /// basic-paxos: before it, only without --rounds, --crashes, --max-states, --proposers,
    /// --search.
    #[arg(long)]
    no_directed: bool,
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
        let directed = !args.no_directed
            && args.rounds.is_none()
            && args.crashes.is_none()
            && args.max_states.is_none()
            && args.proposers.is_none()
            && args.search.is_none();
        return crate::basic_paxos::model_check(crate::basic_paxos::ModelArgs {
            rounds: args.rounds,
            crashes: args.crashes,
            max_states: args.max_states,
            mutations: args.mutations,
            expect_violation: args.expect_violation,
            blind: args.blind,
            proposers: args.proposers,
            search,
            directed,
        });
    }
    let b = bounds(&args)?;
    println!("model-check: {}", b.describe());
    println!("time: one global clock; timers fire exactly at their deadlines, earliest first");
    if let Some(name) = &args.directed {
        let d = directed_start(name)?;
        if !b.start_in_quorum {
            return Err("--directed starts from the stable quorum: drop --start boot".into());
        }
        let phase = run_directed(&b, d)?;
        return Ok(verdict(&[phase], &b, args.expect_violation));
    }
    let mut phases = vec![breadth_first(&b)];
    let later = later_phases(&args);
    match later {
        Err(why) => println!("\nphase 2 (directed starts) not run: {why}"),
        Ok(()) if phases[0].report.violation.is_some() => {
            println!("\nphase 2 (directed starts) not run: phase 1 found a violation")
        }
        Ok(()) => phases.extend(directed_phase(&b.mutations)?),
    }
    let clean = phases.iter().all(|p| p.report.violation.is_none());
    match later {
        Ok(()) if clean => phases.extend(cas_phase(&b.mutations)),
        Ok(()) => println!("\nphase 3 (compare-and-set) not run: a violation was found"),
        Err(why) => println!("\nphase 3 (compare-and-set) not run: {why}"),
    }
    if phases.len() > 1 {
        print_summary(&phases);
    }
    Ok(verdict(&phases, &b, args.expect_violation))
}

/// What one phase of a model check explored, and how long it took (wall time).
struct Phase {
    name: String,
    report: Report,
    secs: f64,
}

/// Phase 1: breadth first (or depth first) from the model's start state within `b`.
fn breadth_first(b: &ModelConfig) -> Phase {
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
    let from = if b.start_in_quorum {
        "the stable quorum"
    } else {
        "boot"
    };
    Phase {
        name: format!("{} from {from}", b.search.name()),
        report,
        secs,
    }
}

/// Whether the default check's phases 2 and 3 run: only when no option changed the bound
/// (mutations and --expect-violation do not) and --no-directed was not given.
fn later_phases(args: &Args) -> Result<(), &'static str> {
    if args.no_directed {
        return Err("--no-directed");
    }
    let bound_given = args.depth.is_some()
        || args.max_states.is_some()
        || args.elections.is_some()
        || args.losses.is_some()
        || args.restarts.is_some()
        || args.puts.is_some()
        || args.cas.is_some()
        || args.no_reads
        || args.crashes.is_some()
        || args.start.is_some()
        || args.timers.is_some()
        || args.allow_dup_reorder
        || args.duplicates.is_some()
        || args.reorders.is_some()
        || args.search.is_some();
    if bound_given {
        return Err("an option changed the bound (phases 2 and 3 run only with the default one)");
    }
    Ok(())
}

/// Phase 2: every directed start of the library, each within its own bound, with the run's
/// mutations. A start a mutation makes unreachable is reported and skipped; without a
/// mutation every start must be reached.
fn directed_phase(mutations: &[Mutation]) -> Result<Vec<Phase>, String> {
    println!(
        "\nphase 2: {} directed starts, each from the stable quorum by a prefix of the model's own steps, each within its own bound",
        DIRECTED.len()
    );
    let mut phases = Vec::new();
    for d in &DIRECTED {
        let b = ModelConfig {
            mutations: mutations.to_vec(),
            ..(d.default_bounds)()
        };
        println!("\nbound of `{}`: {}", d.name, b.describe());
        match run_directed(&b, d) {
            Ok(phase) => {
                let found = phase.report.violation.is_some();
                phases.push(phase);
                if found {
                    break;
                }
            }
            Err(e) if !mutations.is_empty() => {
                println!(
                    "directed start `{}` not reached under the mutation: {e}",
                    d.name
                )
            }
            Err(e) => return Err(e),
        }
    }
    Ok(phases)
}

/// Phase 3: a put and a compare-and-set from the stable quorum, breadth first, within each of
/// `ModelConfig::compare_and_set`'s bounds (phase 1's clients send no compare-and-set).
fn cas_phase(mutations: &[Mutation]) -> Vec<Phase> {
    println!("\nphase 3: a put and a compare-and-set from the stable quorum, breadth first");
    let mut phases = Vec::new();
    for (name, bounds) in ModelConfig::compare_and_set() {
        let b = ModelConfig {
            mutations: mutations.to_vec(),
            ..bounds
        };
        println!("\nbound of `{name}`: {}", b.describe());
        let mut phase = breadth_first(&b);
        phase.name = name.to_string();
        let found = phase.report.violation.is_some();
        phases.push(phase);
        if found {
            break;
        }
    }
    phases
}

fn directed_start(name: &str) -> Result<&'static Directed, String> {
    Directed::from_name(name).ok_or_else(|| {
        format!(
            "--directed {name}: unknown; known: {}",
            Directed::names().join(", ")
        )
    })
}

/// One directed start: the prefix, then the exploration from its end within `b`.
fn run_directed(b: &ModelConfig, d: &'static Directed) -> Result<Phase, String> {
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
    Ok(Phase {
        name: format!("directed start {}", d.name),
        report: run.report,
        secs,
    })
}

/// One line per phase: states, transitions, wall time, states per second, outcome.
fn print_summary(phases: &[Phase]) {
    println!("\nsummary (wall time; phase 1, the directed starts of phase 2, the compare-and-set bounds of phase 3):");
    for p in phases {
        let r = &p.report;
        let outcome = if r.violation.is_some() {
            "VIOLATION"
        } else if r.stopped_at_max_states {
            "stopped at the state budget"
        } else {
            "exhaustive"
        };
        println!(
            "  {:<36} {:>9} states {:>10} transitions {:>6.1} s {:>8.0} states/s  {outcome}",
            p.name,
            r.distinct_states,
            r.transitions,
            p.secs,
            r.distinct_states as f64 / p.secs.max(1e-9)
        );
    }
    let states: u64 = phases.iter().map(|p| p.report.distinct_states).sum();
    let secs: f64 = phases.iter().map(|p| p.secs).sum();
    println!("  {:<36} {states:>9} states {:>30.1} s", "total", secs);
}

/// Print the first phase's findings and the first violation (or its absence); the exit
/// status.
fn verdict(phases: &[Phase], b: &ModelConfig, expect_violation: bool) -> ExitCode {
    if let Some(p) = phases.iter().find(|p| !p.report.findings.is_empty()) {
        for f in &p.report.findings {
            println!(
                "\nfinding in {} (Ceph allows this, see docs/campaign.md \"Two leaders in one epoch\"; not a violation):",
                p.name
            );
            print!("{f}");
        }
    }
    let broken = phases.iter().find(|p| p.report.violation.is_some());
    let stopped = phases.iter().any(|p| p.report.stopped_at_max_states);
    match broken {
        Some(p) => {
            println!("\nVIOLATION in {}", p.name);
            print!("{}", p.report.violation.as_ref().expect("found above"));
            if expect_violation {
                println!("{}", expected_because(b));
            }
        }
        None if stopped => println!("\nno violation within the bound (stopped at --max-states)"),
        None => {
            println!("\nno violation within the bound (every state within the bounds explored)")
        }
    }
    match (broken.is_some(), expect_violation) {
        (false, false) | (true, true) => ExitCode::SUCCESS,
        (true, false) => ExitCode::from(1),
        (false, true) => {
            println!("expected a violation and found none");
            ExitCode::from(1)
        }
    }
}

/// Why an expected violation was expected: the messenger's guarantees dropped, or a bug
/// switched on.
fn expected_because(b: &ModelConfig) -> String {
    let muts: Vec<&str> = b.mutations.iter().map(|m| m.name()).collect();
    let mut why = Vec::new();
    if b.duplicates > 0 || b.reorders > 0 {
        why.push("this run goes beyond what the protocol assumes of its messenger".to_string());
    }
    if !muts.is_empty() {
        why.push(format!(
            "the protocol runs with the bug {}",
            muts.join(", ")
        ));
    }
    if why.is_empty() {
        why.push("--expect-violation".to_string());
    }
    format!("(expected: {})", why.join("; "))
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
