"""Inner validation on a few target rows: repeated stratified folds, out-of-fold predictions.

Every variant is scored on the same folds, and its out-of-fold (OOF) predictions are kept,
so ``auto`` can compare variants, and blends of them, on identical evidence. With 25 rows
a single 5-fold split is noisy, so small tables get several repeats of the folds; scores
are computed on each repeat's full OOF vector (every target row predicted once by a model
that never saw it), which is steadier on tiny folds than averaging per-fold scores.
"""

import numpy as np
from sklearn.metrics import log_loss, r2_score, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold

from graft.exceptions import DataError
from graft.strategies.tabular.candidates import fit_variants
from graft.strategies.tabular.problem import Problem

__all__ = ["MIN_PER_CLASS", "MIN_ROWS", "inner_splits", "oof_predictions", "score"]

MIN_PER_CLASS = 2
"""A classifier needs this many rows of every class for inner validation."""
MIN_ROWS = 6
"""A regressor needs this many rows for inner validation."""


def repeats_for(n_rows: int) -> int:
    """More repeats for smaller tables: the folds are noisier and the fits cheaper."""
    return 3 if n_rows <= 60 else 2 if n_rows <= 150 else 1


def inner_splits(y: np.ndarray, task: str, seed: int, what: str) -> list[list[tuple]]:
    """``repeats`` lists of (train rows, validation rows) folds covering every row once."""
    n = len(y)
    if task == "classification":
        smallest = int(np.unique(y, return_counts=True)[1].min())
        if smallest < MIN_PER_CLASS:
            raise DataError(
                f"{what} needs at least {MIN_PER_CLASS} labelled target rows of every class "
                f"for inner validation (the smallest class has {smallest}); add rows of that "
                "class, or pick a strategy such as 'source_only' or 'warm_start' with a fixed "
                "source_weight."
            )
        k = min(5, smallest)
        make = lambda r: StratifiedKFold(k, shuffle=True, random_state=seed + r)  # noqa: E731
    else:
        if n < MIN_ROWS:
            raise DataError(
                f"{what} needs at least {MIN_ROWS} target rows for inner validation (got "
                f"{n}); add rows or pick a strategy such as 'source_only'."
            )
        make = lambda r: KFold(min(5, n // 3), shuffle=True, random_state=seed + r)  # noqa: E731
    return [list(make(r).split(np.zeros(n), y)) for r in range(repeats_for(n))]


def oof_predictions(problem: Problem, names, splits: list[list[tuple]]) -> dict[str, np.ndarray]:
    """OOF predictions of every variant of ``names``: shape (repeats, n, K) or (repeats, n)."""
    n = len(problem.y)
    out: dict[str, np.ndarray] = {}
    for r, folds in enumerate(splits):
        for train_rows, val_rows in folds:
            val = problem.target.take(val_rows)
            margin = None if problem.source_margin is None else problem.source_margin[val_rows]
            for name in names:
                for variant, member in fit_variants(problem, name, train_rows).items():
                    pred = member.outputs(val, margin, problem.task, problem.n_outputs)
                    if variant not in out:
                        out[variant] = np.zeros((len(splits), n, *pred.shape[1:]))
                    out[variant][r, val_rows] = pred
    return out


def score(task: str, y: np.ndarray, pred: np.ndarray) -> float:
    """Higher is better: ROC AUC (two classes), minus log loss (more), R² (regression)."""
    if task == "regression":
        return float(r2_score(y, pred))
    if pred.shape[1] == 2:
        return float(roc_auc_score(y, pred[:, 1]))
    clipped = np.clip(pred, 1e-7, 1.0)
    clipped = clipped / clipped.sum(axis=1, keepdims=True)
    return -float(log_loss(y, clipped, labels=np.arange(pred.shape[1])))


def repeat_scores(task: str, y: np.ndarray, oof: np.ndarray) -> np.ndarray:
    return np.array([score(task, y, oof[r]) for r in range(len(oof))])
