#!/usr/bin/env bash
# Measures routing on the reference server (SQLite on a temp file, loopback only, server pinned
# to core 0 and the load tool to core 1): the time from a session's start to its automatic
# assignment (p50/p99), and how fast N waiting sessions drain through AGENTS agents of
# capacity CAPACITY as the tool ends each assigned session (sessions/s). Abuse limits are off
# (`--no-abuse-limits`): the load tool starts sessions from one address.
# Usage: [BIN=dir] [AGENTS=10] [CAPACITY=10] [STARTS=200] scripts/bench-routing.sh [waiting]
#   BIN: take the binaries from dir instead of building them.
set -euo pipefail
cd "$(dirname "$0")/.."
WAITING=${1:-1000}
AGENTS=${AGENTS:-10}
CAPACITY=${CAPACITY:-10}
STARTS=${STARTS:-200}
BIN=${BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release -q -p tms-chat-reference-server -p tms-chat-loadtest
  BIN=target/release
fi
dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$dir"' EXIT
token="bench-admin-token-0123456789"
agent_tokens=""
{
  printf '[[tenants]]\nid = "bench"\nname = "Bench"\n'
  printf '[[agents]]\nid = "bench-admin"\ntenant = "bench"\nname = "Bench Admin"\ntoken = "%s"\nroles = ["admin", "supervisor"]\n' "$token"
  for i in $(seq 1 "$AGENTS"); do
    printf '[[agents]]\nid = "bench-agent-%s"\ntenant = "bench"\nname = "Agent %s"\ntoken = "bench-agent-token-%s-0123456789"\nmax_sessions = %s\n' "$i" "$i" "$i" "$CAPACITY"
    agent_tokens="${agent_tokens:+$agent_tokens,}bench-agent-token-$i-0123456789"
  done
} > "$dir/config.toml"
port=18081
RUST_LOG=warn taskset -c 0 "$BIN/tms-chat-reference-server" --bind "127.0.0.1:$port" \
  --database-url "sqlite://$dir/bench.db" --config "$dir/config.toml" --data-dir "$dir/data" --no-abuse-limits &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
taskset -c 1 "$BIN/tms-chat-loadtest" --server "http://127.0.0.1:$port" --token "$token" \
  routing --agent-tokens "$agent_tokens" --starts "$STARTS" --waiting "$WAITING"
