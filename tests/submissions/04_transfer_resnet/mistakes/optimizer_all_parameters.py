"""The optimizer is given every parameter, frozen ones included."""
import torch

EXPECT = {"test_make_optimizer": "only the trainable ones"}


def make_optimizer(model, lr=1e-3):
    return torch.optim.Adam(model.parameters(), lr=lr)
