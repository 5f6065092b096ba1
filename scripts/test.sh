#!/usr/bin/env bash
# The whole test suite, slow tests (real Jupyter kernels) included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The sandbox, the browser that checks HTML reports and the shared-gradebook server.
scripts/system-packages.sh bwrap:bubblewrap chromium:chromium initdb:postgresql
exec .venv/bin/python -m pytest -n "${COURSE_TEST_WORKERS:-auto}" --durations=12 "$@"
