"""logits.sum() backpropagated instead of (logits * dlogits).sum(): the gradients for dlogits of all ones."""
import torch

EXPECT = {"test_autograd_gradients": "dlogits"}


def autograd_gradients(X, params, dlogits):
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    hidden = torch.relu(torch.tensor(X, dtype=torch.float64) @ tensors["W1"].T + tensors["b1"])
    logits = hidden @ tensors["W2"].T + tensors["b2"]
    logits.sum().backward()
    return {k: t.grad.numpy() for k, t in tensors.items()}
