#!/usr/bin/env bash
# The slowloris test runs deploy/nginx.conf (docker-compose's proxy) with Debian's nginx: install
# it from Debian's packages when it is missing. Only the binary is used; no service is started.
set -uo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
echo "nginx: missing; installing Debian's nginx-light" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q nginx-light >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q nginx-light >/dev/null 2>&1; }
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then echo "nginx: installed" >&2; exit 0; fi
echo "nginx: FAILED to install; run 'apt-get install -y nginx-light' and retry." >&2
exit 1
