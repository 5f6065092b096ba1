"""torchvision.transforms.v2, a numpy split, requires_grad_ on the backbone, inference_mode."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Subset
from torchvision import datasets, models
from torchvision.transforms import v2


def build_transforms(train, image_size=64):
    ops = [v2.Grayscale(num_output_channels=3), v2.Resize((image_size, image_size))]
    if train:
        ops += [v2.RandomHorizontalFlip(p=0.5), v2.RandomAffine(degrees=8)]
    ops += [v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(list(IMAGENET_MEAN), list(IMAGENET_STD))]
    return v2.Compose(ops)


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    augmented = datasets.ImageFolder(root, build_transforms(True, image_size))
    plain = datasets.ImageFolder(root, build_transforms(False, image_size))
    order = np.random.default_rng(seed).permutation(len(plain))
    cut = int(round(val_fraction * len(plain)))
    return Subset(augmented, order[cut:].tolist()), Subset(plain, order[:cut].tolist())


def build_model(num_classes, freeze_backbone, weights_path=None):
    net = models.resnet18()
    if weights_path:
        net.load_state_dict(torch.load(weights_path))
    net.requires_grad_(not freeze_backbone)
    net.fc = nn.Linear(512, num_classes)
    return net


def set_train_mode(model, freeze_backbone):
    model.train()
    if freeze_backbone:
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.train(False)


def evaluate(model, loader, device):
    model.eval()
    losses, hits, n = [], 0, 0
    with torch.inference_mode():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            out = model(x)
            losses.append(F.cross_entropy(out, y, reduction="none"))
            hits += int((out.argmax(-1) == y).sum())
            n += y.numel()
    return {"loss": torch.cat(losses).mean().item(), "accuracy": hits / n}
