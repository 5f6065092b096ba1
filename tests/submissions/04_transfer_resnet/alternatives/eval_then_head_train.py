"""With a frozen backbone, everything in evaluation mode and then only the head in training mode:
BatchNorm statistics stay fixed and the head learns, as asked, though model.training is False."""


def set_train_mode(model, freeze_backbone):
    if freeze_backbone:
        model.eval()
        model.fc.train()
    else:
        model.train()
