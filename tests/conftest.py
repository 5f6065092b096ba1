import shutil
from pathlib import Path

import pytest

from autograder.coursedir import Course

REPO = Path(__file__).resolve().parents[1]
# What a course folder consists of; copied so that tests never write into the repository.
COURSE_FILES = ["course_config.py", "nbgrader_config.py", "assignments", "release", "solutions", "tests/submissions"]


@pytest.fixture
def course_copy(tmp_path) -> Course:
    root = tmp_path / "course"
    for name in COURSE_FILES:
        source, target = REPO / name, root / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return Course.load(root)


@pytest.fixture
def repo_course() -> Course:
    return Course.load(REPO)
