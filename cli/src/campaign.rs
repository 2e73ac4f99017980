//! `paxoscope campaign`: random fault schedules over many seeds (safety, then liveness after a
//! heal, then linearizability), the mutation canaries, and the replay of one seed with its
//! shrunk scenario. See docs/campaign.md.

use paxoscope_core::campaign::{
    self, canary, liveness_bound_ms, plan, run_seed, shrink, trial, Beyond, Detection, Failure,
    PlanOptions, SeedReport, Summary, Tag,
};
use paxoscope_core::check::{masked_by, rule_for};
use paxoscope_core::protocols::ceph::Config;
use paxoscope_core::scenario::{self, Mutation};
use paxoscope_core::trace::TraceKind;
use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Number of seeds (campaign; default 100) or the per-mutation budget (canaries; default 1000).
    #[arg(long)]
    seeds: Option<u64>,
    /// First seed.
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Switch on a deliberate protocol bug in every seed (see `Mutation::ALL`).
    #[arg(long, value_name = "NAME")]
    mutation: Option<String>,
    /// Step outside Ceph's assumptions: reorder, duplicate, large-skew (comma separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    beyond: Vec<String>,
    /// Monitors per seed (Ceph's default deployment has 5).
    #[arg(long, default_value_t = 5)]
    monitors: u8,
    /// Worker threads; results do not depend on it.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// One line per seed (classes, paths, operations, time to liveness).
    #[arg(long)]
    verbose: bool,
    /// Rerun one seed with its trace, print the failure in context and shrink it.
    #[arg(long, value_name = "SEED", conflicts_with = "canaries")]
    replay: Option<u64>,
    /// Run each mutation canary until the campaign catches it.
    #[arg(long)]
    canaries: bool,
    /// Switch every protocol invariant of the checker off: only the client-facing checks
    /// (linearizability, liveness with the service probe, agreement of the committed service
    /// states) judge. With --canaries: is each bug caught without the rule written for it?
    #[arg(long)]
    blind: bool,
    /// The election campaign instead: a cut link, a chain and a star under each election
    /// strategy (docs/elections.md); prints seeds, failures, settled runs and elections per
    /// minute per shape and strategy, and the scenario of the first failing run.
    #[arg(long, conflicts_with_all = ["canaries", "replay", "mutation", "beyond"])]
    elections: bool,
    /// Do not shrink the first failing seed of a campaign.
    #[arg(long)]
    no_shrink: bool,
    /// The protocol: `ceph`, `basic-paxos` or `multi-paxos` (the last two take --seeds,
    /// --start, --mutation, --jobs, --verbose, --canaries and --blind).
    #[arg(long, default_value = "ceph")]
    protocol: String,
}

/// The options a family protocol's campaign takes (`family.rs`).
fn family_args(args: Args) -> crate::family::CampaignArgs {
    crate::family::CampaignArgs {
        seeds: args.seeds,
        start: args.start,
        mutation: args.mutation,
        jobs: args.jobs,
        verbose: args.verbose,
        canaries: args.canaries,
        blind: args.blind,
    }
}

pub fn main(args: Args) -> Result<ExitCode, String> {
    if args.protocol == paxoscope_core::scenario::ProtocolId::MultiPaxos.name() {
        return crate::family::campaign::<crate::multi_paxos::Multi>(family_args(args));
    }
    if crate::basic_paxos::is_basic(&args.protocol)? {
        return crate::family::campaign::<crate::basic_paxos::Basic>(family_args(args));
    }
    if args.elections {
        return elections_campaign(&args);
    }
    let opts = plan_options(&args)?;
    if let Some(seed) = args.replay {
        return replay(seed, &opts, &args);
    }
    if args.canaries {
        return canaries(&opts, &args);
    }
    run_campaign(&opts, &args)
}

