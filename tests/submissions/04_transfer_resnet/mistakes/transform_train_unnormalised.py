"""Two pipelines written out apart, and the training one forgets Normalize: the network trains on
[0, 1] images and is evaluated on normalised ones."""
from torchvision import transforms

EXPECT = {"test_build_transforms": "normalise in both transforms"}


def build_transforms(train, image_size=64):
    if train:
        return transforms.Compose([
            transforms.Grayscale(num_output_channels=3),
            transforms.Resize((image_size, image_size)),
            transforms.RandomHorizontalFlip(),
            transforms.RandomRotation(10),
            transforms.ToTensor(),
        ])
    return transforms.Compose([
        transforms.Grayscale(num_output_channels=3),
        transforms.Resize((image_size, image_size)),
        transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
