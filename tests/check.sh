# Sourced by the shell tests: check NAME CONDITION counts a pass or prints the failure;
# finish NAME prints the tally and returns non-zero when anything failed.
fails=0
passes=0
check() {  # name, condition (as a command)
  if eval "$2"; then passes=$((passes + 1)); else echo "FAIL: $1"; fails=$((fails + 1)); fi
}
finish() {
  echo "$1: $passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
