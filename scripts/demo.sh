#!/usr/bin/env bash
# Install search-service into ./.venv and serve the bundled sample corpus on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "search-service needs Python 3.11 or newer (found $("$PYTHON" --version))" >&2; exit 2; }
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || { echo "cannot create a venv: apt-get install python3-venv" >&2; exit 2; }
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/search-service demo "$@"
