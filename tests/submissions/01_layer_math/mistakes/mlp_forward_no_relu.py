"""The hidden layer without its ReLU: the two layers collapse into one linear map."""
EXPECT = {"test_mlp_forward": "no ReLU"}


def mlp_forward(X, params):
    h = X @ params["W1"].T + params["b1"]
    logits = h @ params["W2"].T + params["b2"]
    return logits, {"X": X, "z1": h, "h": h}
