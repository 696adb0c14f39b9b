#!/usr/bin/env bash
# Measures the reference server beside the bare relay (examples/bare-relay: the same socket
# routing with no auth and no storage) in the same run, so every figure is also a ratio:
# persisted throughput both ways, latency at 2k msg/s both ways, a message fanned out to 1,000
# consoles, and idle RSS per authenticated socket. Each server pinned to core 0, the load tool
# to core 1, SQLite on a temp file, loopback only. Then the product alone (the relay keeps
# nothing): all customers reconnecting and resuming after a restart, REST history pages while
# 2,000 msg/s flow, and (SOAK_SECONDS > 0) RSS over a long run at 2,000 msg/s. Prints each
# measurement, then a table.
# Usage: [BIN=dir] [MESSAGES=n] [SOAK_SECONDS=n] [PG_URL=url] [RESUME_SOCKETS=n] scripts/bench.sh [sockets]
#   sockets: idle sockets for the RSS row (10,000 by default; issue 12's row is 15,000).
#   RESUME_SOCKETS: customers that reconnect and resume after the restart (10,000 by default,
#     the row's figure; on a fresh server, since the idle row leaves its sessions behind).
#   BIN: take the three binaries from dir instead of building them (to compare two builds).
#   SOAK_SECONDS: the RSS run's length (600 for the 10-minute row; 0, the default, skips it).
#   PG_URL: also measure persisted throughput both ways on this PostgreSQL database (an
#     empty one is best, e.g. `createdb -h 127.0.0.1 -U postgres bench` and
#     postgres://postgres@127.0.0.1:5432/bench), as a ratio to the SQLite figure.
set -euo pipefail
cd "$(dirname "$0")/.."
SOCKETS=${1:-10000}
RESUME_SOCKETS=${RESUME_SOCKETS:-10000}
MESSAGES=${MESSAGES:-40000}
SOAK_SECONDS=${SOAK_SECONDS:-0}
BIN=${BIN:-}
PG_URL=${PG_URL:-}
if [ -z "$BIN" ]; then
  cargo build --release -q -p tms-chat-reference-server -p tms-chat-loadtest -p tms-chat-bare-relay
  BIN=target/release
