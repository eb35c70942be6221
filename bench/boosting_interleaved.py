"""Interleaved GradientBoostingClassifier timings: fastml and scikit-learn in one process.

The issue's benchmark: make_classification(120,000 x 20, n_informative=10,
random_state=0) as float32, the first 100,000 rows for training and the last 20,000
for testing; 100 rounds of depth-3 trees, random_state=0; threads pinned to 2
(fastml gets ``n_jobs=2``; scikit-learn's gradient boosting is single-threaded).
The fits run fastml, scikit-learn, fastml (scikit-learn's takes about two minutes,
so it runs once); prediction times alternate fastml / scikit-learn 7 times. Also
prints both test accuracies and the largest difference between the two models'
probabilities (the models are the same up to tie-breaking).

Usage: ``python bench/boosting_interleaved.py [rounds]`` (run it from outside the
repository root when fastml is installed non-editable).
"""

from __future__ import annotations

import sys
import time

import numpy as np


def main(rounds: int) -> None:
    from sklearn.ensemble import GradientBoostingClassifier as SkGB

    from fastml.benchmarking import thread_limits
    from fastml.datasets import make_classification
    from fastml.ensemble import GradientBoostingClassifier as FastGB

    X, y = make_classification(120_000, 20, n_informative=10, random_state=0)
    X = np.ascontiguousarray(X, dtype=np.float32)
    Xtr, ytr, Xte, yte = X[:100_000], y[:100_000], X[100_000:], y[100_000:]

    def fast() -> FastGB:
        return FastGB(n_estimators=rounds, max_depth=3, random_state=0, n_jobs=2)

    with thread_limits(2):
        fast().fit(Xtr[:2000], ytr[:2000])  # warm-up: JIT compilation
        t = time.perf_counter()
        f = fast().fit(Xtr, ytr)
        t_fast1 = time.perf_counter() - t
        t = time.perf_counter()
        s = SkGB(n_estimators=rounds, max_depth=3, random_state=0).fit(Xtr, ytr)
        t_sk = time.perf_counter() - t
        t = time.perf_counter()
        fast().fit(Xtr, ytr)
        t_fast2 = time.perf_counter() - t
        print(
            f"fit: fastml {t_fast1:.2f} / {t_fast2:.2f} s, scikit-learn {t_sk:.2f} s, "
            f"ratio {min(t_fast1, t_fast2) / t_sk:.3f} (worst {max(t_fast1, t_fast2) / t_sk:.3f})"
        )
        diff = np.abs(f.predict_proba(Xte) - s.predict_proba(Xte)).max()
        print(
            f"test accuracy fastml {f.score(Xte, yte):.4f} scikit-learn "
            f"{s.score(Xte, yte):.4f}; max |proba difference| {diff:.2e}"
        )
        for name, rows in (("20k test rows", Xte), ("100k training rows", Xtr)):
            tf, ts = [], []
            for _ in range(7):
                t = time.perf_counter()
                f.predict_proba(rows)
                tf.append(time.perf_counter() - t)
                t = time.perf_counter()
                s.predict_proba(rows)
                ts.append(time.perf_counter() - t)
            print(
                f"predict_proba {name}: fastml {min(tf) * 1e3:.1f} ms, scikit-learn "
                f"{min(ts) * 1e3:.1f} ms (min of 7), ratio {min(tf) / min(ts):.3f}; "
                f"medians ratio {np.median(tf) / np.median(ts):.3f}"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
