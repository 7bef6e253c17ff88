#!/bin/bash
# Usage: replace-pending.sh COMMAND...  Runs the jar's `member-replace plan` (COMMAND) for Salt, as a stateful command
# (one JSON line): changed when the member needs replacing and the others can carry it (exit 3), unchanged when it is
# healthy (exit 0). Any other exit fails the state with the jar's one-line reason, on stderr, as its comment.
set -u
out=$("$@")
rc=$?
json() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}
case $rc in
  0) printf '{"changed": false, "comment": %s}\n' "$(json "$out")" ;;
  3) printf '{"changed": true, "comment": %s}\n' "$(json "$out")" ;;
  *) exit "$rc" ;;
esac
