#!/usr/bin/env bash
# Builds the wasm measurement harness (harness/, paxoscope-harness) for headless Chromium:
#   scripts/build-harness.sh              -> target/harness/        profile wasm-release
#   scripts/build-harness.sh wasm-speed   -> target/harness-speed/  profile wasm-speed
# each holding paxoscope_harness.js, paxoscope_harness_bg.wasm and index.html, without wasm-opt.
# wasm-release (opt-level "z", LTO) is the code the playground ships; tests/e2e/determinism.test.mjs
# uses it. wasm-speed (opt-level 3, fat LTO, like the native bench-native) is for scripts/bench.sh's
# wasm/native ratio. Cost: ~2 min on 2 cores from scratch, ~1 min after the trunk build
# (paxoscope-core and wasm-bindgen are already built), a few seconds when nothing changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
PROFILE="${1:-wasm-release}"
case "$PROFILE" in
  wasm-release) OUT="$ROOT/target/harness" ;;
  wasm-speed) OUT="$ROOT/target/harness-speed" ;;
  *) echo "build-harness.sh: unknown profile '$PROFILE' (wasm-release or wasm-speed)" >&2; exit 2 ;;
esac
cargo build --quiet -p paxoscope-harness --target wasm32-unknown-unknown --profile "$PROFILE"
wasm-bindgen --target web --out-dir "$OUT" "target/wasm32-unknown-unknown/$PROFILE/paxoscope_harness.wasm"
cat >"$OUT/index.html" <<'HTML'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>paxoscope harness</title>
<link rel="icon" href="data:,"></head>
<body><p>paxoscope-harness: the page's scripts import ./paxoscope_harness.js</p></body></html>
HTML
echo "harness: $OUT"
