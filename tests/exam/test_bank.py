"""The question bank: every generator's keys and typical mistakes, and `course exam check` over all
of them at the configured number of seeds; broken generators of each kind are caught."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.exam.question import Integer, Number
from autograder.cli import main
from autograder.exam.bank import load_bank
from autograder.exam.check import check
from tests.conftest import REPO

BANK = REPO / "exam_bank"
TOPICS = ["L01", "L02", "L03", "L04", "L05", "L06", "L07", "L08", "L09", "L10", "L11", "L12"]


def test_the_bank_has_at_least_24_generators_and_covers_every_lecture():
    bank = load_bank(BANK)
    assert len(bank) >= 24
    assert {q.meta.lecture[:3] for q in bank.values()} == set(TOPICS)
    kinds = {q.generate(np.random.default_rng(0)).answer.kind for q in bank.values()}
    assert kinds == {"number", "integer", "choice", "code", "free_text"}


def _practice_exam() -> list[str]:
    from autograder.course.coursedir import Course

    return Course.load(REPO).exam.exams["practice_exam"]["questions"]


@pytest.mark.parametrize("question_id", _practice_exam())
def test_the_practice_exam_is_published_with_worked_answers_that_reach_the_key(question_id):
    question = load_bank(BANK)[question_id]
    for seed in range(50):
        variant = question.generate(np.random.default_rng(seed))
        assert variant.worked.strip(), f"seed {seed} has no worked answer"
        if isinstance(variant.answer, (Number, Integer)):
            assert variant.answer.shown() in variant.worked, f"seed {seed}: the worked answer ends elsewhere"


@pytest.mark.parametrize("question_id", sorted(load_bank(BANK)))
def test_the_key_counts_and_typical_mistakes_do_not(question_id):
    question = load_bank(BANK)[question_id]
    for seed in range(25):
        answer = question.generate(np.random.default_rng(seed)).answer
        if isinstance(answer, Number):
            assert answer.accepts(answer.shown())  # the key as printed, rounded to its decimals
            assert answer.accepts(answer.value + 0.9 * answer.tolerance)
            assert not answer.accepts(answer.value + 1.1 * answer.tolerance)
            assert not any(answer.accepts(mistake) for mistake in answer.distractors)
        elif isinstance(answer, Integer):
            assert answer.accepts(answer.value) and not answer.accepts(answer.value + 1)
            assert not any(answer.accepts(mistake) for mistake in answer.distractors)


@pytest.mark.slow
def test_course_exam_check_passes_on_the_whole_bank(capsys):
    assert main(["--course-dir", str(REPO), "exam", "check"]) == 0
    assert "keys disagreed 0 times" in capsys.readouterr().out


def _broken_bank(tmp_path: Path, question: str, old: str, new: str) -> Path:
    bank = tmp_path / "bank"
    shutil.copytree(BANK / question, bank / question)
    path = bank / question / "question.py"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return bank


@pytest.mark.parametrize("question, old, new, finding", [
    ("mse_loss", "mse_loss(y_hat, y)", "mse_loss(y_hat, y, reduction='sum')", "keys disagree"),
    ("mse_loss", "if apart(mse, mistakes, TOL) and", "mistakes = (mse + 0.001,)\n        if", "unsound answer"),
    ("mse_loss", "mistakes = (sum(e * e for e in errors),", "mistakes = (mse + 0.001,", "did not finish"),
    ("kl_divergence", "kl = sum(", "kl = 1 / 0 + sum(", "raised"),
    ("requires_grad_semantics", "choice(rng, true, false)", "_first(true, false)", "unbalanced"),
    ("conv_parameter_count", '"channels": max(c_in, c_out)}', '"channels": 10 * max(c_in, c_out)}', "outside the band"),
    ("skipgram_pairs", "window = int(rng.integers(1, 4))", "window = 2", None),
])
def test_check_catches_each_kind_of_broken_generator(tmp_path, question, old, new, finding):
    bank = _broken_bank(tmp_path, question, old, new)
    if question == "requires_grad_semantics":  # the correct option always first
        with open(bank / question / "question.py", "a") as source:
            source.write("\n\ndef _first(true, false):\n    from autograder.checks.exam.question import Choice\n\n"
                         "    return Choice((true, *false), 0)\n")
    # A short limit only where a generator is meant to hang: a loaded runner takes over a second for
    # some honest variants (requires_grad_semantics runs a training step), which would be "did not finish".
    seconds = 1 if finding == "did not finish" else 20
    (report,) = check(bank_folder=bank, seeds=200, workers=1, variant_seconds=seconds)
    if finding is None:  # fewer, but still several, distinct variants: passes
        assert report.passed, report.problems
    else:
        assert not report.passed and any(finding in problem for problem in report.problems), report.problems
