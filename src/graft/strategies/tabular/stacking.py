"""``stacking``: a target model that reads the source model's score as an extra input.

The source model never saw a target label, so its scores on target rows are honest inputs.
Its raw margin enters a regularised linear model beside the encoded columns (unmatched
target columns included), so the target rows decide how far to trust the source and
where to correct it.
"""

import numpy as np

from graft.strategies.tabular.baseline import linear_model
from graft.strategies.tabular.model import Member, features
from graft.strategies.tabular.problem import Problem

__all__ = ["fit_stacking"]


def fit_stacking(problem: Problem, rows: np.ndarray) -> dict[str, Member]:
    X = features(problem.target.take(rows), "dense+source", problem.source_margin[rows])
    model = linear_model(problem.task, problem.seed).fit(X, problem.y[rows])
    return {"stacking": Member("stacking", "sklearn", model, "dense+source")}
