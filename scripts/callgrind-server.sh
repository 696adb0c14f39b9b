# Sourced by scripts/instructions.sh and scripts/profile.sh: builds (unless BIN is set) and
# starts the reference server under valgrind's callgrind on a temp SQLite database with one
# admin agent, and waits until it answers. Sets BIN, dir, server, token and port (from PORT),
# and load (the load tool against it, output discarded); the temp dir and the server go on exit.
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
port=$PORT
load() { "$BIN/tms-chat-loadtest" --server "http://127.0.0.1:$port" --token "$token" "$@" >/dev/null; }
RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
  "$BIN/tms-chat-reference-server" --bind "127.0.0.1:$port" \
  --database-url "sqlite://$dir/bench.db" --config "$dir/config.toml" --data-dir "$dir/data" \
  --no-abuse-limits 2>"$dir/valgrind.log" &
server=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
