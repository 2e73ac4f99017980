//! `campaign --protocol basic-paxos|multi-paxos`: one seed loop, one summary and one canary
//! table for the family protocols. Each protocol says, through [`Family`], how to run a seed,
//! what its outcome holds and the words its summary uses.

use paxoscope_core::campaign::family::SeedOutcome;
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

/// What one family protocol's campaign gives the shared seed loop.
pub trait Family {
    type Mutation: Copy + Send + Sync + 'static;
    type Outcome: SeedOutcome + Send;
    /// As `--protocol` spells it, e.g. `basic-paxos`.
    const NAME: &'static str;
    /// As a sentence names it, e.g. `Basic Paxos`.
    const TITLE: &'static str;
    /// What alone judges a blind canary run.
    const BLIND_JUDGES: &'static str;
    /// What the liveness phase waits for after the heal.
    const LIVE_MEANS: &'static str;
    /// Said after the count of canaries caught blind (may be empty).
    const CAUGHT_BY: &'static str;

    fn mutations() -> &'static [Self::Mutation];
    fn mutation_name(m: Self::Mutation) -> &'static str;
    fn mutation_from_name(name: &str) -> Option<Self::Mutation>;
    fn run_seed(seed: u64, mutation: Option<Self::Mutation>) -> Self::Outcome;
    /// The first seed of `start..start + budget` whose run breaks a safety check.
    fn canary(m: Self::Mutation, start: u64, budget: u64, blind: bool) -> Option<(u64, String)>;
    /// One line per seed with `--verbose`.
    fn verbose_line(o: &Self::Outcome) -> String;
    /// Added to the summary's first line (after the events per second).
    fn headline_extra(outcomes: &[Self::Outcome]) -> String;
    /// Lines the summary prints after the fault classes.
    fn extra_lines(outcomes: &[Self::Outcome]) -> Vec<String>;
}

pub fn parse_mutation<F: Family>(name: &str) -> Result<F::Mutation, String> {
    F::mutation_from_name(name).ok_or_else(|| {
        let known: Vec<&str> = F::mutations()
            .iter()
            .map(|m| F::mutation_name(*m))
            .collect();
        format!(
            "unknown {} mutation {name:?} (expected one of: {})",
            F::TITLE,
            known.join(", ")
        )
    })
}

pub fn campaign<F: Family>(args: CampaignArgs) -> Result<ExitCode, String> {
    if args.jobs == 0 {
        return Err("--jobs must be at least 1".into());
    }
    let mutation = args
        .mutation
        .as_deref()
        .map(parse_mutation::<F>)
        .transpose()?;
    if args.canaries {
        return canaries::<F>(&args);
    }
    let count = args.seeds.unwrap_or(100);
    let t0 = Instant::now();
    let outcomes = crate::seeds::run_in_order(args.start, count, args.jobs, |seed| {
        F::run_seed(seed, mutation)
    });
    let wall_s = t0.elapsed().as_secs_f64();
    let mut failed = 0;
    for o in &outcomes {
        if args.verbose {
            println!("{}", F::verbose_line(o));
        }
        if let Some(f) = o.failure() {
            failed += 1;
            let m = mutation.map_or(String::new(), |m| {
                format!(" --mutation {}", F::mutation_name(m))
            });
            println!(
                "FAIL seed {seed} (rerun: paxoscope campaign --protocol {} --start {seed} --seeds 1 --verbose{m}): {f}",
                F::NAME,
                seed = o.seed(),
            );
        }
    }
    print_summary::<F>(&args, count, wall_s, &outcomes);
    println!("{} passed, {failed} failed", outcomes.len() as u64 - failed);
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_summary<F: Family>(args: &CampaignArgs, count: u64, wall_s: f64, outcomes: &[F::Outcome]) {
    let events: u64 = outcomes.iter().map(|o| o.events()).sum();
    let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
    for c in outcomes.iter().flat_map(|o| o.classes()) {
        *classes.entry(c).or_default() += 1;
    }
    let mut liveness: Vec<u64> = outcomes.iter().filter_map(|o| o.liveness_ms()).collect();
    liveness.sort_unstable();
    let pct = |p: usize| {
        liveness
            .get(liveness.len().saturating_sub(1) * p / 100)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "{} campaign: seeds {}..{}, {events} events in {wall_s:.1} s ({:.0} events/s){}",
        F::NAME,
        args.start,
        args.start + count,
        events as f64 / wall_s.max(1e-9),
        F::headline_extra(outcomes)
    );
    let cls: Vec<String> = classes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    println!("fault classes (seeds): {}", cls.join(", "));
    for line in F::extra_lines(outcomes) {
        println!("{line}");
    }
    println!(
        "{} after the heal: median {} ms, p99 {} ms, max {} ms",
        F::LIVE_MEANS,
        pct(50),
        pct(99),
        pct(100)
    );
}

/// Each mutation, first with every rule on, then blind (only what a user relies on judges):
/// the first seed that catches it and the rule that did.
fn canaries<F: Family>(args: &CampaignArgs) -> Result<ExitCode, String> {
    let budget = args.seeds.unwrap_or(1_000);
    let modes: &[bool] = if args.blind { &[true] } else { &[false, true] };
    let all = F::mutations();
    let jobs = all.len() * modes.len();
    let found = crate::seeds::run_in_order(0, jobs as u64, args.jobs, |i| {
        let m = all[i as usize / modes.len()];
        let blind = modes[i as usize % modes.len()];
        let t0 = Instant::now();
        let d = F::canary(m, args.start, budget, blind);
        (m, blind, d, t0.elapsed().as_secs_f64())
    });
    println!(
        "{} canaries: seeds {}.. up to {budget} per mutation; blind = only {} judge",
        F::NAME,
        args.start,
        F::BLIND_JUDGES
    );
    println!("| mutation | checks | seeds | caught by |");
    println!("|---|---|---|---|");
    let mut missed = 0;
    for (m, blind, d, secs) in &found {
        let checks = if *blind { "blind" } else { "all rules" };
        let name = F::mutation_name(*m);
        match d {
            Some((seed, f)) => println!(
                "| `{name}` | {checks} | {} (seed {seed}, {secs:.1} s) | {f} |",
                seed - args.start + 1
            ),
            None => {
                missed += u32::from(*blind);
                println!("| `{name}` | {checks} | NOT caught in {budget} | |");
            }
        }
    }
    println!(
        "{} of {} canaries caught blind{}",
        all.len() as u32 - missed,
        all.len(),
        F::CAUGHT_BY
    );
    Ok(if missed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
