#!/usr/bin/env bash
# Serves the playground with live reload: http://127.0.0.1:8080/ by default.
#   PAXOSCOPE_ADDRESS=0.0.0.0 PAXOSCOPE_PORT=9000 scripts/serve.sh [extra trunk serve args, e.g. --release]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

ADDRESS="${PAXOSCOPE_ADDRESS:-127.0.0.1}"
PORT="${PAXOSCOPE_PORT:-8080}"
echo "serve: http://$ADDRESS:$PORT/"
# Every protocol (the feature basic-paxos): while developing, one page has them all; the
# shipped page leaves them out and continues at dist/family/ (see scripts/test.sh).
exec trunk serve --offline --features basic-paxos --address "$ADDRESS" --port "$PORT" "$@"
