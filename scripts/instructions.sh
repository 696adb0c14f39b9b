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
BIN=${BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release -q -p tms-chat-reference-server -p tms-chat-loadtest
  BIN=target/release
fi
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$dir"' EXIT
token="bench-admin-token-0123456789"
cat > "$dir/config.toml" <<TOML
[[tenants]]
id = "bench"
name = "Bench"
[[agents]]
id = "bench-admin"
tenant = "bench"
name = "Bench Admin"
token = "$token"
roles = ["admin", "supervisor"]
TOML
port=18090
load() { "$BIN/tms-chat-loadtest" --server "http://127.0.0.1:$port" --token "$token" "$@" >/dev/null; }

RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
  "$BIN/tms-chat-reference-server" --bind "127.0.0.1:$port" \
  --database-url "sqlite://$dir/bench.db" --config "$dir/config.toml" --data-dir "$dir/data" \
  --no-abuse-limits 2>"$dir/valgrind.log" &
server=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
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
