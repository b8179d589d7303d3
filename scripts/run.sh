#!/usr/bin/env bash
# Set everything up and run the service on its embedded defaults: an SQLite file in
# instance/, the bundled model, http://127.0.0.1:8000. Extra arguments go to `flask run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export APP_ENV="${APP_ENV:-development}"
.venv/bin/flask --app wsgi init-db
exec .venv/bin/flask --app wsgi run --port "${PORT:-8000}" "$@"