fn plan_options(args: &Args) -> Result<PlanOptions, String> {
    if !(3..=scenario::MAX_MONITORS).contains(&args.monitors) {
        return Err(format!(
            "--monitors must be between 3 and {}, got {}",
            scenario::MAX_MONITORS,
            args.monitors
        ));
    }
    if args.jobs == 0 {
        return Err("--jobs must be at least 1".into());
    }
    let count = args
        .seeds
        .unwrap_or(if args.canaries { 1_000 } else { 100 });
    if args.start.checked_add(count).is_none() {
        return Err(format!(
            "--start {} plus --seeds {count} runs past the last seed ({})",
            args.start,
            u64::MAX
        ));
    }
    let mutation = match &args.mutation {
        None => None,
        Some(name) => Some(Mutation::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Mutation::ALL.iter().map(|m| m.name()).collect();
            format!(
                "unknown mutation {name:?} (expected one of: {})",
                known.join(", ")
            )
        })?),
    };
    let mut beyond = BTreeSet::new();
    for name in &args.beyond {
        let b = Beyond::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Beyond::ALL.iter().map(|b| b.name()).collect();
            format!(
                "unknown --beyond value {name:?} (expected: {})",
                known.join(", ")
            )
        })?;
        beyond.insert(b);
    }
    Ok(PlanOptions {
        monitors: args.monitors,
        mutation,
        beyond,
        blind: args.blind,
    })
}

/// The options that change a seed's plan, as command-line flags (for replay commands).
fn plan_flags(opts: &PlanOptions) -> String {
    let mut s = String::new();
    if opts.monitors != 5 {
        s.push_str(&format!(" --monitors {}", opts.monitors));
    }
    if let Some(m) = opts.mutation {
        s.push_str(&format!(" --mutation {}", m.name()));
    }
    if !opts.beyond.is_empty() {
        let names: Vec<&str> = opts.beyond.iter().map(|b| b.name()).collect();
        s.push_str(&format!(" --beyond {}", names.join(",")));
    }
    if opts.blind {
        s.push_str(" --blind");
    }
    s
}

fn replay_command(seed: u64, opts: &PlanOptions) -> String {
    format!("paxoscope campaign --replay {seed}{}", plan_flags(opts))
}

// ----- the campaign -----

