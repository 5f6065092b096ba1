"""model.requires_grad = False: sets a Python attribute and freezes nothing."""
import torch
from torch import nn
from torchvision import models

EXPECT = {"test_build_model": "nothing is frozen"}


def build_model(num_classes, freeze_backbone, weights_path=None):
    model = models.resnet18(weights=None)
    if weights_path is not None:
        model.load_state_dict(torch.load(weights_path, map_location="cpu"))
    if freeze_backbone:
        model.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
