"""The question bank: one folder per question under the course's exam_bank/, each a question.py
with META, generate(rng) and execute(params) (see question.py). Loaded by path, so a course adds
questions without touching the package."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..checks.exam.question import Meta
from ..course.errors import CourseError


@dataclass(frozen=True)
class Question:
    id: str
    meta: Meta
    module: ModuleType

    def generate(self, rng):
        return self.module.generate(rng)

    def execute(self, params: dict):
        return self.module.execute(params)


def load_bank(folder: Path) -> dict[str, Question]:
    if not folder.is_dir():
        raise CourseError(f"no question bank at {folder}", hint="set c.Exam.bank_directory in course_config.py")
    bank = {}
    for path in sorted(folder.glob("*/question.py")):
        qid = path.parent.name
        spec = importlib.util.spec_from_file_location(f"exam_bank.{qid}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # an author's Python: any error is theirs to fix
            raise CourseError(f"question {qid} does not load: {type(exc).__name__}: {exc}",
                              hint=f"fix {path}") from None
        missing = [name for name in ("META", "generate", "execute") if not hasattr(module, name)]
        if missing or not isinstance(module.META, Meta):
            raise CourseError(f"question {qid} lacks {', '.join(missing) or 'a Meta as META'}",
                              hint=f"{path} must define META = Meta(...), generate(rng) and execute(params)")
        bank[qid] = Question(qid, module.META, module)
    if not bank:
        raise CourseError(f"the question bank {folder} has no <question>/question.py")
    return bank
