"""`course exam analyze`: item analysis of a graded exam, per question and per variant.

Facility: the share of students who got a question right. Discrimination: the correlation of a
question's score with the rest of the paper (corrected item-total), i.e. whether the students
who got it right did well elsewhere. Variants: the forms (lettered forms), or for per-student
papers the variants grouped by their difficulty measures. A variant is flagged harder than its
siblings when its facility is lower by at least c.Exam.harder_gap and Fisher's exact test says
the gap is unlikely to be chance (c.Exam.analysis_alpha, after adjusting for testing many variants).

Only auto-marked questions are analysed: hand-marked ones have no verdict in the grading records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import false_discovery_control, fisher_exact  # noqa: E402

from ..course.coursedir import Course  # noqa: E402
from ..course.errors import CourseError  # noqa: E402
from ..course.files import write_atomically
from ..course.identity import student  # noqa: E402
from ..grading import results  # noqa: E402
from ..intake.submission_files import submitted_students  # noqa: E402
from ..reports.pages import csv_text, render  # noqa: E402
from .bank import load_bank  # noqa: E402
from .notebook import TEST_GRADE_ID  # noqa: E402

JUDGED = (results.OK, results.TESTS_FAILED)  # records whose per-question verdicts mean something


@dataclass
class VariantStats:
    variant: str
    right: int
    answered: int
    flagged: bool = False
    p_value: float | None = None

    @property
    def facility(self) -> float:
        return self.right / self.answered if self.answered else float("nan")


@dataclass
class ItemStats:
    position: int
    question: str
    title: str
    lecture: str
    facility: float
    discrimination: float | None  # None where it is undefined (everyone right, or everyone wrong)
    answered: int
    variants: list[VariantStats] = field(default_factory=list)

    @property
    def flagged(self) -> list[VariantStats]:
        return [v for v in self.variants if v.flagged]


@dataclass
class Answer:
    student: str
    variant_by_question: dict[str, str]
    right: dict[str, bool]
    score: float


def _variant_name(form: str | None, key: dict) -> str:
    if form:
        return f"form {form}"
    measures = key.get("difficulty") or {}
    return ", ".join(f"{k}={v:g}" for k, v in sorted(measures.items())) or "all"


def judged_answers(course: Course, exam_id: str) -> tuple[list[dict], list[Answer]]:
    """The exam's questions (id, title, lecture) in paper order, and every judged submission."""
    made = {aid: e for aid, e in course.exam_assignments().items() if e["exam"] == exam_id}
    if not made:
        raise CourseError(f"{exam_id} has no papers yet", hint=f"run `course exam generate {exam_id} ...` first")
    manifest = json.loads((course.exam_dir(exam_id) / "manifest.json").read_text(encoding="utf-8"))
    bank = load_bank(course.exam_bank_dir())
    questions = [{"id": q["id"], "title": bank[q["id"]].meta.title if q["id"] in bank else q["id"],
                  "lecture": bank[q["id"]].meta.lecture if q["id"] in bank else ""} for q in manifest["questions"]]
    answers = []
    for aid, entry in sorted(made.items()):
        for sid in submitted_students(course, aid):
            record = results.load(course.record_path(sid, aid))
            if record is None or record.status not in JUDGED:
                continue
            paper = entry["paper"] or student(sid).seed_key
            key_file = course.exam_paper_file(exam_id, "keys", paper)
            if not key_file.is_file():
                raise CourseError(f"{sid} was graded on a paper that is gone ({course.relative(key_file)})",
                                  hint=f"grade {aid} again, or move {sid}'s grading record away")
            keys = json.loads(key_file.read_text(encoding="utf-8"))["questions"]
            verdicts = {t.grade_id: t.passed for t in record.tests}
            right, variant = {}, {}
            for position, key in enumerate(keys, start=1):
                grade_id = TEST_GRADE_ID.format(position)
                if grade_id in verdicts:
                    right[key["question"]] = verdicts[grade_id]
                    variant[key["question"]] = _variant_name(entry["paper"], key)
            answers.append(Answer(sid, variant, right, record.score))
    if not answers:
        raise CourseError(f"no graded submissions of {exam_id}", hint=f"grade them first: {', '.join(sorted(made))}")
    return questions, answers


def _discrimination(item: np.ndarray, rest: np.ndarray) -> float | None:
    if item.std() == 0 or rest.std() == 0:
        return None
    return float(np.corrcoef(item, rest)[0, 1])


