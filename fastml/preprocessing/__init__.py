"""fastml.preprocessing (in progress)."""
