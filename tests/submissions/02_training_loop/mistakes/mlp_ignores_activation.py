"""Always ReLU, whatever activation the caller asks for."""
from torch import nn

EXPECT = {"test_mlp": "was not used"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        layers, width = [], n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        self.layers = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, x):
        return self.layers(x)
