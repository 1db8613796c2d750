#!/usr/bin/env bash
# Starts s3rver (npm, version pinned in tests/s3/package.json) on 127.0.0.1 at a free port with a
# fresh data directory and the bucket "voxgate-test" (or $VOXGATE_TEST_S3_BUCKET), waits until it
# answers, and prints its endpoint URL. The server keeps running; stderr says how to stop it, and
# so does $VOXGATE_S3RVER_PIDFILE (its pid) when set.
# Usage: VOXGATE_TEST_S3_ENDPOINT=$(tests/s3/start-s3rver.sh)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bucket="${VOXGATE_TEST_S3_BUCKET:-voxgate-test}"

if [ ! -f "$here/node_modules/s3rver/bin/s3rver.js" ]; then
  echo "installing s3rver into $here/node_modules" >&2
  if [ -f "$here/package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund) >&2
  else
    (cd "$here" && npm install --no-audit --no-fund --no-package-lock) >&2
  fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/voxgate-s3rver.XXXXXX")
mkdir -p "$work/data"
# Port 0: the kernel picks a free port, s3rver prints it. setsid + nohup: it outlives this
# script (and the $(...) that captures our stdout, since it writes only to its log).
setsid nohup node "$here/node_modules/s3rver/bin/s3rver.js" -d "$work/data" -a 127.0.0.1 -p 0 \
  --no-vhost-buckets --configure-bucket "$bucket" >"$work/log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$work/pid"
# For a caller that stops it when done (scripts/test.sh).
[ -n "${VOXGATE_S3RVER_PIDFILE:-}" ] && echo "$pid" >"$VOXGATE_S3RVER_PIDFILE"

port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*S3rver listening on [^:]*:\([0-9][0-9]*\).*/\1/p' "$work/log" | head -1)
  [ -n "$port" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "s3rver exited during start-up:" >&2
    cat "$work/log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "s3rver did not start within 30 s; log: $work/log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
fi

# Ready when the service answers and lists the bucket (an unsigned ListBuckets is allowed).
ready=""
for _ in $(seq 1 100); do
  if node -e '
    require("http").get(process.argv[1], (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => process.exit(res.statusCode === 200 && body.includes("<Name>" + process.argv[2] + "</Name>") ? 0 : 1));
    }).on("error", () => process.exit(1));' "http://127.0.0.1:$port/" "$bucket" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "s3rver on port $port does not answer; log: $work/log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
fi

echo "s3rver: pid $pid, bucket $bucket, data $work/data (stop: kill $pid)" >&2
echo "http://127.0.0.1:$port"
