"""The demo course: a copy of this course in demo-output/ with a synthetic cohort to grade.

A copy, so the demo never writes into the course's own gradebook or submitted/ folder; its config
adds shorter limits so the runaway submissions of the cohort end in seconds.
"""

from __future__ import annotations

import shutil

from ..course.coursedir import CONFIG_FILE, Course
from .cohort import HOSTILE, synthesize

DEMO_FOLDER = "demo-output"
DEMO_ASSIGNMENT = "01_layer_math"
DEMO_MISTAKES = 8
DEMO_ALTERNATIVES = 5
DEMO_HOSTILE = ("infinite_loop", "os_exit", "memory_hog", "read_secrets", "forge_blank_asserts",
                "forge_patch_helpers", "deleted_tests", "invalid_json", "empty_file", "wrong_file_name",
                "linked_source_notebook", "pasted_answer")
_OVERRIDES = """
# --- demo-only overrides ---
# the cohort's runaway submissions should end in seconds
c.Execute.timeout = 20
c.Grading.notebook_timeout = 120
c.Grading.memory_mb = 2000
# the demo shows the whole feedback page, as students see it once the deadline has passed
c.Grading.feedback_before_deadline = "full"
"""


def make_demo_course(course: Course) -> Course:
    root = course.root / DEMO_FOLDER
    shutil.rmtree(root, ignore_errors=True)
    for name in ("nbgrader_config.py", course.nbgrader.source_directory, course.nbgrader.release_directory,
                 f"{course.syllabus.cases_directory}/{DEMO_ASSIGNMENT}"):
        source, target = course.root / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
    (root / CONFIG_FILE).write_text((course.root / CONFIG_FILE).read_text() + _OVERRIDES)
    return Course.load(root)


def make_cohort(demo: Course) -> dict[str, str]:
    chosen = [h for h in HOSTILE if h.name in DEMO_HOSTILE]
    return synthesize(demo, DEMO_ASSIGNMENT, hostile=chosen, mistakes=DEMO_MISTAKES, alternatives=DEMO_ALTERNATIVES)
