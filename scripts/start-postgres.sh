#!/usr/bin/env bash
# Starts Debian's PostgreSQL 15 cluster and makes the test database, so the store contract
# suite and the PostgreSQL end-to-end test run against a real server. Prints the URL to use.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
as_postgres() { $SUDO su postgres -s /bin/bash -c "$1"; }

cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  $SUDO pg_createcluster 15 main >/dev/null 2>&1
  cluster="15 main"
fi
# shellcheck disable=SC2086
$SUDO pg_ctlcluster $cluster start >/dev/null 2>&1 || true
port=$(pg_lsclusters --no-header | awk 'NR==1 {print $3}')
for _ in $(seq 1 50); do
  as_postgres "psql -p $port -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
as_postgres "psql -p $port -q -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'voxgate') THEN CREATE ROLE voxgate LOGIN PASSWORD 'voxgate'; END IF; END \\\$\\\$;\""
if [ "$(as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname = 'voxgate_test'\"")" != "1" ]; then
  as_postgres "createdb -p $port -O voxgate voxgate_test"
fi
echo "postgresql://voxgate:voxgate@127.0.0.1:$port/voxgate_test"
