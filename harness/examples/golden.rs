//! Prints the trace hashes harness/tests/unchanged_runs.rs compares against (regenerate only
//! when a change of behaviour is intended): `cargo run -p paxoscope-harness --example golden`.
use paxoscope_harness::unchanged;
fn main() {
    for (name, hash) in unchanged::reference_runs() {
        println!("(\"{name}\", 0x{hash:016x}),");
    }
}
