"""Normalize called with the std first and the mean second."""
from torchvision import transforms

EXPECT = {"test_build_transforms": "swapped"}


def build_transforms(train, image_size=64):
    steps = [transforms.Grayscale(num_output_channels=3), transforms.Resize((image_size, image_size))]
    if train:
        steps += [transforms.RandomHorizontalFlip(), transforms.RandomRotation(10)]
    steps += [transforms.ToTensor(), transforms.Normalize(std=IMAGENET_MEAN, mean=IMAGENET_STD)]
    return transforms.Compose(steps)
