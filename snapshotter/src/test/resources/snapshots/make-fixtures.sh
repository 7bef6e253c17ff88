#!/usr/bin/env bash
# Regenerates the snapshot fixtures of the bolt/inspect/cli/restore unit tests with real etcd 3.4 to 3.7:
#   etcd-X.Y.db             `etcdctl snapshot save` output (bbolt + SHA-256 trailer)
#   etcd-X.Y.status.json    `snapshot status -w json` of etcdctl 3.4 / etcdutl 3.5, 3.6, 3.7
#   etcd-X.Y.status.txt     the same in `-w table`
# Content: ~2,800 keys (a 3-level `key` tree), a few values of 8-64 KB (overflow pages), overwrites, deletes,
# a lease with attached keys and a compaction. Usage: make-fixtures.sh [X.Y ...] (default: every release); the
# binaries come from ETCD34_BIN .. ETCD37_BIN (scripts/setup prints them) or scripts/etcd/build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
bin34=${ETCD34_BIN:-/usr/bin}
bin35=${ETCD35_BIN:-$("$root/scripts/etcd/build" 3.5.35)}
bin36=${ETCD36_BIN:-$("$root/scripts/etcd/build" 3.6.16)}
bin37=${ETCD37_BIN:-$("$root/scripts/etcd/build" 3.7.3)}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Deterministic filler of N bytes (printable, so it can go through etcdctl's command line).
filler() { head -c "$1" < <(yes "$2-abcdefghijklmnopqrstuvwxyz0123456789" | tr -d '\n'); }

populate() {
  local ctl=$1
  local batch="$work/batch.txt"
  for b in $(seq 0 27); do
    { echo; for i in $(seq 0 99); do n=$((b * 100 + i)); echo "put /registry/pods/ns$((n % 7))/pod-$(printf %05d "$n") \"$(filler $((20 + n % 180)) "$n")\""; done; echo; echo; } > "$batch"
    $ctl txn < "$batch" > /dev/null
  done
  for size in 64000 32000 16000 8000; do filler "$size" big > "$work/v"; $ctl put "/registry/configmaps/big-$size" < "$work/v" > /dev/null; done
  filler 48000 again > "$work/v"; $ctl put /registry/configmaps/big-32000 < "$work/v" > /dev/null
  for n in $(seq 0 3 299); do $ctl put "/registry/pods/ns$((n % 7))/pod-$(printf %05d "$n")" "v2-$n" > /dev/null; done
  $ctl del --prefix /registry/pods/ns3/ > /dev/null
  $ctl put /registry/configmaps/big-8000 small > /dev/null
  local lease
  lease=$($ctl lease grant 3600 | awk '{print $2}')
  for n in 1 2 3; do $ctl put --lease="$lease" "/registry/leases/holder-$n" "held-$n" > /dev/null; done
  local rev
  rev=$($ctl get / -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
  $ctl compact $((rev - 50)) > /dev/null
  for n in $(seq 0 9); do $ctl put "/registry/events/e$n" "after-compaction-$n" > /dev/null; done
}

make_one() { # version etcd-bin-dir status-tool etcdctl-env
  local version=$1 dir=$2 status=$3 api=$4
  local client peer data=$work/data-$version
  client=$(free_port); peer=$(free_port)
  "$dir/etcd" --name fixture --data-dir "$data" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "fixture=http://127.0.0.1:$peer" > "$work/etcd-$version.log" 2>&1 &
  pid=$!
  local ctl="env $api $dir/etcdctl --endpoints=127.0.0.1:$client"
  for _ in $(seq 50); do $ctl endpoint health > /dev/null 2>&1 && break; sleep 0.2; done
  populate "$ctl"
  rm -f "$here/etcd-$version.db"
  $ctl snapshot save "$here/etcd-$version.db" > /dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  $status snapshot status "$here/etcd-$version.db" -w json > "$here/etcd-$version.status.json"
  $status snapshot status "$here/etcd-$version.db" -w table > "$here/etcd-$version.status.txt"
  echo "etcd-$version.db: $(stat -c %s "$here/etcd-$version.db") bytes, $(cat "$here/etcd-$version.status.json")"
}

releases=("$@"); [ $# -gt 0 ] || releases=(3.4 3.5 3.6 3.7)
for release in "${releases[@]}"; do
  case $release in
    3.4) make_one 3.4 "$bin34" "env ETCDCTL_API=3 $bin34/etcdctl" ETCDCTL_API=3 ;;
    3.5) make_one 3.5 "$bin35" "$bin35/etcdutl" "-u ETCDCTL_API" ;;
    3.6) make_one 3.6 "$bin36" "$bin36/etcdutl" "-u ETCDCTL_API" ;;
    3.7) make_one 3.7 "$bin37" "$bin37/etcdutl" "-u ETCDCTL_API" ;;
    *) echo "make-fixtures: no etcd $release here; give 3.4, 3.5, 3.6 or 3.7" >&2; exit 2 ;;
  esac
done
