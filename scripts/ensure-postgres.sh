#!/usr/bin/env bash
# Make sure the test PostgreSQL answers; start the local cluster if it does not.
set -uo pipefail
URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"

answers() { pg_isready -q -d "$URL" 2>/dev/null; }

if answers; then exit 0; fi
echo "postgres: not answering at $URL; trying to start the local cluster" >&2
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 | sed 's/^/postgres: /' >&2
    done
fi
for _ in $(seq 1 30); do
    if answers; then echo "postgres: up" >&2; exit 0; fi
    sleep 1
done
echo "postgres: FAILED: nothing answers at $URL. Start PostgreSQL (or set TEST_DATABASE_URL) and retry." >&2
exit 1
