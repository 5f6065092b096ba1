"""Augmentation in the evaluation transform too: the same image scores differently each time."""
from torchvision import transforms

EXPECT = {"test_build_transforms": "two different tensors"}


def build_transforms(train, image_size=64):
    return transforms.Compose([
        transforms.Grayscale(num_output_channels=3),
        transforms.Resize((image_size, image_size)),
        transforms.RandomHorizontalFlip(),
        transforms.RandomRotation(10),
        transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
