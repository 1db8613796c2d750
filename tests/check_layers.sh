#!/usr/bin/env bash
# The layers stay layered: every #include in src/ is checked against what its layer may see.
#
#   core      pure: only core/, and no Asio/Beast, sockets, files, threads, clock reads
#   ports     interfaces: core/ and ports/ only
#   net       plumbing: core/ and net/ only
#   adapters  core/, net/, ports/ and adapters/ (never app/)
#   app       anything but adapters/, except the composition root
#
# Only the composition root names adapters: src/main.cpp, src/app/compose.cpp and
# src/app/server.cpp (and the adapters themselves). Tests may include anything; only src/ is
# checked. Each violation is printed as file:line: what; the exit code is 1 when there is any.
#
# usage: check_layers.sh [SRC_DIR]   (default: the src/ next to this script)
set -u
shown="${1:-src}"
src="${1:-$(dirname "$0")/../src}"
cd "$src" 2>/dev/null || { echo "no such folder: $src"; exit 2; }
mapfile -t files < <(find . -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' -o -name '*.ipp' -o -name '*.inc' \) | sed 's|^\./||' | sort)
[ "${#files[@]}" -gt 0 ] || { echo "no sources in $src"; exit 2; }

awk -v src="${shown%/}" '
BEGIN {
  root = " main.cpp app/compose.cpp app/server.cpp "
  # Headers src/core must not include (beyond the outer layers): I/O, sockets, threads, Asio.
  impure = "^(boost/(asio|beast)([/.]|$)|sys/|netinet/|arpa/|netdb\\.h$|unistd\\.h$|fcntl\\.h$|dirent\\.h$|poll\\.h$|fstream$|filesystem$|iostream$|thread$|future$)"
  # Calls src/core must not make: clock reads, libc randomness, the environment, files.
  impure_calls = "::now\\(\\)|std::rand\\(|(^|[^_[:alnum:]])rand\\(|getenv|fopen\\("
  n = 0
}
function layer_of(p) { return index(p, "/") ? substr(p, 1, index(p, "/") - 1) : "root" }
# The src/-relative path an include names: "layer/..." as written, else resolved against the
# including file'"'"'s folder ("../net/log.hpp", "sibling.hpp"); "" when it leaves src/.
function resolve(file, inc,    parts, k, i, out, m, dir) {
  if (inc ~ /^(core|net|ports|adapters|app)\//) return inc
  dir = file; sub(/[^\/]*$/, "", dir)
  k = split(dir inc, parts, "/"); m = 0
  for (i = 1; i <= k; i++) {
    if (parts[i] == "" || parts[i] == ".") continue
    if (parts[i] == "..") { if (m == 0) return ""; m--; continue }
    out[++m] = parts[i]
  }
  p = ""
  for (i = 1; i <= m; i++) p = p (i > 1 ? "/" : "") out[i]
  return p
}
function report(msg) { printf "%s/%s:%d: %s\n", src, FILENAME, FNR, msg; n++ }
{
  layer = layer_of(FILENAME)
  if (layer == "core" && $0 !~ /^[ \t]*\/\// && match($0, impure_calls))
    report("core calls something impure (" substr($0, RSTART, RLENGTH) "): core has no clocks, files or environment")
  if (!match($0, /^[ \t]*#[ \t]*include[ \t]*[<"][^">]+[">]/)) next
  s = substr($0, RSTART, RLENGTH); angle = index(s, "<") > 0
  sub(/^[^<"]*[<"]/, "", s); sub(/[">]$/, "", s)
  if (layer == "core" && angle && s ~ impure) { report("core includes <" s ">: core is pure (no I/O, sockets, threads, Asio)"); next }
  t = resolve(FILENAME, s)
  if (t == "") next
  to = layer_of(t)
  if (to == layer) next
  if (layer == "core") report("core includes " to " (" s "): core sees only core")
  else if (layer == "ports" && to != "core") report("ports include " to " (" s "): ports see only core")
  else if (layer == "net" && to != "core") report("net includes " to " (" s "): net sees only core")
  else if (layer == "adapters" && (to == "app" || to == "root")) report("adapters include " to " (" s "): adapters see core, net and ports")
  else if (to == "adapters" && index(root, " " FILENAME " ") == 0)
    report("includes an adapter (" s "): only the composition root (" substr(root, 2, length(root) - 2) ") may; use a port")
}
END {
  if (n) { printf "%d layer violation(s) in %s (rules: tests/check_layers.sh)\n", n, src; exit 1 }
  printf "layers hold in %s\n", src
}' "${files[@]}"
