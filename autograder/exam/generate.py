"""`course exam generate`: papers (one per form, or one per student of a
roster) drawn from the bank, with their keys and a manifest.

Everything written is a function of the exam's definition, the bank, the seed material and the
library versions (recorded in the manifest): two fresh processes write byte-identical files,
and the grader can rebuild any student's paper from the manifest alone.

exams/<exam>/manifest.json   seeds, generator versions, library versions, papers and their draws
exams/<exam>/papers/<paper>.json   what the paper shows (no key)
exams/<exam>/keys/<paper>.json     its key;  exams/<exam>/keys.csv  every key in one table
exams/<exam>/moodle.xml   a Moodle question bank: one category per question, a variant per paper
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..checks.exam.question import LETTERS, Choice, Code, FreeText, Integer, Number, Variant
from ..course.coursedir import MANIFEST_VERSION, Course, read_manifest
from ..course.errors import CourseError
from ..course.files import write_atomically
from ..course.identity import student
from ..intake.submission_files import submitted_students
from ..reports.pages import csv_cell, csv_text
from .assignments import check_free, held, made_by, registry, remove, write_assignments, write_student_copies
from .bank import Question, load_bank
from .moodle import moodle_xml
from .printable import write_printables
from .seeds import form_student, forms_key, variant_seed

_LIBRARIES = ("numpy", "scipy", "scikit-learn", "torch", "torchvision")


@dataclass(frozen=True)
class Drawn:
    question: Question
    seed: int
    variant: Variant


@dataclass(frozen=True)
class Paper:
    id: str  # a form's letter, or a student's normalised id
    draw: int  # 0, or how many times `reroll` re-drew it
    questions: tuple[Drawn, ...]


def secret_of(course: Course) -> bytes:
    path = course.root / course.exam.secret_file
    if not path.exists():
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)
    return path.read_text().strip().encode()


def draw_paper(bank: dict[str, Question], exam_id: str, question_ids: list[str], key: bytes, paper_id: str,
               seeded_as: str, draw: int = 0) -> Paper:
    drawn = []
    for qid in question_ids:
        seed = variant_seed(key, exam_id, seeded_as, qid, draw)
        try:
            variant = bank[qid].generate(np.random.default_rng(seed))
        except Exception as exc:  # an author's generator: name it, the paper, and the seed
            raise CourseError(f"question {qid} raised {type(exc).__name__}: {exc} (paper {paper_id}, seed {seed})",
                              hint=f"run `course exam check {qid}`, fix the generator, and generate again") from None
        drawn.append(Drawn(bank[qid], seed, variant))
    return Paper(paper_id, draw, tuple(drawn))


def read_roster(path: Path) -> list[str]:
    """Student ids from a CSV with a student_id column; normalised, each once."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CourseError(f"cannot read the roster {path}: {exc.strerror}", hint="give the path of a CSV file") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "student_id" not in rows[0]:
        raise CourseError(f"the roster {path.name} has no students under a 'student_id' column",
                          hint="its first line must name the columns, one of them student_id")
    # csv_cell: a roster saved from one of our CSVs holds ids escaped against formulas.
    ids = [student(csv_cell(row["student_id"] or "")).seed_key for row in rows]
    blank = [i + 2 for i, sid in enumerate(ids) if not sid]
    if blank:
        raise CourseError(f"the roster {path.name} has an empty student_id on line {blank[0]}", hint="fill or remove it")
    twice = sorted(sid for sid, n in Counter(ids).items() if n > 1)
    if twice:
        raise CourseError(f"the roster {path.name} lists {', '.join(twice[:5])} more than once",
                          hint="each student once (ids are compared ignoring case and surrounding spaces)")
    files = Counter(student(sid).file_name for sid in ids)
    alike = sorted(sid for sid in ids if files[student(sid).file_name] > 1)
    if alike:
        raise CourseError(f"the roster {path.name} has ids that differ only in characters a file name cannot hold: "
                          f"{', '.join(alike[:4])}", hint="give those students ids of letters, digits, '.', '-' or '@'")
    return ids


def _shown(drawn: Drawn) -> dict:
    answer = drawn.variant.answer
    shown = {"question": drawn.question.id, "title": drawn.question.meta.title, "points": drawn.question.meta.points,
             "text": drawn.variant.text, "kind": answer.kind, "instructions": answer.instructions()}
    if isinstance(answer, Choice):
        shown["options"] = list(answer.options)
    if isinstance(answer, Code):
        shown["function"] = answer.function
    return shown


