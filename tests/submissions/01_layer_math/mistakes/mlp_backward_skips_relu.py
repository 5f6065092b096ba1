"""The backward pass forgets the ReLU's derivative between the layers."""
EXPECT = {"test_mlp_backward": "gradient W1"}


def mlp_backward(dlogits, cache, params):
    dz1 = dlogits @ params["W2"]
    return {"W1": dz1.T @ cache["X"], "b1": dz1.sum(axis=0), "W2": dlogits.T @ cache["h"], "b2": dlogits.sum(axis=0)}
