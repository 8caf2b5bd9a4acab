"""Target-only baselines: what a user would fit without any transfer.

Two of them, because neither wins everywhere on a few dozen rows: a regularised linear
model (logistic / ridge regression) and LightGBM with small leaves.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge

from graft.strategies.tabular.boosting import TARGET_ROUNDS, train_booster
from graft.strategies.tabular.model import Member
from graft.strategies.tabular.problem import Problem

__all__ = ["fit_linear", "fit_target_lightgbm", "linear_model"]


def linear_model(task: str, seed: int, *, C: float = 1.0):
    """Logistic regression (classification) or ridge (regression), L2-regularised."""
    if task == "regression":
        return Ridge(alpha=1.0 / C)
    return LogisticRegression(C=C, max_iter=2000, random_state=seed)


def fit_linear(problem: Problem, rows: np.ndarray) -> dict[str, Member]:
    model = linear_model(problem.task, problem.seed)
    model.fit(problem.target.dense[rows], problem.y[rows])
    return {"baseline_linear": Member("baseline_linear", "sklearn", model, "dense")}


def fit_target_lightgbm(problem: Problem, rows: np.ndarray) -> dict[str, Member]:
    booster, _ = train_booster(
        problem.target.dense[rows],
        problem.y[rows],
        task=problem.task,
        n_outputs=problem.n_outputs,
        rounds=TARGET_ROUNDS,
        seed=problem.seed,
    )
    return {"baseline_lightgbm": Member("baseline_lightgbm", "booster", booster, "dense")}
