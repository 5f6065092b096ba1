"""Softmax as code: a numerically stable implementation, graded by tests."""

import numpy as np

from autograder.exam.question import Code, Meta, Variant

META = Meta(title="A stable softmax", lecture="L02 activation functions", points=3, version=1,
            band={"largest_logit": (500, 1000)})
REFERENCE = '''def {name}(z):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
'''


def _tests(name: str, big: int) -> tuple[str, ...]:
    return (
        f"assert np.allclose({name}([1.0, 2.0, 3.0]), np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())",
        f"assert np.allclose({name}([{big}.0, {big}.0]), [0.5, 0.5])",
        f"assert np.all(np.isfinite({name}([{big}.0, 0.0, -{big}.0])))",
        f"assert np.allclose({name}(np.array([[0.0, 0.0], [0.0, {np.log(3):.12f}]])).sum(axis=1), 1)",
        f"assert np.allclose({name}(np.array([[0.0, 0.0], [0.0, {np.log(3):.12f}]]))[1], [0.25, 0.75])",
    )


def generate(rng):
    name = str(rng.choice(["softmax", "stable_softmax", "class_probabilities"]))
    big = int(rng.integers(500, 1001))
    text = (f"Write `{name}(z)`: the softmax of a vector, or of every row of a matrix, of logits. It must not "
            f"overflow for logits as large as {big}.")
    return Variant(text, Code(name, REFERENCE.format(name=name), _tests(name, big)), {"name": name, "big": big},
                   {"largest_logit": big})


def execute(params):
    """The reference, run against the tests: the key is sound when it passes them."""
    code = Code(params["name"], REFERENCE.format(name=params["name"]), _tests(params["name"], params["big"]))
    return code.reference_passes()