fn run_campaign(opts: &PlanOptions, args: &Args) -> Result<ExitCode, String> {
    let count = args.seeds.unwrap_or(100);
    let t0 = Instant::now();
    let reports =
        crate::seeds::run_in_order(args.start, count, args.jobs, |seed| run_seed(seed, opts));
    let wall_s = t0.elapsed().as_secs_f64();
    let mut summary = Summary::new();
    for r in &reports {
        summary.add(r);
        if args.verbose {
            println!("{}", seed_line(r));
        }
        if let Some(f) = &r.outcome.failure {
            println!(
                "FAIL seed {} (replay: {}): {f}",
                r.seed,
                replay_command(r.seed, opts)
            );
        }
    }
    let stale: Vec<&SeedReport> = reports
        .iter()
        .filter(|r| r.outcome.stale_read_finding.is_some())
        .collect();
    for r in stale.iter().take(3) {
        let cmd = replay_command(r.seed, opts);
        println!(
            "finding seed {} (replay: {cmd}): stale read beyond the lease timing argument",
            r.seed
        );
    }
    print_summary(&summary, args, opts, wall_s);
    if let (Some(first), false) = (reports.iter().find(|r| !r.passed()), args.no_shrink) {
        println!();
        print_shrunk(first.seed, opts, false);
    }
    println!("{} passed, {} failed", summary.passed(), summary.failed);
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn seed_line(r: &SeedReport) -> String {
    let o = &r.outcome;
    let classes: Vec<&str> = r.classes.iter().map(|c| c.name()).collect();
    let paths: Vec<&str> = o.paths.iter().map(|p| p.name()).collect();
    let live = o
        .live_after_ms
        .map(|ms| format!("{ms} ms"))
        .unwrap_or_else(|| "-".into());
    let verdict = if r.passed() {
        "ok"
    } else {
        o.failure.as_ref().map_or("?", |f| f.kind())
    };
    format!(
        "seed {} {verdict}: ops {}{}, live after heal {live}, classes [{}], paths [{}]",
        r.seed,
        o.client_ops,
        if r.heavy { " (heavy)" } else { "" },
        classes.join(" "),
        paths.join(" ")
    )
}

fn print_summary(s: &Summary, args: &Args, opts: &PlanOptions, wall_s: f64) {
    let end = args.start + s.seeds;
    println!(
        "\ncampaign: seeds {}..{end}, {} monitors{}, {} job(s)",
        args.start,
        opts.monitors,
        plan_flags(opts),
        args.jobs
    );
    println!("  {:<28} {:>7}", "fault class", "seeds");
    for (c, n) in &s.class_seeds {
        println!("  {:<28} {:>7}", c.name(), n);
    }
    println!("  {:<28} {:>7}", "protocol path", "seeds");
    for (p, n) in &s.path_seeds {
        println!("  {:<28} {:>7}", p.name(), n);
    }
    println!(
        "  client ops {} ({} heavy seeds); linearizability checks {} over {} ops ({} undecided)",
        s.client_ops, s.heavy_seeds, s.lin_checks, s.lin_ops, s.lin_undecided
    );
    let mean_s = if s.live_seeds > 0 {
        s.sum_live_after_ms as f64 / s.live_seeds as f64 / 1000.0
    } else {
        0.0
    };
    let slowest = s
        .slowest_seed
        .map_or(String::new(), |seed| format!(", seed {seed}"));
    println!(
        "  live after heal (service probe done): mean {mean_s:.1} s, slowest {:.1} s{slowest} (bound {:.1} s, derived from the default configuration)",
        s.max_live_after_ms as f64 / 1000.0,
        liveness_bound_ms(&Config::default()) as f64 / 1000.0
    );
    println!(
        "  service probe: {} requests after the heal; every request answered but {} whose monitor crashed or whose forward or answer the network dropped",
        s.probe_requests, s.lost_requests
    );
    let kinds: Vec<String> = s
        .failures_by_kind
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if !kinds.is_empty() {
        println!("  failures: {}", kinds.join(", "));
    }
    println!(
        "  timing findings (not failures): read freshness across epochs broken in {} seeds, stale reads in {} seeds",
        s.finding_seeds, s.stale_read_seeds
    );
    let rate = if wall_s > 0.0 {
        s.seeds as f64 / wall_s
    } else {
        0.0
    };
    println!(
        "  {} events, {:.0} simulated s, {wall_s:.2} s wall, {rate:.0} seeds/s",
        s.events,
        s.simulated_ms as f64 / 1000.0
    );
}

// ----- shrinking and replay -----

/// Shrink the seed's trial (strict about reads when `strict_reads`, to show a stale-read
/// finding) and print the result as scenario text and URL fragment.
fn print_shrunk(seed: u64, opts: &PlanOptions, strict_reads: bool) {
    let mut p = plan(seed, opts);
    p.trial.strict_reads = strict_reads;
    let (outcome, _) = trial::run(&p.trial, false);
    let Some(failure) = outcome.failure else {
        println!("seed {seed} passes: nothing to shrink");
        return;
    };
    let t0 = Instant::now();
    let mut s = shrink(&p.trial, &p.tags, &failure);
    if strict_reads {
        s.trial.scenario.name = Some(format!(
            "campaign seed {seed}, shrunk: stale read under a valid lease (finding)"
        ));
    }
    let shrink_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let (again, session) = trial::run(&s.trial, false);
    let replay_ms = t1.elapsed().as_secs_f64() * 1000.0;
    // The run's scenario: the shrunk one plus the service probe's requests after the heal.
    let shown = session.scenario();
    println!(
        "shrunk seed {seed}: {} -> {} actions in {} runs ({shrink_s:.1} s); it still fails: {}",
        s.actions_before,
        s.trial.scenario.actions.len(),
        s.runs,
        again
            .failure
            .as_ref()
            .map_or("no (shrinking lost it)".to_string(), |f| f.to_string())
    );
    println!("replaying the shrunk scenario takes {replay_ms:.1} ms");
    println!("--- scenario (paxoscope run --scenario FILE) ---");
    print!("{}", scenario::print(shown));
    println!("--- playground URL fragment ---");
    println!("#{}", scenario::to_url_fragment(shown));
}

fn replay(seed: u64, opts: &PlanOptions, args: &Args) -> Result<ExitCode, String> {
    let p = plan(seed, opts);
    let classes: Vec<&str> = p.classes.iter().map(|c| c.name()).collect();
    println!(
        "seed {seed}: classes [{}], {} actions ({} client ops{}), heal at {} ms, liveness by {} ms",
        classes.join(" "),
        p.trial.scenario.actions.len(),
        p.client_ops(),
        if p.heavy { ", heavy" } else { "" },
        p.trial.heal_ms,
        p.trial.live_by_ms
    );
    let (outcome, session) = trial::run(&p.trial, true);
    let paths: Vec<&str> = outcome.paths.iter().map(|p| p.name()).collect();
    println!("paths [{}], {} events", paths.join(" "), outcome.events);
    if args.verbose {
        for e in session.trace() {
            println!("{}", e.to_text());
        }
    }
    if let Some(f) = &outcome.stale_read_finding {
        println!(
            "finding: reads {:?} were stale beyond the lease timing argument (spec 10.6): {f}",
            outcome.stale_reads
        );
    }
    let Some(failure) = outcome.failure.clone() else {
        let live = outcome.live_after_ms.unwrap_or(0);
        println!(
            "seed {seed} passes: live {live} ms after the heal, {} ops linearizable",
            outcome.lin.ops
        );
        if outcome.stale_read_finding.is_some() {
            println!("\nshrinking the stale read (counted as a failure for this):");
            print_shrunk(seed, opts, true);
        }
        println!("1 passed, 0 failed");
        return Ok(ExitCode::SUCCESS);
    };
    println!("\nFAIL seed {seed}: {failure}");
    print_context(&failure, &session, &p);
    println!();
    print_shrunk(seed, opts, false);
    println!("0 passed, 1 failed");
    Ok(ExitCode::from(1))
}

/// The trace around the failure: the last lines before it (deliveries left out), then for
/// liveness each monitor's state, for linearizability the operations on the key.
fn print_context(
    failure: &Failure,
    session: &paxoscope_core::session::Session,
    p: &campaign::Plan,
) {
    const LINES: usize = 40;
    let upto = match failure {
        Failure::Safety(v) => v.t_ms,
        _ => session.now_ms(),
    };
    let lines: Vec<String> = session
        .trace()
        .iter()
        .filter(|e| e.t_ms <= upto && !matches!(e.kind, TraceKind::Deliver { .. }))
        .map(|e| e.to_text())
        .collect();
    println!(
        "--- last {} trace lines before t={upto} ms (deliveries omitted) ---",
        LINES.min(lines.len())
    );
    for l in &lines[lines.len().saturating_sub(LINES)..] {
        println!("{l}");
    }
    match failure {
        Failure::Liveness { .. } | Failure::Agreement { .. } => {
            for r in 0..session.world().n() {
                match session.world().status(r) {
                    Some(s) => println!(
                        "mon.{r}: {}/{} epoch {} lc {} leader {:?}",
                        s.role, s.phase, s.epoch, s.last_committed, s.leader
                    ),
                    None => println!("mon.{r}: down"),
                }
            }
        }
        Failure::Linearizability { explanation, .. } => println!("{explanation}"),
        Failure::Safety(_) => {}
    }
    let heal = p.tags.iter().filter(|t| **t == Tag::Heal).count();
    println!("(the heal is {heal} actions at {} ms)", p.trial.heal_ms);
}

// ----- canaries -----

/// The canaries as a Markdown table (docs/campaign.md holds one from a real run).
fn print_canary_table(found: &[(Mutation, Option<Detection>)], budget: u64, blind: bool) {
    println!("\n| mutation | rule written for it | seeds to detection | seed | caught by |");
    println!("|---|---|---:|---:|---|");
    for (m, d) in found {
        let rule = rule_for(*m).map_or("none".to_string(), |r| format!("`{r}`"));
        let (seeds, seed, by) = match d {
            Some(d) => (
                d.seeds_run.to_string(),
                d.seed.to_string(),
                caught_by(&d.failure),
            ),
            None => match masked_by(*m).filter(|_| blind) {
                Some(why) => (
                    "-".into(),
                    "-".into(),
                    format!("not caught in {budget} seeds: masked by {why}"),
                ),
                None => ("-".into(), "-".into(), format!("SURVIVED {budget} seeds")),
            },
        };
        println!("| `{}` | {rule} | {seeds} | {seed} | {by} |", m.name());
    }
    println!();
}

/// Which check caught a failure, in a few words.
fn caught_by(f: &Failure) -> String {
    match f {
        Failure::Safety(v) => format!("safety: `{}`", v.invariant),
        Failure::Linearizability { key, .. } => format!("linearizability (key {key})"),
        Failure::Liveness { reason, .. } => {
            let short: String = reason.chars().take(110).collect();
            let more = if short.len() < reason.len() {
                "…"
            } else {
                ""
            };
            format!("liveness: {}{more}", short.replace('|', "/"))
        }
        Failure::Agreement { .. } => "agreement of the service states".to_string(),
    }
}

fn canaries(opts: &PlanOptions, args: &Args) -> Result<ExitCode, String> {
    if opts.mutation.is_some() {
        return Err("--canaries runs every mutation; leave out --mutation".into());
    }
    let budget = args.seeds.unwrap_or(1_000);
    let t0 = Instant::now();
    let count = Mutation::ALL.len() as u64;
    let mut found: Vec<(Mutation, Option<Detection>)> =
        crate::seeds::run_in_order(0, count, args.jobs, |i| {
            let m = Mutation::ALL[i as usize];
            (m, canary(m, args.start, budget, opts))
        });
    found.sort_by_key(|(m, _)| *m);
    let blind = if opts.blind {
        " (blind: every protocol invariant off, only client-facing checks)"
    } else {
        ""
    };
    println!(
        "canaries{blind}: seeds {}.. up to {budget} per mutation",
        args.start
    );
    println!(
        "  {:<26} {:>8} {:>8}  caught by",
        "mutation", "seeds", "seed"
    );
    // Blind, a canary that no client can see (`masked_by`) must survive, and every other
    // canary must be caught: either way round is a failure of the claim.
    let mut survived = 0;
    for (m, d) in &found {
        let masked = opts.blind.then(|| masked_by(*m)).flatten();
        match (d, masked) {
            (Some(d), None) => println!(
                "  {:<26} {:>8} {:>8}  {}",
                m.name(),
                d.seeds_run,
                d.seed,
                d.failure
            ),
            (Some(d), Some(_)) => {
                survived += 1;
                println!(
                    "  {:<26} {:>8} {:>8}  CAUGHT, though `masked_by` says no client can see it: {}",
                    m.name(),
                    d.seeds_run,
                    d.seed,
                    d.failure
                );
            }
            (None, Some(why)) => println!(
                "  {:<26} {:>8} {:>8}  masked, as expected ({budget} seeds): {why}",
                m.name(),
                "-",
                "-"
            ),
            (None, None) => {
                survived += 1;
                println!(
                    "  {:<26} {:>8} {:>8}  SURVIVED {budget} seeds",
                    m.name(),
                    "-",
                    "-"
                );
            }
        }
    }
    println!("  {:.2} s wall", t0.elapsed().as_secs_f64());
    print_canary_table(&found, budget, opts.blind);
    for (m, d) in &found {
        if let Some(d) = d {
            let o = PlanOptions {
                mutation: Some(*m),
                ..opts.clone()
            };
            println!("  replay {}: {}", m.name(), replay_command(d.seed, &o));
        }
    }
    println!("{} passed, {survived} failed", found.len() - survived);
    Ok(if survived > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--elections`: every shape under every strategy, `--seeds` (default 20) from `--start`.
fn elections_campaign(args: &Args) -> Result<ExitCode, String> {
    use paxoscope_core::campaign::elections::{campaign, run, table};
    let count = args.seeds.unwrap_or(20);
    let end = args.start.checked_add(count).ok_or_else(|| {
        format!(
            "--start {} plus --seeds {count} runs past the last seed",
            args.start
        )
    })?;
    let started = Instant::now();
    let rows = campaign(args.start..end);
    print!("{}", table(&rows));
    println!(
        "{} runs in {:.1} s",
        count * rows.len() as u64,
        started.elapsed().as_secs_f64()
    );
    let failing = rows
        .iter()
        .find_map(|(shape, strategy, r)| Some((*shape, *strategy, r.first_failure?)));
    match failing {
        None => Ok(ExitCode::SUCCESS),
        Some((shape, strategy, seed)) => {
            let r = run(seed, shape, strategy);
            let why = r
                .violation
                .unwrap_or_else(|| "did not settle: the spec says this strategy converges".into());
            println!(
                "\nFAILED: {} under {}, seed {seed}: {why}\n{}",
                shape.name(),
                strategy.name(),
                r.scenario
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
