"""Exam papers through `course grade`: a synthetic cohort answers its own papers right, in other
correct forms, just outside the tolerance, with typical mistakes, or not at all, and gets the
scores those answers deserve; per-student papers are graded against their own key, a reroll
changes one paper only; the item analysis flags a harder form and its page renders."""

import json
import shutil
import subprocess

import pytest

from autograder.course.errors import CourseError
from autograder.exam import cohort
from autograder.exam.analyze import analyze, write_analysis
from autograder.exam.generate import generate, reroll
from autograder.grading import results
from autograder.verbs.grade import grade
from tests.conftest import NO_PDFS, course_main, make_course_copy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("exam-grading")]
EXAM = "practice_exam"
QUESTIONS = 24


def _keys(course, paper):
    return json.loads(course.exam_paper_file(EXAM, "keys", paper).read_text())["questions"]


def _points(course, paper, kinds):
    return sum(course.exam_assignments()[f"{EXAM}_A"]["points"][f"question_{n:02d}"]
               for n, key in enumerate(_keys(course, paper), start=1) if key["kind"] in kinds)


@pytest.fixture(scope="module")
def forms(tmp_path_factory):
    course = make_course_copy(tmp_path_factory.mktemp("exam-forms"), NO_PDFS)  # test_generate prints them
    generate(course=course, exam_id=EXAM, forms=["A", "B"], seed=11)
    keys = _keys(course, "A")
    profiles = {
        "right": [cohort.CORRECT] * QUESTIONS,
        "right-otherwise": [cohort.ALTERNATIVE] * QUESTIONS,
        # numbers just outside their tolerance, everything else right
        "just-outside": [cohort.OUTSIDE if k["kind"] == "number" else cohort.CORRECT for k in keys],
        "mistaken": [cohort.MISTAKE] * QUESTIONS,
        "blank": [cohort.BLANK] * QUESTIONS,
    }
    for student, hows in profiles.items():
        cohort.write_submission(course, student, f"{EXAM}_A", cohort.submission(course, EXAM, f"{EXAM}_A", "A", hows))
    summary = grade(course=course, assignment_id=f"{EXAM}_A")
    return course, {r.student_id: r for r in summary.records}


def test_right_answers_in_any_correct_form_get_every_point(forms):
    course, records = forms
    points = course.exam_assignments()[f"{EXAM}_A"]["points"]
    auto = sum(v for grade_id, v in points.items() if grade_id.startswith("question_"))
    for student in ("right", "right-otherwise"):
        assert records[student].status == results.OK, records[student].message
        assert records[student].score == records[student].max_score == auto


def test_just_outside_the_tolerance_loses_exactly_the_number_questions(forms):
    course, records = forms
    record = records["just-outside"]
    numbers = _points(course, "A", {"number"})
    assert numbers > 0 and record.score == record.max_score - numbers
    failed = [t for t in record.tests if not t.passed]
    assert failed and all("is not the answer (answers within" in t.message for t in failed)


def test_mistakes_and_blanks_get_nothing_and_say_why(forms):
    course, records = forms
    assert records["mistaken"].score == 0 and records["blank"].score == 0
    code = [t for t in records["mistaken"].tests if "returned inf or nan" in t.message]
    assert code, "the naive softmax (the code question's typical mistake) must fail on large logits"
    kinds = [k["kind"] for k in _keys(course, "A") if k["kind"] != "free_text"]
    blank = [t.message for t, kind in zip(records["blank"].tests, kinds) if kind != "code"]
    assert blank and all("no answer" in m for m in blank)


def test_released_form_has_no_hidden_checks_and_free_text_goes_to_formgrader(forms):
    course, _ = forms
    with pytest.raises(CourseError, match="graded against its current keys"):  # keys under grades stay
        generate(course=course, exam_id=EXAM, forms=["A", "B"], seed=12, force=True)
    released = (course.release_dir(f"{EXAM}_A") / f"{EXAM}.ipynb").read_text()
    assert "hidden_check" not in released and "answer_01 = None" in released
    for key in _keys(course, "A"):
        if key["kind"] == "number":
            assert key["shown"] not in released
    points = course.exam_assignments()[f"{EXAM}_A"]["points"]
    free = [n for n, key in enumerate(_keys(course, "A"), start=1) if key["kind"] == "free_text"]
    assert free and all(f"answer_{n:02d}" in points and f"question_{n:02d}" not in points for n in free)
    assert "YOUR ANSWER HERE" in released  # nbgrader's stub of a hand-graded answer cell


