"""Normalised with mean 0.5 and std 0.5 instead of ImageNet's statistics."""
from torchvision import transforms

EXPECT = {"test_build_transforms": "ImageNet's mean and std"}


def build_transforms(train, image_size=64):
    steps = [transforms.Grayscale(num_output_channels=3), transforms.Resize((image_size, image_size))]
    if train:
        steps.append(transforms.RandomHorizontalFlip())
    return transforms.Compose(steps + [transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)])
