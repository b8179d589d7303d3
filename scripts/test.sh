#!/usr/bin/env bash
# Set everything up and run the test suite against PostgreSQL (TEST_DATABASE_URL,
# default: the local server). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
