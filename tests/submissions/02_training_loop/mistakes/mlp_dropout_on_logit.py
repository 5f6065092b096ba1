"""Dropout placed after the final Linear: in training mode it zeroes or doubles the logit itself,
and the hidden layers never drop a unit."""
from torch import nn

EXPECT = {"test_mlp": "dropout acts on the output"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        layers, width = [], n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), act()]
            width = size
        layers += [nn.Linear(width, 1), nn.Dropout(dropout)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)
