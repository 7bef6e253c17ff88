#!/bin/bash
# Usage: wait-closed.sh SECONDS HOST:PORT...  Waits until nothing accepts connections on any HOST:PORT, so a
# restore never writes under a running etcd. Fails naming what still listens when SECONDS have passed.
set -u
seconds=$1; shift
listening() {
  local open=() address
  for address in "$@"; do
    if timeout 2 bash -c "exec 3<>/dev/tcp/${address%:*}/${address##*:}" 2>/dev/null; then open+=("$address"); fi
  done
  echo "${open[*]}"
}
for ((i = 0; i < seconds; i++)); do
  [ -z "$(listening "$@")" ] && exit 0
  sleep 1
done
open=$(listening "$@")
[ -z "$open" ] && exit 0
echo "etcd still listens on $open ${seconds}s after its manifest left the kubelet's directory: stop it, then apply again" >&2
exit 1
