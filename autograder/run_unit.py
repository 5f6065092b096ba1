"""The Slurm task entry point under its name before the package layout.

Batch scripts written by earlier versions (slurm/<assignment>/<run>/grade.sbatch) run
`python -m autograder.run_unit`; their tasks can still be queued when the grader is upgraded, and
`course grade --resume` waits for them. They run the same code as today's entry point,
`python -m autograder.grading.backends.slurm_task`.
"""

import sys

from .grading.backends.slurm_task import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
