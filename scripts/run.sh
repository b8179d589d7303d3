#!/usr/bin/env bash
# Set everything up and run the service on its embedded defaults: an SQLite file in
# instance/, the bundled model, http://127.0.0.1:8000. Extra arguments go to `flask run`.
#
# On its first run it also fetches the 54 official voices (French, English, Spanish ...) from the
# Hugging Face Hub (HF_ENDPOINT for a mirror) when the Hub answers within a few seconds; offline,
# it says so in one line and starts at once with the five embedded voices. KOKORO_FETCH_VOICES=0
# skips the attempt. The voices stay in TTS_CACHE_DIR (default ~/.cache/kokoro-tts/voices).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export APP_ENV="${APP_ENV:-development}"
.venv/bin/flask --app wsgi init-db
if [ "${KOKORO_FETCH_VOICES:-1}" != "0" ]; then
    .venv/bin/flask --app wsgi tts download --if-reachable --connect-timeout 3 2>&1 \
        | grep -v ': already there$' | grep -v ': fetched$' || true
fi
exec .venv/bin/flask --app wsgi run --port "${PORT:-8000}" "$@"
