"""Mutation analysis: the mutants made of a solution's code, and `course validate --mutants` judging
them through the hidden checks in real kernels."""

import nbformat
import pytest

from autograder.authoring.mutation import mutant_notebook, mutants_of, solution_lines
from autograder.course import notebooks
from autograder.verbs.mutants import keyed, sampled
from tests.conftest import course_main

SOLUTION = '''def softmax(z, device="cpu"):
    """Given: the signature and this docstring."""
    ### BEGIN SOLUTION
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted).to(device)
    return e / e.sum(axis=-1, keepdims=True)
    ### END SOLUTION


def train(model, X_train, X_val):
    ### BEGIN SOLUTION
    model.train()
    scaler = StandardScaler().fit(X_train)
    with torch.no_grad():
        out = model(scaler.transform(X_val)).detach()
    return np.maximum(out, 0) if out.shape[0] > 1 else out
    ### END SOLUTION
'''


def _notebook(source=SOLUTION):
    cell = nbformat.v4.new_code_cell(source, id="solution")
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "solution", "locked": False,
                                 "schema_version": 3, "task": False}
    given = nbformat.v4.new_code_cell("def helper(x):\n    return x + 1\n", id="given")
    return nbformat.v4.new_notebook(cells=[given, cell])


def _diffs(mutants, operator):
    return [m.diff for m in mutants if m.operator == operator]


def test_every_slip_of_the_issue_is_made_once_and_only_inside_solution_regions():
    mutants = mutants_of(_notebook())
    assert {m.function for m in mutants} == {"softmax", "train"}  # not the given helper
    assert not any("def softmax" in m.diff or "Given" in m.diff for m in mutants)
    diffs = {m.operator: [] for m in mutants}
    for m in mutants:
        diffs[m.operator].append(m.diff.splitlines()[-1])
    assert "+     shifted = z - z.max(axis=-1)" in diffs["keepdims= dropped"]
    assert "+     shifted = z - z.max(axis=0, keepdims=True)" in diffs["axis changed"]
    assert "+     return e / e.mean(axis=-1, keepdims=True)" in diffs["mean <-> sum"]
    assert "+     e = np.exp(shifted)" in diffs[".to() dropped"]
    assert "+     shifted = z + z.max(axis=-1, keepdims=True)" in diffs["arithmetic swapped"]
    assert "+     model.eval()" in diffs["train() <-> eval()"]
    assert "+     scaler = StandardScaler().fit(X_val)" in diffs["fit on another split"]
    assert "+         out = model(scaler.transform(X_val))" in diffs[".detach() dropped"]
    assert any(d.startswith("+     out = model(") for d in diffs["no_grad() dropped"])
    assert "+     return np.maximum(out, 0) if out.shape[0] >= 1 else out" in diffs["comparison swapped"]
    assert "+     return np.maximum(out, 0) if out.shape[0] > 2 else out" in diffs["constant +-1"]
    assert any("model.train()" in m.diff and m.diff.count("\n") == 0 for m in mutants if m.operator == "statement dropped")
    # np.maximum's arguments may change places: no mutant is the solution written the other way round
    assert not any("np.maximum(0, out)" in d for d in diffs.get("arguments swapped", []))
    assert len({m.code for m in mutants}) == len(mutants)


def test_a_mutant_replaces_its_definition_alone_and_compiles():
    nb = _notebook()
    mutant = next(m for m in mutants_of(nb) if m.operator == "keepdims= dropped")
    cell = next(c for c in mutant_notebook(nb, mutant).cells if c.id == "solution")
    namespace = {}
    exec(compile(cell.source, "<cell>", "exec"), namespace)
    assert set(namespace) >= {"softmax", "train"}
    assert "z.max(axis=-1)" in cell.source and "model.train()" in cell.source
    assert nb.cells[1].source == SOLUTION  # the solution itself is untouched


def test_keys_are_unique_and_stable_and_a_sample_is_spread_evenly():
    mutants = mutants_of(_notebook())
    keys = [key for key, _ in keyed(mutants)]
    assert len(set(keys)) == len(keys) and keys == [key for key, _ in keyed(mutants_of(_notebook()))]
    assert sampled(list(range(10)), 3) == [0, 4, 9] and sampled([1, 2], 5) == [1, 2]


def test_a_cell_without_markers_is_solution_code_throughout():
    assert solution_lines("answer_07 = 0.25\n") == {1}
    assert solution_lines("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n") == {3}


def test_every_assignment_makes_mutants_of_each_solution_function(repo_course):
    for assignment_id in repo_course.assignment_ids:
        source_nb = notebooks.read(repo_course.source_notebooks(assignment_id)[0])
        defined = {name for cell in source_nb.cells if cell.cell_type == "code"
                   and notebooks.nbgrader_meta(cell).get("solution") for name in _defined(cell.source)}
        made = {m.function for m in mutants_of(source_nb)}
        assert made == defined, (assignment_id, defined - made)


def _defined(source):
    import ast

    from autograder.authoring.cases import top_level_defs

    return set(top_level_defs(ast.parse(source)))


@pytest.mark.slow
def test_the_verb_kills_mutants_in_real_kernels_lists_survivors_and_reads_the_recorded_equivalents(course_copy):
    """A line of relu's solution that does nothing makes mutants no check can kill: they are listed with
    their diff and fail the run until recorded as equivalent, with a reason; a record the solution no
    longer makes fails it too, and so does a solution that fails its own checks (where every mutant
    would survive for nothing)."""
    code, out = course_main(course_copy, "validate", "01_layer_math", "--mutants", "--only", "relu_grad")
    assert code == 0, out[-2000:]
    assert "test_activation_grads" in out and "kill rate 100.0%" in out

    source = course_copy.source_notebooks("01_layer_math")[0]
    nb = notebooks.read(source)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def relu(z)" in c.source)
    cell.source = cell.source.replace("### BEGIN SOLUTION\n", "### BEGIN SOLUTION\n    unused = 0\n")
    notebooks.write(nb, source)
    code, out = course_main(course_copy, "validate", "01_layer_math", "--mutants", "--only", "relu")
    flat = " ".join(out.split())
    assert code == 2 and "survived relu: unused = 0 | unused = 1" in flat and "under the aim of 95%" in flat, out[-2000:]

    survivors = [line.split("survived ", 1)[1] for line in out.splitlines() if line.startswith("survived ")]
    course_copy.equivalent_mutants_path("01_layer_math").write_text("".join(
        f'[[equivalent]]\nmutant = "{key}"\nreason = "unused is never read"\n\n' for key in survivors))
    code, out = course_main(course_copy, "validate", "01_layer_math", "--mutants", "--only", "relu")
    assert code == 0, out[-2000:]
    assert f"{len(survivors)} equivalent, 0 survived" in " ".join(out.split())

    cell.source = cell.source.replace("    unused = 0\n", "")
    notebooks.write(nb, source)
    code, out = course_main(course_copy, "validate", "01_layer_math", "--mutants", "--sample", "3")
    assert code == 2 and "records a mutant the solution no longer makes: relu: unused = 0" in " ".join(out.split())

    cell.source = cell.source.replace("return np.maximum(z, 0.0)", "return np.abs(z)")
    notebooks.write(nb, source)
    code, out = course_main(course_copy, "validate", "01_layer_math", "--mutants", "--only", "sigmoid_grad")
    assert code == 2 and "the solution itself fails under this run (test_activations: relu(" in " ".join(out.split())
