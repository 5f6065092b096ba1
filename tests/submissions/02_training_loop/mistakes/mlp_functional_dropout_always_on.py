"""Dropout written as F.dropout(h, p): its training flag defaults to True, so it keeps dropping
units in evaluation mode."""
import torch.nn.functional as F
from torch import nn

EXPECT = {"test_mlp": "in evaluation mode the output still has dropout"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        sizes = [n_features, *hidden_sizes]
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(sizes[-1], 1)
        self.act = {"relu": F.relu, "tanh": F.tanh}[activation]
        self.p = dropout

    def forward(self, x):
        for layer in self.hidden:
            x = F.dropout(self.act(layer(x)), self.p)
        return self.out(x)
