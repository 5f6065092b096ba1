#!/usr/bin/env bash
# The whole test suite, slow tests (real Jupyter kernels) included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The sandbox, the browser that checks HTML reports, the shared-gradebook server, and a Slurm
# with accounting (tests/grading/test_slurm.py starts it with scripts/slurm-single-node.sh).
scripts/system-packages.sh bwrap:bubblewrap chromium:chromium initdb:postgresql \
  slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client slurmdbd:slurmdbd munged:munge mariadbd:mariadb-server
# loadgroup: the Slurm tests share one cluster, so they stay on one worker. One worker more than
# cores: the Slurm and time-limit tests spend minutes waiting on a scheduler or a sleeping kernel,
# and the extra worker keeps the cores busy meanwhile (every run shares its cores, see grading/slots.py).
workers=$(( $(getconf _NPROCESSORS_ONLN) + 1 ))
exec .venv/bin/python -m pytest -n "${COURSE_TEST_WORKERS:-$workers}" --dist loadgroup --durations=12 "$@"
