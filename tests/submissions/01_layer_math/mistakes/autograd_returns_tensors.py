"""The gradients returned as torch tensors (t.grad) instead of numpy arrays."""
import torch

EXPECT = {"test_autograd_gradients": "numpy arrays"}


def autograd_gradients(X, params, dlogits):
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    hidden = torch.relu(torch.tensor(X, dtype=torch.float64) @ tensors["W1"].T + tensors["b1"])
    logits = hidden @ tensors["W2"].T + tensors["b2"]
    (logits * torch.tensor(dlogits, dtype=torch.float64)).sum().backward()
    return {k: t.grad for k, t in tensors.items()}
