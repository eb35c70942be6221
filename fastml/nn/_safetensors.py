"""Read and write the safetensors format with numpy only.

Layout of a file: an unsigned 64-bit little-endian integer ``N``, then ``N`` bytes of
UTF-8 JSON (the header), then the data section. The header is an object mapping each
tensor name to ``{"dtype": str, "shape": [int, ...], "data_offsets": [begin, end]}``
(offsets relative to the start of the data section, little-endian values, C order)
plus an optional ``"__metadata__"`` object of string to string.

The reader treats every file as hostile. Before a single tensor byte is allocated it
checks that

- the header length is at most :data:`MAX_HEADER_BYTES` (100 MB) and fits in the file;
- the header is valid UTF-8 JSON (no NaN/Infinity literals, bounded nesting), an
  object without duplicate keys, whose entries have exactly the three fields above;
- every dtype is known, every shape entry a non-negative integer, every offset pair
  an integer pair with ``0 <= begin <= end <= len(data section)`` and
  ``end - begin == prod(shape) * itemsize``;
- the tensors tile the data section exactly: sorted by offset, each begins where
  the previous ends and the last ends at the end of the file (no overlap, no gap,
  no trailing bytes; this is the rule of the reference implementation too).

Any violation raises :class:`ValueError` naming the problem; nothing is executed
(the header is parsed by :func:`json.loads`, never evaluated), and the memory used
is bounded by the file size. A missing file raises the usual
:class:`FileNotFoundError`.

Dtypes
------
``F64, F32, F16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL`` load as the matching
native numpy dtype. numpy has no bfloat16, so ``BF16`` loads as float32 by default
(exact: a bfloat16 is the top half of a float32) or, with ``bf16="uint16"``, as the
raw uint16 bit patterns (the storage used by :mod:`fastml.nn.quantize`). The 8-bit
float types (``F8_E4M3``, ``F8_E5M2``) are refused with a clear error.

Returned arrays are fresh, writable, aligned, C-contiguous numpy arrays read from the
file once; modifying them never touches the file.
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["MAX_HEADER_BYTES", "load_safetensors", "save_safetensors"]

#: Largest header accepted, in bytes (the reference implementation uses the same cap).
MAX_HEADER_BYTES = 100_000_000

_DTYPES: dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("u1"),
}
_UNSUPPORTED = ("F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64")
_ENTRY_FIELDS = frozenset(("dtype", "shape", "data_offsets"))


def _fail(path: Any, message: str) -> ValueError:
    return ValueError(f"invalid safetensors file {os.fspath(path)!r}: {message}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class _DuplicateKey(Exception):
    pass


def _refuse_constant(name: str) -> Any:
    raise _BadConstant(name)


class _BadConstant(Exception):
    pass


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_header(path: Any, raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"the header is not valid UTF-8 ({exc.reason}).") from None
    try:
        header = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant
        )
    except _DuplicateKey as exc:
        raise _fail(path, f"duplicate key {exc.args[0]!r} in the header.") from None
    except _BadConstant as exc:
        raise _fail(path, f"the header contains {exc.args[0]}.") from None
    except (ValueError, RecursionError) as exc:
        # json.JSONDecodeError is a ValueError; so is an integer literal with more
        # digits than Python's int-conversion limit. Deep nesting makes the C
        # scanner raise RecursionError (it counts its depth), never crash.
        raise _fail(path, f"the header is not valid JSON ({exc}).") from None
    if not isinstance(header, dict):
        raise _fail(
            path, f"the header must be a JSON object, got {type(header).__name__}."
        )
    return header


def _check_metadata(path: Any, metadata: Any) -> dict[str, str]:
    if not isinstance(metadata, dict):
        raise _fail(path, "__metadata__ must be an object of strings.")
    for key, value in metadata.items():
        if not isinstance(value, str):
            raise _fail(
                path,
                f"__metadata__[{key!r}] must be a string, got {type(value).__name__}.",
            )
    return dict(metadata)


def _check_entry(
    path: Any, name: str, entry: Any, data_len: int
) -> tuple[str, tuple[int, ...], int, int]:
    where = f"tensor {name!r}"
    if not isinstance(entry, dict):
        raise _fail(path, f"{where}: entry must be an object, got {entry!r:.80}.")
    if set(entry) != _ENTRY_FIELDS:
        missing = sorted(_ENTRY_FIELDS - set(entry))
        extra = sorted(set(entry) - _ENTRY_FIELDS)
        raise _fail(
            path,
            f"{where}: entry must have exactly the fields dtype, shape and "
            f"data_offsets (missing {missing}, unexpected {extra}).",
        )
    dtype = entry["dtype"]
    if not isinstance(dtype, str) or dtype not in _DTYPES:
        why = "is not supported" if dtype in _UNSUPPORTED else "is unknown"
        raise _fail(path, f"{where}: dtype {dtype!r:.40} {why}.")
    shape = entry["shape"]
    if not isinstance(shape, list) or not all(
        _is_int(dim) and dim >= 0 for dim in shape
    ):
        raise _fail(
            path,
            f"{where}: shape must be a list of non-negative integers, got "
            f"{shape!r:.80}.",
        )
    offsets = entry["data_offsets"]
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_int(v) for v in offsets)
    ):
        raise _fail(
            path,
            f"{where}: data_offsets must be two integers, got {offsets!r:.80}.",
        )
    begin, end = offsets
    if not 0 <= begin <= end:
        raise _fail(
            path, f"{where}: data_offsets [{begin}, {end}] are not 0 <= begin <= end."
        )
    if end > data_len:
        raise _fail(
            path,
            f"{where}: data_offsets [{begin}, {end}] run past the data section "
            f"({data_len} bytes; is the file truncated?).",
        )
    # Python integers: no overflow whatever the shape.
    n_bytes = math.prod(shape) * _DTYPES[dtype].itemsize
    if end - begin != n_bytes:
        raise _fail(
            path,
            f"{where}: {end - begin} bytes at data_offsets [{begin}, {end}], but "
            f"dtype {dtype} and shape {shape} need {n_bytes}.",
        )
    return dtype, tuple(shape), begin, end


def _read_exact(handle: Any, array: np.ndarray, path: Any) -> None:
    view = array.data.cast("B")
    filled = 0
    while filled < len(view):
        count = handle.readinto(view[filled:])
        if not count:
            raise _fail(path, "the file ended early (was it truncated while read?).")
        filled += count


def load_safetensors(
    path: str | os.PathLike[str],
    *,
    return_metadata: bool = False,
    bf16: str = "float32",
) -> Any:
    """Load every tensor of a safetensors file as numpy arrays.

    Parameters
    ----------
    path : str or path-like
        The ``.safetensors`` file.
    return_metadata : bool, default=False
        Also return the header's ``__metadata__`` (an empty dict when absent).
    bf16 : {"float32", "uint16"}, default="float32"
        How BF16 tensors are returned: converted exactly to float32, or as their raw
        uint16 bit patterns.

    Returns
    -------
    tensors : dict of str to ndarray
        In the order of their offsets in the file. Each array is a fresh, writable,
        C-contiguous array in native byte order.
    metadata : dict of str to str
        Only when ``return_metadata`` is True.

    Raises
    ------
    ValueError
        When the file is not a well-formed safetensors file (see the module
        docstring for the checks), or ``bf16`` is not a known option.
    FileNotFoundError, IsADirectoryError, PermissionError
        When the file cannot be opened.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from fastml.nn import load_safetensors, save_safetensors
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> save_safetensors(path, {"w": np.arange(6, dtype=np.float32).reshape(2, 3)})
    >>> load_safetensors(path)["w"]
    array([[0., 1., 2.],
           [3., 4., 5.]], dtype=float32)
    """
    if bf16 not in ("float32", "uint16"):
        raise ValueError(f"bf16 must be 'float32' or 'uint16', got {bf16!r}.")
    with open(path, "rb") as handle:
        file_size = os.fstat(handle.fileno()).st_size
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise _fail(
                path, f"{file_size} bytes is too short for the 8-byte header length."
            )
        (header_len,) = struct.unpack("<Q", prefix)
        if header_len > MAX_HEADER_BYTES:
            raise _fail(
                path,
                f"header length {header_len} exceeds the limit of "
                f"{MAX_HEADER_BYTES} bytes.",
            )
        if 8 + header_len > file_size:
            raise _fail(
                path,
                f"header length {header_len} runs past the end of the file "
                f"({file_size} bytes).",
            )
        raw = handle.read(header_len)
        if len(raw) != header_len:
            raise _fail(path, "the file ended inside the header.")
        header = _parse_header(path, raw)
        data_start = 8 + header_len
        data_len = file_size - data_start

        metadata: dict[str, str] = {}
        if "__metadata__" in header:
            metadata = _check_metadata(path, header.pop("__metadata__"))
        entries = [
            (name, *_check_entry(path, name, entry, data_len))
            for name, entry in header.items()
        ]
        # Tiling: sorted by (begin, end), each tensor starts where the previous
        # ended. Zero-byte tensors may sit anywhere inside that chain.
        entries.sort(key=lambda item: (item[3], item[4]))
        position = 0
        for name, _, _, begin, end in entries:
            if begin != position:
                kind = (
                    "overlaps the previous tensor"
                    if begin < position
                    else f"leaves a gap of {begin - position} bytes before it"
                )
                raise _fail(
                    path, f"tensor {name!r} at data_offsets [{begin}, {end}] {kind}."
                )
            position = end
        if position != data_len:
            raise _fail(
                path,
                f"the tensors cover {position} bytes but the data section holds "
                f"{data_len} (trailing bytes or a corrupt header).",
            )

        tensors: dict[str, np.ndarray] = {}
        for name, dtype_name, shape, begin, _end in entries:
            stored = _DTYPES[dtype_name]
            array = np.empty(shape, dtype=stored)
            if array.nbytes:
                handle.seek(data_start + begin)
                _read_exact(handle, array, path)
            tensors[name] = _to_native(path, name, dtype_name, array, bf16)
    if return_metadata:
        return tensors, metadata
    return tensors


def _to_native(
    path: Any, name: str, dtype_name: str, array: np.ndarray, bf16: str
) -> np.ndarray:
    if dtype_name == "BOOL":
        if array.size and array.max() > 1:
            raise _fail(path, f"tensor {name!r}: BOOL bytes must be 0 or 1.")
        return array.view(np.bool_)
    if dtype_name == "BF16":
        bits = array.astype(np.uint16, copy=False)
        if bf16 == "uint16":
            return bits
        return (bits.astype(np.uint32) << 16).view(np.float32)
    if not array.dtype.isnative:
        return array.astype(array.dtype.newbyteorder("="))
    return array


_SAVE_CODES = {
    np.dtype(np.float64): "F64",
    np.dtype(np.float32): "F32",
    np.dtype(np.float16): "F16",
    np.dtype(np.int64): "I64",
    np.dtype(np.int32): "I32",
    np.dtype(np.int16): "I16",
    np.dtype(np.int8): "I8",
    np.dtype(np.uint64): "U64",
    np.dtype(np.uint32): "U32",
    np.dtype(np.uint16): "U16",
    np.dtype(np.uint8): "U8",
    np.dtype(np.bool_): "BOOL",
}


def _save_code(name: str, array: np.ndarray) -> tuple[str, np.ndarray]:
    dtype = array.dtype
    if dtype.name == "bfloat16" and dtype.itemsize == 2:  # ml_dtypes.bfloat16
        return "BF16", array.view(np.uint16)
    native = dtype.newbyteorder("=")
    if native not in _SAVE_CODES:
        raise ValueError(
            f"tensor {name!r}: dtype {dtype} cannot be stored in safetensors."
        )
    return _SAVE_CODES[native], array


def save_safetensors(
    path: str | os.PathLike[str],
    tensors: Mapping[str, Any],
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Write arrays to a safetensors file.

    Parameters
    ----------
    path : str or path-like
        Destination (overwritten).
    tensors : mapping of str to array-like
        Names and arrays. Supported dtypes: float64/32/16, int64/32/16/8,
        uint64/32/16/8, bool, and ``ml_dtypes.bfloat16`` (stored as BF16).
        Arrays are written in C order, little-endian; the inputs are not modified.
    metadata : mapping of str to str, default=None
        Stored as the header's ``__metadata__``.

    Raises
    ------
    ValueError
        For a name that is not a string or is ``"__metadata__"``, an unsupported
        dtype, or metadata that is not a mapping of strings to strings.

    Notes
    -----
    Tensors are laid out by decreasing item size, then by name, and the header is
    padded with spaces to a multiple of 8 bytes, so every tensor of the file starts
    at an offset aligned to its item size.
    """
    if not isinstance(tensors, Mapping):
        raise ValueError(
            f"tensors must be a mapping of names to arrays, got {type(tensors)}."
        )
    prepared: list[tuple[str, str, np.ndarray]] = []
    for name, value in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise ValueError(f"invalid tensor name {name!r}.")
        array = np.asarray(value)
        bfloat16 = array.dtype.name == "bfloat16" and array.dtype.itemsize == 2
        if not bfloat16 and (array.dtype.hasobject or array.dtype.kind in "USVcmMO"):
            raise ValueError(
                f"tensor {name!r}: dtype {array.dtype} cannot be stored in safetensors."
            )
        code, array = _save_code(name, array)
        # order="C" keeps 0-d arrays 0-d (np.ascontiguousarray would make them 1-d).
        little = np.asarray(array, dtype=array.dtype.newbyteorder("<"), order="C")
        prepared.append((name, code, little))
    prepared.sort(key=lambda item: (-item[2].dtype.itemsize, item[0]))

    header: dict[str, Any] = {}
    if metadata is not None:
        if not isinstance(metadata, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
        ):
            raise ValueError("metadata must be a mapping of str to str.")
        header["__metadata__"] = dict(metadata)
    offset = 0
    for name, code, array in prepared:
        header[name] = {
            "dtype": code,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + array.nbytes],
        }
        offset += array.nbytes
    encoded = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    encoded += b" " * (-(len(encoded) + 8) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for _, _, array in prepared:
            if array.nbytes:
                handle.write(array.data.cast("B"))