def test_printable_forms_and_keys(forms):
    course, _ = forms
    folder = course.exam_dir(EXAM) / "print"
    paper, key = (folder / "A.html").read_text(), (folder / "A-key.html").read_text()
    assert "<math" in paper and "Key:" not in paper and "Key:" in key


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exam-roster")
    course = make_course_copy(folder)
    (folder / "roster.csv").write_text("student_id\nada\nbo\ncy\n")
    generate(course=course, exam_id=EXAM, roster=folder / "roster.csv")
    right = [cohort.CORRECT] * QUESTIONS
    for student in ("ada", "bo"):
        cohort.write_submission(course, student, EXAM, cohort.submission(course, EXAM, EXAM, student, right))
    # cy hands in bo's answers: right for bo's paper, not for cy's own
    cohort.write_submission(course, "cy", EXAM, cohort.submission(course, EXAM, EXAM, "bo", right))
    (course.submission_dir("dee", EXAM)).mkdir(parents=True)  # not on the roster
    shutil.copy(course.submission_dir("ada", EXAM) / f"{EXAM}.ipynb", course.submission_dir("dee", EXAM))
    summary = grade(course=course, assignment_id=EXAM)
    return course, {r.student_id: r for r in summary.records}


def test_each_student_is_graded_against_their_own_paper(roster):
    course, records = roster
    texts = {s: (course.exam_paper_file(EXAM, "notebooks", s, ".ipynb")).read_text() for s in ("ada", "bo")}
    assert texts["ada"] != texts["bo"]
    assert records["ada"].score == records["ada"].max_score and records["bo"].score == records["bo"].max_score
    assert records["cy"].score < records["cy"].max_score / 2, "a classmate's answers must not pass another paper"
    assert records["dee"].status == results.INVALID and "course exam reroll" in records["dee"].message


def test_a_rosters_notebook_is_not_exported_for_otter(roster):
    course, _ = roster  # each student's paper has its own key; an otter assignment grades against one
    code, out = course_main(course, "export", "otter", EXAM)
    out = " ".join(out.split())
    assert code == 2 and "roster's notebook" in out and "--forms" in out and "Traceback" not in out
    assert not (course.root / "exports").exists()


def test_reroll_changes_one_paper_and_nothing_else(roster):
    course, _ = roster
    before = {s: course.exam_paper_file(EXAM, "keys", s).read_bytes() for s in ("ada", "bo", "cy")}
    paper, _ = reroll(course=course, exam_id=EXAM, student_id="ADA ")
    assert results.load(course.record_path("ada", EXAM)) is None  # graded against the old paper: regraded on --resume
    after = {s: course.exam_paper_file(EXAM, "keys", s).read_bytes() for s in ("ada", "bo", "cy")}
    assert paper.id == "ada" and paper.draw == 1
    assert after["ada"] != before["ada"] and after["bo"] == before["bo"] and after["cy"] == before["cy"]
    manifest = json.loads((course.exam_dir(EXAM) / "manifest.json").read_text())
    assert manifest["papers"]["ada"]["draw"] == 1 and manifest["papers"]["bo"]["draw"] == 0
    regraded = grade(course=course, assignment_id=EXAM, students=["ada"]).records[0]
    assert regraded.score < regraded.max_score  # graded against the new paper now
    newcomer, _ = reroll(course=course, exam_id=EXAM, student_id="dee")
    assert newcomer.draw == 0 and course.exam_paper_file(EXAM, "notebooks", "dee", ".ipynb").is_file()


def test_analysis_flags_a_harder_form_and_its_page_renders(tmp_path):
    course = make_course_copy(tmp_path, NO_PDFS)
    generate(course=course, exam_id=EXAM, forms=["A", "B"], seed=5)
    for index, (student, hows) in enumerate(cohort.abilities_cohort(16, QUESTIONS, seed=2).items()):
        form = "AB"[index % 2]
        hows[2] = cohort.CORRECT if form == "A" else cohort.MISTAKE  # question 3: form B's variant is the hard one
        aid = f"{EXAM}_{form}"
        cohort.write_submission(course, student, aid, cohort.submission(course, EXAM, aid, form, hows))
    for form in "AB":
        grade(course=course, assignment_id=f"{EXAM}_{form}")
    items = analyze(course, EXAM)
    flagged = {(i.position, v.variant) for i in items for v in i.flagged}
    assert (3, "form B") in flagged and len(flagged) <= 2
    third = next(i for i in items if i.position == 3)
    assert third.facility == 0.5 and {v.variant for v in third.variants} == {"form A", "form B"}
    assert all(i.discrimination is None or -1 <= i.discrimination <= 1 for i in items)
    page = write_analysis(course, EXAM, items)
    assert (page.parent / "analysis.png").stat().st_size > 10_000
    if shutil.which("chromium"):
        dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                             capture_output=True, text=True, timeout=60).stdout
        assert "form B" in dom and "Item analysis" in dom
