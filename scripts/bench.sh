#!/usr/bin/env bash
# Measures the reference server against the figures in PERFORMANCE.md: persisted message
# throughput, customer→agent latency at 2k msg/s, idle RSS per authenticated socket, and a
# message fanned out to 1,000 consoles. Server pinned to core 0, load tool to core 1, SQLite
# on a temp file, loopback only. Usage: scripts/bench.sh [sockets]
set -euo pipefail
cd "$(dirname "$0")/.."
SOCKETS=${1:-10000}
cargo build --release -q -p tms-chat-reference-server -p tms-chat-loadtest
ulimit -n 20000 || true
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
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
port=18080
RUST_LOG=warn taskset -c 0 target/release/tms-chat-reference-server --bind 127.0.0.1:$port \
  --database-url "sqlite://$dir/bench.db" --config "$dir/config.toml" --data-dir "$dir/data" --no-abuse-limits &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
load() { taskset -c 1 target/release/tms-chat-loadtest --server "http://127.0.0.1:$port" --token "$token" "$@"; }
rss() { awk '/VmRSS/ {print $2}' /proc/$server/status; }

echo "== throughput";  load throughput --messages 20000 --window 256
echo "== latency";     load latency --rate 2000 --seconds 10
echo "== fan-out";     load fanout --consoles 1000
echo "== idle sockets ($SOCKETS)"
fifo="$dir/idle.out"; mkfifo "$fifo"
load idle --sockets "$SOCKETS" --hold-seconds 20 > "$fifo" &
idle=$!
while read -r line; do
  echo "$line"
  if [ "$line" = "SESSIONS" ]; then sleep 1; before=$(rss); fi
  if [ "$line" = "READY" ]; then
    sleep 3
    after=$(rss)
    echo "server RSS: ${before} KiB with the sessions stored, ${after} KiB with $SOCKETS idle sockets open"
    awk -v b="$before" -v a="$after" -v n="$SOCKETS" 'BEGIN { printf "idle RSS per socket: %.2f KB\n", (a-b)*1024/n/1000 }'
  fi
done < "$fifo"
wait $idle
