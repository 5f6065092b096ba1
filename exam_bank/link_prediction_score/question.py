"""Link prediction by neighbourhood scores: Jaccard and Adamic-Adar."""

import math

import numpy as np

from autograder.checks.exam.question import Meta, Number, Variant, apart, connected_graph, edge_list

META = Meta(title="Link prediction scores", lecture="L09 graphs and link prediction", points=2, version=1,
            band={"nodes": (6, 6), "common_neighbours": (1, 4)})
TOL = 0.005


def generate(rng):
    while True:
        edges = connected_graph(rng, 6, p=0.45)
        neighbours = {n: {b if a == n else a for a, b in edges if n in (a, b)} for n in range(6)}
        pairs = [(u, v) for u in range(6) for v in range(u + 1, 6) if v not in neighbours[u]
                 and neighbours[u] & neighbours[v]]
        if not pairs:
            continue
        u, v = pairs[int(rng.integers(len(pairs)))]
        common = neighbours[u] & neighbours[v]
        score = str(rng.choice(["jaccard", "adamic_adar"]))
        jaccard = len(common) / len(neighbours[u] | neighbours[v])
        adamic = sum(1 / math.log(len(neighbours[w])) for w in common)
        value = jaccard if score == "jaccard" else adamic
        mistakes = (float(len(common)), adamic if score == "jaccard" else jaccard,
                    sum(1 / len(neighbours[w]) for w in common))
        if apart(value, mistakes, TOL):
            break
    name = "Jaccard coefficient" if score == "jaccard" else "Adamic-Adar index (natural logarithm)"
    text = (f"A graph on nodes 1-6 has the edges {edge_list(edges)}. What is the {name} of the candidate link "
            f"between nodes {u + 1} and {v + 1}?")
    return Variant(text, Number(value, TOL, 3, mistakes), {"edges": edges, "u": u, "v": v, "score": score},
                   {"nodes": 6, "common_neighbours": len(common)}, worked=_worked(neighbours, u, v, score, value))


def _worked(neighbours, u, v, score, value):
    common, either = neighbours[u] & neighbours[v], neighbours[u] | neighbours[v]
    lines = [f"Neighbours: $N({u + 1}) = {_nodes(neighbours[u])}$, $N({v + 1}) = {_nodes(neighbours[v])}$; "
             f"in common: ${_nodes(common)}$."]
    if score == "jaccard":
        return "\n\n".join([*lines, f"$J = |N({u + 1}) \\cap N({v + 1})| \\,/\\, |N({u + 1}) \\cup N({v + 1})|$, "
                            f"the union being ${_nodes(either)}$.", f"$J = {len(common)}/{len(either)} = {value:.3f}$"])
    terms = " + ".join(f"\\frac{{1}}{{\\ln {len(neighbours[w])}}}" for w in sorted(common))
    numbers = " + ".join(f"{1 / math.log(len(neighbours[w])):.4f}" for w in sorted(common))
    return "\n\n".join([*lines, "$AA = \\sum_{w} 1 / \\ln d(w)$ over the common neighbours $w$, of degrees "
                        + ", ".join(f"$d({w + 1}) = {len(neighbours[w])}$" for w in sorted(common)) + ".",
                        f"$AA = {terms} = " + (f"{numbers} = " if len(common) > 1 else "") + f"{value:.3f}$"])


def _nodes(numbers) -> str:
    """A set of nodes, numbered from 1, in LaTeX."""
    return "\\{" + ", ".join(str(n + 1) for n in sorted(numbers)) + "\\}"


def execute(params):
    # adjacency-matrix algebra instead of sets: (A @ A)[u, v] counts the common neighbours
    A = np.zeros((6, 6))
    for a, b in params["edges"]:
        A[a, b] = A[b, a] = 1
    u, v = params["u"], params["v"]
    if params["score"] == "jaccard":
        return float((A @ A)[u, v] / np.count_nonzero(A[u] + A[v]))
    degree = A.sum(axis=1)
    return float(np.sum(A[u] * A[v] / np.log(np.where(degree > 1, degree, np.e))))