fi
ulimit -n 20000 || true
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
port=18080
load() { taskset -c 1 "$BIN/tms-chat-loadtest" --server "http://127.0.0.1:$port" --token "$token" "$@"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
wait_ready() {
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port$1" >/dev/null 2>&1 && return; sleep 0.1; done
}
field() { grep -o "$1" | awk '{print $2}'; } # pattern whose second word is the figure

idle_rss() { # prints "idle RSS per socket: X KB"
  local fifo="$dir/idle.out" before="" after=""
  rm -f "$fifo"; mkfifo "$fifo"
  load idle --sockets "$SOCKETS" --hold-seconds 12 > "$fifo" &
  local idle=$!
  while read -r line; do
    if [ "$line" = "SESSIONS" ]; then sleep 1; before=$(rss); fi
    if [ "$line" = "READY" ]; then
      sleep 3; after=$(rss)
      awk -v b="$before" -v a="$after" -v n="$SOCKETS" 'BEGIN { printf "idle RSS per socket: %.2f KB\n", (a-b)*1024/n/1000 }'
    fi
  done < "$fifo"
  wait $idle
}

measure() { # label: runs every scenario against the server on $port, into $dir/<label>.*
  local label=$1 out
  for from in customer agent; do
    out=$(load throughput --messages "$MESSAGES" --window 256 --from $from); echo "$out"
    echo "$out" | field '= [0-9]* msg/s' > "$dir/$label.tput.$from"
    out=$(load latency --rate 2000 --seconds 10 --from $from); echo "$out"
    echo "$out" | field 'p50 [0-9.]* ms' > "$dir/$label.p50.$from"
    echo "$out" | field 'p99 [0-9.]* ms' > "$dir/$label.p99.$from"
  done
  out=$(load fanout --consoles 1000); echo "$out"
  echo "$out" | grep -o '[0-9.]* ms after' | awk '{print $1}' > "$dir/$label.fanout"
  out=$(idle_rss); echo "$out"
  echo "$out" | grep -o '[0-9.]* KB' | awk '{print $1}' > "$dir/$label.idle"
}

echo "== bare relay"
taskset -c 0 "$BIN/tms-chat-bare-relay" --bind "127.0.0.1:$port" &
server=$!
sleep 0.3
measure relay
kill $server; wait $server 2>/dev/null || true

start_product() { # [database url]: SQLite on a temp file by default
  RUST_LOG=warn taskset -c 0 "$BIN/tms-chat-reference-server" --bind "127.0.0.1:$port" \
    --database-url "${1:-sqlite://$dir/bench.db}" --config "$dir/config.toml" --data-dir "$dir/data" --no-abuse-limits &
  server=$!
  wait_ready /readyz
}

recovery() { # restarts the server when the load tool asks; output in $dir/recovery.txt
  local fifo="$dir/recovery.out"
  rm -f "$fifo"; mkfifo "$fifo"
  load recovery --sockets "$RESUME_SOCKETS" > "$fifo" &
  local tool=$!
  while read -r line; do
    echo "$line" >> "$dir/recovery.txt"
    if [ "$line" = "RESTART" ]; then
      kill $server; wait $server 2>/dev/null || true
      start_product
    fi
  done < "$fifo"
  wait $tool || true
}

echo "== tms-chat (SQLite)"
start_product
measure product
out=$(load history --rate 2000 --seconds 10); echo "$out"
echo "$out" | field 'p99 [0-9.]* ms' > "$dir/product.history"
# The resume row on a fresh database: the idle row's sessions (a waiting queue of 15,000)
# would be part of it otherwise.
kill $server; wait $server 2>/dev/null || true
rm -f "$dir"/bench.db*
start_product
recovery; cat "$dir/recovery.txt"
grep -o 'resumed in [0-9.]* s' "$dir/recovery.txt" | awk '{print $3}' > "$dir/product.recovery"
grep -o '[0-9]* lost' "$dir/recovery.txt" | awk '{print $1}' > "$dir/product.lost"
if [ "$SOAK_SECONDS" -gt 0 ]; then
  out=$(load soak --rate 2000 --seconds "$SOAK_SECONDS" --pid "$server"); echo "$out"
  echo "$out" | grep -o 'growth [-+0-9.]*%' | awk '{print $2}' > "$dir/product.soak"
fi
kill $server; wait $server 2>/dev/null || true; server=""

if [ -n "$PG_URL" ]; then
  echo "== tms-chat (PostgreSQL)"
  start_product "$PG_URL"
  for from in customer agent; do
    out=$(load throughput --messages "$MESSAGES" --window 256 --from $from); echo "$out"
    echo "$out" | field '= [0-9]* msg/s' > "$dir/pg.tput.$from"
  done
  kill $server; wait $server 2>/dev/null || true; server=""
fi

v() { cat "$dir/$1" 2>/dev/null || echo "?"; }
row() { # measure relay-file product-file how(ratio|diff)
  awk -v m="$1" -v r="$(v "$2")" -v p="$(v "$3")" -v how="$4" 'BEGIN {
    if (how == "ratio") cmp = (r > 0) ? sprintf("%.1f%% of the relay", 100 * p / r) : "?";
    else cmp = sprintf("%+.3f vs the relay", p - r);
    printf "| %s | %s | %s | %s |\n", m, r, p, cmp }'
}
echo
echo "| measure (same run) | bare relay | tms-chat | tms-chat against the relay |"
echo "|---|---|---|---|"
row "msg/s customer→agent" relay.tput.customer product.tput.customer ratio
row "msg/s agent→customer" relay.tput.agent product.tput.agent ratio
row "p50 ms customer→agent at 2,000 msg/s" relay.p50.customer product.p50.customer diff
row "p99 ms customer→agent at 2,000 msg/s" relay.p99.customer product.p99.customer diff
row "p50 ms agent→customer at 2,000 msg/s" relay.p50.agent product.p50.agent diff
row "p99 ms agent→customer at 2,000 msg/s" relay.p99.agent product.p99.agent diff
row "fan-out to 1,000 consoles, ms" relay.fanout product.fanout diff
row "idle RSS per socket ($SOCKETS), KB" relay.idle product.idle diff
echo
echo "| measure (tms-chat alone) | figure |"
echo "|---|---|"
echo "| REST history page (100 messages) p99 while 2,000 msg/s flow, ms | $(v product.history) |"
echo "| $RESUME_SOCKETS customers reconnecting and resuming after a restart, s | $(v product.recovery) ($(v product.lost) acknowledged messages lost) |"
if [ -n "$PG_URL" ]; then
  for from in customer agent; do
    awk -v s="$(v product.tput.$from)" -v p="$(v pg.tput.$from)" -v f=$from 'BEGIN {
      printf "| PostgreSQL msg/s %s, same run | %s (%.1f%% of SQLite) |\n",
        (f == "customer") ? "customer→agent" : "agent→customer", p, (s > 0) ? 100 * p / s : 0 }'
  done
fi
echo "| RSS growth over $SOAK_SECONDS s at 2,000 msg/s after a 60 s warm-up | $(v product.soak) |"
