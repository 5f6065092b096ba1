"""The train flag is never read: both transforms are the deterministic one, and nothing is augmented."""
from torchvision import transforms

EXPECT = {"test_build_transforms": "should augment"}


def build_transforms(train, image_size=64):
    return transforms.Compose([
        transforms.Grayscale(num_output_channels=3),
        transforms.Resize((image_size, image_size)),
        transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
