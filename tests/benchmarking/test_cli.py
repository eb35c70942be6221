"""``python -m fastml bench`` / ``warmup``: in process on fake workloads, and once
end to end in a subprocess on the smallest built-in sizes."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastml.benchmarking._registry as registry
from fastml.__main__ import main
from fastml.benchmarking import Peer, Workload, format_compile_table
from fastml.benchmarking._threads import THREAD_ENV_VARS

SIZES = {
    "tiny": [{"n_samples": 64}],
    "quick": [{"n_samples": 128}],
    "full": [{"n_samples": 256}],
}


def _fake_workloads(include_broken=False):
    peers = [
        Peer("numpy", ("numpy",), lambda d, n: float(np.mean(d))),
        Peer("ghost", ("fastml_test_no_such_module_xyz",), lambda d, n: 0.0),
    ]
    out = [
        Workload(
            name="mean",
            area="fake",
            sizes=SIZES,
            make_data=lambda s, seed: np.arange(s["n_samples"], dtype=np.float64),
            run_fastml=lambda d, n: float(d.sum() / d.size),
            peers=peers,
            quality=lambda d, o: o,
            quality_name="mean",
            compare=lambda a, b: abs(a - b),
        )
    ]
    if include_broken:
        out.append(
            Workload("broken", "fake", SIZES, lambda s, seed: None, lambda d, n: 1 / 0)
        )
    return out


@pytest.fixture
def fake_registry(monkeypatch):
    """Replace workload discovery; keep the thread variables of this process."""
    for name in THREAD_ENV_VARS:
        monkeypatch.setenv(name, os.environ.get(name, "1"))
    state = {"broken": False}

    def discover(areas=None, **kw):
        workloads = _fake_workloads(state["broken"])
        if areas is not None:
            known = {w.area for w in workloads}
            if set(areas) - known:
                raise ValueError(f"unknown area(s) {sorted(set(areas) - known)}")
            workloads = [w for w in workloads if w.area in areas]
        return workloads

    monkeypatch.setattr(registry, "discover_workloads", discover)
    return state


def test_bench_prints_table_and_writes_json(fake_registry, tmp_path, capsys):
    path = tmp_path / "out.json"
    code = main(
        ["bench", "--tiny", "--only", "fake", "--json", str(path), "--threads", "1"]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert "fastml/peer" in out and "max|diff|" in out
    assert "fake" in out and "mean" in out and "numpy" in out
    assert "ghost not installed" in out
    assert "wall time" in out
    assert "[1/2]" in err  # the progress lines go to stderr (not a terminal here)
    assert os.environ["OMP_NUM_THREADS"] == "1"  # pinned before running
    doc = json.loads(path.read_text())
    assert doc["mode"] == "tiny" and doc["n_threads"] == 1
    statuses = {(r["workload"], r["peer"]): r["status"] for r in doc["results"]}
    assert statuses == {("mean", "numpy"): "ok", ("mean", "ghost"): "peer-missing"}
    ok = next(r for r in doc["results"] if r["status"] == "ok")
    assert ok["fastml_seconds"] > 0 and ok["peer_seconds"] > 0
    assert ok["fastml_quality"] == pytest.approx(31.5)
    assert "compile_times" not in doc


def test_bench_exit_status_1_when_a_fastml_workload_raises(fake_registry, capsys):
    fake_registry["broken"] = True
    code = main(["bench", "--tiny", "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "ZeroDivisionError" in out
    assert err.count("[") == 0  # --no-progress


def test_bench_unknown_area_and_bad_threads(fake_registry, capsys):
    assert main(["bench", "--tiny", "--only", "nope"]) == 2
    assert "unknown area" in capsys.readouterr().err
    assert main(["bench", "--tiny", "--threads", "0"]) == 2


def test_bench_list(fake_registry, capsys):
    assert main(["bench", "--list", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "fake/mean" in out and "128" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "bench" in capsys.readouterr().out


def test_warmup_command_json(monkeypatch, capsys):
    import fastml._warmup as w

    monkeypatch.setattr(
        w,
        "_FAMILIES",
        {
            "fake": ("fastml.datasets", lambda m: 1),
            "absent": ("fastml.no_such_area_xyz", None),
        },
    )
    assert main(["warmup", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["timings"]) == {"fake"} and doc["timings"]["fake"] >= 0
    assert "absent" in doc["skipped"]
    assert main(["warmup", "--families", "fake"]) == 0
    out = capsys.readouterr().out
    assert "fake" in out and "total" in out
    assert main(["warmup", "--families", "nope"]) == 2


def test_format_compile_table():
    table = format_compile_table(
        {
            "families": {
                "metrics": {"cold": 2.0, "warm": 0.05, "note": ""},
                "losses": {"cold": None, "warm": None, "note": "not available"},
            },
            "cold_process_seconds": 3.0,
            "warm_process_seconds": 0.9,
        }
    )
    assert "metrics" in table and "40.00" in table and "not available" in table
    assert "(process total)" in table


def test_measure_compile_times_spawns_two_processes():
    from fastml.benchmarking import measure_compile_times

    # No family: only the plumbing (two child processes, JSON, wall times).
    result = measure_compile_times([], n_threads=1)
    assert result["families"] == {}
    assert result["cold_process_seconds"] > 0 and result["warm_process_seconds"] > 0


def test_end_to_end_subprocess_on_tiny_metrics(tmp_path):
    path = tmp_path / "bench.json"
    env = dict(os.environ)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fastml",
            "bench",
            "--tiny",
            "--only",
            "metrics",
            "--json",
            str(path),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "fastml/peer" in proc.stdout
    doc = json.loads(path.read_text())
    rows = {r["workload"]: r for r in doc["results"]}
    assert set(rows) == {"roc_auc_score", "average_precision_score", "confusion_matrix"}
    for row in rows.values():
        # The area may still be under construction in a partial checkout.
        assert row["status"] in ("ok", "fastml-missing"), row
        if row["status"] == "ok" and row["peer"] == "sklearn":
            # Same definition as scikit-learn on 2000 samples: only summation
            # order can differ (~1e-15 relative).
            assert row["max_abs_diff"] <= 1e-10
