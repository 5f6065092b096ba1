"""Gives dropout a default of 0.5 instead of 0.0: MLP(n) then drops units while it trains."""
from torch import nn

EXPECT = {"test_mlp": "dropout=0.0 (the default) drops nothing"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.5):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        layers, width = [], n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), act(), nn.Dropout(dropout)]
            width = size
        self.layers = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, x):
        return self.layers(x)
