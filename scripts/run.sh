#!/usr/bin/env bash
# Installs what voxgate needs, builds it (release) and starts the server.
# Settings come from the environment or ./.env (see README); extra arguments go to `voxgate serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVOXGATE_TESTS=OFF >/dev/null
cmake --build build-release --target voxgate
exec ./build-release/src/voxgate serve "$@"
