"""The weights are loaded whether or not a path was given: torch.load(None) fails for every model built
without pretrained weights."""
import torch
from torch import nn
from torchvision import models

EXPECT = {"test_build_model": "raised"}


def build_model(num_classes, freeze_backbone, weights_path=None):
    model = models.resnet18(weights=None)
    model.load_state_dict(torch.load(weights_path, map_location="cpu"))
    if freeze_backbone:
        for parameter in model.parameters():
            parameter.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
