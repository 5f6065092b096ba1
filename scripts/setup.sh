#!/usr/bin/env bash
# Creates .venv with the pinned versions (constraints.txt) and the course's two packages.
# Cheap when nothing changed: a stamp records the hash of everything that decides the install.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${COURSE_VENV:-.venv}"
uv_version=0.13.9  # the installer; the packages it installs are pinned in constraints.txt
hash=$(echo "$uv_version" | cat - constraints.txt pyproject.toml student/pyproject.toml | sha256sum | cut -c1-16)
stamp="$venv/.installed-$hash"
if [ -f "$stamp" ]; then
  exit 0
fi
echo "setting up $venv (first run: several minutes, torch is large)..."
python3 -m venv "$venv"  # with pip: `course release` builds the student wheel with it
log="$venv/install.log"
# uv rather than pip for the install: pip downloads and unpacks one wheel at a time, and torch's
# CUDA build brings about 3 GB of them (pip took 150-230 s on 2 cores, uv 52 s). uv does not
# compile bytecode; compileall after it uses every core. Like pip, compileall leaves out files
# this Python cannot compile (torch ships test files in newer syntax), so its exit status says
# nothing useful.
if ! { "$venv/bin/pip" install --quiet --disable-pip-version-check "uv==$uv_version" &&
       "$venv/bin/uv" pip install --python "$venv/bin/python" -c constraints.txt -e ".[test]" -e ./student; } >"$log" 2>&1; then
  echo "error: installing the dependencies failed; the end of $log says why:" >&2
  tail -15 "$log" >&2
  exit 1
fi
"$venv/bin/python" -m compileall -q -j 0 "$venv/lib" >>"$log" 2>&1 || true
rm -f "$venv"/.installed-*
touch "$stamp"
echo "set up $venv"
