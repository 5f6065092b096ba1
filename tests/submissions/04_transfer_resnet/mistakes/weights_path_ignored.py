"""weights_path is accepted and never loaded."""
from torch import nn
from torchvision import models

EXPECT = {"test_build_model": "weights_path"}


def build_model(num_classes, freeze_backbone, weights_path=None):
    model = models.resnet18(weights=None)
    if freeze_backbone:
        for parameter in model.parameters():
            parameter.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
