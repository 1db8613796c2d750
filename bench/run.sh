#!/usr/bin/env bash
# Benchmarks voxgate with voxgate-loadgen and prints a Markdown table.
#
#   bench/run.sh [SERVER_BINARY] [LOADGEN_BINARY]
#
# For each N in $CALLS (default "100 500 1000"): start `voxgate serve --threads 1` pinned to CPU 0,
# wait for /healthz, run the loadgen pinned to CPU 1 (it simulates the Twilio callers AND plays the
# OpenAI Realtime server on 127.0.0.1:9100), stop the server. The two never share a core, so the
# server's CPU and latency are its own. Knobs (environment): CALLS, DURATION (s, default 20),
# RAMP (calls/s, default 200), OUT (results dir, default a new temp dir), LOG_LEVEL (server,
# default warn). Everything stays on 127.0.0.1; the run ends by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

server=${1:-}
if [[ -z $server ]]; then
  for c in build/voxgate build/src/voxgate build-release/src/voxgate; do
    [[ -x $c ]] && { server=$c; break; }
  done
fi
loadgen=${2:-build/bench/voxgate-loadgen}
[[ -n $server && -x $server ]] || { echo "no server binary (build it, or pass its path)" >&2; exit 2; }
[[ -x $loadgen ]] || { echo "no loadgen binary at $loadgen (cmake --build build --target voxgate-loadgen)" >&2; exit 2; }
server=$(realpath "$server")
loadgen=$(realpath "$loadgen")

calls_list=${CALLS:-100 500 1000}
duration=${DURATION:-20}
ramp=${RAMP:-200}
out=${OUT:-$(mktemp -d /tmp/voxgate-bench.XXXXXX)}
mkdir -p "$out"
port=5050
model_port=9100
token=benchtoken

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # ~3 descriptors per call on each side
# Server on CPU 0, loadgen on CPU 1 (taskset execs, so $! stays the server's own pid).
pin_server=() pin_loadgen=()
if command -v taskset >/dev/null && [[ $(nproc) -gt 1 ]]; then
  pin_server=(taskset -c 0) pin_loadgen=(taskset -c 1)
else
  echo "warning: no taskset or a single CPU: server and loadgen are not pinned apart" >&2
fi

server_pid=
stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for n in $calls_list; do
  for p in $port $model_port; do
    if port_busy "$p"; then echo "127.0.0.1:$p is already in use; stop whatever listens there" >&2; exit 2; fi
  done
  echo "== $n calls (ramp $ramp/s, window ${duration}s); logs in $out" >&2
  # A clean environment in an empty directory: no developer .env or settings leak into the run.
  rundir="$out/server-$n"
  mkdir -p "$rundir"
  (cd "$rundir" && exec "${pin_server[@]}" env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
     PORT=$port PUBLIC_URL=http://127.0.0.1:$port TWILIO_AUTH_TOKEN=$token OPENAI_API_KEY=sk-bench \
     OPENAI_REALTIME_URL=ws://127.0.0.1:$model_port/v1/realtime LOG_LEVEL="${LOG_LEVEL:-warn}" \
     "$server" serve --threads 1) >"$out/server-$n.log" 2>&1 &
  server_pid=$!
  ok=
  for _ in $(seq 100); do  # up to 10 s
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null; then ok=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $ok ]]; then
    echo "server did not become healthy; see $out/server-$n.log" >&2
    tail -5 "$out/server-$n.log" >&2 || true
    stop_server
    continue
  fi
  # The loadgen has its own deadline; `timeout` is only a backstop.
  limit=$(awk -v n="$n" -v r="$ramp" -v d="$duration" 'BEGIN { printf "%d", n / r + d + 90 }')
  set +e
  timeout -s INT -k 10 "$limit" \
    "${pin_loadgen[@]}" "$loadgen" --server http://127.0.0.1:$port --public-url http://127.0.0.1:$port \
    --auth-token $token --model-port $model_port --calls "$n" --ramp "$ramp" --duration "$duration" \
    --server-pid "$server_pid" --json "$out/result-$n.json" | tee "$out/loadgen-$n.txt"
  set -e
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "server exited during the run; see $out/server-$n.log" >&2
    touch "$out/server-died-$n"
  fi
  stop_server
done

# JSON written by the loadgen has one "key": value per line.
val() { sed -n "s/^ *\"$2\": *\([^,]*\),\{0,1\}$/\1/p" "$1"; }
{
  echo "| calls | established | failed | dropped | lost in/out | in p50/p99/max ms | out p50/p99/max ms | server CPU % | server CPU ms per call-s | server KiB per call | loadgen CPU % |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for n in $calls_list; do
    f="$out/result-$n.json"
    if [[ ! -f $f ]]; then echo "| $n | (no result) | | | | | | | | | |"; continue; fi
    note=
    [[ $(val "$f" loadgen_saturated) == true ]] && note=" (loadgen saturated)"
    [[ $(val "$f" aborted) == true ]] && note="$note (aborted)"
    [[ -e $out/server-died-$n ]] && note="$note (server died)"
    printf '| %s | %s | %s | %s | %s / %s | %s / %s / %s | %s / %s / %s | %s | %s | %s | %s%s |\n' \
      "$n" "$(val "$f" calls_established)" "$(val "$f" calls_failed)" "$(val "$f" calls_dropped)" \
      "$(val "$f" up_lost)" "$(val "$f" down_lost)" \
      "$(val "$f" up_p50_ms)" "$(val "$f" up_p99_ms)" "$(val "$f" up_max_ms)" \
      "$(val "$f" down_p50_ms)" "$(val "$f" down_p99_ms)" "$(val "$f" down_max_ms)" \
      "$(val "$f" server_cpu_pct)" "$(val "$f" server_cpu_ms_per_call_s)" "$(val "$f" server_kib_per_call)" "$(val "$f" loadgen_cpu_pct)" "$note"
  done
  echo
  echo "in = caller->server->model, out = model->server->caller; latency is one way through voxgate over loopback."
  echo "Server CPU % is of one core; near 100 % the server is saturated, per-call CPU is then a lower bound."
  echo "Server: \`voxgate serve --threads 1\` on CPU 0; loadgen on CPU 1; window ${duration}s after all calls are up."
} | tee "$out/table.md"
echo "results: $out" >&2
