"""BatchNorm switched to eval mode whether or not the backbone is frozen: the fine-tuned model
never updates its statistics (BatchNorm frozen in the model that should train it)."""
from torch import nn

EXPECT = {"test_set_train_mode": "its BatchNorm layers train too"}


def set_train_mode(model, freeze_backbone):
    model.train()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.eval()
