//! What every CLI test does to call the built `paxoscope` binary and read what it printed.
#![allow(dead_code)] // each test binary uses its own subset

use std::process::{Command, Output};

/// Runs the built binary with `args` and waits for it.
pub fn paxoscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paxoscope"))
        .args(args)
        .output()
        .expect("the paxoscope binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}
