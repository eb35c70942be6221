"""fastml.metrics (in progress)."""
