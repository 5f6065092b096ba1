#!/usr/bin/env bash
# Downloads, here, the wheels a GPU grading machine lacks, for bench/gpu_runner.py (run there by
# scripts/gpu-check.sh). Such a machine has Python with torch, torchvision, numpy, scipy,
# scikit-learn, matplotlib, pillow, psutil, jinja2, click and rich, but no Jupyter stack and no
# package registry. The versions are those of constraints.txt; the folder must stay under 64 MiB.
# Usage: scripts/gpu-wheels.sh [FOLDER]   (default .gpu-wheels; for Python 3.12, else GPU_PYTHON=3.11.7:
# the full version, since pip reads 3.11 as 3.11.0 and some pins want a later patch release)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.gpu-wheels}"
python="${GPU_PYTHON:-3.12}"
# What `course grade` and a Jupyter kernel import beyond that machine's packages (read with
# `python -X importtime`); jupyterlab, the notebook server's front end and the hub stay out.
packages=(
  nbgrader nbclient nbformat nbconvert ipykernel ipython ipython_pygments_lexers jupyter_client jupyter_core
  jupyter_server notebook traitlets pyzmq tornado SQLAlchemy alembic Mako comm debugpy jedi parso
  matplotlib-inline nest-asyncio2 pexpect ptyprocess prompt_toolkit wcwidth stack_data executing asttokens
  pure_eval platformdirs fastjsonschema jsonschema jsonschema-specifications referencing rpds-py mistune
  latex2mathml beautifulsoup4 soupsieve bleach tinycss2 webencodings defusedxml pandocfilters
  jupyterlab_pygments rapidfuzz arrow python-dateutil tzdata fqdn isoduration jsonpointer rfc3339-validator
  rfc3986-validator rfc3987-syntax lark uri-template webcolors
)
pins=()
for name in "${packages[@]}"; do
  pattern=$(echo "$name" | sed 's/[-_.]/[-_.]/g')
  pin=$(grep -iE "^${pattern}==" constraints.txt || true)
  if [ -z "$pin" ]; then
    echo "error: $name is not pinned in constraints.txt; pin it there (or drop it from this list)" >&2
    exit 1
  fi
  pins+=("$pin")
done
mkdir -p "$out"
python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: --python-version "$python" \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
  -d "$out" "${pins[@]}"
size=$(du -sm "$out" | cut -f1)
echo "$(ls "$out"/*.whl | wc -l) wheels in $out ($size MiB)"
if [ "$size" -ge 64 ]; then
  echo "error: $out is $size MiB; a device run carries at most 64 MiB" >&2
  exit 1
fi
