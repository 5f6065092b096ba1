"""With a frozen backbone, everything in evaluation mode and then only the head in training mode:
BatchNorm statistics stay fixed and the head learns, as asked, though model.training is False.
The training transform augments with a horizontal flip alone (a coin per pass)."""
from torchvision import transforms


def build_transforms(train, image_size=64):
    steps = [transforms.Grayscale(num_output_channels=3), transforms.Resize((image_size, image_size))]
    if train:
        steps.append(transforms.RandomHorizontalFlip())
    return transforms.Compose(steps + [transforms.ToTensor(), transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


def set_train_mode(model, freeze_backbone):
    if freeze_backbone:
        model.eval()
        model.fc.train()
    else:
        model.train()
