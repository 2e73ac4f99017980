//! `paxoscope run` on scenarios at the edges of the documented ranges (issue 16): each stops at
//! its budget with exit status 2 and a message naming the limit, the simulated time and the
//! setting to blame, within well under 1 GB. Before the budget, the first of these grew past
//! 5 GB in two minutes, and a 1 ms lease at zero latency past 22 GB.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Nine monitors renewing their leases every millisecond, for a day: valid (every value is in
/// its range), about 32,000 events per simulated second; tests/e2e/budget.test.mjs opens the
/// same scenario as a link.
const RENEW_1MS_DAY: &str = "paxoscope scenario v1
set monitors 9
set lease_renew_ms 1
end 86400s
";

/// The address space the child may use: 1 GiB (`ulimit -v`, KiB).
const ADDRESS_SPACE_KIB: u64 = 1 << 20;

/// Exit status, stderr and peak resident memory (KiB) of `paxoscope run` on `scenario`, with
/// stdout (the trace) thrown away. The child runs under `ulimit -v` of 1 GiB, so it cannot
/// use more whatever the polling below sees; the peak is the child's VmHWM, read from /proc
/// until it exits (it only grows, so the last reading is the peak up to then).
fn run_limited(scenario: &str) -> (Option<i32>, String, u64) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" run --scenario \"$1\""
        ))
        .arg(env!("CARGO_BIN_EXE_paxoscope"))
        .arg(scenario)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            peak_kib = peak_kib.max(vm_hwm_kib(&text));
        }
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut stderr)
        .expect("stderr is UTF-8");
    (status.code(), stderr, peak_kib)
}

fn vm_hwm_kib(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// "stopped at t=51.234 s: ..." -> 51234.
fn stopped_at_ms(message: &str) -> u64 {
    let t = message
        .split("stopped at t=")
        .nth(1)
        .and_then(|rest| rest.split(" s:").next())
        .unwrap_or_else(|| panic!("no stop time in: {message}"));
    let (s, ms) = t.split_once('.').expect("seconds with three decimals");
    s.parse::<u64>().expect("seconds") * 1000 + ms.parse::<u64>().expect("milliseconds")
}

#[test]
fn a_day_of_1_ms_lease_renewals_on_nine_monitors_stops_at_the_memory_budget() {
    let (code, stderr, peak_kib) = run_limited(RENEW_1MS_DAY);
    assert_eq!(code, Some(2), "exit status 2; stderr: {stderr}");
    assert!(
        stderr.starts_with("paxoscope: stopped at t="),
        "one clear line: {stderr}"
    );
    assert!(
        stderr.contains("MiB kept") && stderr.contains("(MAX_KEPT_BYTES)"),
        "names the memory limit: {stderr}"
    );
    assert!(
        stderr.contains("most likely cause: `set lease_renew_ms 1`"),
        "blames the lease renewal first: {stderr}"
    );
    let t = stopped_at_ms(&stderr);
    assert!(
        (1_000..86_400_000).contains(&t),
        "stopped during the run, not at its end: {t} ms"
    );
    assert!(
        peak_kib > 0 && peak_kib < 512 * 1024,
        "peak resident memory {} MiB, well under 1 GiB",
        peak_kib / 1024
    );
    eprintln!(
        "stopped at {t} ms, peak resident memory {} MiB",
        peak_kib / 1024
    );
}

#[test]
fn a_1_ms_lease_at_zero_latency_stops_at_the_event_rate_within_its_first_millisecond() {
    // The renewal is 3/5 of the lease, which rounds down to 0 ms: time never passes.
    let scenario = "paxoscope scenario v1
set latency_ms 0
set jitter_ms 0
set lease_ms 1
end 60s
";
    let (code, stderr, peak_kib) = run_limited(scenario);
    assert_eq!(code, Some(2), "exit status 2; stderr: {stderr}");
    assert!(
        stderr.contains("more than 100000 events within one simulated second")
            && stderr.contains("(MAX_EVENTS_PER_SIM_S)"),
        "names the event-rate limit: {stderr}"
    );
    assert!(
        stderr.contains("most likely cause: `set lease_ms 1`") && stderr.contains("every 0 ms"),
        "blames the lease and says the renewal is 0 ms: {stderr}"
    );
    assert!(stopped_at_ms(&stderr) <= 1_000, "{stderr}");
    assert!(peak_kib < 512 * 1024, "{} MiB", peak_kib / 1024);
}
