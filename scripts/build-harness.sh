#!/usr/bin/env bash
# Builds the wasm measurement harness (harness/, paxoscope-harness) for headless Chromium:
#   target/harness/{paxoscope_harness.js, paxoscope_harness_bg.wasm, index.html}
# Profile wasm-release (opt-level "z", LTO: the code the playground ships), no wasm-opt. Used by
# tests/e2e/determinism.test.mjs and scripts/bench.sh. Cost: ~2 min on 2 cores from scratch,
# ~1 min after the trunk build (paxoscope-core and wasm-bindgen are already built), a
# few seconds when nothing changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
OUT="$ROOT/target/harness"
cargo build --quiet -p paxoscope-harness --target wasm32-unknown-unknown --profile wasm-release
wasm-bindgen --target web --out-dir "$OUT" target/wasm32-unknown-unknown/wasm-release/paxoscope_harness.wasm
cat >"$OUT/index.html" <<'HTML'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>paxoscope harness</title>
<link rel="icon" href="data:,"></head>
<body><p>paxoscope-harness: the page's scripts import ./paxoscope_harness.js</p></body></html>
HTML
echo "harness: $OUT"
