"""make_optimizer keeps Adam's own learning rate and never passes lr on."""
import torch

EXPECT = {"test_make_optimizer": "pass lr on"}


def make_optimizer(model, lr=1e-3):
    return torch.optim.Adam(p for p in model.parameters() if p.requires_grad)
