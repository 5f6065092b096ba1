"""Graph embeddings: where a uniform random walk (DeepWalk's) is after a few steps."""

import itertools
from fractions import Fraction

import numpy as np
import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, connected_graph, edge_list

META = Meta(title="Random-walk probabilities", lecture="L09 graph embeddings", points=2, version=1,
            band={"nodes": (4, 5), "steps": (2, 3)})
TOL = 0.005


def generate(rng):
    while True:
        nodes = int(rng.integers(4, 6))
        edges = connected_graph(rng, nodes)
        steps = int(rng.integers(2, 4))
        start, end = (int(v) for v in rng.integers(nodes, size=2))
        neighbours = {n: [b if a == n else a for a, b in edges if n in (a, b)] for n in range(nodes)}
        # every walk of `steps` steps from start, weighted by its probability
        value = 0.0
        for path in itertools.product(range(nodes), repeat=steps):
            probability, here = 1.0, start
            for there in path:
                probability *= (1 / len(neighbours[here])) if there in neighbours[here] else 0.0
                here = there
            value += probability if path[-1] == end else 0.0
        mistakes = (1 / len(neighbours[start]) if end in neighbours[start] else 0.5, value * 2)
        if value > 0.05 and apart(value, mistakes, TOL):
            break
    text = (f"An undirected graph on nodes 1-{nodes} has the edges {edge_list(edges)}. A uniform random walk "
            f"(each step to a neighbour chosen uniformly) starts at node {start + 1}. What is the probability "
            f"that it is at node {end + 1} after exactly {steps} steps?")
    return Variant(text, Number(value, TOL, 3, mistakes),
                   {"nodes": nodes, "edges": edges, "steps": steps, "start": start, "end": end},
                   {"nodes": nodes, "steps": steps}, worked=_worked(neighbours, nodes, steps, start, end, value))


def _worked(neighbours, nodes, steps, start, end, value):
    """The walk's distribution over the nodes, step by step, in exact fractions."""
    degree = [len(neighbours[n]) for n in range(nodes)]
    lines = [f"A step from node $n$ goes to each of its $d(n)$ neighbours with probability $1/d(n)$, so "
             f"$p_t(m) = \\sum_{{n \\sim m}} p_{{t-1}}(n) / d(n)$; the degrees of nodes 1-{nodes} are "
             f"${tuple(degree)}$, and $p_0$ puts everything on node {start + 1}."]
    p = [Fraction(int(n == start)) for n in range(nodes)]
    for t in range(1, steps + 1):
        p = [sum((p[n] / degree[n] for n in neighbours[m]), Fraction(0)) for m in range(nodes)]
        lines.append(f"$p_{t} = ({', '.join(str(v) for v in p)})$")
    lines.append(f"At node {end + 1} after {steps} steps: $p_{steps}({end + 1}) = {p[end]} \\approx {value:.3f}$")
    return "\n\n".join(lines)


def execute(params):
    A = np.zeros((params["nodes"], params["nodes"]))
    for a, b in params["edges"]:
        A[a, b] = A[b, a] = 1
    P = torch.tensor(A / A.sum(axis=1, keepdims=True), dtype=torch.float64)
    return torch.linalg.matrix_power(P, params["steps"])[params["start"], params["end"]].item()
