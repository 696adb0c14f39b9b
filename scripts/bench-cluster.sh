#!/usr/bin/env bash
# Cross-node figures: a customer on node A and its agent on node B (two reference servers on
# one PostgreSQL database), persisted throughput and customer→agent latency at 2,000 msg/s,
# over the PostgreSQL notifier and over NATS, beside one node on the same database in the
# same run. Both servers pinned to core 0, the load tool to core 1, loopback only.
# Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) and, for
# the NATS rows, NATS (TMS_CHAT_NATS_URL, default nats://127.0.0.1:4222).
# Usage: [RATE=msg/s] [BIN=dir] scripts/bench-cluster.sh (RATE: the latency rows, default
# 2000; BIN: take tms-chat-reference-server and tms-chat-loadtest from dir instead of building
# them, to compare two builds in the same conditions)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
NATS=${TMS_CHAT_NATS_URL:-nats://127.0.0.1:4222}
RATE=${RATE:-2000}
BIN=${BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release -q -p tms-chat-reference-server -p tms-chat-loadtest
  BIN=target/release
fi
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$dir"' EXIT
token="bench-admin-token-0123456789"
cat > "$dir/config.toml" <<TOML
[[tenants]]
id = "bench-cluster"
name = "Bench"
[[agents]]
id = "bench-admin"
tenant = "bench-cluster"
name = "Bench Admin"
token = "$token"
roles = ["admin", "supervisor"]
TOML
node() { # port notifier
  RUST_LOG=warn taskset -c 0 "$BIN/tms-chat-reference-server" --bind "127.0.0.1:$1" \
    --database-url "$DB" --notifier "$2" --config "$dir/config.toml" --data-dir "$dir/data-$1" --no-abuse-limits &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.1; done
  echo "node on $1 did not start" >&2; exit 1
}
stop() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=(); }
load() { taskset -c 1 "$BIN/tms-chat-loadtest" --token "$token" "$@"; }
run() { # label notifier
  node 18181 "$2"; node 18182 "$2"
  echo "== $1: one node"
  load --server http://127.0.0.1:18181 throughput --messages 5000 --window 256
  load --server http://127.0.0.1:18181 latency --rate "$RATE" --seconds 10
  echo "== $1: customer on node A, agent on node B"
  load --server http://127.0.0.1:18181 --agent-server http://127.0.0.1:18182 throughput --messages 5000 --window 256
  load --server http://127.0.0.1:18181 --agent-server http://127.0.0.1:18182 latency --rate "$RATE" --seconds 10
  stop
}
run "PostgreSQL notifier" postgres
run "NATS notifier" "$NATS"
