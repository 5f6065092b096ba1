"""No normalisation at all: values in [0, 1]."""
from torchvision import transforms

EXPECT = {"test_build_transforms": "not normalised"}


def build_transforms(train, image_size=64):
    steps = [transforms.Grayscale(num_output_channels=3), transforms.Resize((image_size, image_size))]
    if train:
        steps.append(transforms.RandomHorizontalFlip())
    return transforms.Compose(steps + [transforms.ToTensor()])
