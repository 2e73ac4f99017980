#!/usr/bin/env bash
# Runs every benchmark and writes docs/performance.md (one command):
#   1. native: `paxoscope bench --json` (profile bench-native: opt-level 3, LTO)  -> target/bench/native.json
#   2. wasm:   the same workloads in headless Chromium, built twice (scripts/build-harness.sh):
#              wasm-release as the playground ships, and wasm-speed, optimised like bench-native;
#              then native and wasm rounds alternated for the wasm/native ratios -> target/bench/wasm.json
#   3. page:   tests/e2e/page-perf.mjs against a release build in dist/ (trunk build --release,
#              incremental)                                                     -> target/bench/page.json
#   4. bundle: scripts/bundle-size.mjs --json dist                              -> target/bench/bundle.json
#              where its bytes go, scripts/wasm-profile.mjs (twiggy)              -> target/bench/wasm-profile.json
#              and the playground built with wasm-speed instead (target/bench/dist-speed), to show
#              what the faster code would cost                               -> target/bench/bundle-speed.json
#   5. the machine (nproc, CPU model, memory, load), date and commit, then scripts/bench-report.mjs
# Takes about 6-8 minutes on 2 idle cores after the first builds (page-perf.mjs alone ~2 min; the
# first run after a change to the code adds ~4 min to rebuild the wasm-speed playground). BENCH_EVENTS (default 1000000)
# sets the events per throughput run, the largest growth run and the seek run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
OUT="$ROOT/target/bench"
mkdir -p "$OUT"
EVENTS="${BENCH_EVENTS:-1000000}"
say() { printf 'bench: %s\n' "$*" >&2; }

say "native: cargo build --profile bench-native -p paxoscope-cli"
cargo build --quiet --profile bench-native -p paxoscope-cli
say "native: paxoscope bench --json --events $EVENTS"
"$ROOT/target/bench-native/paxoscope" bench --json --events "$EVENTS" >"$OUT/native.json"

say "native: paxoscope campaign --seeds 2000 --jobs 1 (the real campaign)"
"$ROOT/target/bench-native/paxoscope" campaign --seeds 2000 --jobs 1 >"$OUT/campaign.txt" 2>&1 || true # findings exit non-zero

say "wasm: build the harness (wasm-release and wasm-speed), run it in Chromium"
"$ROOT/scripts/build-harness.sh" wasm-release >&2
"$ROOT/scripts/build-harness.sh" wasm-speed >&2
# With the native binary, it also alternates native and wasm rounds for the wasm/native ratio.
PAXOSCOPE_NATIVE_BIN="$ROOT/target/bench-native/paxoscope" node tests/e2e/wasm-harness.mjs bench "$EVENTS" "$EVENTS" >"$OUT/wasm.json"

PAGE_DIST="${BENCH_PAGE_DIST:-dist}" # BENCH_PAGE_DIST=DIR measures an existing build instead
if [ -n "${BENCH_PAGE_DIST:-}" ]; then
  say "page: $PAGE_DIST (BENCH_PAGE_DIST, no trunk build)"
  node tests/e2e/page-perf.mjs "$PAGE_DIST" >"$OUT/page.json" || echo '{"error": "page-perf.mjs failed"}' >"$OUT/page.json"
  node scripts/bundle-size.mjs --json "$PAGE_DIST" >"$OUT/bundle.json" || true
elif say "page: trunk build --release --cargo-profile wasm-release --offline --public-url ./ (incremental)" &&
  trunk build --release --cargo-profile wasm-release --offline --public-url ./ >"$OUT/trunk.log" 2>&1; then
  node tests/e2e/page-perf.mjs dist >"$OUT/page.json" || echo '{"error": "page-perf.mjs failed"}' >"$OUT/page.json"
  node scripts/bundle-size.mjs --json dist >"$OUT/bundle.json" || true # over budget still reports
  # Where the bytes go (twiggy on trunk's wasm-bindgen output, which still has the names).
  node scripts/wasm-profile.mjs >"$OUT/wasm-profile.json" ||
    echo '{"error": "scripts/wasm-profile.mjs failed (is twiggy installed? cargo install twiggy)"}' >"$OUT/wasm-profile.json"
else
  tail -n 20 "$OUT/trunk.log" >&2
  echo '{"error": "trunk build failed (target/bench/trunk.log)"}' >"$OUT/page.json"
  echo '{"error": "trunk build failed"}' >"$OUT/bundle.json"
fi

say "bundle: the playground built with profile wasm-speed (target/bench/dist-speed)"
if trunk build --release --cargo-profile wasm-speed --offline --public-url ./ --dist "$OUT/dist-speed" >"$OUT/trunk-speed.log" 2>&1; then
  node scripts/bundle-size.mjs --json "$OUT/dist-speed" >"$OUT/bundle-speed.json" || true # over budget is the point
else
  tail -n 20 "$OUT/trunk-speed.log" >&2
  echo '{"error": "trunk build --cargo-profile wasm-speed failed (target/bench/trunk-speed.log)"}' >"$OUT/bundle-speed.json"
fi

say "machine"
node -e '
  const fs = require("fs"), os = require("os");
  const cpu = (fs.readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0]?.model;
  const mem = Number((fs.readFileSync("/proc/meminfo", "utf8").match(/^MemTotal:\s*(\d+) kB/m) || [])[1]) * 1024;
  console.log(JSON.stringify({
    nproc: Number(process.argv[1]), cpu, memory_bytes: mem, loadavg: os.loadavg(),
    date_utc: new Date().toISOString(), commit: process.argv[2], rustc: process.argv[3], node: process.version,
  }));' "$(nproc)" "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs/performance.md' || echo '+changes')" "$(rustc --version)" >"$OUT/machine.json"

# Into a file of its own first: the report reads the old docs/performance.md for its hand-written
# blocks, which a redirection straight onto it would empty before node starts.
node scripts/bench-report.mjs "$OUT" >"$OUT/performance.md"
mv "$OUT/performance.md" docs/performance.md
say "wrote docs/performance.md"
