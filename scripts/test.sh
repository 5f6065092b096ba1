#!/usr/bin/env bash
# The whole test suite, slow tests (real Jupyter kernels) included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# The sandbox, the browser that checks HTML reports and clicks through the hub, the hub's proxy
# (npm), the shared-gradebook server, and a Slurm with accounting (tests/grading/test_slurm.py
# starts it with scripts/slurm-single-node.sh). Installed while pip fills .venv: on a fresh
# machine both take minutes, and neither needs the other.
scripts/system-packages.sh bwrap:bubblewrap chromium:chromium npm:npm curl:curl initdb:postgresql \
  slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client slurmdbd:slurmdbd munged:munge mariadbd:mariadb-server &
system_packages=$!
scripts/setup.sh || { status=$?; wait "$system_packages"; exit "$status"; }  # never leave apt half done
wait "$system_packages"
# loadgroup: the Slurm tests share one cluster, so they stay on one worker. One worker per core:
# cores + 1 was tried and was slower (each worker's runs already fill the cores they share).
exec .venv/bin/python -m pytest -n "${COURSE_TEST_WORKERS:-auto}" --dist loadgroup --durations=12 "$@"
