#!/usr/bin/env bash
# src/core is pure (docs/architecture.md#core): no Asio/Beast, no sockets, no clock reads, no file I/O.
set -u
core="$(dirname "$0")/../src/core"
bad=$(grep -rnE '#include <boost/(asio|beast)|#include <(sys/socket|netinet/|unistd|fstream)|::now\(\)|std::rand\(|getenv' "$core" || true)
if [ -n "$bad" ]; then
  echo "src/core must stay pure; found:"
  echo "$bad"
  exit 1
fi
echo "src/core is pure"
