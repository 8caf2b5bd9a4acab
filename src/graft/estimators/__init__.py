"""The public estimators."""

from graft.estimators.base import (
    STRATEGIES,
    TABULAR_STRATEGIES,
    TransferClassifier,
    TransferRegressor,
)
from graft.estimators.forecaster import TransferForecaster

__all__ = [
    "STRATEGIES",
    "TABULAR_STRATEGIES",
    "TransferClassifier",
    "TransferForecaster",
    "TransferRegressor",
]
