"""Slow, obviously-correct references for fastml.kernels.preprocessing.

Plain Python loops over Python floats and ints, one formula per line, no NumPy
vectorisation, so that each kernel is checked against the definition it implements.
"""

from __future__ import annotations

import math


def naive_lookup_categories(values, categories):
    """Index of each value in ``categories`` (NaN matches a NaN category), else -1."""
    out = []
    for v in values:
        code = -1
        for k, c in enumerate(categories):
            if (isinstance(v, float) and math.isnan(v)) and (
                isinstance(c, float) and math.isnan(c)
            ):
                code = k
                break
            if v == c:
                code = k
                break
        out.append(code)
    return out


def naive_onehot_columns(codes, n_categories, drop_idx):
    """Output column per (sample, feature): -1 for unknown or dropped categories."""
    out = []
    for row in codes:
        cols = []
        offset = 0
        for j, c in enumerate(row):
            d = drop_idx[j]
            width = n_categories[j] - (1 if d >= 0 else 0)
            if c < 0 or c == d:
                cols.append(-1)
            elif d >= 0 and c > d:
                cols.append(offset + c - 1)
            else:
                cols.append(offset + c)
            offset += width
        out.append(cols)
    return out


def naive_target_encoding(codes, y, rows, n_categories, smooth, y_mean):
    """(m * y_mean + sum of y in c) / (m + n_c) per category; y_mean if empty."""
    out = []
    for j, n_cats in enumerate(n_categories):
        enc = []
        for c in range(n_cats):
            members = [y[i] for i in rows if codes[i][j] == c]
            denom = smooth + len(members)
            if denom == 0:
                enc.append(y_mean)
            else:
                enc.append((smooth * y_mean + math.fsum(members)) / denom)
        out.append(enc)
    return out


def naive_target_encoding_auto(codes, y, rows, n_categories, y_mean, y_variance):
    """Empirical-Bayes shrinkage of each category mean towards y_mean."""
    out = []
    for j, n_cats in enumerate(n_categories):
        enc = []
        for c in range(n_cats):
            members = [y[i] for i in rows if codes[i][j] == c]
            n_c = len(members)
            if n_c == 0:
                enc.append(y_mean)
                continue
            mean_c = math.fsum(members) / n_c
            s2 = math.fsum((v - mean_c) ** 2 for v in members) / n_c
            denom = y_variance * n_c + s2
            if denom == 0:
                enc.append(y_mean)
                continue
            lam = y_variance * n_c / denom
            enc.append(lam * mean_c + (1 - lam) * y_mean)
        out.append(enc)
    return out


def naive_column_moments(X, weights):
    """Per column: (sum of weights, weighted sum, weighted centred sum of squares).

    NaN cells are skipped; exact sums with math.fsum.
    """
    n_features = len(X[0]) if X else 0
    out = []
    for j in range(n_features):
        pairs = [(row[j], w) for row, w in zip(X, weights) if not math.isnan(row[j])]
        count = math.fsum(w for _, w in pairs)
        total = math.fsum(w * x for x, w in pairs)
        mean = total / count if count else math.nan
        m2 = math.fsum(w * (x - mean) ** 2 for x, w in pairs) if count else math.nan
        out.append((count, total, m2))
    return out


def naive_apply_target_encoding(codes, rows, encodings, n_categories, means):
    """{row: encoded row} with columns ordered (feature, target); unknown -> mean."""
    out = {}
    for i in rows:
        vals = []
        for j, c in enumerate(codes[i]):
            start = sum(n_categories[:j])
            for k in range(len(encodings)):
                vals.append(means[k] if c < 0 else encodings[k][start + c])
        out[i] = vals
    return out
