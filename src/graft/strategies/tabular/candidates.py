"""The tabular strategies by name, what each needs from the source, and how to fit them.

Each fitter takes a :class:`~graft.strategies.tabular.problem.Problem` and the target rows
to train on, and returns one or more named *variants* (a strategy with one setting of its
hyperparameter, e.g. ``pooled@3`` or ``warm_start@30``), so inner validation can score
every variant on the same folds.
"""

from collections.abc import Callable

import numpy as np

from graft.strategies.tabular.baseline import fit_linear, fit_target_lightgbm
from graft.strategies.tabular.fine_tune import fit_fine_tune
from graft.strategies.tabular.instance import fit_instance
from graft.strategies.tabular.model import Member
from graft.strategies.tabular.pooled import fit_pooled
from graft.strategies.tabular.problem import Problem
from graft.strategies.tabular.stacking import fit_stacking
from graft.strategies.tabular.warm_start import fit_warm_start

__all__ = ["BASELINES", "FITTERS", "NEEDS", "available", "fit_variants"]

BASELINES = ("baseline_linear", "baseline_lightgbm")

FITTERS: dict[str, Callable[[Problem, np.ndarray], dict[str, Member]]] = {
    "baseline_linear": fit_linear,
    "baseline_lightgbm": fit_target_lightgbm,
    "source_only": lambda problem, rows: {"source_only": source_member()},
    "pooled": fit_pooled,
    "warm_start": fit_warm_start,
    "stacking": fit_stacking,
    "instance": fit_instance,
    "fine_tune": fit_fine_tune,
}

NEEDS = {
    "baseline_linear": None,
    "baseline_lightgbm": None,
    "source_only": "model",
    "stacking": "model",
    "warm_start": "model",
    "pooled": "rows",
    "instance": "rows",
    "fine_tune": "rows",
}
"""What each strategy needs: nothing, a source model (trained here on source rows, or
given as a saved graft model), or the labelled source rows themselves."""


def source_member() -> Member:
    return Member("source_only", "source", None, "source")


def available(problem: Problem, name: str) -> bool:
    need = NEEDS[name]
    if need is None:
        return True
    if need == "model":
        return problem.has_source_model
    return problem.has_source_rows


def fit_variants(problem: Problem, name: str, rows: np.ndarray) -> dict[str, Member]:
    return FITTERS[name](problem, np.asarray(rows))
