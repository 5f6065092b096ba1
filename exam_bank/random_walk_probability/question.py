"""Graph embeddings: where a uniform random walk (DeepWalk's) is after a few steps."""

import itertools

import numpy as np
import torch

from autograder.exam.question import Meta, Number, Variant, apart, connected_graph, edge_list

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
                   {"nodes": nodes, "steps": steps})


def execute(params):
    A = np.zeros((params["nodes"], params["nodes"]))
    for a, b in params["edges"]:
        A[a, b] = A[b, a] = 1
    P = torch.tensor(A / A.sum(axis=1, keepdims=True), dtype=torch.float64)
    return torch.linalg.matrix_power(P, params["steps"])[params["start"], params["end"]].item()
