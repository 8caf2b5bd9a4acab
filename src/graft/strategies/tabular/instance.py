"""``instance``: source rows weighted by how target-like they are, then pooled.

A domain classifier (logistic regression, source = 0, target = 1, classes balanced) gives
each source row the density ratio p(target | x) / p(source | x); ratios are clipped to
[0.1, 10] and scaled to mean 1, so a few odd rows cannot take over. The weighted source rows
and the target rows then train one LightGBM with a domain indicator, as in ``pooled``.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression

from graft.strategies.tabular.model import Member
from graft.strategies.tabular.pooled import pooled_booster
from graft.strategies.tabular.problem import Problem

__all__ = ["density_ratio", "fit_instance"]


def density_ratio(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Clipped, mean-1 weights p(target|x)/p(source|x) for the rows of ``source``."""
    X = np.vstack([source, target])
    domain = np.concatenate([np.zeros(len(source)), np.ones(len(target))])
    classifier = LogisticRegression(C=0.1, class_weight="balanced", max_iter=2000)
    classifier.fit(X, domain)
    p = np.clip(classifier.predict_proba(source)[:, 1], 1e-6, 1 - 1e-6)
    ratio = np.clip(p / (1.0 - p), 0.1, 10.0)
    return ratio / ratio.mean()


def fit_instance(problem: Problem, rows: np.ndarray, share="rows") -> dict[str, Member]:
    weights = density_ratio(problem.source.dense, problem.target.dense[rows])
    booster = pooled_booster(problem, rows, share, source_weights=weights)
    return {"instance": Member("instance", "booster", booster, "dense+domain")}
