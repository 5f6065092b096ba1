"""The hidden sizes are hard-coded to (32, 16) whatever the caller asks for."""
from torch import nn

EXPECT = {"test_mlp": "hidden_sizes"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        self.layers = nn.Sequential(
            nn.Linear(n_features, 32), act(), nn.Dropout(dropout),
            nn.Linear(32, 16), act(), nn.Dropout(dropout),
            nn.Linear(16, 1),
        )

    def forward(self, x):
        return self.layers(x)
