"""One student, one record: every name a part of the course gives them comes from course/identity.py,
and an id that no file name can hold as it is (`a+b@x`, an email-like LMS user name) is the same
student on every path: the LMS export, the key grading reads, and their own paper on the exchange."""

from __future__ import annotations

import zipfile

from autograder.course.identity import student
from autograder.exam.generate import generate
from autograder.exam.seeds import variant_seed
from autograder.grading.paper_key import paper_key
from autograder.intake.archives import collect_archive
from autograder.intake.exchange import own_papers, paper_course
from tests.conftest import NO_PDFS, make_course_copy

EXAM = "practice_exam"


def test_each_name_of_a_student_comes_from_one_record():
    plain, email, spelled = student("student1"), student("a+b@x", from_lms=True), student(" Student1 ")
    assert (plain.nbgrader_id, plain.hub_user, plain.exchange_user, plain.seed_key, plain.file_name) == ("student1",) * 5
    assert (email.nbgrader_id, email.hub_user, email.exchange_user, email.lms_id) == ("a+b@x",) * 4
    assert (email.seed_key, email.file_name) == ("a+b@x", "a_b@x")
    assert (spelled.seed_key, spelled.file_name) == ("student1", "student1")  # however a roster spells it
    assert variant_seed(b"k", EXAM, " Student1 ", "q") == variant_seed(b"k", EXAM, "student1", "q")


def test_an_email_like_id_is_one_student_from_the_lms_export_to_grading_and_the_exchange(tmp_path):
    course = make_course_copy(tmp_path, NO_PDFS + 'c.Collect.student_pattern = r"^(?P<student>[^_]+)_"\n')
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\na+b@x\nstudent2\n")
    generate(course=course, exam_id=EXAM, roster=roster)
    paper = course.exam_paper_file(EXAM, "notebooks", "a+b@x", ".ipynb")
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr(f"a+b@x_{EXAM}.ipynb", paper.read_bytes())

    assert list(collect_archive(course=course, assignment_id=EXAM, archive=export).placed) == ["a+b@x"]
    submitter = "a+b@x"  # submitted/<id>/ as the LMS named them: what grading and the exchange are given
    assert course.submission_dir(submitter, EXAM).is_dir()
    assert paper_key(course, EXAM, submitter).paper == "a+b@x"  # graded against their own paper's key
    # Released to the exchange user the hub knows, in the course collect and feedback look in for them.
    assert own_papers(course, EXAM) == {"a+b@x": paper, "student2": course.exam_paper_file(EXAM, "notebooks", "student2", ".ipynb")}
    assert paper_course(course, EXAM, submitter) == f"{course.nbgrader.course_id}-{EXAM}-a+b@x"
