"""``warm_start``: the source LightGBM continued on the target rows (``init_model``).

One continued run per fit gives every candidate number of extra rounds at once (a booster
predicts with its first k trees), so inner validation picks the number of extra rounds from
a single run per fold; zero extra rounds is the source model itself.

Target classes the source never saw start from their share of the target rows (see
:func:`~graft.strategies.tabular.boosting.start_margin`) rather than from the source's
near-zero probability, which a few rounds on a few rows never recover.
"""

import numpy as np

from graft.strategies.tabular.boosting import (
    TARGET_ROUNDS,
    class_shares,
    start_margin,
    train_booster,
)
from graft.strategies.tabular.model import Member
from graft.strategies.tabular.problem import Problem

__all__ = ["EXTRA_ROUNDS", "fit_warm_start"]

EXTRA_ROUNDS = (10, 30, TARGET_ROUNDS)


def fit_warm_start(problem: Problem, rows: np.ndarray, extra=EXTRA_ROUNDS) -> dict[str, Member]:
    rows = np.asarray(rows)
    start_info = {}
    if problem.missing_classes:
        # Boost from the source's scores with the unseen classes reset (init_score), so
        # not from the source booster itself.
        missing = list(problem.missing_classes)
        shares = class_shares(problem.y[rows], problem.n_outputs)[missing]
        start_info = {"missing_classes": missing, "missing_shares": shares.tolist()}
        start, offset = 0, True
        init = {"init_score": _flat(start_margin(problem.source_margin[rows], start_info))}
    elif problem.source_booster is not None:
        start, offset = problem.source_booster.current_iteration(), False
        init = {"init_model": problem.source_booster}
    else:
        # A source model given as a saved graft model need not be a booster in this
        # feature space: boosting then starts from its scores (LightGBM's init_score), which
        # continues it just the same, and may use target columns it never had.
        start, offset = 0, True
        init = {"init_score": _flat(problem.source_margin[rows])}
    booster, _ = train_booster(
        problem.target.dense[rows],
        problem.y[rows],
        task=problem.task,
        n_outputs=problem.n_outputs,
        rounds=max(extra),
        seed=problem.seed,
        **init,
    )
    return {
        f"warm_start@{k}": Member(
            f"warm_start@{k}",
            "booster",
            booster,
            "dense",
            rounds=start + k,
            info={"extra": k, "offset": offset, **start_info},
        )
        for k in extra
    }


def _flat(margin: np.ndarray) -> np.ndarray:
    # LightGBM wants multiclass init scores class-major (all rows of class 0 first).
    return margin[:, 0] if margin.shape[1] == 1 else margin.T.reshape(-1)
