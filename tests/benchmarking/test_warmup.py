"""fastml.warmup: registry, skipping, hooks, strict mode, real families."""

import logging
import sys
import types

import pytest

import fastml
import fastml._warmup as w


def test_warmup_is_the_lazy_top_level_attribute():
    assert fastml.warmup is w.warmup
    assert fastml.warmup(families=[]) == {}


def test_unknown_family_raises():
    with pytest.raises(ValueError, match="unknown warm-up families"):
        fastml.warmup(families=["no_such_family"])


def test_fallback_hook_missing_and_failing_families(monkeypatch):
    calls = []
    hook_module = types.ModuleType("fastml_test_hooked_area")
    hook_module._warmup = lambda: calls.append("hook")
    monkeypatch.setitem(sys.modules, "fastml_test_hooked_area", hook_module)

    def failing(module):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        w,
        "_FAMILIES",
        {
            "fallback": ("fastml.datasets", lambda m: calls.append(m.__name__) or 1),
            "hooked": ("fastml_test_hooked_area", None),
            "nothing_callable": ("fastml.datasets", lambda m: 0),
            "no_hook": ("fastml.datasets", None),
            "absent": ("fastml.no_such_area_xyz", None),
            "failing": ("fastml.datasets", failing),
        },
    )
    timings = fastml.warmup()
    assert set(timings) == {"fallback", "hooked"}
    assert all(t >= 0 for t in timings.values())
    assert calls == ["fastml.datasets", "hook"]
    _, skipped = w._warmup_report()
    assert set(skipped) == {"nothing_callable", "no_hook", "absent", "failing"}
    assert "boom" in skipped["failing"]
    with pytest.raises(RuntimeError, match="boom"):
        fastml.warmup(families=["failing"], strict=True)
    with pytest.raises(ImportError):
        fastml.warmup(families=["absent"], strict=True)


def test_call_each_counts_successes_and_skips_missing_names():
    module = types.ModuleType("m")
    module.good = lambda x: x
    module.bad = lambda x: 1 / 0
    module.Cls = type("Cls", (), {"run": lambda self, x: x})
    calls = [
        w._Call("good", 1),
        w._Call("bad", 1),
        w._Call("absent"),
        w._Call("Cls", 2, method="run"),
    ]
    assert w._call_each(module, calls) == 2


@pytest.mark.slow
def test_real_families_return_timings(caplog):
    # Families whose area exists run (kernels compile, or load from the cache); the
    # others are reported as skipped, never raised. Every warm-up call must match
    # the area's real API: a failing call is logged as a warning.
    caplog.set_level(logging.WARNING, logger="fastml.warmup")
    timings, skipped = w._warmup_report()
    assert set(timings) | set(skipped) == set(w.warmup_families())
    assert all(isinstance(t, float) and t >= 0 for t in timings.values())
    for name, reason in skipped.items():
        assert "not available" in reason, (name, reason)
    assert not [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
