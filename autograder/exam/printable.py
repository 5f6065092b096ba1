"""Printable papers and keys: an HTML page per paper and a separate key page (with worked answers
where the generator gives them), and PDFs of both printed by headless Chromium.

Math is converted to MathML here (latex2mathml) rather than typeset by MathJax in the browser:
the pages must print the same offline, on a machine that cannot fetch a script.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import mistune
from latex2mathml.converter import convert as latex_to_mathml
from markupsafe import Markup

from ..checks.exam.question import Choice, Code, Number
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.files import write_atomically
from ..reports.pages import render

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
_markdown = mistune.create_markdown(escape=True)
PDF_SECONDS = 60


def markdown_html(text: str) -> Markup:
    """Markdown with $...$ and $$...$$ math as MathML. Math is cut out before the markdown pass
    (its underscores and backslashes would be read as emphasis and escapes) and put back after."""
    pieces: list[str] = []

    def keep(match: re.Match) -> str:
        block, inline = match.group(1), match.group(2)
        pieces.append(_mathml(block or inline, "block" if block else "inline"))
        return f"MATHPIECE{len(pieces) - 1}X"

    html = _markdown(_MATH.sub(keep, text))
    return Markup(re.sub(r"MATHPIECE(\d+)X", lambda m: pieces[int(m.group(1))], html))


@functools.lru_cache(maxsize=4096)  # a roster's papers repeat most formulas; a conversion takes about 1 ms
def _mathml(latex: str, display: str) -> str:
    return latex_to_mathml(latex, display=display)


def _question(drawn) -> dict:
    answer = drawn.variant.answer
    return {
        "title": drawn.question.meta.title, "points": drawn.question.meta.points, "kind": answer.kind,
        "text_html": markdown_html(drawn.variant.text), "instructions": answer.instructions(),
        "options": [markdown_html(o) for o in answer.options] if isinstance(answer, Choice) else [],
        "key": answer.shown() if isinstance(answer, Code) else markdown_html(answer.shown()),
        "tolerance": answer.tolerance if isinstance(answer, Number) else None,
        "worked_html": markdown_html(drawn.variant.worked) if drawn.variant.worked else None,
    }


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_pdf(page: Path, pdf: Path) -> None:
    browser = chromium()
    if browser is None:
        raise CourseError("printing PDFs needs Chromium", hint="apt-get install chromium (the HTML pages are written)")
    with tempfile.TemporaryDirectory() as profile:  # a fresh profile: no first-run state, no lock of another run
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
             "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=PDF_SECONDS)
    if done.returncode != 0 or not pdf.is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise CourseError(f"Chromium could not print {page.name}: {last}")
    pdf.write_bytes(_PDF_DATES.sub(_undated, pdf.read_bytes()))
    pdf.chmod(0o600)  # a key: the owner's only, like every other file written here


# Chromium stamps the time of printing into a PDF; without it two generations are byte-identical.
# The stamp is replaced by one of the same length, so the PDF's byte offsets stay right.
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})")


def _undated(match: re.Match) -> bytes:
    return b"/" + match.group(1) + b" (D:" + b"0" * len(match.group(2))


def write_printables(course: Course, exam_id: str, title: str, papers, *, forms: bool, on_paper=None) -> list[Path]:
    """exams/<exam>/print/<paper>.html and <paper>-key.html; for forms, a PDF of each too (when
    c.Exam.print_pdfs and Chromium is here; without it the pages are written and the PDFs skipped,
    see `chromium()`)."""
    written = []
    for paper in papers:
        label = f"Form {paper.id}" if forms else f"Paper of {paper.id}"
        questions = [_question(d) for d in paper.questions]
        for key, suffix in ((False, ""), (True, "-key")):
            page = course.exam_paper_file(exam_id, "print", paper.id + suffix, ".html")
            write_atomically(page, render("exam_paper.html.j2", title=title, label=label, key=key,
                                                  questions=questions))
            written.append(page)
            if forms and course.exam.print_pdfs and chromium():
                print_pdf(page, page.with_suffix(".pdf"))
                written.append(page.with_suffix(".pdf"))
        if on_paper:
            on_paper("printing", paper.id, len(papers))
    return written
