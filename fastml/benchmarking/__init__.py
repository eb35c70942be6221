"""fastml.benchmarking (in progress)."""
