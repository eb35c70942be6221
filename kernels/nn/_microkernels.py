"""Register-blocked SIMD building blocks for the attention kernel's tile products.

Why not BLAS: the two products per attention tile ((256 x 64) @ (64 x 256) and
(256 x 256) @ (256 x 64) in float32) reach ~80 GFLOP/s per core through the BLAS
behind scipy.linalg.cython_blas (OpenBLAS packs both operands on every call, which
costs most at these shapes), and BLAS must be held to one thread inside threaded
kernels. Why not plain Numba loops: LLVM vectorises innermost loops only, so the
accumulators of a product live in memory (one store per few FLOPs), and without
FMA contraction (fastml never relaxes floating-point semantics) a product reached
~60. The micro-kernel here is written directly in LLVM IR through a Numba
intrinsic: a 6 x (2 V) block of C (V = 8 float32 or 4 float64 lanes: 12 vector
accumulators in registers) updated by explicit fused multiply-adds (``llvm.fma``,
one rounding per multiply-add, the same on every machine; LLVM expands it where the
CPU has no FMA unit), one row of a packed B panel and 6 broadcast A values per step
of the sum. In L1 it runs at ~100 GFLOP/s per core (the AVX2 peak of the Zen 3 cores
measured), and the attention tile products at ~90.

Layouts (all arrays flat, C-contiguous, with element offsets):

- A: ``MR`` rows starting at ``a_off``, row stride ``lda``, read along the sum.
- B: a packed panel, ``kdim`` rows of ``panel_width(x)`` (= 2 V) contiguous values.
- C: ``MR`` rows of ``panel_width`` values at ``c_off``, row stride ``ldc``;
  overwritten or, with ``accumulate``, added to.

The sum over k runs in increasing k with one FMA per term, so results are
reproducible and do not depend on threads. Naive reference: ``A @ B`` (tests in
tests/kernels/test_attention.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from fastml.kernels._jit import intrinsic, jit
from llvmlite import ir
from numba import types
from numba.core import cgutils

__all__ = ["MR", "panel_width", "fma_block", "vector_sum"]

#: Rows of C per micro-kernel call.
MR = 6


def _vector_type(dtype: Any) -> tuple[ir.Type, ir.VectorType, int]:
    if dtype == types.float32:
        scalar: ir.Type = ir.FloatType()
        lanes = 8
    elif dtype == types.float64:
        scalar = ir.DoubleType()
        lanes = 4
    else:  # pragma: no cover - typing guard
        raise TypeError(f"micro-kernels take float32 or float64 arrays, not {dtype}")
    return scalar, ir.VectorType(scalar, lanes), lanes


def _data_pointer(context: Any, builder: Any, array_type: Any, value: Any) -> Any:
    return context.make_array(array_type)(context, builder, value).data


def _splat(builder: Any, vty: ir.VectorType, value: Any) -> Any:
    lanes = vty.count
    first = builder.insert_element(
        ir.Constant(vty, ir.Undefined), value, ir.Constant(ir.IntType(32), 0)
    )
    mask = ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)
    return builder.shuffle_vector(first, ir.Constant(vty, ir.Undefined), mask)


@intrinsic
def fma_block(
    typingctx: Any,
    a: Any,
    a_off: Any,
    lda: Any,
    b: Any,
    b_off: Any,
    c: Any,
    c_off: Any,
    ldc: Any,
    kdim: Any,
    accumulate: Any,
) -> Any:
    """C[MR x W] (+)= A[MR x kdim] @ Bpanel[kdim x W], W = panel_width (module doc).

    a, b, c: 1-D C-contiguous arrays of one float dtype; offsets and strides int64;
    accumulate: bool (add to C instead of overwriting it).
    """
    if not (
        isinstance(a, types.Array)
        and isinstance(b, types.Array)
        and isinstance(c, types.Array)
        and a.dtype == b.dtype == c.dtype
        and a.ndim == b.ndim == c.ndim == 1
    ):
        return None
    sig = types.void(a, a_off, lda, b, b_off, c, c_off, ldc, kdim, accumulate)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        a_v, a_off_v, lda_v, b_v, b_off_v, c_v, c_off_v, ldc_v, k_v, acc_v = args
        scalar, vty, lanes = _vector_type(signature.args[0].dtype)
        i64 = ir.IntType(64)
        vptr = vty.as_pointer()
        a_p = builder.gep(
            _data_pointer(context, builder, signature.args[0], a_v), [a_off_v]
        )
        b_p = builder.gep(
            _data_pointer(context, builder, signature.args[3], b_v), [b_off_v]
        )
        c_p = builder.gep(
            _data_pointer(context, builder, signature.args[5], c_v), [c_off_v]
        )
        fma = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(vty, [vty, vty, vty]),
            f"llvm.fma.v{lanes}{'f32' if lanes == 8 else 'f64'}",
        )
        align = 4 if lanes == 8 else 8

        def c_ptr(row: int, half: int) -> Any:
            row_p = builder.gep(c_p, [builder.mul(ir.Constant(i64, row), ldc_v)])
            return builder.bitcast(
                builder.gep(row_p, [ir.Constant(i64, lanes * half)]), vptr
            )

        # Initial accumulators: C (accumulate) or zero; no load of C otherwise.
        zero = ir.Constant(vty, [0.0] * lanes)
        entry = builder.block
        load_bb = builder.append_basic_block("fma_block.load_c")
        start_bb = builder.append_basic_block("fma_block.start")
        is_acc = builder.icmp_unsigned("!=", acc_v, ir.Constant(acc_v.type, 0))
        builder.cbranch(is_acc, load_bb, start_bb)
        builder.position_at_end(load_bb)
        loaded = [
            builder.load(c_ptr(r, h), align=align) for r in range(MR) for h in range(2)
        ]
        builder.branch(start_bb)
        builder.position_at_end(start_bb)
        init = []
        for value in loaded:
            phi = builder.phi(vty)
            phi.add_incoming(zero, entry)
            phi.add_incoming(value, load_bb)
            init.append(phi)

        # for kk in range(kdim): acc[r][h] = fma(a[r, kk], b[kk, h], acc[r][h])
        head_bb = builder.append_basic_block("fma_block.head")
        body_bb = builder.append_basic_block("fma_block.body")
        done_bb = builder.append_basic_block("fma_block.done")
        builder.branch(head_bb)
        builder.position_at_end(head_bb)
        kk = builder.phi(i64)
        kk.add_incoming(ir.Constant(i64, 0), start_bb)
        accs = []
        for value in init:
            phi = builder.phi(vty)
            phi.add_incoming(value, start_bb)
            accs.append(phi)
        builder.cbranch(builder.icmp_signed("<", kk, k_v), body_bb, done_bb)
        builder.position_at_end(body_bb)
        b_row = builder.gep(b_p, [builder.mul(kk, ir.Constant(i64, 2 * lanes))])
        b0 = builder.load(builder.bitcast(b_row, vptr), align=align)
        b1 = builder.load(
            builder.bitcast(builder.gep(b_row, [ir.Constant(i64, lanes)]), vptr),
            align=align,
        )
        new = []
        for r in range(MR):
            a_index = builder.add(builder.mul(ir.Constant(i64, r), lda_v), kk)
            a_val = _splat(builder, vty, builder.load(builder.gep(a_p, [a_index])))
            new.append(builder.call(fma, [a_val, b0, accs[2 * r]]))
            new.append(builder.call(fma, [a_val, b1, accs[2 * r + 1]]))
        kk.add_incoming(builder.add(kk, ir.Constant(i64, 1)), body_bb)
        for phi, value in zip(accs, new):
            phi.add_incoming(value, body_bb)
        builder.branch(head_bb)
        builder.position_at_end(done_bb)
        for index, value in enumerate(accs):
            builder.store(value, c_ptr(index // 2, index % 2), align=align)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def vector_sum(typingctx: Any, x: Any, off: Any, n: Any) -> Any:
    """Sum of x[off:off + n] in x's dtype, in a fixed order: 4 vector accumulators
    over blocks of 4 V values, combined pairwise, then the lanes pairwise, then the
    remaining values in order (x 1-D C-contiguous float32/float64)."""
    if not (isinstance(x, types.Array) and x.ndim == 1):
        return None
    sig = x.dtype(x, off, n)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        x_v, off_v, n_v = args
        scalar, vty, lanes = _vector_type(signature.args[0].dtype)
        i64 = ir.IntType(64)
        vptr = vty.as_pointer()
        align = 4 if lanes == 8 else 8
        base = builder.gep(
            _data_pointer(context, builder, signature.args[0], x_v), [off_v]
        )
        block = 4 * lanes
        n_blocks = builder.sdiv(n_v, ir.Constant(i64, block))
        zero = ir.Constant(vty, [0.0] * lanes)
        entry = builder.block
        head_bb = builder.append_basic_block("vector_sum.head")
        body_bb = builder.append_basic_block("vector_sum.body")
        tail_bb = builder.append_basic_block("vector_sum.tail")
        builder.branch(head_bb)
        builder.position_at_end(head_bb)
        index = builder.phi(i64)
        index.add_incoming(ir.Constant(i64, 0), entry)
        accs = []
        for _ in range(4):
            phi = builder.phi(vty)
            phi.add_incoming(zero, entry)
            accs.append(phi)
        builder.cbranch(builder.icmp_signed("<", index, n_blocks), body_bb, tail_bb)
        builder.position_at_end(body_bb)
        start = builder.gep(base, [builder.mul(index, ir.Constant(i64, block))])
        new = []
        for j in range(4):
            ptr = builder.bitcast(
                builder.gep(start, [ir.Constant(i64, j * lanes)]), vptr
            )
            new.append(builder.fadd(accs[j], builder.load(ptr, align=align)))
        index.add_incoming(builder.add(index, ir.Constant(i64, 1)), body_bb)
        for phi, value in zip(accs, new):
            phi.add_incoming(value, body_bb)
        builder.branch(head_bb)
        builder.position_at_end(tail_bb)
        total_v = builder.fadd(
            builder.fadd(accs[0], accs[1]), builder.fadd(accs[2], accs[3])
        )
        width = lanes
        while width > 1:  # lanes pairwise: [0 + w/2, 1 + w/2 + 1, ...]
            width //= 2
            lo = [
                builder.extract_element(total_v, ir.Constant(ir.IntType(32), i))
                for i in range(width)
            ]
            hi = [
                builder.extract_element(total_v, ir.Constant(ir.IntType(32), i + width))
                for i in range(width)
            ]
            vec = ir.Constant(ir.VectorType(scalar, lanes), ir.Undefined)
            for i in range(width):
                vec = builder.insert_element(
                    vec, builder.fadd(lo[i], hi[i]), ir.Constant(ir.IntType(32), i)
                )
            total_v = vec
        total = builder.extract_element(total_v, ir.Constant(ir.IntType(32), 0))
        # Remaining n % block values, in order.
        rest_head = builder.append_basic_block("vector_sum.rest_head")
        rest_body = builder.append_basic_block("vector_sum.rest_body")
        done_bb = builder.append_basic_block("vector_sum.done")
        first_rest = builder.mul(n_blocks, ir.Constant(i64, block))
        tail_end = builder.block
        builder.branch(rest_head)
        builder.position_at_end(rest_head)
        j = builder.phi(i64)
        j.add_incoming(first_rest, tail_end)
        acc = builder.phi(scalar)
        acc.add_incoming(total, tail_end)
        builder.cbranch(builder.icmp_signed("<", j, n_v), rest_body, done_bb)
        builder.position_at_end(rest_body)
        value = builder.load(builder.gep(base, [j]))
        j.add_incoming(builder.add(j, ir.Constant(i64, 1)), rest_body)
        acc.add_incoming(builder.fadd(acc, value), rest_body)
        builder.branch(rest_head)
        builder.position_at_end(done_bb)
        return acc

    return sig, codegen


@jit
def panel_width(x: float) -> int:
    """Columns of a packed B panel for x's dtype: 16 (float32) or 8 (float64)."""
    if isinstance(x, np.float32):
        return 16
    return 8
