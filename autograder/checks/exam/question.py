"""What a question generator returns: the text a student reads, the answer with how it is graded,
the parameters the key is recomputed from, and the measures of its difficulty.

A question is a folder exam_bank/<id>/ whose question.py defines
    META: Meta                                  what it is, its points, its stated difficulty band
    generate(rng: numpy.random.Generator) -> Variant   the key from the closed form
    execute(params: dict) -> the key again, by running the operation (torch float64, sklearn, numpy)
`course exam check` holds every generator to both keys agreeing, over many seeds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Union

import numpy as np
from dlmed import wire

LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class Meta:
    title: str
    lecture: str  # the lecture it examines
    points: float
    version: int  # bump when a change alters the variants a seed gives (recorded in manifests)
    band: dict[str, tuple[float, float]]  # difficulty measure -> (lowest, highest) any variant may have


@dataclass(frozen=True)
class Number:
    """A real number, accepted within ±tolerance (stated to the student)."""

    value: float
    tolerance: float
    decimals: int
    distractors: tuple[float, ...] = ()  # what typical mistakes give: must fall outside the tolerance
    kind = "number"

    def accepts(self, response) -> bool:
        try:
            given = float(str(response).strip().replace(",", "."))
        except ValueError:
            return False
        return math.isfinite(given) and abs(given - self.value) <= self.tolerance * (1 + 1e-9)

    def shown(self) -> str:
        return f"{self.value:.{self.decimals}f}"

    def instructions(self) -> str:
        return f"Give the number to {self.decimals} decimals; answers within ±{self.tolerance:g} count."


@dataclass(frozen=True)
class Integer:
    """An exact integer: a shape, a count."""

    value: int
    distractors: tuple[int, ...] = ()
    kind = "integer"

    def accepts(self, response) -> bool:
        try:
            given = float(str(response).strip())
        except ValueError:
            return False
        return given.is_integer() and int(given) == self.value

    def shown(self) -> str:
        return str(self.value)

    def instructions(self) -> str:
        return "Give a whole number; only the exact value counts."


# One option's letter, alone ("C", "(c)", "C.") or starting a copy of its option line ("C: ...", "c) ...").
_ONE_LETTER = re.compile(rf"[(\[]?([{LETTERS}])(?:[)\].:]\s*(.*))?", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Choice:
    """One correct option among shuffled ones, answered by its letter."""

    options: tuple[str, ...]
    correct: int  # index of the correct option, after shuffling
    kind = "choice"

    @staticmethod
    def letter(response) -> str | None:
        """The one option a response names, or None: "A, D", "AD" or "A: ... or D" hedge over two."""
        named = _ONE_LETTER.fullmatch(str(response).strip())
        if not named or re.search(rf"\b[{LETTERS}]\b", named.group(2) or ""):
            return None
        return named.group(1).upper()

    def accepts(self, response) -> bool:
        return self.letter(response) == LETTERS[self.correct]

    def shown(self) -> str:
        return f"{LETTERS[self.correct]}: {self.options[self.correct]}"

    def instructions(self) -> str:
        return "Answer with the letter of the one correct option."


@dataclass(frozen=True)
class Code:
    """A short function, called on fixed cases in the student's sandboxed kernel (a response is
    student code: never run here); what it returns is judged here against the closed-form values."""

    function: str
    reference: str  # source of a correct implementation (the key shown to graders)
    cases: tuple[tuple, ...]  # the arguments of each call, plain data
    expected: tuple  # what each call must return, from the closed form
    tolerance: float = 1e-6
    kind = "code"

    def wrong(self, index: int, returned) -> str | None:
        """Why what call `index` returned is not the expected value, or None when it is."""
        want = np.asarray(self.expected[index], dtype=float)
        if isinstance(returned, wire.TensorData):  # a torch tensor the student's function returned
            returned = returned.array
        try:
            got = np.asarray(returned, dtype=float)
        except (TypeError, ValueError):
            return f"returned {type(returned).__name__}, not numbers"
        if got.shape != want.shape:
            return f"returned shape {got.shape}, expected {want.shape}"
        if not np.all(np.isfinite(got)):
            return "returned inf or nan"
        if not np.allclose(got, want, rtol=0, atol=self.tolerance):
            return "returned values that are off"
        return None

    def returns_of(self, source: str) -> list:
        """What `source` (our own reference, or the bank's sample mistake or alternative: never a
        response) returns on the cases; `course exam check` judges it like a response."""
        namespace: dict = {"np": np}
        exec(source.format(name=self.function) if "{name}" in source else source, namespace)  # noqa: S102
        with np.errstate(all="ignore"):  # a sample mistake overflows: that is what it is for
            return [namespace[self.function](*args) for args in self.cases]

    def failures(self, source: str) -> list[str]:
        """Why each failing case of `source` fails (empty when it passes them all)."""
        return [f"case {i + 1}: {why}" for i, returned in enumerate(self.returns_of(source))
                if (why := self.wrong(i, returned))]

    def shown(self) -> str:
        return self.reference

    def instructions(self) -> str:
        return f"Write the function `{self.function}`; it is graded by calling it on test inputs."


@dataclass(frozen=True)
class FreeText:
    """Prose graded by a person in formgrader, against a model answer and rubric."""

    model_answer: str
    rubric: str
    kind = "free_text"

    def accepts(self, response) -> bool | None:
        return None  # a person decides

    def shown(self) -> str:
        return f"{self.model_answer}\n\nRubric: {self.rubric}"

    def instructions(self) -> str:
        return "Answer in a few sentences; graded by hand."


Answer = Union[Number, Integer, Choice, Code, FreeText]


@dataclass(frozen=True)
class Variant:
    text: str  # markdown the student reads (the answer's instructions are added when shown)
    answer: Answer
    params: dict  # plain data: what execute() recomputes the key from
    difficulty: dict[str, float] = field(default_factory=dict)
    worked: str = ""  # markdown: how the key is reached, step by step, for keys published with worked answers


def choice(rng: np.random.Generator, correct: str, distractors: list[str]) -> Choice:
    """The correct option among the distractors, in an order drawn from `rng`."""
    options = [correct, *distractors]
    if len(set(options)) != len(options):
        raise ValueError(f"options repeat: {options}")
    order = rng.permutation(len(options))
    shuffled = tuple(options[i] for i in order)
    return Choice(shuffled, shuffled.index(correct))


def matrix(values) -> str:
    """A vector or matrix as LaTeX, integers without decimals."""
    array = np.atleast_2d(np.asarray(values))
    rows = [" & ".join(f"{v:g}" for v in row) for row in array]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def apart(value: float, others, tolerance: float) -> bool:
    """Whether each of `others` (typical mistakes) lies well outside the tolerance around `value`;
    generators draw again until it does, so a mistake never earns the points."""
    return all(abs(other - value) > 2 * tolerance for other in others)


def connected_graph(rng: np.random.Generator, nodes: int, p: float = 0.5) -> list[tuple[int, int]]:
    """An undirected connected graph on `nodes` nodes, as a sorted edge list (nodes numbered from 0)."""
    while True:
        edges = [(a, b) for a in range(nodes) for b in range(a + 1, nodes) if rng.random() < p]
        reached, frontier = {0}, [0]
        while frontier:
            node = frontier.pop()
            for a, b in edges:
                for here, there in ((a, b), (b, a)):
                    if here == node and there not in reached:
                        reached.add(there)
                        frontier.append(there)
        if len(reached) == nodes:
            return edges


def edge_list(edges) -> str:
    return ", ".join(f"{a + 1}-{b + 1}" for a, b in edges)
