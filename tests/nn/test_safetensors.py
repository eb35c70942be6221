"""fastml.nn.load_safetensors / save_safetensors: round trips, dtypes, hostile files."""

import json
import struct

import numpy as np
import pytest

from fastml.nn import load_safetensors, save_safetensors
from fastml.nn._safetensors import MAX_HEADER_BYTES


def _write_raw(path, header, data=b"", header_len=None):
    """A file with ``header`` (dict or raw bytes) and ``data`` as given."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    n = len(raw) if header_len is None else header_len
    path.write_bytes(struct.pack("<Q", n) + raw + data)
    return path


def _entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


ALL_DTYPES = [
    np.float64,
    np.float32,
    np.float16,
    np.int64,
    np.int32,
    np.int16,
    np.int8,
    np.uint64,
    np.uint32,
    np.uint16,
    np.uint8,
    np.bool_,
]


def _sample(dtype, shape, rng):
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return rng.standard_normal(shape).astype(dtype)


def test_round_trip_every_dtype_and_shape(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {}
    for i, dtype in enumerate(ALL_DTYPES):
        for shape in [(), (0,), (3,), (2, 0, 4), (3, 5, 2)]:
            tensors[f"t{i}_{len(shape)}_{sum(shape)}"] = _sample(dtype, shape, rng)
    path = tmp_path / "all.safetensors"
    save_safetensors(path, tensors, metadata={"format": "np", "note": "é"})
    loaded, metadata = load_safetensors(path, return_metadata=True)
    assert metadata == {"format": "np", "note": "é"}
    assert set(loaded) == set(tensors)
    for name, array in tensors.items():
        got = loaded[name]
        assert got.dtype == array.dtype and got.shape == array.shape, name
        np.testing.assert_array_equal(got, array)
        assert got.flags.c_contiguous and got.flags.writeable and got.flags.aligned


def test_returned_arrays_are_independent_of_the_file(tmp_path):
    path = tmp_path / "w.safetensors"
    save_safetensors(path, {"w": np.arange(4.0), "b": np.ones(2, np.float32)})
    first = load_safetensors(path)
    first["w"][:] = -1
    second = load_safetensors(path)
    np.testing.assert_array_equal(second["w"], np.arange(4.0))


def test_caller_arrays_unchanged_and_non_contiguous_input(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    view = base[:, ::2]  # not contiguous
    fortran = np.asfortranarray(base)
    big_endian = np.arange(5, dtype=">i4")
    before = base.copy()
    path = tmp_path / "x.safetensors"
    save_safetensors(path, {"v": view, "f": fortran, "be": big_endian})
    loaded = load_safetensors(path)
    np.testing.assert_array_equal(loaded["v"], view)
    np.testing.assert_array_equal(loaded["f"], base)
    np.testing.assert_array_equal(loaded["be"], np.arange(5))
    assert loaded["be"].dtype == np.int32 and loaded["be"].dtype.isnative
    np.testing.assert_array_equal(base, before)


def test_layout_is_aligned_and_tiles_the_data(tmp_path):
    path = tmp_path / "a.safetensors"
    save_safetensors(
        path, {"a": np.ones(3, np.uint8), "b": np.ones(3, np.float64), "c": np.ones(1)}
    )
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0
    header = json.loads(raw[8 : 8 + n])
    for entry in header.values():
        itemsize = {"F64": 8, "U8": 1}[entry["dtype"]]
        assert entry["data_offsets"][0] % itemsize == 0


def test_bf16_as_float32_or_bits(tmp_path):
    # bfloat16 bit patterns of 1.0, -2.5, the smallest subnormal, inf and NaN.
    bits = np.array([0x3F80, 0xC020, 0x0001, 0x7F80, 0x7FC0], dtype="<u2")
    path = _write_raw(
        tmp_path / "bf.safetensors", {"x": _entry("BF16", [5], 0, 10)}, bits.tobytes()
    )
    as_float = load_safetensors(path)["x"]
    assert as_float.dtype == np.float32
    expected = (bits.astype(np.uint32) << 16).view(np.float32)
    np.testing.assert_array_equal(as_float, expected)
    assert as_float[0] == 1.0 and as_float[1] == -2.5 and np.isnan(as_float[4])
    raw_bits = load_safetensors(path, bf16="uint16")["x"]
    assert raw_bits.dtype == np.uint16
    np.testing.assert_array_equal(raw_bits, bits)
    with pytest.raises(ValueError, match="bf16 must be"):
        load_safetensors(path, bf16="bfloat16")


def test_bf16_round_trip_with_ml_dtypes(tmp_path):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    values = np.array([1.0, -3.0, 0.15625, 1e30], dtype=ml_dtypes.bfloat16)
    path = tmp_path / "bf.safetensors"
    save_safetensors(path, {"x": values})
    np.testing.assert_array_equal(
        load_safetensors(path)["x"], values.astype(np.float32)
    )
    np.testing.assert_array_equal(
        load_safetensors(path, bf16="uint16")["x"], values.view(np.uint16)
    )


def test_against_the_safetensors_package_both_ways(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(1)
    tensors = {
        f"layer.{i}.{dtype.__name__}": _sample(dtype, (3, i + 1), rng)
        for i, dtype in enumerate(ALL_DTYPES)
    }
    tensors["scalar"] = np.array(2.5, dtype=np.float32)
    tensors["empty"] = np.zeros((0, 7), dtype=np.float32)
    ours = tmp_path / "ours.safetensors"
    theirs = tmp_path / "theirs.safetensors"
    save_safetensors(ours, tensors, metadata={"format": "np"})
    st.save_file(tensors, str(theirs), metadata={"format": "np"})
    read_by_them = st.load_file(str(ours))
    read_by_us, metadata = load_safetensors(theirs, return_metadata=True)
    assert metadata == {"format": "np"}
    for name, array in tensors.items():
        for got in (read_by_them[name], read_by_us[name]):
            assert got.dtype == array.dtype and got.shape == array.shape
            np.testing.assert_array_equal(got, array)


def test_against_the_safetensors_package_bf16(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    ml_dtypes = pytest.importorskip("ml_dtypes")
    values = np.array([[0.5, -1.25], [7.0, 3e-3]], dtype=ml_dtypes.bfloat16)
    theirs = tmp_path / "theirs.safetensors"
    st.save_file({"x": values}, str(theirs))
    np.testing.assert_array_equal(
        load_safetensors(theirs)["x"], values.astype(np.float32)
    )


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_safetensors(tmp_path / "nope.safetensors")
    with pytest.raises(IsADirectoryError):
        load_safetensors(tmp_path)


def test_empty_file_and_just_a_header(tmp_path):
    empty = tmp_path / "e.safetensors"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="too short"):
        load_safetensors(empty)
    short = tmp_path / "s.safetensors"
    short.write_bytes(b"\x02\x00\x00")
    with pytest.raises(ValueError, match="too short"):
        load_safetensors(short)
    # A valid file holding no tensor at all.
    only_header = _write_raw(tmp_path / "h.safetensors", {})
    assert load_safetensors(only_header) == {}


# Each case: (description, header (dict or bytes), data bytes, header_len override,
# expected message fragment).
HOSTILE = [
    ("length above the cap", b"{}", b"", MAX_HEADER_BYTES + 1, "exceeds the limit"),
    ("length 2**64 - 1", b"{}", b"", 2**64 - 1, "exceeds the limit"),
    ("length past the end", b"{}", b"", 1000, "runs past the end"),
    ("invalid utf-8", b'{"\xff": 1}', b"", None, "not valid UTF-8"),
    ("invalid json", b'{"a": ', b"", None, "not valid JSON"),
    ("json list", b"[1, 2]", b"", None, "must be a JSON object"),
    ("json string", b'"hi"', b"", None, "must be a JSON object"),
    ("deep nesting", b"[" * 100_000, b"", None, "not valid JSON"),
    ("NaN literal", b'{"a": NaN}', b"", None, "NaN"),
    ("huge integer", b'{"a": ' + b"9" * 5000 + b"}", b"", None, "not valid JSON"),
    (
        "duplicate key",
        b'{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, '
        b'"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}',
        b"\x00",
        None,
        "duplicate key 'a'",
    ),
    ("entry not a dict", {"a": [1, 2]}, b"", None, "must be an object"),
    ("missing field", {"a": {"dtype": "U8", "shape": [0]}}, b"", None, "exactly"),
    (
        "extra field",
        {"a": {**_entry("U8", [0], 0, 0), "code": "print(1)"}},
        b"",
        None,
        "unexpected",
    ),
    ("unknown dtype", {"a": _entry("F128", [1], 0, 16)}, bytes(16), None, "unknown"),
    ("F8 dtype", {"a": _entry("F8_E4M3", [1], 0, 1)}, b"\x00", None, "not supported"),
    ("dtype not str", {"a": _entry(4, [1], 0, 4)}, bytes(4), None, "dtype"),
    ("negative dim", {"a": _entry("U8", [-1], 0, 0)}, b"", None, "non-negative"),
    ("float dim", {"a": _entry("U8", [1.0], 0, 1)}, b"\x00", None, "non-negative"),
    ("bool dim", {"a": _entry("U8", [True], 0, 1)}, b"\x00", None, "non-negative"),
    ("shape not list", {"a": _entry("U8", 3, 0, 3)}, bytes(3), None, "shape must"),
    ("offsets not ints", {"a": _entry("U8", [1], 0.0, 1)}, b"\x00", None, "two"),
    (
        "three offsets",
        {"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1, 2]}},
        b"\x00",
        None,
        "two integers",
    ),
    ("end before begin", {"a": _entry("U8", [0], 4, 2)}, bytes(4), None, "begin <="),
    ("negative begin", {"a": _entry("U8", [1], -1, 0)}, b"", None, "0 <= begin"),
    ("end past data", {"a": _entry("U8", [8], 0, 8)}, bytes(4), None, "run past"),
    (
        "offsets 2**63",
        {"a": _entry("U8", [2**63], 0, 2**63)},
        bytes(4),
        None,
        "run past",
    ),
    ("wrong byte count", {"a": _entry("F32", [3], 0, 8)}, bytes(8), None, "need 12"),
    (
        "huge shape small span",
        {"a": _entry("F32", [2**40, 2**40], 0, 8)},
        bytes(8),
        None,
        "need",
    ),
    (
        "overlap",
        {"a": _entry("U8", [4], 0, 4), "b": _entry("U8", [4], 2, 6)},
        bytes(6),
        None,
        "overlaps",
    ),
    (
        "same span twice",
        {"a": _entry("U8", [4], 0, 4), "b": _entry("U8", [4], 0, 4)},
        bytes(4),
        None,
        "overlaps",
    ),
    (
        "gap",
        {"a": _entry("U8", [2], 0, 2), "b": _entry("U8", [2], 4, 6)},
        bytes(6),
        None,
        "gap of 2 bytes",
    ),
    ("trailing bytes", {"a": _entry("U8", [2], 0, 2)}, bytes(5), None, "trailing"),
    ("truncated data", {"a": _entry("F64", [4], 0, 32)}, bytes(20), None, "truncated"),
    ("metadata not dict", {"__metadata__": [1]}, b"", None, "__metadata__"),
    (
        "metadata value not str",
        {"__metadata__": {"k": 1}},
        b"",
        None,
        "must be a string",
    ),
    (
        "bool bytes not 0/1",
        {"a": _entry("BOOL", [2], 0, 2)},
        b"\x01\x07",
        None,
        "0 or 1",
    ),
]


@pytest.mark.parametrize(
    "header, data, header_len, message",
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_files_raise_a_clear_value_error(
    tmp_path, header, data, header_len, message
):
    path = _write_raw(tmp_path / "bad.safetensors", header, data, header_len)
    with pytest.raises(ValueError, match="invalid safetensors file") as info:
        load_safetensors(path)
    assert message in str(info.value)


def test_truncated_real_file_is_rejected(tmp_path):
    path = tmp_path / "w.safetensors"
    save_safetensors(path, {"w": np.arange(100, dtype=np.float32)})
    raw = path.read_bytes()
    for cut in (4, 12, len(raw) - 1, len(raw) - 200):
        truncated = tmp_path / f"cut{cut}.safetensors"
        truncated.write_bytes(raw[:cut])
        with pytest.raises(ValueError, match="invalid safetensors file"):
            load_safetensors(truncated)


def test_random_corruptions_never_crash(tmp_path):
    """Flip random bytes of a valid file: a ValueError or a valid load, nothing else."""
    path = tmp_path / "w.safetensors"
    save_safetensors(
        path,
        {"w": np.arange(12, dtype=np.float32).reshape(3, 4), "i": np.arange(3)},
        metadata={"k": "v"},
    )
    raw = bytearray(path.read_bytes())
    rng = np.random.default_rng(0)
    bad = tmp_path / "bad.safetensors"
    for _ in range(300):
        mutated = bytearray(raw)
        for pos in rng.integers(0, len(raw), size=rng.integers(1, 4)):
            mutated[pos] = rng.integers(0, 256)
        bad.write_bytes(bytes(mutated))
        try:
            tensors = load_safetensors(bad)
        except ValueError:
            continue
        assert all(isinstance(t, np.ndarray) for t in tensors.values())


def test_save_rejects_bad_input(tmp_path):
    path = tmp_path / "x.safetensors"
    with pytest.raises(ValueError, match="cannot be stored"):
        save_safetensors(path, {"s": np.array(["a", "b"])})
    with pytest.raises(ValueError, match="cannot be stored"):
        save_safetensors(path, {"o": np.array([1, None], dtype=object)})
    with pytest.raises(ValueError, match="cannot be stored"):
        save_safetensors(path, {"c": np.ones(2, np.complex64)})
    with pytest.raises(ValueError, match="invalid tensor name"):
        save_safetensors(path, {"__metadata__": np.ones(2)})
    with pytest.raises(ValueError, match="invalid tensor name"):
        save_safetensors(path, {3: np.ones(2)})
    with pytest.raises(ValueError, match="metadata"):
        save_safetensors(path, {"a": np.ones(2)}, metadata={"k": 1})
    with pytest.raises(ValueError, match="mapping"):
        save_safetensors(path, [np.ones(2)])
