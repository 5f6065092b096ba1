"""CAM and Grad-CAM for a network ending in global average pooling and a linear layer."""

import numpy as np
import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="CAM and Grad-CAM", lecture="L11 CAM and Grad-CAM", points=3, version=1,
            band={"channels": (2, 2), "map_side": (2, 3)})
TOL = 0.005


def generate(rng):
    while True:
        side = int(rng.integers(2, 4))
        A = rng.integers(0, 4, size=(2, side, side)).astype(float)
        w = rng.integers(-3, 4, size=2).astype(float)
        r, c = (int(v) for v in rng.integers(side, size=2))
        method = str(rng.choice(["cam", "gradcam"]))
        cam = sum(w[k] * A[k, r, c] for k in range(2))
        # Grad-CAM's weights are the spatial means of the class score's gradients: w_k / (side * side)
        gradcam = max(0.0, sum(w[k] / (side * side) * A[k, r, c] for k in range(2)))
        value = cam if method == "cam" else gradcam
        mistakes = (gradcam if method == "cam" else cam, sum(w[k] * A[k].mean() for k in range(2)))
        if apart(value, mistakes, TOL) and value != 0:
            break
    if method == "cam":
        wanted = "the class activation map (CAM) $\\sum_k w_k A_k$ at row {r}, column {c}"
    else:
        wanted = "the Grad-CAM map $\\operatorname{{ReLU}}(\\sum_k \\alpha_k A_k)$ at row {r}, column {c}, where $\\alpha_k$ averages the class score's gradient over $A_k$"
    text = (f"A CNN ends with 2 feature maps $A_1 = {matrix(A[0])}$, $A_2 = {matrix(A[1])}$, global average pooling "
            f"and a linear layer whose weights for the class are $w = {matrix(w)}$. What is "
            + wanted.format(r=r + 1, c=c + 1) + "?")
    return Variant(text, Number(float(value), TOL, 3, mistakes),
                   {"A": A.tolist(), "w": w.tolist(), "r": r, "c": c, "method": method},
                   {"channels": 2, "map_side": side}, worked=_worked(A, w, r, c, side, method, value))


def _worked(A, w, r, c, side, method, value):
    a1, a2, w1, w2, cells = A[0, r, c], A[1, r, c], w[0], w[1], side * side
    at = f"At row {r + 1}, column {c + 1}: $A_1 = {a1:g}$, $A_2 = {a2:g}$."
    if method == "cam":
        return (f"CAM weights each feature map by the class's linear weight: $\\sum_k w_k A_k$.\n\n{at}\n\n"
                f"${w1:g} \\cdot {a1:g} + ({w2:g}) \\cdot {a2:g} = {value:.3f}$")
    return ("The class score is $y = \\sum_k w_k \\cdot \\mathrm{mean}(A_k)$, so $\\partial y / \\partial A_k$ is "
            f"$w_k / {cells}$ at each of the {cells} positions, and $\\alpha_k = w_k / {cells}$: "
            f"$\\alpha = ({w1:g}/{cells}, {w2:g}/{cells})$.\n\n{at}\n\n"
            f"$\\operatorname{{ReLU}}(({w1:g} \\cdot {a1:g} + ({w2:g}) \\cdot {a2:g}) / {cells}) = "
            f"\\operatorname{{ReLU}}({w1 * a1 + w2 * a2:g}/{cells}) = {value:.3f}$")


def execute(params):
    A = torch.tensor(params["A"], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(params["w"], dtype=torch.float64)
    score = w @ A.mean(dim=(1, 2))  # global average pooling, then the class's linear weights
    score.backward()
    if params["method"] == "cam":
        cam = torch.einsum("k,khw->hw", w, A.detach())
    else:
        alpha = A.grad.mean(dim=(1, 2))
        cam = torch.relu(torch.einsum("k,khw->hw", alpha, A.detach()))
    return float(cam[params["r"], params["c"]].item())
