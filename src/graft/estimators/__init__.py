"""The public estimators."""

from graft.estimators.base import STRATEGIES, TransferClassifier, TransferRegressor

__all__ = ["STRATEGIES", "TransferClassifier", "TransferRegressor"]
