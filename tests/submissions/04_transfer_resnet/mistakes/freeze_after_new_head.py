"""The backbone is frozen after replacing fc: the new head is frozen too."""
import torch
from torch import nn
from torchvision import models

EXPECT = {"test_build_model": "head is frozen too"}


def build_model(num_classes, freeze_backbone, weights_path=None):
    model = models.resnet18(weights=None)
    if weights_path is not None:
        model.load_state_dict(torch.load(weights_path, map_location="cpu"))
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    if freeze_backbone:
        for parameter in model.parameters():
            parameter.requires_grad = False
    return model
