"""The backbone is frozen whatever freeze_backbone says: the fine-tuned model trains only its head."""
import torch
from torch import nn
from torchvision import models

EXPECT = {"test_build_model": "freeze only when freeze_backbone is true"}


def build_model(num_classes, freeze_backbone, weights_path=None):
    model = models.resnet18(weights=None)
    if weights_path is not None:
        model.load_state_dict(torch.load(weights_path, map_location="cpu"))
    for parameter in model.parameters():
        parameter.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
