#!/usr/bin/env bash
# Counts the CPU instructions the reference server spends per persisted message, both ways
# (customer→agent and agent→customer), with valgrind's callgrind: an instruction count is
# repeatable for the same binary and load, whatever else the machine is doing, where a timing
# on these shared machines is not. Each direction runs twice (SMALL and LARGE messages, counters
# zeroed before each run); the difference divided by the difference in messages leaves out the
# fixed cost of a run (session start, sockets), so the figure is the cost of one more message.
# One message is in flight at a time (window 1): every commit group then holds one message,
# so the count does not depend on how timing groups messages (a batch shares its commit,
# which makes figures under load lower, and different from run to run).
# Usage: [BIN=dir] [SMALL=n] [LARGE=n] scripts/instructions.sh
#   BIN: take the binaries from dir instead of building them (to compare two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL=${SMALL:-1000}
LARGE=${LARGE:-4000}
PORT=18090
. "$(dirname "$0")/callgrind-server.sh"
load throughput --messages 500 --window 64 --from customer # warm-up: pools, caches, tables

dumps() { ls "$dir" | grep -c '^cg\.out\.[0-9]' || true; }
count() { # messages from: zeroes the counters, runs the load, dumps, prints the instructions
  callgrind_control -z "$server" >/dev/null 2>&1
  load throughput --messages "$1" --window 1 --from "$2"
  local n
  n=$(($(dumps) + 1))
  callgrind_control -d "$server" >/dev/null 2>&1
  for _ in $(seq 1 100); do [ -s "$dir/cg.out.$n" ] && break; sleep 0.2; done
  awk '/^summary:/ {print $2}' "$dir/cg.out.$n"
}
echo "| direction | instructions per message | ($SMALL and $LARGE messages) |"
echo "|---|---|---|"
for from in customer agent; do
  small=$(count "$SMALL" "$from")
  large=$(count "$LARGE" "$from")
  awk -v s="$small" -v l="$large" -v a="$SMALL" -v b="$LARGE" -v f="$from" \
    'BEGIN { printf "| from %s | %.0f | %d, %d |\n", f, (l - s) / (b - a), s, l }'
done
