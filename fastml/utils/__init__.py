"""Validation helpers shared by every estimator (see fastml.utils.validation)."""

from fastml.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from fastml.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    check_X_y,
    column_or_1d,
    validate_data,
)

__all__ = [
    "check_array",
    "check_classification_targets",
    "check_consistent_length",
    "check_is_fitted",
    "check_random_state",
    "check_sample_weight",
    "check_X_y",
    "column_or_1d",
    "type_of_target",
    "unique_labels",
    "validate_data",
]
