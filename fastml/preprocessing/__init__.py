"""Preprocessing: categorical encoders, target encoders, scalers and outlier flags.

Every estimator follows scikit-learn's API and gives the same output as its
scikit-learn namesake on the same input (``OneHotEncoder``, ``OrdinalEncoder``,
``LabelEncoder``, ``TargetEncoder``, ``StandardScaler``, ``MinMaxScaler``).
``KFoldTargetEncoder`` is the out-of-fold target encoder with plain K-fold folds;
``IQROutlierFlagger`` and ``iqr_outlier_mask`` flag values outside Tukey's fences.
"""

from fastml.preprocessing._data import MinMaxScaler, StandardScaler
from fastml.preprocessing._encoders import OneHotEncoder, OrdinalEncoder
from fastml.preprocessing._label import LabelEncoder
from fastml.preprocessing._outliers import IQROutlierFlagger, iqr_outlier_mask
from fastml.preprocessing._target_encoder import KFoldTargetEncoder, TargetEncoder

__all__ = [
    "IQROutlierFlagger",
    "KFoldTargetEncoder",
    "LabelEncoder",
    "MinMaxScaler",
    "OneHotEncoder",
    "OrdinalEncoder",
    "StandardScaler",
    "TargetEncoder",
    "iqr_outlier_mask",
]
