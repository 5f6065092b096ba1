"""Adam over model.fc's parameters: right for the frozen model, but the unfrozen run then trains
only its head, the very comparison the assignment is about."""
import torch

EXPECT = {"test_make_optimizer": "only model.fc's parameters", "test_run_experiment": "trained only the head"}


def make_optimizer(model, lr=1e-3):
    return torch.optim.Adam(model.fc.parameters(), lr=lr)