def _key(drawn: Drawn) -> dict:
    answer = drawn.variant.answer
    key = {"question": drawn.question.id, "kind": answer.kind, "seed": drawn.seed, "shown": answer.shown(),
           "difficulty": drawn.variant.difficulty}
    if drawn.variant.worked:  # for a form published with worked answers (exam/worked.py)
        key["worked"] = drawn.variant.worked
    if isinstance(answer, Number):
        key.update(value=answer.value, tolerance=answer.tolerance, decimals=answer.decimals)
    elif isinstance(answer, Integer):
        key.update(value=answer.value)
    elif isinstance(answer, Choice):
        key.update(value=LETTERS[answer.correct], option=answer.options[answer.correct])
    elif isinstance(answer, Code):
        key.update(value=answer.reference, function=answer.function, cases=[list(c) for c in answer.cases],
                   expected=[np.asarray(e).tolist() for e in answer.expected], tolerance=answer.tolerance)
    elif isinstance(answer, FreeText):
        key.update(value=answer.model_answer, rubric=answer.rubric)
    return key


def _json(data) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _library_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in _LIBRARIES}


def _definition(course: Course, exam_id: str) -> tuple[str, list[str], dict[str, Question]]:
    if exam_id not in course.exam.exams:
        known = ", ".join(sorted(course.exam.exams)) or "none yet"
        raise CourseError(f"unknown exam {exam_id!r}", hint=f"exams in c.Exam.exams: {known}")
    entry = course.exam.exams[exam_id]
    bank = load_bank(course.exam_bank_dir())
    missing = [q for q in entry["questions"] if q not in bank]
    if missing:
        raise CourseError(f"exam {exam_id} asks {', '.join(missing)}, not in the bank",
                          hint=f"add exam_bank/{missing[0]}/question.py or remove it from c.Exam.exams")
    return entry["title"], list(entry["questions"]), bank


def _paper_file(exam_id: str, paper: Paper, questions: list[dict]) -> str:
    return _json({"exam": exam_id, "paper": paper.id, "draw": paper.draw, "questions": questions})


def _key_file(exam_id: str, paper: Paper) -> str:
    return _paper_file(exam_id, paper, [_key(d) for d in paper.questions])


def write_papers(course: Course, exam_id: str, papers: list[Paper], manifest: dict) -> list[Path]:
    folder = course.exam_dir(exam_id)
    written = []
    rows = []
    for paper in papers:
        keys = [_key(d) for d in paper.questions]
        for sub, text in (("papers", _paper_file(exam_id, paper, [_shown(d) for d in paper.questions])),
                          ("keys", _key_file(exam_id, paper))):
            path = course.exam_paper_file(exam_id, sub, paper.id)
            write_atomically(path, text)
            written.append(path)
        rows += [[paper.id, k["question"], k["kind"], k["shown"] if k["kind"] != "code" else "(reference function)",
                  k.get("tolerance", "")] for k in keys]
    write_atomically(folder / "keys.csv", csv_text(["paper", "question", "kind", "key", "tolerance"], rows))
    quiz, left_out = moodle_xml(exam_id, papers)
    write_atomically(folder / "moodle.xml", quiz)
    write_atomically(folder / "manifest.json", _json({**manifest, "not_in_moodle": left_out}))
    return [*written, folder / "keys.csv", folder / "moodle.xml", folder / "manifest.json"]


def generate(*, course: Course, exam_id: str, forms: list[str] | None = None, roster: Path | None = None,
             seed: int | None = None, force: bool = False, on_paper=None) -> list[Path]:
    """`on_paper(phase, paper_id, papers)` is called as each paper is drawn, then as each is printed."""
    title, question_ids, bank = _definition(course, exam_id)
    if bool(forms) == bool(roster):
        raise CourseError("give either --forms (lettered forms) or --roster (one paper per student)")
    if course.exam_dir(exam_id).exists() and not force:
        raise CourseError(f"{course.relative(course.exam_dir(exam_id))}/ already exists; its papers may be handed out",
                          hint="pass --force to draw it again (the old papers go once the new ones are drawn)")
    graded = _graded(course, exam_id)
    if graded:
        raise CourseError(f"{len(graded)} submissions of {exam_id} are graded against its current keys "
                          f"({course.relative(graded[0])}, ...); drawing again would leave those grades without their papers",
                          hint="move those autograded/ folders away first, or draw one student's paper again with reroll")
    holding = held(course, made_by(course, exam_id))
    if holding:
        raise CourseError(f"students already hold {', '.join(holding)}; drawing {exam_id} again would replace or "
                          "remove what they hold", hint="draw the new papers as another exam (a new id in c.Exam.exams), so "
                          f"theirs stays collectable; for one student's own paper, `course exam reroll {exam_id} STUDENT`")
    if forms:
        bad = [f for f in forms if len(f) != 1 or f.upper() not in LETTERS]
        if bad or len(set(f.upper() for f in forms)) != len(forms):
            raise CourseError(f"forms must be distinct letters A-{LETTERS[-1]}, not {' '.join(forms)}")
        if seed is None:
            raise CourseError("lettered forms need --seed (any integer; keep it to rebuild the forms)")
        key, ids, seeded = forms_key(seed), [f.upper() for f in forms], [form_student(f) for f in forms]
        mode = {"mode": "forms", "seed": seed}
    else:
        key = secret_of(course)
        ids = read_roster(roster)
        # A student's re-draws (reroll) survive --force, and so does a paper reroll drew for a newcomer:
        # nobody gets back a paper that was replaced, nobody who has a paper loses it.
        redrawn = _earlier_draws(course, exam_id) if force else {}
        ids += [sid for sid in redrawn if sid not in ids]
        seeded, mode = ids, {"mode": "roster", "secret_file": course.exam.secret_file}
    draws = redrawn if roster else {}
    papers = []
    for paper_id, seeded_as in zip(ids, seeded):
        papers.append(draw_paper(bank, exam_id, question_ids, key, paper_id, seeded_as, draws.get(paper_id, 0)))
        if on_paper:
            on_paper("drawing", paper_id, len(ids))
    made = registry(exam_id, title, mode["mode"], papers)
    earlier = check_free(course, exam_id, list(made))
    manifest = {
        "manifest_version": MANIFEST_VERSION, "exam": exam_id, "title": title, **mode,
        "questions": [{"id": q, "version": bank[q].meta.version, "points": bank[q].meta.points} for q in question_ids],
        "libraries": _library_versions(),
        "assignments": made,
        "papers": _drawn(papers),
    }
    if force:  # only now, with every paper drawn: a failure above leaves the old ones in place
        remove(course, earlier)
        shutil.rmtree(course.exam_dir(exam_id), ignore_errors=True)
    written = write_papers(course, exam_id, papers, manifest)
    written += write_assignments(course, exam_id, title, mode["mode"], papers)
    return written + write_printables(course, exam_id, title, papers, forms=mode["mode"] == "forms", on_paper=on_paper)


