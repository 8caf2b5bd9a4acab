"""graft: transfer learning for predictive modeling.

Reuse a pretrained model or a related labelled domain to predict well on a new task with
few labels, and get the evidence of whether the transfer helped.

Heavy modules (torch, transformers) load on first use, so ``import graft`` stays fast.
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "TransferClassifier": "graft.estimators",
    "TransferRegressor": "graft.estimators",
    "TransferForecaster": "graft.estimators.forecaster",
    "list_backbones": "graft.backbones.registry",
    "create_backbone": "graft.backbones.registry",
    "compare": "graft.evaluate.compare",
    "backtest": "graft.evaluate.backtest",
    "TransferReport": "graft.evaluate.report",
    "load": "graft.bundle",
    "save": "graft.bundle",
}

__all__ = ["__version__", *sorted(_EXPORTS), "datasets"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name == "datasets":
        return importlib.import_module("graft.datasets")
    raise AttributeError(f"module 'graft' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
