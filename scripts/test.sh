#!/usr/bin/env bash
# Set everything up (the venv; PostgreSQL, Redis and Chromium when missing), check the code
# (ruff with complexity <= 10, the import contracts of pyproject.toml, mypy), then run the test
# suite against PostgreSQL (TEST_DATABASE_URL, default: the local server) with coverage. Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
bash scripts/ensure-redis.sh
bash scripts/ensure-chromium.sh
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
