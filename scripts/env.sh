# Source me: puts the project's tools on PATH (cargo bin dir and the project-local npm
# binaryen in .tools/). Safe to source repeatedly; no side effects beyond PATH.
# shellcheck shell=bash
PAXOSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PAXOSCOPE_ROOT
case ":$PATH:" in
  *":$PAXOSCOPE_ROOT/.tools/node_modules/.bin:"*) ;;
  *) PATH="$PAXOSCOPE_ROOT/.tools/node_modules/.bin:$PATH" ;;
esac
case ":$PATH:" in
  *":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
  *) PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" ;;
esac
export PATH
