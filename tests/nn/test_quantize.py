"""fastml.nn.quantize: API behaviour, bad input, caller's arrays unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from fastml.nn import Linear
from fastml.nn.quantize import (
    FORMATS,
    QuantizedLinear,
    QuantizedTensor,
    bfloat16_to_float32,
    float16_to_float32,
    float32_to_bfloat16,
    float32_to_float16,
    matmul_int8,
    memory_report,
    memory_table,
    quantize,
    quantize_model,
)

# -- conversions --------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)])
def test_conversions_keep_shape_and_dtype(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    bits = float32_to_bfloat16(x)
    assert bits.shape == x.shape and bits.dtype == np.uint16
    back = bfloat16_to_float32(bits)
    assert back.shape == x.shape and back.dtype == np.float32
    half = float32_to_float16(x)
    assert half.shape == x.shape and half.dtype == np.float16
    np.testing.assert_array_equal(half, x.astype(np.float16))
    wide = float16_to_float32(half)
    assert wide.shape == x.shape and wide.dtype == np.float32
    np.testing.assert_array_equal(float16_to_float32(half.view(np.uint16)), wide)


def test_bfloat16_round_trip_error_bound():
    x = np.random.default_rng(1).standard_normal(10_000).astype(np.float32)
    back = bfloat16_to_float32(float32_to_bfloat16(x))
    # 8 significant bits: relative error at most half an ulp, 2^-8
    assert np.all(np.abs(back - x) <= np.abs(x) * 2.0**-8)
    np.testing.assert_array_equal(bfloat16_to_float32(float32_to_bfloat16(back)), back)


def test_conversion_specials():
    x = np.array(
        [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 3.4e38, 1e-45], np.float32
    )
    bits = float32_to_bfloat16(x)
    assert [hex(b) for b in bits[:6]] == [
        "0x0",
        "0x8000",
        "0x7f80",
        "0xff80",
        "0x7fc0",
        "0xffc0",
    ]
    assert bits[6] == 0x7F80  # 3.4e38 rounds past the largest bfloat16: inf
    assert bits[7] == 0x0000  # the smallest float32 subnormal rounds to +0
    half = float32_to_float16(x)
    assert np.signbit(half[1]) and np.isnan(half[4]) and np.isinf(half[6])


def test_conversions_accept_other_real_dtypes():
    x64 = np.array([1.0, 1.0 + 2.0**-30, -2.5])
    np.testing.assert_array_equal(
        float32_to_float16(x64), x64.astype(np.float32).astype(np.float16)
    )
    np.testing.assert_array_equal(
        float32_to_bfloat16([1, 2, 3]), [0x3F80, 0x4000, 0x4040]
    )
    assert float32_to_float16(np.array([True])).dtype == np.float16


@pytest.mark.parametrize("func", [float32_to_bfloat16, float32_to_float16])
@pytest.mark.parametrize(
    "bad", [np.array(["a"]), np.array([1 + 2j]), np.array([object()])]
)
def test_conversions_reject_non_real(func, bad):
    with pytest.raises(ValueError, match="real numbers"):
        func(bad)


@pytest.mark.parametrize("func", [bfloat16_to_float32, float16_to_float32])
def test_widening_rejects_other_dtypes(func):
    with pytest.raises(ValueError, match="uint16 bit patterns"):
        func(np.array([1.0], np.float32))
    with pytest.raises(ValueError, match="uint16 bit patterns"):
        func(np.array([1], np.int16))


def test_bfloat16_accepts_ml_dtypes_arrays():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    x = np.array([1.5, -3.0, 1e30], np.float32)
    as_ml = x.astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(bfloat16_to_float32(as_ml), as_ml.astype(np.float32))


def test_conversions_leave_inputs_unchanged_and_accept_views():
    rng = np.random.default_rng(2)
    base = rng.standard_normal((6, 8)).astype(np.float32)
    x = np.asfortranarray(base)
    x.setflags(write=False)
    copy = x.copy()
    bits = float32_to_bfloat16(x)
    np.testing.assert_array_equal(x, copy)
    np.testing.assert_array_equal(bits, float32_to_bfloat16(base))
    strided = base[:, ::2]
    np.testing.assert_array_equal(
        float32_to_float16(strided), np.ascontiguousarray(strided).astype(np.float16)
    )
    bits.setflags(write=False)
    bfloat16_to_float32(bits)


# -- quantize -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "scheme,dtype",
    [("symmetric", "int8"), ("asymmetric", "int8"), ("asymmetric", "uint8")],
)
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_quantize_error_at_most_half_a_step(scheme, dtype, axis):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((9, 33)) * np.arange(1, 34)).astype(np.float32)
    q = quantize(x, scheme=scheme, axis=axis, dtype=dtype)
    assert isinstance(q, QuantizedTensor)
    assert q.values.dtype == np.dtype(dtype) and q.values.shape == x.shape
    assert q.scheme == scheme and q.shape == x.shape and q.dtype == np.dtype(dtype)
    expected_axis = None if axis is None else axis % 2
    assert q.axis == expected_axis
    n_channels = () if axis is None else (x.shape[axis],)
    assert q.scale.shape == n_channels and q.scale.dtype == np.float32
    assert q.zero_point.shape == n_channels and q.zero_point.dtype == np.int32
    if scheme == "symmetric":
        assert np.all(q.zero_point == 0)
        assert q.values.min() >= -127
    deq = q.dequantize()
    assert deq.dtype == np.float32
    scale = q.scale if axis is None else np.expand_dims(q.scale, 1 - expected_axis)
    # half a quantization step, plus float32 rounding of x * (1 / scale)
    assert np.all(np.abs(deq - x) <= scale * (0.5 + 1e-5))
    assert q.nbytes == q.values.nbytes + q.scale.nbytes + q.zero_point.nbytes


def test_quantize_zero_is_exact_and_constant_channels_are_fine():
    x = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0], [-2.0, 0.0, 1.0]], np.float32)
    for scheme, dtype in [
        ("symmetric", "int8"),
        ("asymmetric", "int8"),
        ("asymmetric", "uint8"),
    ]:
        q = quantize(x, scheme=scheme, axis=0, dtype=dtype)
        deq = q.dequantize()
        assert np.all(np.isfinite(q.scale)) and np.all(q.scale > 0)
        assert np.all(deq[x == 0] == 0)
        np.testing.assert_allclose(deq, x, atol=float(q.scale.max()))


def test_quantize_empty_and_scalar():
    q = quantize(np.empty((0, 4), np.float32), axis=1)
    assert q.values.shape == (0, 4) and q.scale.shape == (4,)
    assert np.all(np.isfinite(q.scale))
    q = quantize(np.float32(2.0))
    assert q.values.shape == () and q.values == 127
    assert q.dequantize() == 2.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_quantize_rejects_non_finite(bad):
    x = np.ones((3, 4), np.float32)
    x[2, 1] = bad
    with pytest.raises(ValueError, match="NaN or infinity"):
        quantize(x)
    with pytest.raises(ValueError, match="NaN or infinity"):
        quantize(x, axis=0, scheme="asymmetric")


def test_quantize_float64_overflowing_float32_is_rejected():
    with pytest.raises(ValueError, match="NaN or infinity"):
        quantize(np.array([1e300, 1.0]))


def test_quantize_parameter_errors():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="scheme must be one of"):
        quantize(x, scheme="log")
    with pytest.raises(ValueError, match="dtype must be one of"):
        quantize(x, dtype="uint8")  # symmetric is int8 only
    with pytest.raises(ValueError, match="dtype must be one of"):
        quantize(x, scheme="asymmetric", dtype="int4")
    with pytest.raises(ValueError, match="axis must be an int"):
        quantize(x, axis=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="axis must be an int"):
        quantize(x, axis=True)
    with pytest.raises(np.exceptions.AxisError):
        quantize(x, axis=2)
    with pytest.raises(ValueError, match="0-d"):
        quantize(np.float32(1.0), axis=0)
    with pytest.raises(ValueError, match="real numbers"):
        quantize(np.array(["1.0"]))


def test_quantize_leaves_input_unchanged():
    rng = np.random.default_rng(4)
    x = np.asfortranarray(rng.standard_normal((5, 7)).astype(np.float32))
    x.setflags(write=False)
    copy = x.copy()
    q = quantize(x, axis=1, scheme="asymmetric", dtype="uint8")
    np.testing.assert_array_equal(x, copy)
    np.testing.assert_array_equal(
        q.values,
        quantize(
            np.ascontiguousarray(x), axis=1, scheme="asymmetric", dtype="uint8"
        ).values,
    )


# -- matmul_int8 ---------------------------------------------------------------------


def test_matmul_int8_matches_int64_and_threads():
    rng = np.random.default_rng(5)
    a = rng.integers(-128, 128, (37, 70), dtype=np.int8)
    b = rng.integers(-128, 128, (70, 45), dtype=np.int8)
    expected = a.astype(np.int64) @ b.astype(np.int64)
    for n_jobs in (None, 1, 2, -1):
        out = matmul_int8(a, b, n_jobs=n_jobs)
        assert out.dtype == np.int32
        np.testing.assert_array_equal(out, expected)
    # non-contiguous operands
    np.testing.assert_array_equal(
        matmul_int8(a[:, ::2], b[::2]), a[:, ::2].astype(np.int64) @ b[::2]
    )


def test_matmul_int8_empty_shapes():
    assert matmul_int8(np.zeros((0, 3), np.int8), np.zeros((3, 4), np.int8)).shape == (
        0,
        4,
    )
    out = matmul_int8(np.zeros((2, 0), np.int8), np.zeros((0, 4), np.int8))
    np.testing.assert_array_equal(out, np.zeros((2, 4), np.int32))


def test_matmul_int8_errors():
    a = np.zeros((2, 3), np.int8)
    with pytest.raises(ValueError, match="int8"):
        matmul_int8(a.astype(np.int16), a.T)
    with pytest.raises(ValueError, match="2-D"):
        matmul_int8(a[0], a.T)
    with pytest.raises(ValueError, match="3 columns but b has 2 rows"):
        matmul_int8(a, a)
    with pytest.raises(ValueError, match="too large"):
        matmul_int8(np.zeros((1, 131072), np.int8), np.zeros((131072, 1), np.int8))
    with pytest.raises(ValueError, match="n_jobs"):
        matmul_int8(a, a.T, n_jobs=0)


# -- QuantizedLinear -----------------------------------------------------------------


def _layer(n_in=24, n_out=10, bias=True, seed=0, dtype=np.float32):
    return Linear.random(n_in, n_out, bias=bias, random_state=seed, dtype=dtype)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bias", [True, False])
def test_quantized_linear_close_to_linear(fmt, bias):
    layer = _layer(bias=bias)
    q = QuantizedLinear.from_linear(layer, fmt)
    x = np.random.default_rng(1).standard_normal((4, 5, 24)).astype(np.float32)
    y, yq = layer(x), q(x)
    assert yq.shape == (4, 5, 10) and yq.dtype == np.float32
    # int8: weights and activations each carry ~0.4% relative rounding (1/254 of
    # their row's range); bfloat16 weights 2^-8; float16 2^-11
    tol = {"int8": 0.03, "bfloat16": 0.01, "float16": 0.002}[fmt]
    assert np.abs(yq - y).max() <= tol * np.abs(y).max()
    assert q.in_features == 24 and q.out_features == 10
    assert fmt in repr(q)


def test_quantized_linear_float_formats_equal_linear_with_rounded_weights():
    layer = _layer()
    x = np.random.default_rng(2).standard_normal((7, 24)).astype(np.float32)
    for fmt, rounded in [
        ("bfloat16", bfloat16_to_float32(float32_to_bfloat16(layer.weight))),
        ("float16", layer.weight.astype(np.float16).astype(np.float32)),
    ]:
        q = QuantizedLinear.from_linear(layer, fmt)
        np.testing.assert_array_equal(q.weight, rounded)
        np.testing.assert_array_equal(q(x), Linear(rounded, layer.bias)(x))


def test_quantized_linear_int8_matches_explicit_quantization():
    layer = _layer(n_in=40, n_out=9)
    x = np.random.default_rng(3).standard_normal((6, 40)).astype(np.float32)
    q = QuantizedLinear.from_linear(layer, "int8", n_jobs=2)
    wq = quantize(layer.weight, axis=0)
    xq = quantize(x, axis=0)
    acc = xq.values.astype(np.int64) @ wq.values.astype(np.int64).T
    expected = (
        acc.astype(np.float32) * (xq.scale[:, None] * wq.scale[None, :]) + layer.bias
    )
    np.testing.assert_array_equal(q(x), expected)
    np.testing.assert_array_equal(q.weight_q, wq.values)
    np.testing.assert_allclose(q.weight, wq.dequantize())
    outs = [QuantizedLinear.from_linear(layer, "int8", n_jobs=n)(x) for n in (1, 2)]
    np.testing.assert_array_equal(outs[0], outs[1])


def test_quantized_linear_int8_outliers_in_float():
    layer = _layer(n_in=40, n_out=9)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 40)).astype(np.float32)
    x[:, 3] *= 40.0  # an outlier feature, as in transformer activations
    x[2, 7] = -9.0
    with_outliers = QuantizedLinear.from_linear(layer, "int8")
    plain = QuantizedLinear.from_linear(layer, "int8", outlier_threshold=None)
    assert with_outliers.outlier_threshold == 6.0 and plain.outlier_threshold is None
    # activation rounding error, measured against the dequantized weights: the
    # outlier feature no longer sets every other feature's quantization step
    y = x @ with_outliers.weight.T + layer.bias
    error = np.abs(with_outliers(x) - y).max()
    assert error < 0.25 * np.abs(plain(x) - y).max()  # ~0.1 measured
    # the decomposition spelled out: inliers through int8, outliers in float32
    big = np.abs(x) > 6.0
    xq = quantize(np.where(big, 0.0, x), axis=0)
    wq = quantize(layer.weight, axis=0)
    acc = xq.values.astype(np.int64) @ wq.values.astype(np.int64).T
    expected = acc.astype(np.float32) * (xq.scale[:, None] * wq.scale[None, :])
    expected += layer.bias
    np.testing.assert_allclose(
        with_outliers(x),
        expected + np.where(big, x, 0.0) @ wq.dequantize().T,
        rtol=1e-5,
        atol=1e-5,  # float32 sums in another order
    )
    # per row: a row's output does not depend on the rest of the batch
    for i in range(6):
        np.testing.assert_array_equal(
            with_outliers(x[i : i + 1])[0], with_outliers(x)[i]
        )


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, "6", True])
def test_outlier_threshold_validation(bad):
    with pytest.raises(ValueError, match="outlier_threshold"):
        QuantizedLinear(np.ones((2, 3)), outlier_threshold=bad)
    with pytest.raises(ValueError, match="outlier_threshold"):
        quantize_model(_layer(), "int8", outlier_threshold=bad)


def test_quantized_linear_float64_layer_and_inputs():
    layer = _layer(dtype=np.float64)
    q = QuantizedLinear.from_linear(layer, "int8")
    x = np.random.default_rng(4).standard_normal((3, 24))
    assert q(x).dtype == np.float64
    assert q(x.astype(np.float32)).dtype == np.float64
    assert q(np.ones(24, np.int64)).shape == (10,)


def test_quantized_linear_empty_and_one_row():
    layer = _layer()
    for fmt in FORMATS:
        q = QuantizedLinear.from_linear(layer, fmt)
        out = q(np.empty((0, 24), np.float32))
        assert out.shape == (0, 10)
        out = q(np.empty((2, 0, 24), np.float32))
        assert out.shape == (2, 0, 10)
        one = q(np.ones(24, np.float32))
        assert one.shape == (10,)


def test_quantized_linear_bad_input():
    q = QuantizedLinear.from_linear(_layer(), "int8")
    with pytest.raises(ValueError, match="expects 24"):
        q(np.ones((2, 23), np.float32))
    with pytest.raises(ValueError, match="expects 24"):
        q(np.float32(1.0))
    with pytest.raises(ValueError, match="numeric"):
        q(np.array([["a"] * 24]))
    x = np.ones((3, 24), np.float32)
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        q(x)
    x[1, 2] = -np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        q(x)
    # the float formats propagate NaN like Linear
    qb = QuantizedLinear.from_linear(_layer(), "bfloat16")
    x[1, 2] = np.nan
    assert np.isnan(qb(x)[1]).all() and np.isfinite(qb(x)[[0, 2]]).all()


def test_quantized_linear_constructor_errors():
    w = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match="dtype must be one of"):
        QuantizedLinear(w, dtype="int4")
    with pytest.raises(ValueError, match="2-D"):
        QuantizedLinear(w[0])
    with pytest.raises(ValueError, match="numeric"):
        QuantizedLinear(np.array([["a"]]))
    bad = w.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        QuantizedLinear(bad)
    with pytest.raises(ValueError, match="bias has 2 entries"):
        QuantizedLinear(w, np.zeros(2))
    with pytest.raises(ValueError, match="bias contains"):
        QuantizedLinear(w, np.array([0.0, np.nan, 0.0]))
    with pytest.raises(ValueError, match="out_dtype"):
        QuantizedLinear(w, out_dtype=np.int32)
    with pytest.raises(ValueError, match="n_jobs"):
        QuantizedLinear(w, n_jobs=0)
    with pytest.raises(TypeError, match="Linear"):
        QuantizedLinear.from_linear(w, "int8")  # type: ignore[arg-type]


def test_quantized_linear_leaves_inputs_unchanged():
    layer = _layer()
    weight, bias = layer.weight.copy(), layer.bias.copy()
    x = np.asfortranarray(
        np.random.default_rng(5).standard_normal((5, 24)).astype(np.float32)
    )
    x.setflags(write=False)
    x_copy = x.copy()
    for fmt in FORMATS:
        q = QuantizedLinear.from_linear(layer, fmt)
        np.testing.assert_array_equal(q(x), q(np.ascontiguousarray(x)))
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(layer.weight, weight)
    np.testing.assert_array_equal(layer.bias, bias)


# -- quantize_model, memory_report ---------------------------------------------------


class _Block:
    def __init__(self, seed):
        self.attn = [_layer(16, 16, seed=seed), _layer(16, 16, seed=seed + 1)]
        self.ffn = (_layer(16, 32, seed=seed + 2), _layer(32, 16, seed=seed + 3))
        self.norm = np.ones(16, np.float32)

    def __call__(self, x):
        for layer in self.attn:
            x = x + layer(x)
        return x + self.ffn[1](np.maximum(self.ffn[0](x), 0)) * self.norm


class _Model:
    def __init__(self):
        self.embedding = (
            np.random.default_rng(0).standard_normal((50, 16)).astype(np.float32)
        )
        self.blocks = [_Block(10), _Block(20)]
        self.heads = {"out": _layer(16, 5, seed=30)}
        self.shared = self.blocks[0].attn[0]  # the same layer reached twice
        self.name = "toy"

    def __call__(self, ids):
        x = self.embedding[ids]
        for block in self.blocks:
            x = block(x)
        return self.heads["out"](x)


@pytest.mark.parametrize("fmt", FORMATS)
def test_quantize_model_replaces_every_linear(fmt):
    model = _Model()
    ids = np.array([[1, 2, 3], [4, 5, 6]])
    before = model(ids)
    quantized = quantize_model(model, fmt)
    after = quantized(ids)
    assert after.shape == before.shape == (2, 3, 5)
    assert np.abs(after - before).max() <= 0.05 * np.abs(before).max()
    for block in quantized.blocks:
        for layer in (*block.attn, *block.ffn):
            assert isinstance(layer, QuantizedLinear) and layer.dtype == fmt
    assert isinstance(quantized.heads["out"], QuantizedLinear)
    assert quantized.shared is quantized.blocks[0].attn[0]  # sharing kept
    assert isinstance(quantized.blocks[1].ffn, tuple)
    # the original is untouched and still computes the same thing
    assert all(isinstance(layer, Linear) for layer in model.blocks[0].attn)
    np.testing.assert_array_equal(model(ids), before)
    assert quantized.embedding is not model.embedding  # a copy, not shared
    np.testing.assert_array_equal(quantized.embedding, model.embedding)


def test_quantize_model_on_a_single_layer_and_errors():
    layer = _layer()
    q = quantize_model(layer, "bfloat16")
    assert isinstance(q, QuantizedLinear) and q.dtype == "bfloat16"
    plain = quantize_model(layer, "int8", outlier_threshold=None, n_jobs=2)
    assert plain.outlier_threshold is None and plain.n_jobs == 2
    with pytest.raises(ValueError, match="dtype must be one of"):
        quantize_model(layer, "int4")
    with pytest.raises(ValueError, match="n_jobs"):
        quantize_model(layer, "int8", n_jobs=0)
    # already quantized: nothing left to replace, the copy still works
    again = quantize_model(q, "int8")
    assert isinstance(again, QuantizedLinear) and again.dtype == "bfloat16"


def test_memory_report_counts_actual_arrays():
    model = _Model()
    report = memory_report(model)
    n_linear = 2 * (2 * (16 * 16 + 16) + (16 * 32 + 32) + (32 * 16 + 16)) + (16 * 5 + 5)
    assert report["linear_bytes"] == 4 * n_linear
    assert report["other_bytes"] == 50 * 16 * 4 + 2 * 16 * 4
    assert report["total_bytes"] == report["linear_bytes"] + report["other_bytes"]
    assert len(report["layers"]) == 9  # the shared layer once
    assert report["layers"]["model.blocks[0].attn[0]"] == {
        "type": "Linear",
        "format": "float32",
        "nbytes": 4 * (16 * 16 + 16),
    }
    q8 = memory_report(quantize_model(model, "int8"))
    layer = q8["layers"]["model.blocks[0].ffn[0]"]
    assert layer["format"] == "int8" and layer["type"] == "QuantizedLinear"
    assert layer["nbytes"] == 32 * 16 + 32 * 4 + 32 * 4  # int8 weight, scales, bias
    bf = memory_report(quantize_model(model, "bfloat16"))
    assert bf["layers"]["model.blocks[0].ffn[0]"]["nbytes"] == 32 * 16 * 2 + 32 * 4
    assert q8["other_bytes"] == report["other_bytes"]
    assert q8["linear_bytes"] < bf["linear_bytes"] < report["linear_bytes"]


def test_memory_table_lists_layers_and_ratios():
    model = _Model()
    table = memory_table({"float32": model, "int8": quantize_model(model, "int8")})
    lines = table.splitlines()
    assert "float32 KiB" in lines[0] and "int8 KiB" in lines[0] and "ratio" in lines[0]
    assert any(line.startswith("model.blocks[1].ffn[1]") for line in lines)
    assert lines[-1].startswith("total (all)")
    with pytest.raises(ValueError, match="at least one"):
        memory_table({})
