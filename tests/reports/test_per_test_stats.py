"""`course report`'s per-test table pairs each record's tests by grade_id: a record graded before a
cell was added to the source, or with its tests in another order, counts for the tests it has."""

from autograder.grading import results
from autograder.reports.report import _tests


def _record(student: str, tests: list[tuple[str, bool]]) -> results.Result:
    listed = [results.TestResult(grade_id, 2.0 if passed else 0.0, 2.0, "passed" if passed else f"{grade_id} wrong")
              for grade_id, passed in tests]
    return results.Result("01_layer_math", student, results.TESTS_FAILED, "", 0.0, 2.0 * len(listed), listed)


def test_tests_are_paired_by_grade_id_not_by_position():
    records = [_record("a", [("test_relu", True), ("test_softmax", False)]),
               _record("b", [("test_softmax", True), ("test_relu", False)]),  # another order
               _record("c", [("test_softmax", False)]),  # graded before test_relu was added
               _record("d", [])]  # invalid: nothing graded
    stats = {t.grade_id: (t.passed, t.graded, t.common_failure) for t in _tests(records)}
    assert stats == {"test_relu": (1, 2, "test_relu wrong"), "test_softmax": (1, 3, "test_softmax wrong")}
