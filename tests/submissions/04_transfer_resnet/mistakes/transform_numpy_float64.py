"""The image turned into a tensor through numpy, divided by 255. in float64: the ResNet's float32
weights then meet a double tensor."""
import numpy as np
import torch
from torchvision import transforms

EXPECT = {"test_build_transforms": "float32"}


def build_transforms(train, image_size=64):
    steps = [transforms.Grayscale(num_output_channels=3), transforms.Resize((image_size, image_size))]
    if train:
        steps += [transforms.RandomHorizontalFlip(), transforms.RandomRotation(10)]
    steps += [transforms.Lambda(lambda im: torch.from_numpy(np.asarray(im) / 255.0).permute(2, 0, 1)),
              transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)]
    return transforms.Compose(steps)
