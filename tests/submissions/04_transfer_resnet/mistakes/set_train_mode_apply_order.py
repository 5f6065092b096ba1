"""Modes set with model.apply(fn), where fn calls module.train(flag): apply visits the children
first and the model itself last, and model.train(True) then puts every BatchNorm back in training."""
from torch import nn

EXPECT = {"test_set_train_mode": "must stay in eval mode"}


def set_train_mode(model, freeze_backbone):
    def mode(module):
        module.train(not (freeze_backbone and isinstance(module, nn.modules.batchnorm._BatchNorm)))

    model.apply(mode)
