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
echo "setting up $venv (first run: a minute or two, torch is large)..."
python3 -m venv "$venv"  # with pip: `course release` builds the student wheel with it
log="$venv/install.log"
# uv rather than pip for the install: pip downloads and unpacks one wheel at a time, and torch's
# CUDA build brings about 3 GB of them (pip took 150-230 s on 2 cores, uv 52 s). uv does not read
# pip's configuration (a mirror, a local wheel folder), so where uv cannot install, pip does.
# uv does not compile bytecode; compileall after it uses every core. Like pip, compileall leaves
# out files this Python cannot compile (torch ships test files in newer syntax), so its exit
# status says nothing useful.
need=(-c constraints.txt -e ".[test,docs]" -e ./student)
if ! { "$venv/bin/pip" install --quiet --disable-pip-version-check "uv==$uv_version" &&
       "$venv/bin/uv" pip install --python "$venv/bin/python" "${need[@]}"; } >"$log" 2>&1; then
  echo "uv could not install the packages (the end of $log says why); installing with pip instead..."
  if ! "$venv/bin/pip" install --disable-pip-version-check --no-compile "${need[@]}" >>"$log" 2>&1; then
    echo "error: installing the dependencies failed; the end of $log says why:" >&2
    grep -v "^WARNING: Location" "$log" | tail -15 >&2
    exit 1
  fi
fi
"$venv/bin/python" -m compileall -q -j 0 "$venv/lib" >>"$log" 2>&1 || true
rm -f "$venv"/.installed-*
touch "$stamp"
echo "set up $venv"
