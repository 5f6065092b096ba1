"""Tensors made with torch.from_numpy keep the arrays' dtype: float64 only when the inputs already are."""
import torch

EXPECT = {"test_autograd_gradients": "float64"}


def autograd_gradients(X, params, dlogits):
    tensors = {k: torch.from_numpy(v).requires_grad_(True) for k, v in params.items()}
    hidden = torch.relu(torch.from_numpy(X) @ tensors["W1"].T + tensors["b1"])
    logits = hidden @ tensors["W2"].T + tensors["b2"]
    (logits * torch.from_numpy(dlogits)).sum().backward()
    return {k: t.grad.numpy() for k, t in tensors.items()}
