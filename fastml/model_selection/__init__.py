"""fastml.model_selection (in progress)."""
