"""PIL's convert("RGB") for the three channels, functional transforms in a plain function; the
optimizer given one parameter group as a dict; counting with map/filter; set_train_mode through
model.apply after model.train()."""
import torch
import torchvision.transforms.functional as TF
from torch import nn
from torchvision import transforms


def build_transforms(train, image_size=64):
    augment = transforms.RandomApply([transforms.RandomRotation(8)], p=0.9)

    def transform(image):
        image = TF.resize(image.convert("RGB"), [image_size, image_size])
        if train:
            image = augment(TF.hflip(image) if torch.rand(()) < 0.5 else image)
        return TF.normalize(TF.to_tensor(image), IMAGENET_MEAN, IMAGENET_STD)

    return transform


def count_trainable(model):
    return sum(map(torch.numel, filter(lambda p: p.requires_grad, model.parameters())))


def make_optimizer(model, lr=1e-3):
    return torch.optim.Adam([{"params": [p for p in model.parameters() if p.requires_grad]}], lr=lr)


def set_train_mode(model, freeze_backbone):
    def keep_statistics(module):
        if freeze_backbone and isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()

    model.train()
    model.apply(keep_statistics)
