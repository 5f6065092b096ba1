"""The new head always has len(CLASSES) outputs, whatever num_classes says."""
import torch
from torch import nn
from torchvision import models

EXPECT = {"test_build_model": "num_classes argument"}


def build_model(num_classes, freeze_backbone, weights_path=None):
    model = models.resnet18(weights=None)
    if weights_path is not None:
        model.load_state_dict(torch.load(weights_path, map_location="cpu"))
    if freeze_backbone:
        for parameter in model.parameters():
            parameter.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, len(CLASSES))
    return model
