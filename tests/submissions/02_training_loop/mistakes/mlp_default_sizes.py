"""Default hidden sizes of (64, 32) where the signature gives (32, 16)."""
from torch import nn

EXPECT = {"test_mlp": "hidden_sizes=(32, 16)"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(64, 32), activation="relu", dropout=0.0):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        layers, width = [], n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), act(), nn.Dropout(dropout)]
            width = size
        self.layers = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, x):
        return self.layers(x)
