#!/usr/bin/env bash
# Installs the Debian packages named as arguments when their command is missing (as root only;
# elsewhere it says what to install). Arguments are command:package pairs, e.g. bwrap:bubblewrap.
set -euo pipefail
missing=()
for pair in "$@"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -n "$(ls /usr/lib/postgresql/*/bin/${pair%%:*} 2>/dev/null)" ] || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "warning: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "installing ${missing[*]}..."
# Packages must not start their daemons (slurmctld, mariadb, postgresql): the tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
