"""The grey image stays one channel: the ResNet's first convolution expects three."""
from torchvision import transforms

EXPECT = {"test_build_transforms": "three channels"}


def build_transforms(train, image_size=64):
    steps = [transforms.Grayscale(), transforms.Resize((image_size, image_size))]
    if train:
        steps.append(transforms.RandomHorizontalFlip())
    return transforms.Compose(steps + [transforms.ToTensor(), transforms.Normalize(IMAGENET_MEAN[:1], IMAGENET_STD[:1])])
