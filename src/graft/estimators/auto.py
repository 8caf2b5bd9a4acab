"""``strategy="auto"``: choose a strategy by inner cross-validation, guarded by the baseline."""

import time

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

from graft.exceptions import DataError

CANDIDATES = ("baseline", "feature_extraction", "hybrid", "fine_tune")
"""In order of cost: cheap candidates are always scored, costly ones only within budget."""


def _subset(X, rows):
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    if isinstance(X, np.ndarray):
        return X[rows]
    return [X[i] for i in rows]


def _splits(estimator, y: np.ndarray, seed: int) -> list:
    if estimator._task == "classification":
        smallest = int(np.unique(y, return_counts=True)[1].min())
        if smallest < 2:
            raise DataError(
                f"strategy='auto' needs at least 2 labelled rows per class to validate "
                f"(the smallest class has {smallest}); add rows or pick a strategy."
            )
        folds = StratifiedKFold(min(3, smallest), shuffle=True, random_state=seed)
        return list(folds.split(np.zeros(len(y)), y))
    if len(y) < 6:
        raise DataError(
            f"strategy='auto' needs at least 6 rows to validate (got {len(y)}); "
            "add rows or pick a strategy."
        )
    return list(KFold(3, shuffle=True, random_state=seed).split(np.zeros(len(y))))


def _log_loss(model, X, y) -> float:
    from sklearn.metrics import log_loss

    if model._task != "classification":
        return 0.0
    return float(log_loss(y, model.predict_proba(X), labels=model.classes_))


def select_strategy(estimator, X, y, source, *, seed: int):
    """Score every candidate on the same inner folds and return the winner.

    Returns ``(strategy, scores, reason)``. ``scores`` maps each candidate to its fold
    scores (the estimator's ``score``: accuracy or R²), mean, std and seconds, or to the
    reason it was skipped. The baseline is always scored and wins ties with transfer only
    on log loss, so a transfer strategy that lost to it in validation is never returned.
    """
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    splits = _splits(estimator, y, seed)
    budget = estimator.time_budget
    started = time.perf_counter()
    scores: dict[str, dict] = {}
    last_cost = 0.0
    for name in CANDIDATES:
        elapsed = time.perf_counter() - started
        if budget is not None and name not in CANDIDATES[:2] and elapsed + last_cost > budget:
            scores[name] = {"skipped": f"time budget of {budget:.0f}s"}
            continue
        t0 = time.perf_counter()
        fold_scores, fold_losses = [], []
        for train_rows, val_rows in splits:
            model = clone(estimator).set_params(strategy=name, progress=False)
            model.fit(_subset(X, train_rows), y[train_rows], source=source)
            X_val, y_val = _subset(X, val_rows), y[val_rows]
            fold_scores.append(float(model.score(X_val, y_val)))
            fold_losses.append(_log_loss(model, X_val, y_val))
        last_cost = time.perf_counter() - t0
        scores[name] = {
            "mean": float(np.mean(fold_scores)),
            "std": float(np.std(fold_scores)),
            "folds": fold_scores,
            "log_loss": float(np.mean(fold_losses)),
            "seconds": last_cost,
        }
    scored = {k: v for k, v in scores.items() if "mean" in v}
    best = max(scored, key=lambda k: (scored[k]["mean"], -scored[k]["log_loss"]))
    metric = "accuracy" if estimator._task == "classification" else "R²"
    summary = "; ".join(
        f"{k} {v['mean']:.3f}±{v['std']:.3f}" if "mean" in v else f"{k} skipped ({v['skipped']})"
        for k, v in scores.items()
    )
    if best == "baseline":
        reason = (
            f"no transfer strategy beat the from-scratch baseline in {len(splits)}-fold inner "
            f"validation ({metric}: {summary}), so the baseline was kept"
        )
    else:
        reason = (
            f"{best} had the best {len(splits)}-fold inner-validation {metric} "
            f"({summary}) and did not lose to the baseline"
        )
    return best, scores, reason