def _graded(course: Course, exam_id: str) -> list[Path]:
    """Grading records of this exam's papers, which name keys a new draw would replace."""
    found = []
    for aid in made_by(course, exam_id):
        found += sorted(course.root.glob(f"{course.nbgrader.autograded_directory}/*/{aid}/result.json"))
    return found


def _earlier_draws(course: Course, exam_id: str) -> dict[str, int]:
    try:
        manifest = read_manifest(course, exam_id)
    except CourseError:
        return {}
    return {pid: entry["draw"] for pid, entry in manifest["papers"].items()} if manifest["mode"] == "roster" else {}


def _drawn(papers: list[Paper]) -> dict:
    return {p.id: {"draw": p.draw, "seeds": {d.question.id: d.seed for d in p.questions}} for p in papers}


def reroll(*, course: Course, exam_id: str, student_id: str) -> tuple[Paper, list[Path]]:
    """Draw one student's paper again (draw + 1), or a first one for a student not on the roster.
    Every other paper is redrawn from the manifest and must come out byte-identical, so a changed
    generator or library can never silently change a classmate's key."""
    title, question_ids, bank = _definition(course, exam_id)
    manifest = read_manifest(course, exam_id)
    if manifest["mode"] != "roster":
        raise CourseError(f"{exam_id} was drawn as lettered forms, which students share",
                          hint="reroll re-draws a student's own paper, from an exam drawn with --roster")
    changed = [q["id"] for q in manifest["questions"] if q["id"] not in bank or bank[q["id"]].meta.version != q["version"]]
    if changed or [q["id"] for q in manifest["questions"]] != question_ids:
        raise CourseError(f"{exam_id}'s questions changed since its papers were drawn ({', '.join(changed) or 'the list'})",
                          hint="a reroll would change other students' papers; generate the whole exam again with --force")
    sid = student(student_id).seed_key
    if not sid:
        raise CourseError("give the student id to draw a paper for")
    twin = [p for p in manifest["papers"] if p != sid and student(p).file_name == student(sid).file_name]
    if twin:
        raise CourseError(f"{student_id} and {twin[0]} would share one paper file ({student(sid).file_name})",
                          hint="use the student id exactly as the roster has it")
    draws = {paper_id: entry["draw"] for paper_id, entry in manifest["papers"].items()}
    draws[sid] = draws[sid] + 1 if sid in draws else 0
    secret = secret_of(course)
    papers = [draw_paper(bank, exam_id, question_ids, secret, pid, pid, draw) for pid, draw in draws.items()]
    for paper in papers:
        kept = course.exam_paper_file(exam_id, "keys", paper.id)
        if paper.id != sid and (not kept.is_file() or kept.read_text(encoding="utf-8") != _key_file(exam_id, paper)):
            raise CourseError(f"paper {paper.id} no longer comes out as it was drawn: a library or generator changed",
                              hint="nothing was written; generate the whole exam again with --force")
    manifest.pop("not_in_moodle", None)
    manifest["papers"] = _drawn(papers)
    written = write_papers(course, exam_id, papers, manifest)
    (paper,) = [p for p in papers if p.id == sid]
    written += write_student_copies(course, exam_id, [paper])
    for aid, entry in course.exam_assignments().items():  # a grade against the old paper is a grade of nothing
        for submitter in submitted_students(course, aid) if entry["exam"] == exam_id else []:
            if student(submitter).seed_key == sid:
                course.record_path(submitter, aid).unlink(missing_ok=True)
    return paper, written + write_printables(course, exam_id, title, [paper], forms=False)
