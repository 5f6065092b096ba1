"""SGD at the given rate over the trainable parameters, where the prompt asks for Adam."""
import torch

EXPECT = {"test_make_optimizer": "use torch.optim.Adam"}


def make_optimizer(model, lr=1e-3):
    return torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)
