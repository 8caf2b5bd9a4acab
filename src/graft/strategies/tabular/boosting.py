"""LightGBM, the gradient-boosting workhorse of tabular transfer, behind a few helpers.

Models are plain ``lightgbm.Booster`` objects trained with ``lightgbm.train``, because
continuing a source model on target rows (``init_model``) and weighting rows are direct
there, and a booster saves as LightGBM's own text format (no pickle). Threads follow
``graft.config.num_threads()``.
"""

import numpy as np

from graft.config import num_threads
from graft.exceptions import DataError, GraftError

__all__ = [
    "class_shares",
    "lightgbm",
    "margin",
    "params_for",
    "start_margin",
    "to_proba",
    "train_booster",
]

SOURCE_ROUNDS = 200
"""Rounds of a model trained on source rows (with shrinkage 0.05, a safe middle)."""
TARGET_ROUNDS = 100
"""Rounds of a model trained on a few target rows: fewer, since they are few."""


def lightgbm():
    """The lightgbm module, or an error that names the extra to install."""
    try:
        import lightgbm as lgb
    except ImportError as exc:
        raise GraftError(
            "Tabular transfer needs LightGBM, which is not installed; install it with pip "
            'install "graft[tabular]" (or pip install lightgbm).'
        ) from exc
    return lgb


def params_for(task: str, n_outputs: int, n_rows: int, seed: int) -> dict:
    """Booster settings scaled to the data: small leaves for a few dozen rows."""
    params = {
        "learning_rate": 0.05,
        "num_leaves": 15,
        # With 25 rows the default of 20 rows per leaf allows a single split at most.
        "min_data_in_leaf": int(np.clip(n_rows // 20, 3, 20)),
        "min_sum_hessian_in_leaf": 1e-3,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": num_threads(),
        "verbosity": -1,
    }
    if task == "regression":
        params["objective"] = "regression"
    elif n_outputs == 2:
        params["objective"] = "binary"
    else:
        params.update(objective="multiclass", num_class=n_outputs)
    return params


def train_booster(
    X: np.ndarray,
    y: np.ndarray,
    *,
    task: str,
    n_outputs: int,
    rounds: int,
    seed: int,
    weight: np.ndarray | None = None,
    init_model=None,
    init_score: np.ndarray | None = None,
    n_rows_for_params: int | None = None,
    valid: tuple[np.ndarray, np.ndarray] | None = None,
):
    """Train (or, with ``init_model`` or ``init_score``, continue) a booster; returns it and
    the per-round validation metric on ``valid`` when given."""
    if len(y) < 2:
        # Bagging keeps 80% of the rows each round: of one row that is none, and LightGBM
        # fails with "Check failed: (num_data) > (0)".
        raise DataError(
            f"Gradient boosting (LightGBM) needs at least 2 training rows but got {len(y)}; "
            "give at least 2 labelled target rows (and source rows), or with a single target "
            "row use strategy='source_only', 'stacking' or 'pooled'."
        )
    lgb = lightgbm()
    params = params_for(task, n_outputs, n_rows_for_params or len(y), seed)
    data = lgb.Dataset(X, label=y, weight=weight, init_score=init_score, free_raw_data=False)
    record: dict = {}
    kwargs = {}
    if valid is not None:
        params["metric"] = _metric(task, n_outputs)
        kwargs["valid_sets"] = [lgb.Dataset(valid[0], label=valid[1], reference=data)]
        kwargs["valid_names"] = ["valid"]
        kwargs["callbacks"] = [lgb.record_evaluation(record)]
    booster = lgb.train(params, data, num_boost_round=rounds, init_model=init_model, **kwargs)
    curve = None
    if valid is not None:
        curve = np.asarray(next(iter(record["valid"].values())), dtype=np.float64)
    return booster, curve


def _metric(task: str, n_outputs: int) -> str:
    if task == "regression":
        return "l2"
    return "binary_logloss" if n_outputs == 2 else "multi_logloss"


def margin(booster, X: np.ndarray, *, rounds: int | None = None) -> np.ndarray:
    """Raw scores, shaped (n, 1) for binary and regression, (n, K) for K classes."""
    raw = booster.predict(X, raw_score=True, num_iteration=rounds, num_threads=num_threads())
    raw = np.asarray(raw, dtype=np.float64)
    return raw.reshape(len(X), -1)


def to_proba(raw: np.ndarray, task: str) -> np.ndarray:
    """Margins to class probabilities (classification) or values (regression)."""
    if task == "regression":
        return raw[:, 0]
    if raw.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        return np.column_stack([1.0 - p, p])
    shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def class_shares(y: np.ndarray, n_outputs: int) -> np.ndarray:
    """Each class's share of the rows ``y`` (encoded), smoothed so none is zero."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=n_outputs)
    return (counts + 1.0) / (counts.sum() + n_outputs)


def start_margin(source_margin: np.ndarray, info: dict) -> np.ndarray:
    """The scores boosting continues from: the source model's, except that the classes in
    ``info["missing_classes"]`` (ones the source never saw) get ``info["missing_shares"]``
    of the probability, the other classes keeping the source's odds among themselves.

    A source model gives a class it never saw almost no probability; boosting from there on
    a few target rows does not bring it back within 100 rounds, so such a class would never
    be predicted.
    """
    missing = list(info.get("missing_classes") or ())
    if not missing:
        return source_margin
    p = np.clip(to_proba(source_margin, "classification"), 1e-12, None)
    known = np.ones(p.shape[1], dtype=bool)
    known[missing] = False
    shares = np.asarray(info["missing_shares"], dtype=np.float64)
    out = np.empty_like(p)
    out[:, known] = np.log(p[:, known] / p[:, known].sum(axis=1, keepdims=True))
    out[:, known] += np.log(1.0 - shares.sum())
    out[:, missing] = np.log(shares)
    return out
