#!/bin/bash
# Usage: pending.sh [--point POINT] SNAPSHOT MARKER [SHA256_FILE]  Decides, for Salt (a stateful command: one JSON
# line), whether the data dir of MARKER still needs the restore of SNAPSHOT: changed when MARKER does not hold
# SNAPSHOT's sha256. With SHA256_FILE, also writes that sha256 there (0600) for the states after it, so the file is
# hashed once per apply. With --point (the restore's point-in-time flags, e.g. "--to-revision 123"), the restore is
# of SNAPSHOT and that point: the sha256 is then of the snapshot's sha256 and the point, so another point is another
# restore (and token), and the same one again is none.
# Without --point and without a MARKER the answer needs no sha256: nothing restored lives there. SNAPSHOT is then
# not read here (8 GiB take seconds), and SHA256_FILE is removed: the jar's verify, which reads the file anyway,
# writes it (verify --sha256-file), and the restore refuses to run without it.
set -euo pipefail
point=
if [ "${1:-}" = --point ]; then
  point=$2
  shift 2
fi
snapshot=$1 marker=$2 sha256_file=${3:-}
json() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}
if [ -z "$point" ] && [ ! -e "$marker" ]; then
  [ -z "$sha256_file" ] || rm -f "$sha256_file"
  printf '{"changed": true, "comment": %s}\n' "$(json "restore $snapshot into $(dirname "$marker"), which holds no restore")"
  exit 0
fi
# openssl's SHA-256 uses the CPU's SHA instructions: five times faster than coreutils' sha256sum on an 8 GiB file,
# which sits between the operator and the restore. The digest is the same either way, so markers stay valid.
if command -v openssl >/dev/null; then
  sha=$(openssl dgst -sha256 -r < "$snapshot")
else
  sha=$(sha256sum < "$snapshot")
fi
sha=${sha%% *}
if [ -n "$point" ]; then
  sha=$(printf '%s %s' "$sha" "$point" | sha256sum)
  sha=${sha%% *}
  snapshot="$snapshot $point"
fi
recorded=$(cat "$marker" 2>/dev/null || true)
if [ -n "$sha256_file" ]; then
  mkdir -p -m 0700 "$(dirname "$sha256_file")"
  (umask 077 && printf '%s\n' "$sha" > "$sha256_file.part" && mv -f "$sha256_file.part" "$sha256_file")
fi
if [ "$recorded" = "$sha" ]; then
  printf '{"changed": false, "comment": %s}\n' "$(json "$(dirname "$marker") already holds the restore of $snapshot")"
else
  printf '{"changed": true, "comment": %s, "sha256": "%s"}\n' "$(json "restore $snapshot into $(dirname "$marker")")" "$sha"
fi
