#!/usr/bin/env bash
# Runs every test of the workspace: unit tests, the store conformance suite (SQLite always;
# PostgreSQL when DATABASE_URL is set), the HTTP/WebSocket conformance suite for both adapters,
# the reference-server end-to-end test and the browser tests (when Chromium is installed), after
# the widget's TypeScript type check (scripts/typecheck.sh, when Node is installed).
# A test that needs something this machine lacks prints a line starting with "skipped:";
# the last lines of this script count them.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then
  echo "note: DATABASE_URL is not set: the PostgreSQL tests will be skipped (SQLite tests run)."
fi
if [ -z "${TMS_CHAT_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "note: Chromium is not installed: the browser tests will be skipped (apt-get install chromium)."
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "note: Node is not installed: the widget's type check will be skipped (apt-get install nodejs npm)."
fi
log=$(mktemp)
./scripts/typecheck.sh 2>&1 | tee "$log"
typecheck=${PIPESTATUS[0]}
cargo test --workspace --no-fail-fast -- --nocapture 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
if [ "$status" = "0" ]; then status=$typecheck; fi
skipped=$(grep -c '^skipped:' "$log" || true)
if [ "$skipped" != "0" ]; then
  echo
  echo "skipped: $skipped test(s) could not run here:"
  grep '^skipped:' "$log" | sort | uniq -c
fi
rm -f "$log"
exit "$status"
