#!/bin/bash
# Usage: pending.sh SNAPSHOT MARKER [SHA256_FILE]  Decides, for Salt (a stateful command: one JSON line), whether the
# data dir of MARKER still needs the restore of SNAPSHOT: changed when MARKER does not hold SNAPSHOT's sha256. With
# SHA256_FILE, also writes that sha256 there (0600) for the states after it, so the file is hashed once per apply.
set -euo pipefail
snapshot=$1 marker=$2 sha256_file=${3:-}
# openssl's SHA-256 uses the CPU's SHA instructions: five times faster than coreutils' sha256sum on an 8 GiB file,
# which sits between the operator and the restore. The digest is the same either way, so markers stay valid.
if command -v openssl >/dev/null; then
  sha=$(openssl dgst -sha256 -r < "$snapshot")
else
  sha=$(sha256sum < "$snapshot")
fi
sha=${sha%% *}
recorded=$(cat "$marker" 2>/dev/null || true)
if [ -n "$sha256_file" ]; then
  mkdir -p -m 0700 "$(dirname "$sha256_file")"
  (umask 077 && printf '%s\n' "$sha" > "$sha256_file.part" && mv -f "$sha256_file.part" "$sha256_file")
fi
json() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}
if [ "$recorded" = "$sha" ]; then
  printf '{"changed": false, "comment": %s}\n' "$(json "$(dirname "$marker") already holds the restore of $snapshot")"
else
  printf '{"changed": true, "comment": %s, "sha256": "%s"}\n' "$(json "restore $snapshot into $(dirname "$marker")")" "$sha"
fi
