#!/usr/bin/env bash
# Type-checks the widget's JavaScript against the TypeScript declarations in widget/types/
# (protocol.d.ts is generated from the server's Rust types) with the TypeScript version pinned
# in widget/package-lock.json. Nothing is built: `tsc --noEmit` only checks. `npm ci` also
# installs axe-core (pinned there too), which the accessibility browser tests inject into the
# console and the widget (examples/reference-server/tests/accessibility).
# Without Node/npm it prints a line starting with "skipped:" (scripts/test.sh counts those) and
# succeeds, unless TMS_CHAT_REQUIRE_ALL_TESTS is set, as in CI, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ -n "${TMS_CHAT_REQUIRE_ALL_TESTS:-}" ]; then
    echo "typecheck: Node/npm not installed, and TMS_CHAT_REQUIRE_ALL_TESTS is set" >&2
    exit 1
  fi
  echo "skipped: typecheck: Node/npm not installed"
  exit 0
fi
(cd widget && npm ci --no-audit --no-fund --loglevel=error)
widget/node_modules/.bin/tsc -p widget --noEmit
echo "typecheck: widget/ passes tsc $(widget/node_modules/.bin/tsc --version | sed 's/^Version //')"
