"""The public estimators."""

from graft.estimators.base import (
    STRATEGIES,
    TABULAR_STRATEGIES,
    TransferClassifier,
    TransferRegressor,
)

__all__ = ["STRATEGIES", "TABULAR_STRATEGIES", "TransferClassifier", "TransferRegressor"]
