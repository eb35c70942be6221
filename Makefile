# Developer shortcuts. CI (.ci/run) runs the README's test command, then `make lint type`.
PYTHON ?= python

.PHONY: install lint format type test bench bench-quick clean

install:  ## editable install with the test and dev tools
	$(PYTHON) -m pip install --no-build-isolation -e ".[dev,torch]"

lint:
	ruff check fastml kernels tests bench
	ruff format --check fastml kernels tests bench

format:
	ruff check --fix fastml kernels tests bench
	ruff format fastml kernels tests bench

type:
	mypy

test:
	pytest -n 2

bench:  ## pytest-benchmark suite: fastml and each installed peer side by side
	pytest bench --benchmark-only --benchmark-group-by=group --benchmark-columns=min,median,rounds

bench-quick:  ## the user-facing benchmark job
	$(PYTHON) -m fastml bench --quick

clean:
	rm -rf build dist *.egg-info .pytest_cache .benchmarks
	find kernels -name '*.so' -delete -o -name '*.c' -delete
	find . -name __pycache__ -prune -exec rm -rf {} +
