"""word2vec skip-gram: how many (centre, context) training pairs a sentence gives."""

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Skip-gram training pairs", lecture="L08 word embeddings", points=1, version=1,
            band={"tokens": (7, 30), "window": (1, 3)})


def generate(rng):
    window = int(rng.integers(1, 4))
    tokens = int(rng.integers(7, 31))  # always longer than both windows together
    pairs = 2 * window * tokens - window * (window + 1)  # every token has 2w neighbours but those near the ends
    mistakes = (2 * window * tokens, window * tokens, (tokens - 2 * window) * 2 * window)
    text = (f"A skip-gram word2vec model with a window of {window} on each side is trained on one sentence of "
            f"{tokens} tokens (the window does not cross the sentence's ends). How many (centre, context) training "
            "pairs does the sentence give?")
    return Variant(text, Integer(pairs, tuple(m for m in mistakes if m != pairs)),
                   {"tokens": tokens, "window": window}, {"tokens": tokens, "window": window})


def execute(params):
    n, w = params["tokens"], params["window"]
    return sum(1 for centre in range(n) for context in range(max(0, centre - w), min(n, centre + w + 1))
               if context != centre)
