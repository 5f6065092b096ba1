"""Bias gradients averaged over the batch instead of summed (the 1/N of a mean loss applied twice)."""
EXPECT = {"test_mlp_backward": "averaged the bias gradient"}


def mlp_backward(dlogits, cache, params):
    dz1 = (dlogits @ params["W2"]) * relu_grad(cache["z1"])
    return {"W1": dz1.T @ cache["X"], "b1": dz1.mean(axis=0), "W2": dlogits.T @ cache["h"], "b2": dlogits.mean(axis=0)}
