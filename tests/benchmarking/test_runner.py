"""The benchmark registry and runner on fake workloads (no fastml area needed)."""

import math
import time

import numpy as np
import pytest
import scipy.sparse as sp

from fastml.benchmarking import (
    BenchResult,
    Peer,
    Workload,
    discover_workloads,
    run_benchmarks,
    time_call,
)
from fastml.benchmarking._registry import human_count, peer_available
from fastml.benchmarking.workloads._common import (
    import_attr,
    max_abs_diff,
    n_jobs_kwargs,
    scalar_diff,
)

SIZES = {"tiny": [{"n": 50}], "quick": [{"n": 100}, {"n": 200}], "full": [{"n": 1000}]}
NUMPY_PEER = Peer("numpy", ("numpy",), lambda d, n: float(np.sum(d)))
GHOST_PEER = Peer("ghost", ("fastml_test_no_such_module_xyz",), lambda d, n: 0.0)


def _data(size, seed):
    return np.random.default_rng(seed).random(size["n"])


def _fake(name, run_fastml, peers=(NUMPY_PEER,), **kw):
    return Workload(
        name=name,
        area="fake",
        sizes=SIZES,
        make_data=_data,
        run_fastml=run_fastml,
        peers=peers,
        quality=lambda d, out: out,
        quality_name="sum",
        compare=scalar_diff,
        **kw,
    )


def _missing_area(d, n):
    return import_attr("fastml.no_such_area_xyz", "f")(d)


def _broken(d, n):
    raise RuntimeError("kernel exploded")


def _broken_peer(d, n):
    raise ValueError("peer exploded")


def test_ok_rows_have_times_ratio_quality_and_diff():
    w = _fake("sum", lambda d, n: float(d.sum()))
    results = run_benchmarks([w], mode="quick", repeats=2)
    assert [r.size for r in results] == ["100", "200"]
    for r in results:
        assert isinstance(r, BenchResult)
        assert r.status == "ok" and r.peer == "numpy" and r.note == ""
        assert 1 <= len(r.fastml_times) <= 2 and 1 <= len(r.peer_times) <= 2
        assert r.fastml_seconds == min(r.fastml_times)
        assert r.peer_seconds == min(r.peer_times)
        assert math.isclose(r.ratio, r.fastml_seconds / r.peer_seconds)
        assert r.quality_name == "sum"
        assert r.fastml_quality == pytest.approx(r.peer_quality)
        assert r.max_abs_diff == pytest.approx(0.0, abs=1e-9)
        assert r.peer_version == np.__version__
        assert r.size_params == {"n": int(r.size)}


def test_missing_peer_is_a_note_not_a_failure():
    w = _fake("sum", lambda d, n: float(d.sum()), peers=(NUMPY_PEER, GHOST_PEER))
    results = run_benchmarks([w], mode="tiny")
    by_peer = {r.peer: r for r in results}
    assert by_peer["numpy"].status == "ok"
    ghost = by_peer["ghost"]
    assert ghost.status == "peer-missing" and "not installed" in ghost.note
    assert ghost.fastml_seconds is not None and ghost.peer_seconds is None


def test_no_installed_peer_at_all():
    w = _fake("sum", lambda d, n: float(d.sum()), peers=(GHOST_PEER,))
    (r,) = run_benchmarks([w], mode="tiny")
    assert r.status == "peer-missing" and r.peer is None
    assert "ghost" in r.note and r.fastml_seconds is not None


def test_peer_mode_first_runs_only_the_first_installed_peer():
    second = Peer("numpy2", ("numpy",), lambda d, n: float(np.sum(d)))
    w = _fake(
        "sum",
        lambda d, n: float(d.sum()),
        peers=(GHOST_PEER, NUMPY_PEER, second),
        peer_mode="first",
    )
    results = run_benchmarks([w], mode="tiny")
    assert [(r.peer, r.status) for r in results] == [("numpy", "ok")]


def test_failures_become_rows():
    workloads = [
        _fake("missing", _missing_area),
        _fake("broken", _broken),
        _fake(
            "broken_peer",
            lambda d, n: 1.0,
            peers=(Peer("bad", ("numpy",), _broken_peer),),
        ),
        Workload("bad_data", "fake", SIZES, _broken, lambda d, n: 1.0),
    ]
    rows = {r.workload: r for r in run_benchmarks(workloads, mode="tiny")}
    assert rows["missing"].status == "fastml-missing"
    assert "no_such_area_xyz" in rows["missing"].note
    assert rows["broken"].status == "fastml-error"
    assert "RuntimeError: kernel exploded" in rows["broken"].note
    assert rows["broken_peer"].status == "peer-error"
    assert rows["broken_peer"].fastml_seconds is not None
    assert "peer exploded" in rows["broken_peer"].note
    assert rows["bad_data"].status == "data-error"


