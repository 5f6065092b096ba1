"""Only the weight gradients returned: the biases are parameters too and need theirs."""
EXPECT = {"test_mlp_backward": "exactly the keys"}


def mlp_backward(dlogits, cache, params):
    dz1 = (dlogits @ params["W2"]) * relu_grad(cache["z1"])
    return {"W1": dz1.T @ cache["X"], "W2": dlogits.T @ cache["h"]}
