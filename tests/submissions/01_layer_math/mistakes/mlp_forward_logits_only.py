"""mlp_forward returns the logits alone, not the pair (logits, cache)."""
EXPECT = {"test_mlp_forward": "pair (logits, cache)"}


def mlp_forward(X, params):
    h = relu(X @ params["W1"].T + params["b1"])
    return h @ params["W2"].T + params["b2"]
