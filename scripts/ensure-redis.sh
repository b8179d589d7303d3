#!/usr/bin/env bash
# Make sure the test Redis answers (the shared rate-limit test needs it); start a local one if not.
set -uo pipefail
URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
HOSTPORT="${URL#redis://}"; HOSTPORT="${HOSTPORT%%/*}"
HOST="${HOSTPORT%%:*}"; PORT="${HOSTPORT##*:}"

answers() { (exec 3<>"/dev/tcp/$HOST/$PORT" && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if answers; then exit 0; fi
echo "redis: not answering at $HOST:$PORT; trying to start a local server" >&2
if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
    redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log 2>&1 | sed 's/^/redis: /' >&2
fi
for _ in $(seq 1 20); do
    if answers; then echo "redis: up" >&2; exit 0; fi
    sleep 0.5
done
echo "redis: FAILED: nothing answers at $HOST:$PORT. Start Redis (or set TEST_REDIS_URL) and retry." >&2
exit 1
