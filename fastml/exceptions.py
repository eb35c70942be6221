"""Exceptions and warnings, subclassing the same builtins as scikit-learn's."""


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before ``fit``."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before reaching its tolerance."""


class DataConversionWarning(UserWarning):
    """Input data was converted in a way the user may not expect (e.g. column y)."""


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined (e.g. a zero denominator) and was set to zero_division."""


class FitFailedWarning(RuntimeWarning):
    """Fitting an estimator failed on some cross-validation split (see error_score)."""


class InvalidParameterError(ValueError, TypeError):
    """A parameter has a wrong type or value (catchable as ValueError or TypeError)."""
