"""Grades reach a shared gradebook on a real PostgreSQL server (started here, thrown away after)."""

import pytest

from autograder.demo.cohort import synthesize
from autograder.records.gradebook import open_gradebook
from autograder.verbs.grade import grade
from tests.records.postgres_server import postgres_bin, running_postgres

pytestmark = pytest.mark.slow
AID = "01_layer_math"


@pytest.fixture
def postgres_url():
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("needs PostgreSQL (scripts/test.sh installs it)")
    with running_postgres(bindir) as url:
        yield url


def test_grades_land_in_postgres(tmp_path, postgres_url):
    from tests.conftest import make_course_copy

    course = make_course_copy(tmp_path, extra_config=f"\nc.CourseDirectory.db_url = {postgres_url!r}\n")
    synthesize(course, AID, hostile=[], mistakes=1)
    summary = grade(course=course, assignment_id=AID)
    assert course.sqlite_gradebook() is None and not (course.root / "gradebook.db").exists()
    with open_gradebook(course) as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment(AID).submissions}
    expected = {r.student_id: r.score for r in summary.records}
    assert scores == expected and scores["solution"] == 30 and scores["stub"] == 0
