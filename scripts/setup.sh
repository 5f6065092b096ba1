#!/usr/bin/env bash
# Creates .venv with the pinned versions (constraints.txt) and the course's two packages.
# Cheap when nothing changed: a stamp records the hash of everything that decides the install.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${COURSE_VENV:-.venv}"
hash=$(cat constraints.txt pyproject.toml student/pyproject.toml | sha256sum | cut -c1-16)
stamp="$venv/.installed-$hash"
if [ -f "$stamp" ]; then
  exit 0
fi
echo "setting up $venv (first run: several minutes, torch is large)..."
python3 -m venv "$venv"
log="$venv/install.log"
# pip compiles every installed module on one core; compileall after it uses all of them (about
# 20 s less of a 2-minute install on 2 cores). Like pip, it leaves out files this Python cannot
# compile (torch ships test files in newer syntax), so its exit status says nothing useful.
if ! "$venv/bin/pip" install --disable-pip-version-check --no-compile -c constraints.txt -e ".[test]" -e ./student >"$log" 2>&1; then
  echo "error: installing the dependencies failed; the end of $log says why:" >&2
  grep -v "^WARNING: Location" "$log" | tail -15 >&2
  exit 1
fi
"$venv/bin/python" -m compileall -q -j 0 "$venv/lib" >>"$log" 2>&1 || true
rm -f "$venv"/.installed-*
touch "$stamp"
echo "set up $venv"
