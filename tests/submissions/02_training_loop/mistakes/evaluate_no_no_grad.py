"""Evaluation without torch.no_grad(): autograd builds a graph nobody uses."""
EXPECT = {"test_evaluate": "no_grad"}


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    for xb, yb in loader:
        logits = model(xb)
        total += loss_fn(logits, yb).item() * len(xb)
        correct += ((logits > 0).float() == yb).sum().item()
        count += len(xb)
    return {"loss": total / count, "accuracy": correct / count}
