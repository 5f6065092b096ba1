"""Seeds that every process agrees on, and answers graded with exactly the stated tolerance."""

import subprocess
import sys

import numpy as np
import pytest

from autograder.checks.exam.question import Integer, Number, choice
from autograder.exam.seeds import form_student, variant_seed

SECRET = b"course secret"


def test_a_seed_is_the_same_in_a_fresh_process():
    code = ("from autograder.exam.seeds import variant_seed; "
            "print(variant_seed(b'course secret', 'practice_exam', 'alice', 'mse_loss'))")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(there) == variant_seed(SECRET, "practice_exam", "alice", "mse_loss")


def test_seeds_follow_the_student_however_the_roster_spells_them():
    same = variant_seed(SECRET, "practice_exam", " Alice.Smith ", "mse_loss")
    assert same == variant_seed(SECRET, "practice_exam", "alice.smith", "mse_loss")
    others = {variant_seed(SECRET, "practice_exam", "bob", "mse_loss"),
              variant_seed(SECRET, "practice_exam", "alice.smith", "kl_divergence"),
              variant_seed(SECRET, "final_exam", "alice.smith", "mse_loss"),
              variant_seed(b"another secret", "practice_exam", "alice.smith", "mse_loss"),
              variant_seed(SECRET, "practice_exam", form_student("A"), "mse_loss")}
    assert same not in others and len(others) == 5


def test_a_number_counts_within_its_tolerance_and_not_beyond():
    answer = Number(0.25, 0.005, 3)
    assert answer.accepts("0.25") and answer.accepts("0.254") and answer.accepts(" 0,246 ")
    assert answer.accepts(0.25 + 0.005)  # the stated bound itself counts
    assert not answer.accepts(0.25 + 0.0051) and not answer.accepts(0.2449)
    assert not answer.accepts("nan") and not answer.accepts("about a quarter") and not answer.accepts("")


def test_an_integer_counts_only_when_exact():
    assert Integer(12).accepts("12") and Integer(12).accepts("12.0")
    assert not Integer(12).accepts("12.5") and not Integer(12).accepts("13") and not Integer(12).accepts("twelve")


def test_options_are_shuffled_and_answered_by_letter():
    made = [choice(np.random.default_rng(seed), "right", ["w1", "w2", "w3"]) for seed in range(40)]
    assert {c.correct for c in made} == {0, 1, 2, 3}
    for c in made:
        letter = "ABCD"[c.correct]
        assert c.accepts(letter) and c.accepts(letter.lower() + ") right") and not c.accepts("ABCD"[c.correct - 1])
        other = "ABCD"[c.correct - 1]
        # one option only: hedging over two letters earns nothing, whichever comes first
        assert not any(c.accepts(hedge) for hedge in (f"{letter}, {other}", f"{letter}{other}", f"{other} or {letter}"))
    with pytest.raises(ValueError):
        choice(np.random.default_rng(0), "same", ["same", "other"])


