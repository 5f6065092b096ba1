"""The grey image is normalised with the first (red) channel's statistics on all three channels."""
from torchvision import transforms

EXPECT = {"test_build_transforms": "one mean and one std per channel"}


def build_transforms(train, image_size=64):
    steps = [transforms.Grayscale(num_output_channels=3), transforms.Resize((image_size, image_size))]
    if train:
        steps += [transforms.RandomHorizontalFlip(), transforms.RandomRotation(10)]
    steps += [transforms.ToTensor(), transforms.Normalize([IMAGENET_MEAN[0]] * 3, [IMAGENET_STD[0]] * 3)]
    return transforms.Compose(steps)
