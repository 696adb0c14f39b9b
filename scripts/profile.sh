#!/usr/bin/env bash
# Where the reference server's instructions go under load: the server runs under valgrind's
# callgrind, a warm-up fills pools and caches, the counters are zeroed, then MESSAGES messages
# go at window WINDOW from the customer or the agent side (commit groups of many messages, the
# load a busy socket gives). Prints the instructions per message and the functions with the
# largest inclusive costs; the profile is kept in OUT (default /tmp/profile.cg)
# for callgrind_annotate or kcachegrind.
# Usage: [BIN=dir] [MESSAGES=n] [WINDOW=n] [OUT=file] scripts/profile.sh customer|agent
set -euo pipefail
cd "$(dirname "$0")/.."
FROM=${1:-customer}
MESSAGES=${MESSAGES:-3000}
WINDOW=${WINDOW:-64}
OUT=${OUT:-/tmp/profile.cg}
PORT=18091
. "$(dirname "$0")/callgrind-server.sh"
load throughput --messages $((MESSAGES / 2)) --window "$WINDOW" --from "$FROM" # warm-up
callgrind_control -z "$server" >/dev/null 2>&1
load throughput --messages "$MESSAGES" --window "$WINDOW" --from "$FROM"
callgrind_control -d "$server" >/dev/null 2>&1
for _ in $(seq 1 100); do [ -s "$dir/cg.out.1" ] && break; sleep 0.2; done
cp "$dir/cg.out.1" "$OUT"
total=$(awk '/^summary:/ {print $2}' "$OUT")
awk -v t="$total" -v n="$MESSAGES" -v f="$FROM" -v w="$WINDOW" \
  'BEGIN { printf "from %s, window %d: %.0f instructions per message (%d messages)\n", f, w, t / n, n }'
echo "== functions by inclusive cost (the release build inlines heavily: exclusive costs are not meaningful)"
callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | sed 's/ \[[^]]*\]$//' | head -70 | cut -c1-200
