"""A deeper ResNet-34 in place of the ResNet-18 the prompt names (its head has 512 inputs too)."""
import torch
from torch import nn
from torchvision import models

EXPECT = {"test_build_model": "not a ResNet-18"}


def build_model(num_classes, freeze_backbone, weights_path=None):
    model = models.resnet34(weights=None)
    if weights_path is not None:
        model.load_state_dict(torch.load(weights_path, map_location="cpu"))
    if freeze_backbone:
        for parameter in model.parameters():
            parameter.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
