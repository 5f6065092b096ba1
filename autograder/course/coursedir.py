"""Finds the course, loads course_config.py, and is the only module that builds course paths."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import TraitError
from traitlets.config import Config, PyFileConfigLoader

from . import settings
from .errors import CourseError
from .identity import safe_file_name

CONFIG_FILE = "course_config.py"
# Reviewed files beside an assignment's source, for staff only: c.CourseDirectory.ignore in
# course_config.py keeps nbgrader from releasing them.
REQUIREMENTS_FILE = "requirements.toml"
EQUIVALENT_MUTANTS_FILE = "equivalent_mutants.toml"
_OUR_SECTIONS = {
    "Course": settings.Course,
    "Checks": settings.Checks,
    "Grading": settings.Grading,
    "Sandbox": settings.Sandbox,
    "Collect": settings.Collect,
    "Slurm": settings.Slurm,
    "Exam": settings.Exam,
    "ExchangeService": settings.ExchangeService,
}


def find_root(start: Path | None = None) -> Path:
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise CourseError(
        f"no {CONFIG_FILE} in {start} or any folder above it",
        hint="run `course` inside the course folder, or pass --course-dir",
    )


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(choices))}"


def load_config(root: Path) -> Config:
    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except Exception as exc:  # the file is user-written Python: any error is a config error
        line = getattr(exc, "lineno", None)
        where = f"{CONFIG_FILE}, line {line}" if line else CONFIG_FILE
        raise CourseError(
            f"{where} could not be loaded: {type(exc).__name__}: {exc}",
            hint="fix the file; it is Python, run with `c = get_config()` in scope",
        ) from None
    for section, cls in _OUR_SECTIONS.items():
        for key in config.get(section, {}):
            if key not in cls.class_trait_names(config=True):
                raise CourseError(
                    f"{CONFIG_FILE}: unknown option c.{section}.{key}",
                    hint=_suggest(key, cls.class_trait_names(config=True)),
                )
    return config


@dataclass
class Course:
    root: Path
    config: Config
    syllabus: settings.Course  # c.Course: the title, the assignments, where solutions and cases live
    validation: settings.Checks  # c.Checks: how `course validate` proves the hidden checks
    grading: settings.Grading
    sandbox: settings.Sandbox
    collect: settings.Collect
    slurm: settings.Slurm
    exam: settings.Exam
    exchange_service: settings.ExchangeService
    lms: settings.LMS
    nbgrader: CourseDirectory
    # nbgrader's own per-cell time limit (c.Execute.timeout), read typed through the class that owns it:
    # plain `nbgrader autograde` and our runs then agree on it, default included.
    execute: Execute

    @classmethod
    def load(cls, root: Path | None = None) -> "Course":
        root = find_root(root)
        config = load_config(root)
        try:
            syllabus = settings.Course(config=config)
            validation = settings.Checks(config=config)
            grading = settings.Grading(config=config)
            sandbox = settings.Sandbox(config=config)
            collect = settings.Collect(config=config)
            slurm = settings.Slurm(config=config)
            exam = settings.Exam(config=config)
            exchange_service = settings.ExchangeService(config=config)
            lms = settings.LMS(config=config)
            nbgrader = CourseDirectory(config=config, root=str(root))
            execute = Execute(config=config)
        except TraitError as exc:
            raise CourseError(f"{CONFIG_FILE}: {exc}", hint="correct that entry") from None
        if execute.timeout is None or execute.timeout <= 0:  # nbgrader allows "no limit"; a grading run may not
            raise CourseError(f"{CONFIG_FILE}: c.Execute.timeout is {execute.timeout}",
                              hint="set it to the seconds one cell may run, e.g. c.Execute.timeout = 300")
        return cls(root=root, config=config, syllabus=syllabus, validation=validation, grading=grading,
                   sandbox=sandbox, collect=collect, slurm=slurm, exam=exam,
                   exchange_service=exchange_service, lms=lms, nbgrader=nbgrader, execute=execute)

    # --- assignments -------------------------------------------------------------------
    @property
    def assignment_ids(self) -> list[str]:
        """The coursework of course_config.py; exam papers are acted on by name."""
        return sorted(self.syllabus.assignments)

    def exam_assignments(self) -> dict[str, dict]:
        """Exam papers `course exam generate` made into assignments, from each exam's manifest:
        id -> {exam, paper (a form's letter, or None: each student's own), title, deadline, points}."""
        found = {}
        for path in sorted((self.root / self.exam.output_directory).glob("*/manifest.json")):
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
                found.update({aid: {**entry, "exam": manifest["exam"]}
                              for aid, entry in manifest.get("assignments", {}).items()})
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                raise CourseError(f"{self.relative(path)} cannot be read ({type(exc).__name__})",
                                  hint="generate the exam again with `course exam generate ... --force`") from None
        return found

    def assignment(self, assignment_id: str) -> dict:
        """An assignment's title, deadline (None for an exam without one) and points per graded cell."""
        if assignment_id in self.syllabus.assignments:
            return self.syllabus.assignments[assignment_id]
        return self.exam_assignments()[assignment_id]

    def resolve(self, requested: list[str] | None) -> list[str]:
        """The assignments a command acts on: all configured ones, or the requested ones checked."""
        ids = list(requested or self.assignment_ids)
        for assignment_id in ids:
            if assignment_id not in self.syllabus.assignments and assignment_id not in self.exam_assignments():
                known = [*self.assignment_ids, *self.exam_assignments()]
                raise CourseError(
                    f"unknown assignment {assignment_id!r}",
                    hint=_suggest(assignment_id, known) if known else
                    "add it to c.Course.assignments in course_config.py",
                )
            if not self.source_notebooks(assignment_id):
                raise CourseError(
                    f"assignment {assignment_id!r} has no notebook in {self.source_dir(assignment_id)}",
                    hint="add its source notebook there, or remove it from course_config.py",
                )
        return ids

    def points(self, assignment_id: str) -> dict[str, float]:
        return dict(self.assignment(assignment_id)["points"])

    # --- paths -------------------------------------------------------------------------
    def _under(self, directory: str, assignment_id: str) -> Path:
        return self.root / directory / assignment_id

    def source_dir(self, assignment_id: str) -> Path:
        return self._under(self.nbgrader.source_directory, assignment_id)

    def release_dir(self, assignment_id: str) -> Path:
        return self._under(self.nbgrader.release_directory, assignment_id)

    def solutions_dir(self, assignment_id: str) -> Path:
        return self._under(self.syllabus.solutions_directory, assignment_id)

    def cases_dir(self, assignment_id: str) -> Path:
        return self._under(self.syllabus.cases_directory, assignment_id)

    def requirements_path(self, assignment_id: str) -> Path:
        """The requirement table beside the source: what the prompt asks and what guards it."""
        return self.source_dir(assignment_id) / REQUIREMENTS_FILE

    def equivalent_mutants_path(self, assignment_id: str) -> Path:
        """The reviewed list of mutants of the solution that no check can tell from it, with reasons."""
        return self.source_dir(assignment_id) / EQUIVALENT_MUTANTS_FILE

    def submissions_root(self) -> Path:
        return self.root / self.nbgrader.submitted_directory

    def submission_dir(self, student_id: str, assignment_id: str) -> Path:
        return self.submissions_root() / student_id / assignment_id

    def autograded_dir(self, student_id: str, assignment_id: str) -> Path:
        return self.root / self.nbgrader.autograded_directory / student_id / assignment_id

    def record_path(self, student_id: str, assignment_id: str) -> Path:
        """The grading record of one submission, beside its executed notebook."""
        return self.autograded_dir(student_id, assignment_id) / "result.json"

    def exam_bank_dir(self) -> Path:
        return self.root / self.exam.bank_directory

    def exam_dir(self, exam_id: str) -> Path:
        """What `course exam generate` writes for one exam: papers, keys, exports, manifest."""
        return self.root / self.exam.output_directory / exam_id

    def exam_paper_file(self, exam_id: str, folder: str, paper_id: str, suffix: str = ".json") -> Path:
        """One paper's file in exams/<exam>/<folder>/; a paper id (a student id) made safe as a name."""
        return self.exam_dir(exam_id) / folder / (safe_file_name(paper_id) + suffix)

    def slurm_runs_dir(self, assignment_id: str) -> Path:
        """One folder per Slurm grading run: its units, batch script, job ids and task logs."""
        return self.root / "slurm" / assignment_id

    def feedback_file(self, student_id: str, assignment_id: str) -> Path:
        """Named after the notebook, where `nbgrader release_feedback` looks for it."""
        notebook_id = self.source_notebooks(assignment_id)[0].stem
        return self.root / self.nbgrader.feedback_directory / student_id / assignment_id / f"{notebook_id}.html"

    def reports_dir(self, assignment_id: str) -> Path:
        return self.root / "reports" / assignment_id

    def sqlite_gradebook(self) -> Path | None:
        """The gradebook's file when it is SQLite (student code must not see it), else None."""
        url = self.nbgrader.db_url
        return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None

    def source_notebooks(self, assignment_id: str) -> list[Path]:
        folder = self.source_dir(assignment_id)
        return sorted(folder.glob("*.ipynb")) if folder.is_dir() else []

    def relative(self, path: Path) -> str:
        """A path as users should see it: relative to the course root."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


MANIFEST_VERSION = 2  # 2: assignments, code cases and difficulty in the keys


def read_manifest(course: Course, exam_id: str) -> dict:
    path = course.exam_dir(exam_id) / "manifest.json"
    if not path.is_file():
        raise CourseError(f"{exam_id} has not been generated ({course.relative(path)} is missing)",
                          hint=f"run `course exam generate {exam_id} --roster <students.csv>` first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        version, _ = manifest["manifest_version"], manifest["papers"]  # both must be there
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CourseError(f"{course.relative(path)} cannot be read ({type(exc).__name__})",
                          hint=f"generate {exam_id} again with --force") from None
    if version != MANIFEST_VERSION:
        raise CourseError(f"{exam_id} was generated by an older version of this tool (manifest {version})",
                          hint=f"generate {exam_id} again with --force") from None
    return manifest
