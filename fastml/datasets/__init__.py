"""fastml.datasets (in progress)."""
