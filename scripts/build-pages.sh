#!/usr/bin/env bash
# Builds the three pages the playground ships, with the release profile the bundle budgets
# measure (scripts/bundle-size.mjs, docs/performance.md):
#   dist/          Ceph's monitor Paxos only: the first load stays small;
#   dist/family/   every protocol (src/page.rs FAMILY_PAGE): another protocol's link, tour or
#                  pick continues there;
#   dist/history/  the history checker alone (feature history-page, src/page.rs HISTORY_PAGE).
# Needs trunk and wasm-opt on PATH (source scripts/env.sh). Extra arguments go to every build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Every protocol feature of the web crate (Cargo.toml [features]).
FAMILY_FEATURES="basic-paxos,multi-paxos"
BUILD=(trunk build --release --cargo-profile wasm-release --offline --public-url ./)

# After each build: no f64 formatting in that page's wasm (scripts/float-free.mjs, ~7 KB gzipped).
FLOAT_FREE=(node scripts/float-free.mjs target/wasm-bindgen/release/paxoscope-web_bg.wasm)

echo "==> dist/ (shipped page)"
"${BUILD[@]}" "$@"
"${FLOAT_FREE[@]}" dist/
echo "==> dist/family/ (--features $FAMILY_FEATURES)"
"${BUILD[@]}" --features "$FAMILY_FEATURES" --dist dist/family "$@"
"${FLOAT_FREE[@]}" dist/family/
echo "==> dist/history/ (--features history-page)"
"${BUILD[@]}" --features history-page --dist dist/history "$@"
"${FLOAT_FREE[@]}" dist/history/