def analyze(course: Course, exam_id: str) -> list[ItemStats]:
    questions, answers = judged_answers(course, exam_id)
    items = []
    for position, question in enumerate(questions, start=1):
        qid = question["id"]
        took = [a for a in answers if qid in a.right]
        if not took:
            continue  # a hand-marked question
        right = np.array([a.right[qid] for a in took], dtype=float)
        rest = np.array([sum(v for q, v in a.right.items() if q != qid) for a in took], dtype=float)
        stats = ItemStats(position, qid, question["title"], question["lecture"], float(right.mean()),
                          _discrimination(right, rest), len(took))
        names = sorted({a.variant_by_question[qid] for a in took})
        for name in names:
            mine = [a.right[qid] for a in took if a.variant_by_question[qid] == name]
            stats.variants.append(VariantStats(name, sum(mine), len(mine)))
        _test_variants(stats, course.exam)
        items.append(stats)
    _flag(items, course.exam)
    return items


def _test_variants(stats: ItemStats, settings) -> None:
    """Fisher's exact test of each variant against the question's other variants taken together."""
    total_right = sum(v.right for v in stats.variants)
    total = sum(v.answered for v in stats.variants)
    for v in stats.variants if len(stats.variants) > 1 else []:
        others_right, others = total_right - v.right, total - v.answered
        if v.answered >= settings.analysis_min_students and others >= settings.analysis_min_students:
            table = [[v.right, v.answered - v.right], [others_right, others - others_right]]
            v.p_value = float(fisher_exact(table, alternative="less")[1])


def _flag(items: list[ItemStats], settings) -> None:
    """Flag variants clearly harder than their siblings. The p-values are adjusted for testing every
    variant of every question at once (Benjamini-Hochberg): at 0.05, two dozen questions in two
    forms would otherwise flag a couple of variants by chance alone."""
    tested = [(item, v) for item in items for v in item.variants if v.p_value is not None]
    if not tested:
        return
    adjusted = false_discovery_control([v.p_value for _, v in tested])
    for (item, v), p in zip(tested, adjusted):
        others = [o for o in item.variants if o is not v]
        rest = sum(o.right for o in others) / sum(o.answered for o in others)
        v.p_value = float(p)
        v.flagged = bool(rest - v.facility >= settings.harder_gap and p < settings.analysis_alpha)


def _plot(items: list[ItemStats], path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    shown = [i for i in items if i.discrimination is not None]
    left.scatter([i.facility for i in shown], [i.discrimination for i in shown], color="#1f5fa8")
    for i in shown:
        left.annotate(str(i.position), (i.facility, i.discrimination), textcoords="offset points", xytext=(4, 3),
                      fontsize=8)
    left.axhline(0.2, color="#a4161a", linestyle=":", linewidth=1)
    left.set(xlabel="facility (share right)", ylabel="discrimination (item-rest correlation)", xlim=(-0.02, 1.02),
             title="Questions (numbered as on the paper); below the line: weak discrimination")
    for row, item in enumerate(items):
        for v in item.variants:
            colour = "#a4161a" if v.flagged else "#555555"
            right.scatter(v.facility, row, s=12 + 6 * v.answered, color=colour, alpha=0.6)
    right.set_yticks(range(len(items)), [f"{i.position}. {i.title}" for i in items], fontsize=7)
    right.invert_yaxis()
    right.set(xlabel="facility per variant (dot size: students; red: flagged harder)", xlim=(-0.02, 1.02),
              title="Variants of each question")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_analysis(course: Course, exam_id: str, items: list[ItemStats]) -> Path:
    """analysis/items.csv, variants.csv, analysis.png and analysis.html under the exam's folder."""
    folder = course.exam_dir(exam_id) / "analysis"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / "items.csv", csv_text(
        ["position", "question", "lecture", "answered", "facility", "discrimination", "flagged_variants"],
        [[i.position, i.question, i.lecture, i.answered, f"{i.facility:.3f}",
            "" if i.discrimination is None else f"{i.discrimination:.3f}", ";".join(v.variant for v in i.flagged)]
           for i in items]))
    write_atomically(folder / "variants.csv", csv_text(
        ["question", "variant", "answered", "right", "facility", "p_value", "flagged"],
        [[i.question, v.variant, v.answered, v.right, f"{v.facility:.3f}",
            "" if v.p_value is None else f"{v.p_value:.4f}", v.flagged] for i in items for v in i.variants]))
    _plot(items, folder / "analysis.png")
    page = folder / "analysis.html"
    manifest = json.loads((course.exam_dir(exam_id) / "manifest.json").read_text(encoding="utf-8"))
    write_atomically(page, render("exam_analysis.html.j2", title=manifest["title"], items=items,
                                          students=max((i.answered for i in items), default=0),
                                          settings=course.exam))
    return page
