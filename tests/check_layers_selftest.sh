#!/usr/bin/env bash
# check_layers.sh can fail: a clean tree passes, and each kind of leak, put into a scratch copy,
# is reported with its file:line and exit code 1 (a copy of the real src/ included).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
check_layers="$here/check_layers.sh"
. "$here/check.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A small tree with one file per layer, every include an allowed one.
tree="$work/tree"
mkdir -p "$tree"/{core/sub,ports,net,adapters,app/orgs}
printf '#include <string>\n#include <boost/json.hpp>\n#include "core/sub/b.hpp"\n' > "$tree/core/a.hpp"
printf '#include "../a.hpp"\n' > "$tree/core/sub/b.hpp"
printf '#include <boost/asio/awaitable.hpp>\n#include "core/a.hpp"\n' > "$tree/ports/zones.hpp"
printf '#include <boost/asio.hpp>\n#include "core/a.hpp"\n#include "net/other.hpp"\n' > "$tree/net/log.hpp"
: > "$tree/net/other.hpp"
printf '#include <fstream>\n#include "ports/zones.hpp"\n#include "net/log.hpp"\n#include "zoneinfo.hpp"\n' > "$tree/adapters/zoneinfo.cpp"
: > "$tree/adapters/zoneinfo.hpp"
printf '#include "ports/zones.hpp"\n#include "net/log.hpp"\n#include "core/a.hpp"\n' > "$tree/app/orgs/directory.hpp"
printf '#include "adapters/zoneinfo.hpp"\n#include "app/orgs/directory.hpp"\n' > "$tree/app/compose.cpp"
printf '#include "adapters/zoneinfo.hpp"\n' > "$tree/app/server.cpp"
printf '#include "adapters/zoneinfo.hpp"\n#include "app/compose.hpp"\n' > "$tree/main.cpp"
: > "$tree/app/compose.hpp"

out=$("$check_layers" "$tree" 2>&1); rc=$?
check "a clean tree passes" '[ $rc -eq 0 ]'
[ $rc -eq 0 ] || echo "$out"

# leak FILE LINE_TEXT EXPECTED_MESSAGE_PART: appends the line to a copy of the tree and expects
# exactly that one violation, at that file and line.
leak() {
  rm -rf "$work/leaky" && cp -r "$tree" "$work/leaky"
  mkdir -p "$(dirname "$work/leaky/$1")"
  printf '%s\n' "$2" >> "$work/leaky/$1"
  line=$(wc -l < "$work/leaky/$1")
  at="$work/leaky/$1:$line: "
  want="$3"
  out=$("$check_layers" "$work/leaky" 2>&1); rc=$?
  local before=$fails
  check "$1 <- $2: reported at $1:$line" \
    '[ $rc -eq 1 ] && echo "$out" | grep -qF "$at" && echo "$out" | grep -F "$at" | grep -qF "$want" && echo "$out" | grep -q "^1 layer violation"'
  [ "$fails" -eq "$before" ] || echo "$out"
}
leak core/a.hpp '#include "net/log.hpp"' 'core includes net'
leak core/sub/b.hpp '#include "../../ports/zones.hpp"' 'core includes ports'
leak core/a.hpp '#include "adapters/zoneinfo.hpp"' 'core includes adapters'
leak core/a.hpp '#include "app/orgs/directory.hpp"' 'core includes app'
leak core/a.hpp '#include <boost/asio/ip/tcp.hpp>' 'core includes <boost/asio/ip/tcp.hpp>'
leak core/a.hpp '#include <boost/beast/http.hpp>' 'core includes <boost/beast'
leak core/a.hpp '#include <sys/socket.h>' 'core includes <sys/socket.h>'
leak core/a.hpp '#include <fstream>' 'core includes <fstream>'
leak core/a.hpp '#include <filesystem>' 'core includes <filesystem>'
leak core/a.hpp '  auto t = std::chrono::system_clock::now();' 'core calls something impure'
leak core/a.hpp '  const char* k = std::getenv("KEY");' 'core calls something impure'
leak ports/zones.hpp '#include "net/log.hpp"' 'ports include net'
leak ports/zones.hpp '#include "app/orgs/directory.hpp"' 'ports include app'
leak ports/zones.hpp '#include "adapters/zoneinfo.hpp"' 'ports include adapters'
leak net/log.hpp '#include "ports/zones.hpp"' 'net includes ports'
leak net/log.hpp '#include "app/orgs/directory.hpp"' 'net includes app'
leak net/log.hpp '#include "adapters/zoneinfo.hpp"' 'net includes adapters'
leak adapters/zoneinfo.cpp '#include "app/orgs/directory.hpp"' 'adapters include app'
leak app/orgs/directory.hpp '#include "adapters/zoneinfo.hpp"' 'includes an adapter'
leak app/orgs/directory.hpp '#include "../../adapters/zoneinfo.hpp"' 'includes an adapter'
leak app/api/routes.cpp '#  include <adapters/zoneinfo.hpp>' 'includes an adapter'

# Comments are not includes.
rm -rf "$work/leaky" && cp -r "$tree" "$work/leaky"
printf '// #include "net/log.hpp" would not be allowed here\n' >> "$work/leaky/core/a.hpp"
"$check_layers" "$work/leaky" >/dev/null 2>&1; rc=$?
check "a commented-out include is not a violation" '[ $rc -eq 0 ]'

# The real sources with one bad include added: the check names it.
real="$here/../src"
cp -r "$real" "$work/src"
printf '#include "net/log.hpp"\n' >> "$work/src/core/base64.hpp"
line=$(wc -l < "$work/src/core/base64.hpp")
out=$("$check_layers" "$work/src" 2>&1); rc=$?
at="$work/src/core/base64.hpp:$line: core includes net"
check "a copy of src/ with core/base64.hpp including net/log.hpp fails at that line" \
  '[ $rc -eq 1 ] && echo "$out" | grep -qF "$at"'
[ $rc -eq 1 ] || echo "$out"

finish check_layers_selftest
