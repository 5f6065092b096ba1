"""Mutants of a solution notebook's code: the small slips a student makes, each applied alone.

No mutation tool served as it is: mutmut, cosmic-ray and mutpy mutate files of a package and judge
each mutant by running pytest, while our code under test is functions inside notebook cells, judged
by hidden checks through a kernel; and none ships the array and deep-learning slips (an axis
changed, keepdims or `.to(device)` dropped, train/eval swapped) that matter here. The standard
`ast` module parses and rewrites the solution's code; a mutant is the unparsed function.

Only code inside a cell's solution regions (`### BEGIN SOLUTION` ... `### END SOLUTION`; the whole
cell where it has none, as an exam form's worked answers) is mutated: the signatures and given code
around them are the prompt's, not the student's.
"""

from __future__ import annotations

import ast
import copy
import difflib
import re
from dataclasses import dataclass
from typing import Callable, Iterator

from ..course.notebooks import nbgrader_meta
from .cases import is_demo, replace_def, top_level_defs

_BEGIN, _END = re.compile(r"^\s*### BEGIN SOLUTION\s*$"), re.compile(r"^\s*### END SOLUTION\s*$")

_COMPARE_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
                  ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_ARITHMETIC_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
                     ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.MatMult: ast.Mult}
_REDUCTION_SWAPS = {"mean": "sum", "sum": "mean", "nanmean": "nansum", "nansum": "nanmean"}
_MODE_SWAPS = {"train": "eval", "eval": "train"}
_DROPPED_CALLS = ("to", "detach", "cuda", "cpu")  # x.to(device) -> x: the result of the call is its receiver
_GRAD_CONTEXTS = ("no_grad", "inference_mode")
_FITS = ("fit", "fit_transform", "partial_fit")
_AXIS_KEYWORDS = ("axis", "dim")
# Whose two arguments may change places: swapping them makes no mutant, only a copy of the solution.
_SYMMETRIC = ("maximum", "minimum", "add", "multiply", "logaddexp", "isclose", "allclose", "array_equal")


@dataclass(frozen=True)
class Mutant:
    function: str  # the top-level definition mutated (a function, a class, an exam answer)
    operator: str
    diff: str  # the changed lines, "- old" then "+ new"
    code: str  # the whole mutated definition
    cell_id: str

    @property
    def key(self) -> str:
        """Stable while the solution's code is: how the file of equivalent mutants names one."""
        changed = " | ".join(line[2:].strip() for line in self.diff.splitlines())
        return f"{self.function}: {changed}"


def solution_lines(source: str) -> set[int]:
    """1-based line numbers of the cell's code inside its solution regions (all lines where it has none)."""
    lines = source.splitlines()
    if not any(_BEGIN.match(line) for line in lines):
        return set(range(1, len(lines) + 1))
    inside, marked = False, set()
    for number, line in enumerate(lines, start=1):
        if _BEGIN.match(line):
            inside = True
        elif _END.match(line):
            inside = False
        elif inside:
            marked.add(number)
    return marked


# --- the operators: each takes a node and yields (operator name, replacement node or list of statements)

def _number_changes(node):
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        for delta in (1, -1):
            yield "constant +-1", ast.Constant(node.value + delta)
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield "True <-> False", ast.Constant(not node.value)


def _operator_swaps(node):
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            if type(op) in _COMPARE_SWAPS:
                new = copy.copy(node)
                new.ops = [*node.ops[:index], _COMPARE_SWAPS[type(op)](), *node.ops[index + 1:]]
                yield "comparison swapped", new
    elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _ARITHMETIC_SWAPS:
        new = copy.copy(node)
        new.op = _ARITHMETIC_SWAPS[type(node.op)]()
        yield "arithmetic swapped", new
    elif isinstance(node, ast.BoolOp):
        new = copy.copy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "and <-> or", new
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        yield "sign or negation dropped", node.operand


def _argument_changes(node, names: set[str]):
    if not isinstance(node, ast.Call):
        return
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    for index in range(len(positional)):
        new = copy.copy(node)
        new.args = [a for a in node.args if a is not positional[index]]
        yield "argument dropped", new
    symmetric = getattr(node.func, "attr", getattr(node.func, "id", None)) in _SYMMETRIC
    for index in range(0 if symmetric else len(positional) - 1):
        new = copy.copy(node)
        args = list(node.args)
        a, b = args.index(positional[index]), args.index(positional[index + 1])
        args[a], args[b] = args[b], args[a]
        new.args = args
        yield "arguments swapped", new
    for keyword in node.keywords:
        if keyword.arg is None:
            continue
        new = copy.copy(node)
        new.keywords = [k for k in node.keywords if k is not keyword]
        yield f"{keyword.arg}= dropped", new
        if keyword.arg in _AXIS_KEYWORDS and isinstance(keyword.value, (ast.Constant, ast.UnaryOp)):
            for other in (0, -1, 1):
                new = copy.copy(node)
                new.keywords = [ast.keyword(k.arg, ast.Constant(other)) if k is keyword else k for k in node.keywords]
                yield f"{keyword.arg} changed", new
    if isinstance(node.func, ast.Attribute):
        method = node.func.attr
        if method in _DROPPED_CALLS:
            yield f".{method}() dropped", node.func.value
        for table, operator in ((_REDUCTION_SWAPS, "mean <-> sum"), (_MODE_SWAPS, "train() <-> eval()")):
            if method in table:
                new = copy.copy(node)
                new.func = copy.copy(node.func)
                new.func.attr = table[method]
                yield operator, new
        if method in _FITS:
            yield from _wrong_split(node, names)


