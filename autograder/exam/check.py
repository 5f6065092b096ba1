"""`course exam check`: every generator over many seeds, held to what makes a key trustworthy.

Per variant: no exception, and done within a few seconds; the key from the closed form equals the key from executing the
operation (to 1e-9 relative for numbers, exactly otherwise); the answer is finite and in a sensible
range; no typical mistake or other option lies within the tolerance of the key; every difficulty
measure lies in the question's stated band. Per question: the correct option's position is
balanced over the seeds (chi-square), and the seeds give more than a handful of distinct variants.
"""

from __future__ import annotations

import difflib
import math
import multiprocessing
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.stats import chisquare

from ..checks.exam.question import Choice, Code, FreeText, Integer, Number
from ..course.errors import CourseError
from .bank import load_bank

AGREEMENT = 1e-9  # relative: both keys are float64 computations of the same quantity
LARGEST = 1e7  # an answer beyond this is a generator defect, not an exam question
MIN_DISTINCT = 5  # distinct variants a question must give over the seeds
BALANCE_P = 1e-3  # correct-option positions: chi-square p-value below this is unbalanced


@dataclass
class QuestionCheck:
    question_id: str
    seeds: int
    problems: list[str] = field(default_factory=list)  # at most a few per kind, with their seeds
    disagreements: int = 0
    distinct: int = 0
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.problems


def _agree(answer, executed) -> str | None:
    """Why the two keys differ, or None."""
    if isinstance(answer, Number):
        value = float(executed)
        if not abs(value - answer.value) <= AGREEMENT * max(1.0, abs(answer.value)):
            return f"closed form {answer.value!r} but executed {value!r}"
    elif isinstance(answer, Integer):
        if int(executed) != answer.value or float(executed) != int(executed):
            return f"closed form {answer.value} but executed {executed}"
    elif isinstance(answer, Choice):
        if executed != answer.options[answer.correct]:
            return f"key option {answer.options[answer.correct]!r} but execution shows {executed!r}"
    elif isinstance(answer, Code):  # executed: what running the operation returns on each case
        for index, (args, returned) in enumerate(zip(answer.cases, executed)):
            why = answer.wrong(index, returned)
            if why:
                return f"case {index + 1} {args!r}: the closed form and the executed operation differ ({why})"
        failures = answer.failures(answer.reference)
        if failures:
            return f"the reference implementation fails {failures[0]}"
    return None


def _sound(answer, module) -> str | None:
    """Why the answer itself is unusable (range, distractors within tolerance, code cases that
    pass the question's sample mistake or fail its sample alternative), or None."""
    if isinstance(answer, Number):
        if not math.isfinite(answer.value) or abs(answer.value) > LARGEST:
            return f"answer {answer.value!r} is not a sensible number"
        close = [d for d in answer.distractors if abs(d - answer.value) <= answer.tolerance]
        if close:
            return f"typical mistake {close[0]!r} is within ±{answer.tolerance:g} of the key {answer.value!r}"
    elif isinstance(answer, Integer):
        if not 0 <= answer.value <= LARGEST:
            return f"answer {answer.value} is not a sensible count or size"
        if answer.value in answer.distractors:
            return f"typical mistake equals the key {answer.value}"
    elif isinstance(answer, Choice):
        if len(set(answer.options)) != len(answer.options):
            return "two options read the same"
    elif isinstance(answer, Code):
        if not answer.cases:
            return "a code question without cases passes any response"
        if hasattr(module, "MISTAKE") and not answer.failures(module.MISTAKE):
            return "the cases pass the sample MISTAKE: they would not catch it in a response"
        if hasattr(module, "ALTERNATIVE") and answer.failures(module.ALTERNATIVE):
            return f"the sample ALTERNATIVE fails {answer.failures(module.ALTERNATIVE)[0]}: a correct response would too"
    return None


class _TooSlow(Exception):
    pass


def _too_slow(signum, frame):
    raise _TooSlow


def check_question(bank_folder: str, question_id: str, seeds: int, variant_seconds: float) -> QuestionCheck:
    """Runs in a worker process of its own (the alarm that stops a stuck generator is per process)."""
    question = load_bank(Path(bank_folder))[question_id]
    report = QuestionCheck(question_id, seeds)
    clock = time.perf_counter()
    seen_kinds: dict[str, int] = {}
    positions: list[int] = []
    options = 0
    texts = set()

    def problem(kind: str, seed: int, message: str) -> None:
        seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
        if seen_kinds[kind] <= 3:
            report.problems.append(f"seed {seed}: {kind}: {message}")

    signal.signal(signal.SIGALRM, _too_slow)
    for seed in range(seeds):
        try:
            signal.setitimer(signal.ITIMER_REAL, variant_seconds)
            variant = question.generate(np.random.default_rng(seed))
            executed = question.execute(variant.params)
        except _TooSlow:  # a rejection loop that never accepts, most often
            problem("did not finish", seed, f"no variant within {variant_seconds:g} s")
            if seen_kinds["did not finish"] >= 3:
                break
            continue
        except Exception as exc:  # any failure of an author's generator is a finding
            problem("raised", seed, f"{type(exc).__name__}: {exc}")
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        texts.add((variant.text, repr(variant.answer)))  # shuffled options make variants too
        if not isinstance(variant.answer, FreeText):
            why = _agree(variant.answer, executed)
            if why:
                report.disagreements += 1
                problem("keys disagree", seed, why)
        why = _sound(variant.answer, question.module)
        if why:
            problem("unsound answer", seed, why)
        for measure, value in variant.difficulty.items():
            low, high = question.meta.band.get(measure, (None, None))
            if low is None:
                problem("difficulty", seed, f"measure {measure!r} has no band in META")
            elif not low <= value <= high:
                problem("difficulty", seed, f"{measure} = {value:g} outside the band [{low:g}, {high:g}]")
        if isinstance(variant.answer, Choice):
            positions.append(variant.answer.correct)
            options = max(options, len(variant.answer.options))
    if positions:
        counts = np.bincount(positions, minlength=options)
        if chisquare(counts).pvalue < BALANCE_P:
            report.problems.append(f"correct-option positions unbalanced over {seeds} seeds: {counts.tolist()}")
    report.distinct = len(texts)
    if seeds >= 50 and report.distinct < MIN_DISTINCT:
        report.problems.append(f"only {report.distinct} distinct variants over {seeds} seeds")
    report.seconds = time.perf_counter() - clock
    return report


def check(*, bank_folder: Path, question_ids: list[str] | None = None, seeds: int = 1000, workers: int = 0,
          variant_seconds: float = 5.0, on_done=None) -> list[QuestionCheck]:
    """Every question (or the ones named) over `seeds` seeds, in parallel processes."""
    bank = load_bank(bank_folder)
    wanted = question_ids or sorted(bank)
    unknown = sorted(set(wanted) - set(bank))
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(bank), n=1)
        raise CourseError(f"no question {', '.join(unknown)} in the bank ({bank_folder.name}/)",
                          hint=f"did you mean {close[0]!r}?" if close else f"{len(bank)} questions: ls {bank_folder.name}/")
    reports = []
    # spawn, not fork: a forked child of a threaded parent (torch, a test runner) can deadlock on a
    # lock some other thread held at the fork.
    with ProcessPoolExecutor(max_workers=workers or None, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(check_question, str(bank_folder), qid, seeds, variant_seconds) for qid in wanted]
        for future in as_completed(futures):
            report = future.result()
            reports.append(report)
            if on_done:
                on_done(report)
    return sorted(reports, key=lambda r: r.question_id)
