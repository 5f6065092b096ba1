#!/usr/bin/env bash
# The main job on the embedded defaults: release, build solutions and validate every assignment.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/course demo "$@"
