"""Matrix factorization: parameters of a rank-k model with biases."""

import torch

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Parameters of a matrix factorization", lecture="L08 matrix factorization", points=1,
            version=1, band={"rank": (8, 64)})


def generate(rng):
    users = int(rng.integers(50, 2001))
    items = int(rng.integers(20, 501))
    rank = int(rng.choice([8, 16, 32, 64]))
    biases = bool(rng.integers(2))
    count = (users + items) * rank + ((users + items + 1) if biases else 0)
    mistakes = (users * items, users * items * rank, (users + items) * rank + (0 if biases else users + items + 1))
    with_bias = (" with a bias per user, a bias per item and one global bias" if biases else " without biases")
    text = (f"A recommender approximates the {users} x {items} rating matrix by a rank-{rank} factorization "
            f"$\\hat R = U V^T${with_bias}. How many parameters does it learn?")
    return Variant(text, Integer(count, tuple(m for m in mistakes if m != count)),
                   {"users": users, "items": items, "rank": rank, "biases": biases}, {"rank": rank})


def execute(params):
    u, i, k = params["users"], params["items"], params["rank"]
    modules = [torch.nn.Embedding(u, k), torch.nn.Embedding(i, k)]
    if params["biases"]:
        modules += [torch.nn.Embedding(u, 1), torch.nn.Embedding(i, 1)]
    model = torch.nn.ModuleList(modules)
    return sum(p.numel() for p in model.parameters()) + (1 if params["biases"] else 0)
