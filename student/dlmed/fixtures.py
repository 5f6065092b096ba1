"""Fixtures hidden checks build inside the kernel, and the judge rebuilds identically outside it.

A plan names them with a leading @ (`@reference_mlp`, `@state`): some make arguments the wire
cannot carry (a seeded model, a loader, an optimizer), others turn what a student's function
left behind into plain data (a model's weights, a loader's batches, a trace of forward calls).
They hold no answers, so they ship with the student library.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .probe import builder
from .reproducibility import seed_everything


@builder
def cubic(a, b):
    """f(x) = sum(a x^3 + b x^2): a smooth scalar function with a known gradient 3a x^2 + 2b x."""

    def f(x):
        return float(np.sum(a * x**3 + b * x**2))

    return f


@builder
def seed(value: int) -> None:
    seed_everything(value)


@builder
def reference_mlp(n_features: int, hidden: tuple, dropout: float = 0.0, seed: int = 0) -> nn.Module:
    """A plain MLP with seeded weights, for checks of training code that takes any model."""
    torch.manual_seed(seed)
    layers, width = [], n_features
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
        width = size
    return nn.Sequential(*layers, nn.Linear(width, 1))


@builder
def loader(X, y, batch_size: int) -> DataLoader:
    features = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    targets = torch.as_tensor(np.asarray(y), dtype=torch.float32).reshape(-1, 1)
    return DataLoader(TensorDataset(features, targets), batch_size=batch_size, shuffle=False)


@builder
def bce_with_logits() -> nn.Module:
    return nn.BCEWithLogitsLoss()


@builder
def optimizer(model: nn.Module, kind: str, lr: float):
    return {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[kind](model.parameters(), lr=lr)


@builder
def set_mode(model: nn.Module, train: bool) -> None:
    model.train(train)


@builder
def trace_forward(model: nn.Module) -> None:
    """From now on, record at each forward call whether the model trains and autograd records."""
    model._dlmed_trace = []

    def record(module, inputs):
        module._dlmed_trace.append({"training": module.training, "grad_enabled": torch.is_grad_enabled()})

    model.register_forward_pre_hook(record)


@builder
def trace(model: nn.Module) -> list:
    return list(getattr(model, "_dlmed_trace", []))


@builder
def state(model: nn.Module) -> dict:
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


@builder
def loader_epochs(data: DataLoader, epochs: int = 2) -> dict:
    """Every batch a loader yields over `epochs` passes, and its batch size."""
    batches = [[tuple(batch) for batch in data] for _ in range(epochs)]
    return {"batch_size": data.batch_size, "epochs": batches}


@builder
def linear_layers(model: nn.Module) -> list:
    return [
        (m.weight.detach().clone(), None if m.bias is None else m.bias.detach().clone())
        for m in model.modules()
        if isinstance(m, nn.Linear)
    ]


@builder
def forward(model: nn.Module, X, train: bool = False, repeats: int = 1) -> list:
    model.train(train)
    with torch.no_grad():
        return [model(torch.as_tensor(np.asarray(X), dtype=torch.float32)) for _ in range(repeats)]


class ModelFactory:
    """A `make_model` for checks: fresh seeded MLPs that record the data they see.

    Each model keeps running sums of the inputs of its forward calls, separately for training
    and evaluation mode, so a check can tell how the data was scaled and split without seeing
    the student's code."""

    def __init__(self, n_features: int, hidden: tuple, seed: int):
        self.n_features, self.hidden, self.seed = n_features, hidden, seed
        self.models: list[nn.Module] = []

    def __call__(self) -> nn.Module:
        model = reference_mlp(self.n_features, self.hidden, 0.0, seed=self.seed + len(self.models))
        model._dlmed_inputs = {}

        def record(module, inputs):
            x = inputs[0].detach().double()
            sums = module._dlmed_inputs.setdefault(module.training, [0, 0.0, 0.0])
            sums[0] += x.shape[0]
            sums[1] = sums[1] + x.sum(0)
            sums[2] = sums[2] + (x**2).sum(0)

        model.register_forward_pre_hook(record)
        self.models.append(model)
        return model


@builder
def model_factory(n_features: int, hidden: tuple, seed: int) -> ModelFactory:
    return ModelFactory(n_features, hidden, seed)


@builder
def factory_report(factory: ModelFactory) -> list:
    """Per model made: for training and evaluation mode, the inputs' count, mean and std."""
    report = []
    for model in factory.models:
        entry = {}
        for training, (n, total, squares) in model._dlmed_inputs.items():
            mean = total / n
            entry["train" if training else "eval"] = {
                "n": n, "mean": mean, "std": torch.sqrt(torch.clamp(squares / n - mean**2, min=0)),
            }
        report.append(entry)
    return report
