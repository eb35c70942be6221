"""Slow, obviously-correct references for fastml.nn.sampling (pure Python loops).

The rules they spell out (the same as the module's docstring):
- order tokens by logit descending, then by id ascending;
- top_k keeps the first k tokens of that order;
- top_p renormalises over the survivors, walks the same order adding
  probabilities and stops at the first token where the running sum reaches p
  (that token kept); p = 1 keeps every survivor;
- temperature 0 puts all the probability on the first token of the order (greedy).
"""

import math


def naive_greedy(row):
    """Lowest id among the maximal logits."""
    best = 0
    for i, value in enumerate(row):
        if value > row[best]:
            best = i
    return best


def naive_filtered_probabilities(row, temperature=1.0, top_k=None, top_p=None):
    """The filtered, renormalised distribution of one row of logits (a list)."""
    row = [float(v) for v in row]
    n = len(row)
    probs = [0.0] * n
    if temperature == 0:
        probs[naive_greedy(row)] = 1.0
        return probs
    top = max(row)
    scaled = [(v - top) / temperature for v in row]
    order = sorted(range(n), key=lambda i: (-scaled[i], i))
    if top_k is not None:
        order = order[:top_k]
    weights = [math.exp(scaled[i]) for i in order]
    total = sum(weights)
    if top_p is not None and top_p < 1:
        running = 0.0
        kept = []
        for i, w in zip(order, weights):
            kept.append(i)
            running += w / total
            if running >= top_p:
                break
        order = kept
        weights = weights[: len(kept)]
        total = sum(weights)
    for i, w in zip(order, weights):
        probs[i] = w / total
    return probs
