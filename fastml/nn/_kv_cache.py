"""Key/value cache of :class:`fastml.nn.GPTDecoder`: per-layer buffers that grow.

Each layer's keys and values live in a buffer of shape
``(batch_size, n_heads, capacity, head_dim)``; a forward pass with the cache writes
its tokens' keys and values at their positions and attends to the prefix
``[:, :, :length]``. The buffers double (never past the model's ``n_positions``)
when a pass needs more room.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["KVCache"]


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}.")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}.")
    return int(value)


class KVCache:
    """Keys and values of the tokens a :class:`GPTDecoder` has processed.

    Make one with :meth:`GPTDecoder.new_cache`. ``keys[i]`` and ``values[i]`` are
    layer ``i``'s buffers of shape ``(batch_size, n_heads, capacity, head_dim)``;
    positions ``0 .. length - 1`` hold data.

    Parameters
    ----------
    n_layers, batch_size, n_heads, head_dim : int
    max_length : int
        The model's ``n_positions``: the buffers never grow past it.
    dtype : numpy dtype
        The model's dtype.
    capacity : int or None, default=None
        Positions allocated at once (None: ``min(max_length, 64)``); the buffers
        double when a forward pass needs more, up to ``max_length``.
    """

    def __init__(
        self,
        n_layers: int,
        batch_size: int,
        n_heads: int,
        head_dim: int,
        max_length: int,
        dtype: Any = np.float32,
        capacity: int | None = None,
    ) -> None:
        self.n_layers = _positive_int(n_layers, "n_layers")
        self.batch_size = _positive_int(batch_size, "batch_size")
        self.n_heads = _positive_int(n_heads, "n_heads")
        self.head_dim = _positive_int(head_dim, "head_dim")
        self.max_length = _positive_int(max_length, "max_length")
        self.dtype = np.dtype(dtype)
        if capacity is None:
            capacity = min(self.max_length, 64)
        capacity = _positive_int(capacity, "capacity")
        if capacity > self.max_length:
            raise ValueError(
                f"capacity ({capacity}) exceeds the model's n_positions "
                f"({self.max_length})."
            )
        shape = (self.batch_size, self.n_heads, capacity, self.head_dim)
        self.keys = [np.zeros(shape, self.dtype) for _ in range(self.n_layers)]
        self.values = [np.zeros(shape, self.dtype) for _ in range(self.n_layers)]
        self.length = 0

    @property
    def capacity(self) -> int:
        """Positions currently allocated per buffer."""
        return int(self.keys[0].shape[2])

    @property
    def nbytes(self) -> int:
        """Bytes held by the buffers."""
        return sum(k.nbytes + v.nbytes for k, v in zip(self.keys, self.values))

    def reset(self) -> None:
        """Forget every cached position (the buffers are kept)."""
        self.length = 0

    def _reserve(self, needed: int, keep: int) -> None:
        """Make room for ``needed`` positions, keeping the first ``keep``."""
        if needed <= self.capacity:
            return
        new_capacity = min(self.max_length, max(needed, 2 * self.capacity))
        shape = (self.batch_size, self.n_heads, new_capacity, self.head_dim)
        for buffers in (self.keys, self.values):
            for i, old in enumerate(buffers):
                grown = np.zeros(shape, self.dtype)
                grown[:, :, :keep] = old[:, :, :keep]
                buffers[i] = grown

    def __repr__(self) -> str:
        return (
            f"KVCache(n_layers={self.n_layers}, batch_size={self.batch_size}, "
            f"length={self.length}, capacity={self.capacity})"
        )
