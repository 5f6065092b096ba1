"""Bias gradients not summed over the batch: db has one row per sample."""
EXPECT = {"test_mlp_backward": "sum the upstream gradient over the batch"}


def mlp_backward(dlogits, cache, params):
    dz1 = (dlogits @ params["W2"]) * relu_grad(cache["z1"])
    return {"W1": dz1.T @ cache["X"], "b1": dz1, "W2": dlogits.T @ cache["h"], "b2": dlogits}
