#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own browser download is not reachable
# here): install it from Debian's packages when it is missing.
set -uo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
echo "chromium: $CHROMIUM is missing; installing Debian's chromium" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q chromium >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q chromium >/dev/null 2>&1; }
if [ -x "$CHROMIUM" ]; then echo "chromium: installed" >&2; exit 0; fi
echo "chromium: FAILED to install; run 'apt-get install -y chromium' (or set CHROMIUM_PATH) and retry." >&2
exit 1
