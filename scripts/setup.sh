#!/usr/bin/env bash
# Create .venv (Python 3.11), install the pinned requirements into it, then the app itself
# (editable, without dependencies: requirements.txt already pinned them), and compile the
# translations.
# Idempotent: re-running only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
# The catalogues of the page's, the emails' and the API's languages (.po -> .mo, not committed).
bash scripts/translations.sh compile
