"""Dropout and activations as functions in forward, dropout told the mode (training=self.training);
the layers kept in a ModuleList with the output layer first."""
import torch
import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        widths = [n_features, *hidden_sizes]
        self.linears = nn.ModuleList([nn.Linear(widths[-1], 1)] + [nn.Linear(a, b) for a, b in zip(widths, widths[1:])])
        self.activation, self.dropout = activation, dropout

    def forward(self, x):
        for linear in self.linears[1:]:
            x = linear(x)
            x = torch.relu(x) if self.activation == "relu" else torch.tanh(x)
            x = F.dropout(x, p=self.dropout, training=self.training)
        return self.linears[0](x)
