"""``pooled``: one LightGBM on source and target rows together, with a domain indicator.

The indicator lets trees treat the two domains differently where they differ; the source
rows' total weight relative to the target rows (``share``) decides how much the source
dominates, and is chosen by inner validation unless the user fixes ``source_weight``.
"""

import numpy as np

from graft.strategies.tabular.boosting import SOURCE_ROUNDS, train_booster
from graft.strategies.tabular.model import Member
from graft.strategies.tabular.problem import Problem

__all__ = ["SHARES", "fit_pooled", "pooled_booster"]

SHARES = ("rows", 3.0)
"""Total source weight / total target weight: ``"rows"`` gives every row weight 1."""


def pooled_booster(
    problem: Problem, rows: np.ndarray, share, source_weights: np.ndarray | None = None
):
    """A booster on source rows (domain 0) and target ``rows`` (domain 1)."""
    source, target = problem.source.dense, problem.target.dense[rows]
    n_s, n_t = len(source), len(target)
    per_row = 1.0 if share == "rows" else float(share) * n_t / n_s
    weights_s = np.full(n_s, per_row)
    if source_weights is not None:
        weights_s = weights_s * source_weights
    X = np.vstack(
        [np.column_stack([source, np.zeros(n_s)]), np.column_stack([target, np.ones(n_t)])]
    )
    y = np.concatenate([problem.y_source, problem.y[rows]])
    booster, _ = train_booster(
        X,
        y,
        task=problem.task,
        n_outputs=problem.n_outputs,
        rounds=SOURCE_ROUNDS,
        seed=problem.seed,
        weight=np.concatenate([weights_s, np.ones(n_t)]),
    )
    return booster


def share_name(share) -> str:
    return "pooled@rows" if share == "rows" else f"pooled@{float(share):g}"


def fit_pooled(problem: Problem, rows: np.ndarray, shares=SHARES) -> dict[str, Member]:
    out = {}
    for share in shares:
        name = share_name(share)
        booster = pooled_booster(problem, rows, share)
        out[name] = Member(name, "booster", booster, "dense+domain", info={"share": share})
    return out
