"""The HNSW index file format and the validation of a loaded (or unpickled) state.

File layout (version 1, all integers little-endian, no pickle anywhere):

====================  ==========================================================
bytes                 content
====================  ==========================================================
8                     magic ``b"FMLHNSW\\x00"``
4                     format version (uint32), currently 1
4                     header length H in bytes (uint32)
H                     header: UTF-8 JSON object with the keys ``space`` ("l2",
                      "ip", "cosine"), ``dim``, ``M``, ``ef_construction``,
                      ``random_seed``, ``allow_replace_deleted``, ``capacity``,
                      ``count``, ``n_inserted``, ``n_upper_rows``, ``entry``,
                      ``max_level``
count*dim*4           ``data``: float32 vectors (cosine: normalised)
count*8               ``labels``: uint64 external labels
count                 ``deleted``: uint8 flags
count*4               ``levels``: int32 top layer of each node
count*8               ``upper_off``: int64 first row in ``upper`` (-1 at level 0)
count*(2M+1)*4        ``links0``: int32 layer-0 lists ``[n, id_1 .. id_2M]``
n_upper_rows*(M+1)*4  ``upper``: int32 upper-layer lists ``[n, id_1 .. id_M]``
4                     CRC-32 (zlib) of every preceding byte (uint32)
====================  ==========================================================

A file whose magic, version, length or checksum is wrong is rejected with
:class:`ValueError`; so is a state whose graph is inconsistent (a link to a node that
does not exist, a list longer than its capacity, duplicate labels), so that neither a
damaged file nor a crafted pickle can make the compiled search read out of bounds.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from typing import Any

import numpy as np

__all__ = ["MAGIC", "FORMAT_VERSION", "write_index", "read_index", "validate_state"]

MAGIC = b"FMLHNSW\x00"
FORMAT_VERSION = 1
_HEADER_KEYS = (
    "space",
    "dim",
    "M",
    "ef_construction",
    "random_seed",
    "allow_replace_deleted",
    "capacity",
    "count",
    "n_inserted",
    "n_upper_rows",
    "entry",
    "max_level",
)
_MAX_LEVEL = 64


def _arrays_spec(header: dict[str, Any]) -> list[tuple[str, Any, tuple[int, ...]]]:
    n, dim, m = header["count"], header["dim"], header["M"]
    return [
        ("data", np.dtype("<f4"), (n, dim)),
        ("labels", np.dtype("<u8"), (n,)),
        ("deleted", np.dtype("u1"), (n,)),
        ("levels", np.dtype("<i4"), (n,)),
        ("upper_off", np.dtype("<i8"), (n,)),
        ("links0", np.dtype("<i4"), (n, 2 * m + 1)),
        ("upper", np.dtype("<i4"), (header["n_upper_rows"], m + 1)),
    ]


def write_index(path: str | os.PathLike[str], state: dict[str, Any]) -> int:
    """Write ``state`` (see :func:`validate_state`) to ``path``; returns the size."""
    header = {key: state[key] for key in _HEADER_KEYS}
    header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")
    crc = 0
    size = 0
    with open(path, "wb") as f:

        def put(chunk: bytes | memoryview) -> None:
            nonlocal crc, size
            f.write(chunk)
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)

        put(MAGIC)
        put(struct.pack("<II", FORMAT_VERSION, len(header_bytes)))
        put(header_bytes)
        for name, dtype, shape in _arrays_spec(header):
            arr = np.ascontiguousarray(state[name], dtype=dtype).reshape(shape)
            put(arr.tobytes())
        f.write(struct.pack("<I", crc))
    return size + 4


def file_size(state: dict[str, Any]) -> int:
    """Bytes :func:`write_index` would write for ``state``."""
    header = {key: state[key] for key in _HEADER_KEYS}
    header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")
    body = sum(
        int(np.prod(shape)) * dtype.itemsize for _, dtype, shape in _arrays_spec(header)
    )
    return len(MAGIC) + 8 + len(header_bytes) + body + 4


def read_index(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate an index file written by :func:`write_index`."""
    with open(path, "rb") as f:
        raw = f.read()
    name = os.fspath(path)
    if len(raw) < len(MAGIC) + 12 or raw[: len(MAGIC)] != MAGIC:
        raise ValueError(f"{name!r} is not a fastml HNSW index file (bad magic).")
    version, header_len = struct.unpack_from("<II", raw, len(MAGIC))
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{name!r} has HNSW format version {version}; this fastml reads "
            f"version {FORMAT_VERSION}."
        )
    (stored_crc,) = struct.unpack_from("<I", raw, len(raw) - 4)
    if zlib.crc32(memoryview(raw)[:-4]) != stored_crc:
        raise ValueError(f"{name!r} is corrupted or truncated (checksum mismatch).")
    pos = len(MAGIC) + 8
    try:
        header = json.loads(raw[pos : pos + header_len].decode("utf-8"))
        if not isinstance(header, dict) or set(header) != set(_HEADER_KEYS):
            raise ValueError("header keys")
        for key in _HEADER_KEYS:
            if key == "space":
                continue
            if key == "allow_replace_deleted":
                header[key] = bool(header[key])
            elif not isinstance(header[key], int):
                raise ValueError(key)
        spec = _arrays_spec(header)
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        raise ValueError(f"{name!r} has a corrupted header.") from exc
    pos += header_len
    state: dict[str, Any] = dict(header)
    for key, dtype, shape in spec:
        if min(shape, default=0) < 0:
            raise ValueError(f"{name!r} has a corrupted header.")
        nbytes = int(np.prod(shape)) * dtype.itemsize
        if pos + nbytes > len(raw) - 4:
            raise ValueError(f"{name!r} is truncated.")
        state[key] = (
            np.frombuffer(raw, dtype=dtype, count=int(np.prod(shape)), offset=pos)
            .reshape(shape)
            .astype(dtype.newbyteorder("="), copy=True)
        )
        pos += nbytes
    if pos != len(raw) - 4:
        raise ValueError(f"{name!r} has trailing bytes: corrupted.")
    validate_state(state)
    return state