def test_only_a_missing_area_counts_as_missing():
    from fastml.benchmarking._runner import _is_fastml_missing

    assert _is_fastml_missing(ModuleNotFoundError("x", name="fastml.nope"))
    assert _is_fastml_missing(ImportError("cannot import name", name="fastml.metrics"))
    # A broken import deeper inside fastml is a bug, not a missing area.
    assert not _is_fastml_missing(ImportError("x", name="fastml.kernels.metrics.a"))
    assert not _is_fastml_missing(ModuleNotFoundError("x", name="numpy_nope"))
    assert not _is_fastml_missing(RuntimeError("fastml"))


def test_threads_reach_the_runners():
    seen = []

    def record(d, n):
        seen.append(n)
        return 0.0

    w = _fake("threads", record, peers=(Peer("p", ("numpy",), record),))
    run_benchmarks([w], mode="tiny", n_threads=1)
    assert seen and set(seen) == {1}


def test_progress_reports_every_step_then_done():
    calls = []
    w = _fake("sum", lambda d, n: float(d.sum()))
    run_benchmarks([w], mode="quick", progress=lambda *a: calls.append(a))
    totals = {c[1] for c in calls}
    assert totals == {4}  # 2 sizes x (fastml + 1 peer)
    assert [c[0] for c in calls] == [0, 1, 2, 3, 4]
    assert calls[-1][2] == "done"


def test_areas_filter_and_argument_errors():
    w = _fake("sum", lambda d, n: 0.0)
    assert run_benchmarks([w], mode="tiny", areas=["other"]) == []
    with pytest.raises(ValueError, match="mode"):
        run_benchmarks([w], mode="huge")
    with pytest.raises(ValueError, match="n_threads"):
        run_benchmarks([w], mode="tiny", n_threads=0)


def test_to_dict_is_json_safe():
    r = BenchResult(
        "a",
        "w",
        "1",
        {"n": 1},
        "ok",
        ratio=float("inf"),
        fastml_times=[float("nan"), 1.0],
    )
    d = r.to_dict()
    assert d["ratio"] is None and d["fastml_times"] == [None, 1.0]


def test_time_call_warms_up_and_respects_budget():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.02)
        return "out"

    out, times = time_call(slow, repeats=10, budget=0.01)
    assert out == "out"
    assert len(times) == 1 and len(calls) == 2  # warm-up + one timed call
    out, times = time_call(lambda: 3, repeats=4, budget=10.0)
    assert len(times) == 4 and all(t >= 0 for t in times)


def test_workload_validation():
    with pytest.raises(ValueError, match="no sizes for modes"):
        Workload("w", "a", {"quick": []}, _data, lambda d, n: 0)
    with pytest.raises(ValueError, match="peer_mode"):
        Workload("w", "a", SIZES, _data, lambda d, n: 0, peer_mode="some")


def test_size_labels():
    assert human_count(1_000_000) == "1M"
    assert human_count(10_000_000) == "10M"
    assert human_count(200_000) == "200k"
    assert human_count(1_500) == "1.5k"
    assert human_count(1_234) == "1234"
    w = _fake("sum", lambda d, n: 0.0)
    assert w.label({"n_samples": 200_000, "n_features": 50}) == "200k x 50"
    assert w.key == "fake/sum"


def test_registry_discovers_the_builtin_areas():
    workloads = discover_workloads()
    keys = {w.key for w in workloads}
    assert {
        "metrics/roc_auc_score",
        "metrics/average_precision_score",
        "metrics/confusion_matrix",
        "preprocessing/StandardScaler",
        "preprocessing/OneHotEncoder",
        "activations/softmax",
        "activations/log_softmax",
        "activations/gelu",
        "losses/BinaryCrossEntropy.loss",
        "losses/CategoricalCrossEntropy.loss",
        "losses/BinaryCrossEntropy.gradient_hessian",
    } <= keys
    for w in workloads:
        for mode in ("tiny", "quick", "full"):
            assert w.sizes[mode], (w.key, mode)
    only = discover_workloads(["metrics"])
    assert only and {w.area for w in only} == {"metrics"}
    with pytest.raises(ValueError, match="unknown area"):
        discover_workloads(["no_such_area"])


def test_peer_available():
    assert peer_available(NUMPY_PEER)
    assert not peer_available(GHOST_PEER)


def test_max_abs_diff_dense_sparse_and_shapes():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = a + np.array([[0.0, 0.5], [0.0, -1.5]])
    assert max_abs_diff(a, b) == 1.5
    assert max_abs_diff(sp.csr_matrix(a), sp.csr_matrix(b)) == 1.5
    assert max_abs_diff(sp.csr_matrix(a), sp.csr_matrix(a)) == 0.0
    assert max_abs_diff(a, a[:1]) == float("inf")
    assert max_abs_diff(np.empty(0), np.empty(0)) == 0.0
    assert scalar_diff(0.25, 0.5) == 0.25


def test_n_jobs_kwargs():
    def with_jobs(x, n_jobs=None):
        return x

    def without(x):
        return x

    assert n_jobs_kwargs(with_jobs, 2) == {"n_jobs": 2}
    assert n_jobs_kwargs(without, 2) == {}


def test_import_attr_missing_name_is_an_import_error():
    assert import_attr("numpy", "sum") is np.sum
    with pytest.raises(ImportError, match="no_such_name"):
        import_attr("numpy", "no_such_name")
