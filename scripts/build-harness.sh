#!/usr/bin/env bash
# Builds the wasm measurement harness (harness/, paxoscope-harness) for headless Chromium:
#   target/harness/{paxoscope_harness.js, paxoscope_harness_bg.wasm, index.html}
# Release profile (opt-level "z", as the playground ships), no wasm-opt. Used by
# tests/e2e/determinism.test.mjs and scripts/bench.sh. Cost: ~2 min on 2 cores from scratch,
# ~30 s after `trunk build --release` (paxoscope-core and wasm-bindgen are already built), a
# few seconds when nothing changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
OUT="$ROOT/target/harness"
cargo build --quiet -p paxoscope-harness --target wasm32-unknown-unknown --release
wasm-bindgen --target web --out-dir "$OUT" target/wasm32-unknown-unknown/release/paxoscope_harness.wasm
cat >"$OUT/index.html" <<'HTML'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>paxoscope harness</title>
<link rel="icon" href="data:,"></head>
<body><p>paxoscope-harness: the page's scripts import ./paxoscope_harness.js</p></body></html>
HTML
echo "harness: $OUT"
