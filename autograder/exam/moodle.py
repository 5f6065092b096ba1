"""Moodle XML of an exam's papers: one category per question, each paper's variant a question in it,
so a Moodle quiz draws one random variant per student from each category ("random question").

Numbers keep their stated tolerance (Moodle's absolute `tolerance`), integers are numerical with
tolerance 0, multiple choice keeps the shuffled order with `shuffleanswers` off (the key's letter
stays right), free text becomes an essay with the model answer as grader information. A function
graded by tests has no Moodle type without plug-ins (CodeRunner): it is left out, and said so.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ..checks.exam.question import Choice, FreeText, Integer, Number

if TYPE_CHECKING:  # generate imports this module to write the file
    from .generate import Paper

_INLINE_MATH = re.compile(r"\$(.+?)\$", re.DOTALL)


def _text(parent: ET.Element, tag: str, value: str, html: bool = False) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": "html"} if html else {})
    ET.SubElement(element, "text").text = value
    return element


def _question(paper: Paper, index: int) -> ET.Element | None:
    drawn = paper.questions[index]
    answer = drawn.variant.answer
    kinds = {Number: "numerical", Integer: "numerical", Choice: "multichoice", FreeText: "essay"}
    if type(answer) not in kinds:
        return None
    question = ET.Element("question", {"type": kinds[type(answer)]})
    _text(question, "name", f"{drawn.question.id} ({paper.id})")
    text = _INLINE_MATH.sub(r"\\(\1\\)", drawn.variant.text)  # Moodle's MathJax filter reads \( \), not $ $
    _text(question, "questiontext", f"<p>{text}</p><p><em>{answer.instructions()}</em></p>", html=True)
    ET.SubElement(question, "defaultgrade").text = f"{drawn.question.meta.points:g}"
    if isinstance(answer, (Number, Integer)):
        correct = ET.SubElement(question, "answer", {"fraction": "100"})
        ET.SubElement(correct, "text").text = repr(float(answer.value)) if isinstance(answer, Number) else str(answer.value)
        ET.SubElement(correct, "tolerance").text = f"{answer.tolerance:g}" if isinstance(answer, Number) else "0"
    elif isinstance(answer, Choice):
        ET.SubElement(question, "single").text = "true"
        ET.SubElement(question, "shuffleanswers").text = "false"
        ET.SubElement(question, "answernumbering").text = "ABCD"
        for position, option in enumerate(answer.options):
            choice = _text(question, "answer", option, html=True)
            choice.set("fraction", "100" if position == answer.correct else "0")
    else:
        _text(question, "graderinfo", f"<p>{answer.model_answer}</p><p>{answer.rubric}</p>", html=True)
    return question


def moodle_xml(exam_id: str, papers: list[Paper]) -> tuple[str, list[str]]:
    """The quiz XML, and the ids of questions left out (no Moodle type)."""
    quiz = ET.Element("quiz")
    left_out: list[str] = []
    for index, drawn in enumerate(papers[0].questions):
        category = ET.SubElement(quiz, "question", {"type": "category"})
        _text(category, "category", f"$course$/{exam_id}/{index + 1:02d} {drawn.question.id}")
        for paper in papers:
            question = _question(paper, index)
            if question is not None:
                quiz.append(question)
            elif drawn.question.id not in left_out:
                left_out.append(drawn.question.id)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n", left_out
