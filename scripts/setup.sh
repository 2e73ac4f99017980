#!/usr/bin/env bash
# Installs what Paxoscope's build and tests need, skipping every step whose tool is already
# present at the right version (a second run takes seconds). Safe to run repeatedly.
#
#   rustup target wasm32-unknown-unknown
#   trunk 0.21.14                 (cargo install; ~6.5 min on 2 cores the first time)
#   wasm-bindgen-cli == Cargo.lock's wasm-bindgen (cargo install, ~2 min the first time)
#   binaryen 132 (wasm-opt)       (npm, into .tools/, which scripts/env.sh puts on PATH)
#   chromium + chromium-driver    (apt-get)
#   tests/e2e node modules        (npm ci, from the committed package-lock.json)
#   crates for the workspace      (cargo fetch, so trunk can build with --offline)
#
# Use it as `scripts/setup.sh`, or source scripts/env.sh afterwards to get the tools on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# ---------------------------------------------------------------- system packages (apt)
# Chromium is installed in the background (network/disk bound) while cargo compiles.
APT_PKGS=()
command -v chromium >/dev/null 2>&1 || APT_PKGS+=(chromium)
command -v chromedriver >/dev/null 2>&1 || APT_PKGS+=(chromium-driver)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  APT_PKGS+=(nodejs npm)
fi
APT_PID=""
APT_LOG="$ROOT/target/setup-apt.log"
if [ "${#APT_PKGS[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "missing ${APT_PKGS[*]} and no apt-get to install them"
  mkdir -p "$ROOT/target"
  say "apt-get install ${APT_PKGS[*]} (background, log: target/setup-apt.log)"
  (
    as_root apt-get update -q &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${APT_PKGS[@]}"
  ) >"$APT_LOG" 2>&1 &
  APT_PID=$!
else
  say "chromium $(chromium --version 2>/dev/null | awk '{print $2}') ok"
fi

wait_apt() {
  [ -n "$APT_PID" ] || return 0
  if wait "$APT_PID"; then
    say "apt-get install ${APT_PKGS[*]} done"
    APT_PID=""
  else
    tail -n 30 "$APT_LOG" >&2 || true
    die "apt-get install ${APT_PKGS[*]} failed (see $APT_LOG)"
  fi
}

# ---------------------------------------------------------------- rust
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs)"
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "rust target wasm32-unknown-unknown ok"
else
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# ---------------------------------------------------------------- wasm-bindgen version
if [ ! -f Cargo.lock ]; then
  say "no Cargo.lock: cargo generate-lockfile"
  cargo generate-lockfile
fi
# The version of the `wasm-bindgen` package (not -macro, -shared, ...) in Cargo.lock.
WB_VERSIONS="$(awk '
  /^\[\[package\]\]/ { in_wb = 0 }
  /^name = "wasm-bindgen"$/ { in_wb = 1; next }
  in_wb && /^version = / { gsub(/"/, "", $3); print $3; in_wb = 0 }
' Cargo.lock | sort -u)"
[ -n "$WB_VERSIONS" ] || die "no wasm-bindgen package in Cargo.lock"
[ "$(printf '%s\n' "$WB_VERSIONS" | wc -l)" -eq 1 ] ||
  die "Cargo.lock has several wasm-bindgen versions ($(echo $WB_VERSIONS)); unify them with cargo update"
WB_VERSION="$WB_VERSIONS"

TRUNK_WB="$(sed -n 's/^[[:space:]]*wasm_bindgen[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' Trunk.toml)"
if [ "$TRUNK_WB" != "$WB_VERSION" ]; then
  die "Trunk.toml [tools] wasm_bindgen = \"$TRUNK_WB\" but Cargo.lock has wasm-bindgen $WB_VERSION.
       Set wasm_bindgen = \"$WB_VERSION\" in Trunk.toml (they must match exactly) and re-run."
fi

# ---------------------------------------------------------------- trunk
have_trunk="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_trunk" = "$TRUNK_VERSION" ]; then
  say "trunk $TRUNK_VERSION ok"
else
  say "cargo install trunk $TRUNK_VERSION (found: ${have_trunk:-none}; takes ~6-7 min on 2 cores)"
  # trunk 0.22 needs a newer rustc; rustls avoids a system OpenSSL dependency.
  cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features --features rustls
fi

# ---------------------------------------------------------------- wasm-bindgen-cli
have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_wb" = "$WB_VERSION" ]; then
  say "wasm-bindgen-cli $WB_VERSION ok"
else
  say "cargo install wasm-bindgen-cli $WB_VERSION (found: ${have_wb:-none}; takes ~2 min)"
  # Deliberately without --locked: its lockfile pins a yanked crate.
  cargo install wasm-bindgen-cli --version "=$WB_VERSION" --force
fi

# ---------------------------------------------------------------- node (needed below)
if ! command -v npm >/dev/null 2>&1; then wait_apt; fi
command -v node >/dev/null 2>&1 || die "node not found"

# ---------------------------------------------------------------- binaryen (wasm-opt)
have_wo="$("$ROOT/.tools/node_modules/.bin/wasm-opt" --version 2>/dev/null || true)"
if printf '%s' "$have_wo" | grep -q "version $BINARYEN_VERSION\b"; then
  say "wasm-opt $BINARYEN_VERSION ok (.tools/)"
else
  say "npm install binaryen@$BINARYEN_VERSION into .tools/"
  mkdir -p "$ROOT/.tools"
  [ -f "$ROOT/.tools/package.json" ] || echo '{ "private": true }' >"$ROOT/.tools/package.json"
  npm install --prefix "$ROOT/.tools" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
  "$ROOT/.tools/node_modules/.bin/wasm-opt" --version | grep -q "version $BINARYEN_VERSION\b" ||
    die "wasm-opt from binaryen@$BINARYEN_VERSION does not report version $BINARYEN_VERSION"
fi

# ---------------------------------------------------------------- e2e test packages
E2E="$ROOT/tests/e2e"
want_pw="$(node -p "require('$E2E/package.json').devDependencies['playwright-core']")"
have_pw="$(node -p "require('$E2E/node_modules/playwright-core/package.json').version" 2>/dev/null || true)"
if [ "$have_pw" = "$want_pw" ] && [ "$E2E/node_modules/.package-lock.json" -nt "$E2E/package-lock.json" ]; then
  say "e2e node modules ok (playwright-core $have_pw)"
else
  say "npm ci in tests/e2e (playwright-core $want_pw)"
  (cd "$E2E" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# ---------------------------------------------------------------- crates
# Downloads every crate in Cargo.lock so that `trunk build --offline` never needs the network.
say "cargo fetch"
cargo fetch --quiet

wait_apt
command -v chromium >/dev/null 2>&1 || die "chromium not on PATH after apt-get"
say "ready"
