"""dW1 computed as X^T dz1, shape (D, H) instead of (H, D)."""
EXPECT = {"test_mlp_backward": "shape of its parameter"}


def mlp_backward(dlogits, cache, params):
    dz1 = (dlogits @ params["W2"]) * relu_grad(cache["z1"])
    return {"W1": cache["X"].T @ dz1, "b1": dz1.sum(axis=0), "W2": dlogits.T @ cache["h"], "b2": dlogits.sum(axis=0)}