def _wrong_split(node: ast.Call, names: set[str]):
    """fit(X_train) -> fit(X_val): another name of the function that shares the argument's prefix."""
    for index, arg in enumerate(node.args):
        if not isinstance(arg, ast.Name) or "_" not in arg.id:
            continue
        prefix = arg.id.split("_")[0] + "_"
        for other in sorted(n for n in names if n.startswith(prefix) and n != arg.id):
            new = copy.copy(node)
            new.args = [ast.Name(other, ast.Load()) if i == index else a for i, a in enumerate(node.args)]
            yield "fit on another split", new


def _statement_drops(node, lines: set[int]):
    """Each statement of `node`'s bodies dropped, and a `with torch.no_grad():` unwrapped (as
    (body field, statements) to put in its place)."""
    for field_name in ("body", "orelse", "finalbody"):
        body = getattr(node, field_name, None)
        if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
            continue
        for index, statement in enumerate(body):
            if statement.lineno not in lines or _is_docstring(statement, index):
                continue
            yield "statement dropped", (field_name, body[:index] + body[index + 1:] or [ast.Pass()])
            if isinstance(statement, ast.With) and any(_calls(item.context_expr, _GRAD_CONTEXTS) for item in statement.items):
                yield "no_grad() dropped", (field_name, body[:index] + statement.body + body[index + 1:])


def _decorator_drops(node, lines: set[int]):
    for index, decorator in enumerate(getattr(node, "decorator_list", [])):
        if decorator.lineno in lines:
            new = copy.copy(node)
            new.decorator_list = [d for i, d in enumerate(node.decorator_list) if i != index]
            yield "decorator dropped", new


def _is_docstring(statement, index: int) -> bool:
    return index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, str)


def _calls(node, names) -> bool:
    func = getattr(node, "func", None)
    return getattr(func, "attr", getattr(func, "id", None)) in names


# --- applying them


def _sites(definition: ast.AST) -> list[ast.AST]:
    """Every node, in an order a copy of the tree repeats. A node is changed only where it lies on a
    solution line, but a statement there may sit in the body of a given one (a method's `def`)."""
    return list(ast.walk(definition))


def _bound_names(definition: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(definition) if isinstance(n, ast.Name)} | \
           {a.arg for n in ast.walk(definition) if isinstance(n, ast.arguments) for a in (*n.args, *n.kwonlyargs)}


def _replace(root: ast.AST, target: ast.AST, replacement) -> ast.AST:
    """`root` with `replacement` where `target` is (a node, or (body field, statements) for a body
    of `target`'s)."""
    if isinstance(replacement, tuple):
        field_name, statements = replacement
        setattr(target, field_name, statements)
        return root
    if target is root:
        return replacement
    for parent in ast.walk(root):
        for field_name, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field_name, replacement)
                return root
            if isinstance(value, list) and any(v is target for v in value):
                setattr(parent, field_name, [replacement if v is target else v for v in value])
                return root
    return root


def _mutations(definition: ast.AST, lines: set[int]) -> Iterator[tuple[str, Callable[[ast.AST], ast.AST]]]:
    """(operator, apply) pairs; `apply(fresh)` makes the change in a fresh copy of `definition` and
    returns the mutated definition."""
    names = _bound_names(definition)
    for position, site in enumerate(_sites(definition)):
        changes = [*_statement_drops(site, lines), *_decorator_drops(site, lines)]
        if getattr(site, "lineno", None) in lines and site is not definition:
            changes += [*_number_changes(site), *_operator_swaps(site), *_argument_changes(site, names)]
        for operator, replacement in changes:
            yield operator, _applier(position, replacement)


def _applier(position: int, replacement):
    def apply(fresh: ast.AST) -> ast.AST:
        # The replacement was built from the original tree: a copy of it goes into the fresh one.
        return _replace(fresh, _sites(fresh)[position], copy.deepcopy(replacement))
    return apply


def _diff(before: str, after: str) -> str:
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return "\n".join(f"{line[0]} {line[1:]}" for line in changed)


def mutants_of(source_nb, only: set[str] | None = None) -> list[Mutant]:
    """Every mutant of the notebook's solution code (of the definitions in `only`, when given), each
    once (mutations that unparse to the same code count once) and each compiling."""
    found: list[Mutant] = []
    for cell in source_nb.cells:
        if cell.cell_type != "code" or not nbgrader_meta(cell).get("solution") or is_demo(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        lines = solution_lines(cell.source)
        for name, definition in top_level_defs(tree).items():
            if only is not None and name not in only:
                continue
            original, seen = ast.unparse(definition), set()
            for operator, apply in _mutations(definition, lines):
                code = ast.unparse(ast.fix_missing_locations(apply(copy.deepcopy(definition))))
                if code == original or code in seen:
                    continue
                seen.add(code)
                try:
                    compile(code, "<mutant>", "exec")
                except (SyntaxError, ValueError):
                    continue
                found.append(Mutant(name, operator, _diff(original, code), code, cell.get("id", "")))
    return found


def mutant_notebook(source_nb, mutant: Mutant | None):
    """The solution notebook with the mutant in place of its definition (None: the solution itself),
    demo cells left out (as a known mistake's: the point is the test cells)."""
    nb = copy.deepcopy(source_nb)
    nb.cells = [cell for cell in nb.cells if not is_demo(cell)]
    if mutant is None:
        return nb
    cell = next(c for c in nb.cells if c.get("id", "") == mutant.cell_id)
    cell.source = replace_def(cell.source, mutant.function, mutant.code)
    return nb
