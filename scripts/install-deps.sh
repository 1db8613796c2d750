#!/usr/bin/env bash
# Installs voxgate's build and test dependencies from Debian 12's archive (only what is missing).
set -euo pipefail
packages=(cmake ninja-build g++ ccache pkg-config ca-certificates curl
          libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
          libssl-dev libsqlite3-dev sqlite3 libgtest-dev libgmock-dev
          clang-14 libclang-rt-14-dev openssl libpq-dev postgresql libyaml-cpp-dev
          libhowardhinnant-date-dev tzdata)
# The S3 blob store tests run s3rver from npm; Node comes from Debian when the machine lacks it.
command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