def _check_lists(lists: np.ndarray, width: int, count: int, what: str) -> None:
    if lists.shape[0] == 0:
        return
    n = lists[:, 0]
    if n.min() < 0 or n.max() > width:
        raise ValueError(f"Corrupted HNSW index: a {what} list is too long.")
    used = np.arange(width)[None, :] < n[:, None]
    ids = lists[:, 1:][used]
    if ids.size and (ids.min() < 0 or ids.max() >= count):
        raise ValueError(f"Corrupted HNSW index: a {what} link points nowhere.")


def validate_state(state: dict[str, Any]) -> None:
    """Check that a state is a consistent HNSW graph; raise ValueError otherwise.

    ``state`` holds the header keys (see the module docstring) and the arrays
    ``data``, ``labels``, ``deleted``, ``levels``, ``upper_off``, ``links0`` and
    ``upper`` trimmed to ``count`` nodes.
    """
    try:
        space = state["space"]
        dim, m, count = int(state["dim"]), int(state["M"]), int(state["count"])
        capacity, rows = int(state["capacity"]), int(state["n_upper_rows"])
        entry, max_level = int(state["entry"]), int(state["max_level"])
        if int(state["ef_construction"]) < 1:
            raise ValueError("ef_construction")
        expected = {name: shape for name, _, shape in _arrays_spec(state)}
        for name, shape in expected.items():
            if tuple(np.shape(state[name])) != shape:
                raise ValueError(name)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"Corrupted HNSW index: bad field {exc}.") from exc
    if space not in ("l2", "ip", "cosine") or dim < 1 or m < 2:
        raise ValueError("Corrupted HNSW index: bad space, dim or M.")
    if not 0 <= count <= capacity or rows < 0:
        raise ValueError("Corrupted HNSW index: bad element counts.")
    levels = state["levels"]
    if count:
        if levels.min() < 0 or levels.max() > _MAX_LEVEL:
            raise ValueError("Corrupted HNSW index: bad node levels.")
        if not 0 <= entry < count or levels[entry] != max_level:
            raise ValueError("Corrupted HNSW index: bad entry point.")
        if levels.max() != max_level:
            raise ValueError("Corrupted HNSW index: bad entry point.")
        if np.unique(state["labels"]).size != count:
            raise ValueError("Corrupted HNSW index: duplicate labels.")
    elif entry != -1 or max_level != -1:
        raise ValueError("Corrupted HNSW index: bad entry point.")
    off = state["upper_off"]
    up = levels > 0
    if np.any(up) and (
        off[up].min() < 0 or (off[up] + levels[up].astype(np.int64)).max() > rows
    ):
        raise ValueError("Corrupted HNSW index: bad upper-layer offsets.")
    _check_lists(state["links0"], 2 * m, count, "layer-0")
    if np.any(up):
        # Only the rows owned by nodes are ever read.
        owned = np.concatenate(
            [np.arange(o, o + lv) for o, lv in zip(off[up], levels[up])]
        )
        _check_lists(state["upper"][owned], m, count, "upper-layer")
