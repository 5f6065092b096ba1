"""CAM and Grad-CAM for a network ending in global average pooling and a linear layer."""

import numpy as np
import torch

from autograder.exam.question import Meta, Number, Variant, apart, matrix

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
                   {"channels": 2, "map_side": side})


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
