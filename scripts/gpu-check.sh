#!/usr/bin/env bash
# The GPU runner check in one command, on a GPU machine that reaches no package registry: installs
# the wheels scripts/gpu-wheels.sh downloaded (bring the folder along) into that machine's Python,
# beside its torch, points that Python at this repository's two packages, and runs
# bench/gpu_runner.py. Without a GPU it still grades the CPU run and says "no GPU".
# Usage: scripts/gpu-check.sh [bench/gpu_runner.py options]; GPU_CHECK_PYTHON picks the Python.
set -euo pipefail
cd "$(dirname "$0")/.."
wheels="${GPU_WHEELS:-.gpu-wheels}"
python="${GPU_CHECK_PYTHON:-python3}"
if ! "$python" -c "import nbgrader, ipykernel" 2>/dev/null; then
  if ! ls "$wheels"/*.whl >/dev/null 2>&1; then
    echo "error: no wheels in $wheels/: run scripts/gpu-wheels.sh where PyPI is reachable and bring $wheels/ along" >&2
    exit 1
  fi
  # Compiled at install: the runs' unprivileged users cannot write bytecode caches later.
  "$python" -m pip install -q --disable-pip-version-check --no-index --no-deps "$wheels"/*.whl
fi
site=$("$python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
# What an editable install would write: the grader and the student library from this checkout.
printf '%s\n%s\n' "$PWD" "$PWD/student" > "$site/dlmed-course-checkout.pth"
exec "$python" bench/gpu_runner.py "$@"
