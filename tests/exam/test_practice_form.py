"""The practice exam's form A is committed like coursework (its source, its release, its worked
answers in solutions/, its key in exams/practice_exam/): drawing it again from its manifest's
seed gives the committed files byte for byte, and its release leaks no answer."""

import json

import pytest

from autograder.course import notebooks
from autograder.exam.generate import generate
from tests.conftest import NO_PDFS, PRACTICE_EXAM, PRACTICE_FORM, REPO, make_course_copy

pytestmark = pytest.mark.slow


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix != ".pdf"}  # PDFs are not committed (Chromium's bytes vary under load)


def test_the_committed_practice_form_is_what_its_seed_draws(tmp_path):
    course = make_course_copy(tmp_path, NO_PDFS, practice_form=True)
    manifest = json.loads((course.exam_dir(PRACTICE_EXAM) / "manifest.json").read_text())
    assert manifest["mode"] == "forms" and list(manifest["papers"]) == ["A"]
    generate(course=course, exam_id=PRACTICE_EXAM, forms=["A"], seed=manifest["seed"], force=True)
    for folder in (course.exam_dir(PRACTICE_EXAM), course.source_dir(PRACTICE_FORM), course.release_dir(PRACTICE_FORM)):
        committed = REPO / folder.relative_to(course.root)
        assert _files(folder) == _files(committed), (
            f"{committed} is stale: run `course exam generate {PRACTICE_EXAM} --forms A --seed {manifest['seed']} "
            f"--force`, then `course validate {PRACTICE_FORM} --solutions`")


def test_the_released_form_holds_no_key(repo_course):
    """The worked answers (solutions/, whose full marks `course validate` proves) stay out of the
    students' copy: its answer cells are blank, and no key text is in it."""
    key = json.loads((repo_course.exam_dir(PRACTICE_EXAM) / "keys" / "A.json").read_text())
    released = notebooks.read(repo_course.release_dir(PRACTICE_FORM) / f"{PRACTICE_EXAM}.ipynb")
    text = "\n".join(c.source for c in released.cells)
    assert "hidden_check" not in text
    for cell in released.cells:
        if cell.get("id", "").startswith("answer-"):
            assert cell.source.startswith(("answer_", "# Define", "YOUR ANSWER HERE")), cell.source
            assert "= None" in cell.source or not cell.source.startswith("answer_"), cell.source
    for entry in key["questions"]:
        if entry["kind"] in ("code", "free_text"):  # the reference function, the model answer
            assert all(line.strip() not in text for line in entry["value"].splitlines() if len(line.strip()) > 12)
        if entry.get("worked"):
            assert entry["worked"][:60] not in text
