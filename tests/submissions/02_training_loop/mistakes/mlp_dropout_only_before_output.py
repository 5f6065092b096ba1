"""One nn.Dropout in the whole model, just before the output layer, instead of one after every
hidden layer's activation: with a single hidden layer the two are the same model."""
from torch import nn

EXPECT = {"test_mlp": "dropout acts after hidden layer 2 of 2 only"}


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        layers, width = [], n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), act()]
            width = size
        self.layers = nn.Sequential(*layers, nn.Dropout(dropout), nn.Linear(width, 1))

    def forward(self, x):
        return self.layers(x)
