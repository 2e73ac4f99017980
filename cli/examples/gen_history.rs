//! Writes a Jepsen-style register history of a correct (linearizable) register to standard
//! output, for measuring `paxoscope check-history`:
//!
//! ```text
//! cargo run --release -p paxoscope-cli --example gen_history -- 10000 > h.edn
//! paxoscope check-history h.edn
//! ```
//!
//! Arguments (all optional, in order): operations (10000), processes (10), seed (1), percent
//! of operations whose answer is lost (`:info`, 2), distinct values (5), keys (1; more than one
//! writes `jepsen.independent` tuples `[key value]`, to check with `--model kv`), and `stale` to make
//! the first write's value unique and have a read three quarters of the way through return
//! it (a stale read: the history is then not linearizable).
//!
//! Each process runs one operation at a time: read, write or cas over a few small integers,
//! as Jepsen's etcd test does. Each operation takes effect at a random instant inside its
//! interval (an `:info` one at a random instant after its invocation, possibly after its
//! `:info` line, or never) and the register's answers follow from those instants, so the
//! history is linearizable by construction. A process whose operation ended `:info` is
//! replaced by a new one (its number plus the process count), as in Jepsen.

use std::fmt::Write as _;

/// SplitMix64, enough for a test generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Clone, Copy, Debug)]
enum F {
    Read,
    Write(u64),
    Cas(u64, u64),
}

struct Op {
    process: u64,
    key: u64,
    f: F,
    invoke: f64,
    complete: f64,
    /// When it takes effect (`None`: never, for a lost one).
    effect: Option<f64>,
    lost: bool,
    /// Filled in by the register: a read's value, a cas's success.
    read: Option<u64>,
    cas_ok: bool,
}

fn arg(args: &[String], i: usize, default: u64) -> u64 {
    args.get(i)
        .filter(|a| *a != "stale")
        .map(|a| a.parse().expect("arguments are integers (or `stale`)"))
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let total = arg(&args, 0, 10_000) as usize;
    let processes = arg(&args, 1, 10).max(1);
    let mut rng = Rng(arg(&args, 2, 1));
    let lost_percent = arg(&args, 3, 2);
    let values = arg(&args, 4, 5).max(1);
    let keys = arg(&args, 5, 1).max(1);
    let stale = args.iter().any(|a| a == "stale");

    // Each process slot issues operations back to back with small gaps.
    let mut ops: Vec<Op> = Vec::with_capacity(total);
    let mut free_at = vec![0.0f64; processes as usize];
    let mut ids: Vec<u64> = (0..processes).collect();
    for _ in 0..total {
        let slot = rng.below(processes) as usize;
        let invoke = free_at[slot] + rng.unit() * 5.0;
        let complete = invoke + 0.5 + rng.unit() * 10.0;
        let key = if stale && ops.is_empty() {
            0
        } else {
            rng.below(keys)
        };
        let f = match rng.below(10) {
            // With `stale`, the first write is of a value written only once.
            _ if stale && ops.is_empty() => F::Write(values),
            0..=4 => F::Read,
            5..=7 => F::Write(rng.below(values)),
            _ => F::Cas(rng.below(values), rng.below(values)),
        };
        let lost = matches!(f, F::Write(_) | F::Cas(..))
            && !(stale && ops.is_empty())
            && rng.below(100) < lost_percent;
        let effect = if !lost {
            Some(invoke + rng.unit() * (complete - invoke))
        } else if rng.below(2) == 0 {
            // A lost write may land well after its :info line.
            Some(invoke + rng.unit() * 3.0 * (complete - invoke))
        } else {
            None
        };
        ops.push(Op {
            process: ids[slot],
            key,
            f,
            invoke,
            complete,
            effect,
            lost,
            read: None,
            cas_ok: false,
        });
        free_at[slot] = complete;
        if lost {
            ids[slot] += processes;
        }
    }

    // The register, applying the operations in the order they take effect.
    let mut order: Vec<usize> = (0..ops.len())
        .filter(|&i| ops[i].effect.is_some())
        .collect();
    order.sort_by(|&a, &b| ops[a].effect.partial_cmp(&ops[b].effect).unwrap());
    let mut registers: Vec<Option<u64>> = vec![None; keys as usize];
    for i in order {
        let op = &mut ops[i];
        let register = &mut registers[op.key as usize];
        match op.f {
            F::Read => op.read = *register,
            F::Write(v) => *register = Some(v),
            F::Cas(old, new) => {
                op.cas_ok = *register == Some(old);
                if op.cas_ok {
                    *register = Some(new);
                }
            }
        }
    }
    if stale {
        make_one_read_stale(&mut ops, values);
    }

    // Events in time order.
    let mut events: Vec<(f64, usize, bool)> = Vec::with_capacity(2 * ops.len());
    for (i, op) in ops.iter().enumerate() {
        events.push((op.invoke, i, true));
        events.push((op.complete, i, false));
    }
    events.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let mut out = String::with_capacity(events.len() * 60);
    for (i, (t, op, invoke)) in events.iter().enumerate() {
        let o = &ops[*op];
        let (f, value) = match o.f {
            F::Read if *invoke || o.read.is_none() => ("read", "nil".to_string()),
            F::Read => ("read", o.read.unwrap().to_string()),
            F::Write(v) => ("write", v.to_string()),
            F::Cas(a, b) => ("cas", format!("[{a} {b}]")),
        };
        let kind = match (invoke, o.f) {
            (true, _) => ":invoke",
            (false, _) if o.lost => ":info",
            (false, F::Cas(..)) if !o.cas_ok => ":fail",
            _ => ":ok",
        };
        let value = if keys > 1 {
            format!("[{} {value}]", o.key)
        } else {
            value
        };
        let time_ns = (t * 1e6) as u64;
        let _ = writeln!(
            out,
            "{{:index {i}, :time {time_ns}, :process {}, :type {kind}, :f :{f}, :value {value}}}",
            o.process
        );
    }
    print!("{out}");
}

/// Makes a read of key 0 three quarters of the way through return `values`, the value of the
/// very first write (on key 0), overwritten long before: a stale read.
fn make_one_read_stale(ops: &mut [Op], values: u64) {
    let late = ops.len() * 3 / 4;
    let i = (late..ops.len())
        .find(|&i| matches!(ops[i].f, F::Read) && ops[i].key == 0 && ops[i].effect.is_some())
        .expect("some late read");
    ops[i].read = Some(values);
}
