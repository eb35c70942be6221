"""The radix sort behind exact sketch summaries vs NumPy's stable sort."""

import numpy as np
import pytest
from fastml.kernels.hist.radix import (
    from_sortable_keys,
    radix_sort_pairs,
    to_sortable_keys,
)

_UINT = {
    np.float32: (np.uint32, np.uint32(1 << 31)),
    np.float64: (np.uint64, np.uint64(1 << 63)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, 2, 257, 5000])
@pytest.mark.parametrize("move_weights", [True, False])
def test_sorts_floats_and_carries_weights(dtype, n, move_weights):
    rng = np.random.default_rng(n)
    values = (rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n)).astype(dtype)
    values[: n // 3] = np.round(values[: n // 3])  # ties, including +0.0
    values[values == 0] = 0.0  # the keys need -0.0 normalised to +0.0
    weights = rng.random(n)
    key_dtype, top = _UINT[dtype]
    work = values.copy()
    keys = work.view(key_dtype)
    w = weights.copy()
    to_sortable_keys(keys, n, top)
    radix_sort_pairs(keys, w, np.empty(n, key_dtype), np.empty(n), n, move_weights)
    from_sortable_keys(keys, n, top)
    order = np.argsort(values, kind="stable")
    np.testing.assert_array_equal(work, values[order])
    np.testing.assert_array_equal(w, weights[order] if move_weights else weights)


def test_constant_bytes_are_skipped_without_changing_the_result():
    # All keys share their high bytes: those passes are trivial and skipped.
    values = np.arange(300, dtype=np.float64)[::-1].copy()
    keys = values.view(np.uint64)
    w = np.arange(300, dtype=np.float64)
    to_sortable_keys(keys, 300, np.uint64(1 << 63))
    radix_sort_pairs(keys, w, np.empty(300, np.uint64), np.empty(300), 300, True)
    from_sortable_keys(keys, 300, np.uint64(1 << 63))
    np.testing.assert_array_equal(values, np.arange(300.0))
    np.testing.assert_array_equal(w, np.arange(300.0)[::-1])
