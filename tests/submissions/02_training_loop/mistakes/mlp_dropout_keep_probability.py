"""Reads dropout as the probability of keeping a unit and builds nn.Dropout(1 - dropout)."""
from torch import nn

EXPECT = {"test_mlp": "dropped with probability 0.75"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        layers, width = [], n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), act()]
            if dropout > 0:
                layers.append(nn.Dropout(1 - dropout))
            width = size
        self.layers = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, x):
        return self.layers(x)
