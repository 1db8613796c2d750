#!/usr/bin/env bash
# A graceful stop as an operator meets it, with real calls from voxgate-loadgen (simulated
# Twilio callers and the fake model over real sockets): SIGTERM while calls run leaves them
# running to their end (no call dropped, no frame lost), /readyz says 503 meanwhile, and the
# process exits 0 once they are over; a second signal stops at once.
set -u
bin="$1"
loadgen="$2"
. "$(dirname "$0")/check.sh"
work=$(mktemp -d)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

free_port() {  # a port nobody listens on now (the loadgen's fake model needs a fixed one)
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# start_server NAME GRACE_MS: starts voxgate on a free port; sets $pid, $port, $model_port.
start_server() {
  model_port=$(free_port)
  env -i PATH="$PATH" PORT=0 BIND_ADDRESS=127.0.0.1 TWILIO_AUTH_TOKEN=drain-token OPENAI_API_KEY=sk-drain \
    OPENAI_REALTIME_URL="ws://127.0.0.1:$model_port/v1/realtime" SHUTDOWN_GRACE_MS="$2" \
    DATABASE_URL="sqlite:$1.db" "$bin" serve --threads 1 > "$1.log" 2>&1 &
  pid=$!
  port=
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$1.log")
    [ -n "$port" ] && break
    sleep 0.05
  done
}
active_calls() { curl -s "http://127.0.0.1:$port/metrics" | sed -n 's/^voxgate_active_calls \([0-9]*\)$/\1/p'; }
# run_calls NAME N SECONDS: N calls for SECONDS in the background; sets $lg.
run_calls() {
  "$loadgen" --server "http://127.0.0.1:$port" --public-url "http://127.0.0.1:$port" --auth-token drain-token \
    --model-port "$model_port" --calls "$2" --ramp 50 --duration "$3" --settle 0.2 > "$1.txt" 2>&1 &
  lg=$!
  for _ in $(seq 1 200); do [ "$(active_calls)" = "$2" ] && break; sleep 0.05; done
}

# 1. SIGTERM with calls running: they finish, then the process exits 0.
start_server drain 20000
check "the server starts" '[ -n "$port" ]'
run_calls drain 3 3
check "three calls are up" '[ "$(active_calls)" = 3 ]'
kill -TERM "$pid"
sleep 0.5
check "still running after SIGTERM while calls are up" 'kill -0 "$pid" 2>/dev/null'
check "the drain is logged with the calls left" 'grep -q "draining 3 calls" drain.log'
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")
check "/readyz answers 503 while draining" '[ "$code" = 503 ]'
check "/healthz still answers" '[ "$(curl -s "http://127.0.0.1:$port/healthz")" = ok ]'
check "the metrics say draining" 'curl -s "http://127.0.0.1:$port/metrics" | grep -q "^voxgate_draining 1$"'
wait "$lg"; lg_rc=$?
check "the calls ran to their end" '[ $lg_rc -eq 0 ] && grep -q "failed 0, dropped after setup 0" drain.txt'
check "no frame was lost" '[ "$(awk "/^caller->model|^model->caller/ {print \$4}" drain.txt | sort -u)" = 0 ]'
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
wait "$pid"; rc=$?
check "exits 0 once drained" '[ $rc -eq 0 ] && grep -q "drained: no calls or background work left" drain.log'

# 2. A second signal while draining stops at once.
start_server again 60000
run_calls again 2 30
check "two calls are up" '[ "$(active_calls)" = 2 ]'
kill -TERM "$pid"
sleep 0.3
check "the first signal drains" 'kill -0 "$pid" 2>/dev/null'
kill -INT "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
check "the second signal stops it" '! kill -0 "$pid" 2>/dev/null && grep -q "while draining: stopping now" again.log'
wait "$pid"
kill -TERM "$lg" 2>/dev/null; wait "$lg" 2>/dev/null

# 3. The grace period ends the drain.
start_server grace 500
run_calls grace 1 30
kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
check "the grace period stops it" '! kill -0 "$pid" 2>/dev/null && grep -q "grace period over with 1 calls" grace.log'
kill -TERM "$lg" 2>/dev/null; wait "$lg" 2>/dev/null

finish drain
