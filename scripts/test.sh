#!/usr/bin/env bash
# Set everything up (the venv; PostgreSQL, Redis and Chromium when missing), check the code
# (ruff with complexity <= 10, the import contracts of pyproject.toml, mypy), run the page's
# script unit tests (tests/js, Node's own test runner), then run the test suite against
# PostgreSQL (TEST_DATABASE_URL, default: the local server) with coverage. Extra arguments go to
# pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
bash scripts/ensure-redis.sh
bash scripts/ensure-chromium.sh
bash scripts/ensure-nginx.sh
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache
.venv/bin/mypy
if ! command -v node >/dev/null 2>&1; then
    echo "node: not found; the page's script tests (tests/js) need Node.js 20 or later: apt-get install nodejs" >&2
    exit 1
fi
# The files themselves (the shell expands the pattern): Node 20 reads a directory argument and
# Node 22 a glob, but both take a list of files.
node --test tests/js/*.test.mjs
exec .venv/bin/python -m pytest "$@"
