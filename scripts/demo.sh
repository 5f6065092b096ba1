#!/usr/bin/env bash
# The main job on the embedded defaults (SQLite gradebook, local backend): in demo-output/, release
# assignment 01, synthesize a cohort, grade it sandboxed, write feedback and a report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/system-packages.sh bwrap:bubblewrap
exec .venv/bin/course demo "$@"
