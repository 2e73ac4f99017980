#!/usr/bin/env bash
# Builds the pages the playground ships (scripts/build-pages.sh: the shipped page, the family
# page with every protocol, the history checker's page) and serves them as they ship, at
# http://127.0.0.1:8080/ by default.
#   PAXOSCOPE_ADDRESS=0.0.0.0 PAXOSCOPE_PORT=9000 scripts/serve.sh
# For live reload while changing the page, run `trunk serve --features basic-paxos,multi-paxos` instead:
# one page with every protocol (its "Check any history" link has no page behind it there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

ADDRESS="${PAXOSCOPE_ADDRESS:-127.0.0.1}"
PORT="${PAXOSCOPE_PORT:-8080}"
"$ROOT/scripts/build-pages.sh"
echo "serve: http://$ADDRESS:$PORT/ (the family page: /family/, the history checker: /history/)"
HOST="$ADDRESS" exec node "$ROOT/scripts/static-server.mjs" dist "$PORT"
