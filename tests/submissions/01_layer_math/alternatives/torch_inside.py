"""Numpy in, numpy out, with torch doing the work in float64 inside."""
import numpy as np
import torch


def _t(a):
    return torch.as_tensor(np.asarray(a, dtype=float))


def sigmoid(z):
    return torch.sigmoid(_t(z)).numpy()


def softmax(z):
    return torch.softmax(_t(z), dim=-1).numpy()


def tanh_grad(z):
    return (1 - torch.tanh(_t(z)) ** 2).numpy()


def cross_entropy_loss(logits, labels):
    return torch.nn.functional.cross_entropy(_t(logits), torch.as_tensor(labels)).item()


def autograd_gradients(X, params, dlogits):
    leaves = {k: _t(v).requires_grad_() for k, v in params.items()}
    logits = torch.nn.functional.linear(
        torch.relu(torch.nn.functional.linear(_t(X), leaves["W1"], leaves["b1"])), leaves["W2"], leaves["b2"]
    )
    grads = torch.autograd.grad(logits, list(leaves.values()), grad_outputs=_t(dlogits))
    return {k: g.numpy() for k, g in zip(leaves, grads)}
