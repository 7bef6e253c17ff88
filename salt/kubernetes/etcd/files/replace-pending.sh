#!/bin/bash
# Usage: replace-pending.sh [--reported FILE] COMMAND...  Runs the jar's `member-replace plan` or `look` (COMMAND) for
# Salt, as a stateful command (one JSON line): changed when the member is to be replaced now (exit 3), unchanged when
# there is nothing to do (exit 0). Any other exit fails the state with the jar's one-line reason, on stderr, as its
# comment. With --reported, look's exit 4 (quorum lost, reported at this look) also creates FILE, which the state
# sending the Salt event checks; every other outcome removes it.
set -u
reported=
if [ "${1-}" = --reported ]; then
  reported=$2
  shift 2
  rm -f -- "$reported"
fi
out=$("$@")
rc=$?
json() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}
case $rc in
  0) printf '{"changed": false, "comment": %s}\n' "$(json "$out")" ;;
  3) printf '{"changed": true, "comment": %s}\n' "$(json "$out")" ;;
  4) [ -z "$reported" ] || : > "$reported"; exit 4 ;;
  *) exit "$rc" ;;
esac
