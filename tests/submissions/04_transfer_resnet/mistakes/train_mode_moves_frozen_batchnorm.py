"""set_train_mode is plain model.train(): a frozen backbone's BatchNorm statistics keep moving."""
EXPECT = {"test_set_train_mode": "must stay in eval mode", "test_train_one_epoch": "BatchNorm running statistics moved"}


def set_train_mode(model, freeze_backbone):
    model.train()
