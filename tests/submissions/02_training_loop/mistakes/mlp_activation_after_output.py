"""Every Linear, the final one too, is followed by the activation: a ReLU then clips every
negative logit to 0."""
from torch import nn

EXPECT = {"test_mlp": "applied to the output too"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        layers, width = [], n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), act(), nn.Dropout(dropout)]
            width = size
        self.layers = nn.Sequential(*layers, nn.Linear(width, 1), act())

    def forward(self, x):
        return self.layers(x)
