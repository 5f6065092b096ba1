#!/usr/bin/env bash
# The documentation site, into docs/_build/html (open index.html there). Warnings are errors: a broken
# cross-reference, a missing page or image, or a setting or option without help text fails the build.
# Offline: nothing is fetched. Extra arguments go to sphinx-build (e.g. -b linkcheck where a network is).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# -E: the references are read from the code, which Sphinx does not watch, so every build starts afresh (2 s).
exec .venv/bin/python -m sphinx -E -W --keep-going -q -b html "$@" docs docs/_build/html
