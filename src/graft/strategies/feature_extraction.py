"""Feature extraction: a head on frozen embeddings, optionally pooled with a source domain.

Labelled source-domain rows (e.g. movie reviews when the target is product reviews) are
added to the head's training set with a weight. How much the source should count is the
transfer decision: it is chosen by cross-validation on the target rows only, so a source
that does not help gets weight 0 and the head is target-only.
"""

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

from graft.data.rows import take_rows
from graft.strategies.heads import fit_baseline

SOURCE_RATIOS = (0.0, 0.3, 1.0, 3.0, 10.0, 30.0)
"""Candidate total source weight as a multiple of the total target weight."""

SELECTION_SOURCE_ROWS = 2000
"""Source rows used while choosing the ratio (all of them are used for the final head).

The ratio is a relative weight, so a sample of the source ranks the candidates the same
way at a fraction of the cost: choosing costs ratios x folds head fits."""


def fit_head(
    head: BaseEstimator,
    features: np.ndarray,
    y: np.ndarray,
    source: tuple[np.ndarray, np.ndarray] | None = None,
    source_ratio: float = 0.0,
) -> BaseEstimator:
    """Fit a clone of ``head`` on target rows plus source rows weighted by ``source_ratio``."""
    model = clone(head)
    if source is None or source_ratio <= 0:
        return model.fit(features, y)
    source_features, source_y = source
    per_row = source_ratio * len(y) / len(source_y)
    weights = np.concatenate([np.ones(len(y)), np.full(len(source_y), per_row)])
    # A pipeline (e.g. the normalised logistic head) routes the weights to its last step.
    key = f"{model.steps[-1][0]}__sample_weight" if isinstance(model, Pipeline) else "sample_weight"
    return model.fit(
        np.vstack([features, source_features]), np.concatenate([y, source_y]), **{key: weights}
    )


def _folds(y: np.ndarray, task: str, seed: int, max_splits: int = 5):
    if task == "classification":
        n_splits = min(max_splits, int(np.unique(y, return_counts=True)[1].min()))
        if n_splits < 2:
            return None
        return StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(y, y)
    n_splits = min(max_splits, len(y) // 2)
    if n_splits < 2:
        return None
    return KFold(n_splits, shuffle=True, random_state=seed).split(y)


def _loss(model: BaseEstimator, features: np.ndarray, y: np.ndarray, task: str) -> float:
    if task == "regression":
        return float(mean_squared_error(y, model.predict(features)))
    if hasattr(model, "predict_proba"):
        return float(log_loss(y, model.predict_proba(features), labels=model.classes_))
    return float(np.mean(model.predict(features) != y))


def _sample(source: tuple[np.ndarray, np.ndarray], task: str, seed: int):
    features, y = source
    if len(y) <= SELECTION_SOURCE_ROWS:
        return source
    stratify = (
        y if task == "classification" and np.unique(y, return_counts=True)[1].min() > 1 else None
    )
    rows, _ = train_test_split(
        np.arange(len(y)), train_size=SELECTION_SOURCE_ROWS, random_state=seed, stratify=stratify
    )
    return features[rows], y[rows]


def choose_source_ratio(
    head: BaseEstimator,
    features: np.ndarray,
    y: np.ndarray,
    source: tuple[np.ndarray, np.ndarray],
    *,
    task: str,
    seed: int,
) -> tuple[float, dict[float, float]]:
    """Source ratio with the lowest cross-validated loss on target rows, and every loss.

    Source rows (a sample of at most ``SELECTION_SOURCE_ROWS``) are always in the training
    part; only target rows are held out, so the choice reflects performance on the target
    domain. With too few target rows for two folds, the source and target count equally
    (ratio 1).
    """
    splits = list(_folds(y, task, seed, max_splits=3) or [])
    if not splits:
        return 1.0, {}
    source = _sample(source, task, seed)
    losses = {}
    for ratio in SOURCE_RATIOS:
        fold_losses = [
            _loss(fit_head(head, features[tr], y[tr], source, ratio), features[va], y[va], task)
            for tr, va in splits
        ]
        losses[ratio] = float(np.mean(fold_losses))
    return min(losses, key=losses.get), losses


BLEND_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
"""Candidate weights of the from-scratch baseline in a blend with the frozen-feature head."""


def blend(head_outputs: np.ndarray, baseline_outputs: np.ndarray, weight: float) -> np.ndarray:
    """``(1 - weight)`` times the head's outputs plus ``weight`` times the baseline's.

    Both are expected in float64 (see :func:`predict_outputs`).
    """
    return (1.0 - weight) * head_outputs + weight * baseline_outputs


def predict_outputs(model: BaseEstimator, rows, task: str) -> np.ndarray:
    """Probabilities (classification) or values (regression) of ``model`` in float64.

    Numeric rows are read as float64 first: float32 in gives float32 probabilities, which
    miss log_loss's sum-to-one tolerance once blended with float64 ones.
    """
    if isinstance(rows, np.ndarray) and np.issubdtype(rows.dtype, np.floating):
        rows = rows.astype(np.float64)
    if task == "regression":
        return np.asarray(model.predict(rows), dtype=np.float64)
    return np.asarray(model.predict_proba(rows), dtype=np.float64)


def _blend_loss(outputs: np.ndarray, y: np.ndarray, task: str, n_classes: int) -> float:
    if task == "regression":
        return float(mean_squared_error(y, outputs))
    return float(log_loss(y, outputs, labels=np.arange(n_classes)))


def choose_blend_weight(
    head: BaseEstimator,
    feature_blocks: list[np.ndarray],
    baseline: BaseEstimator,
    baseline_matrix: np.ndarray,
    y: np.ndarray,
    *,
    task: str,
    seed: int,
    source: tuple[np.ndarray, np.ndarray] | None = None,
    source_ratio: float = 0.0,
) -> tuple[float, dict[float, float]]:
    """Weight of the from-scratch baseline in the blend with the lowest cross-validated loss.

    ``feature_blocks[0]`` holds the frozen features of the ``n`` target rows and each later
    block those of one augmented view of the same rows (row ``i`` of every block is image
    ``i``): a fold's head trains on every view of its training images and is judged on the
    original held-out images only, so no view of a held-out image leaks into training. The
    baseline trains on ``baseline_matrix`` rows of the same fold. Classification folds are
    scored by log loss, regression by mean squared error; classes are encoded 0..K-1.
    Returns ``(weight, {weight: loss})``; with too few rows for two folds the weight is 0.
    """
    splits = list(_folds(y, task, seed, max_splits=3) or [])
    if not splits:
        return 0.0, {}
    n = len(y)
    n_classes = int(y.max()) + 1 if task == "classification" else 0
    stacked = np.vstack(feature_blocks)
    losses = dict.fromkeys(BLEND_WEIGHTS, 0.0)
    for train, held_out in splits:
        rows = np.concatenate([train + block * n for block in range(len(feature_blocks))])
        fold_head = fit_head(
            head, stacked[rows], np.tile(y, len(feature_blocks))[rows], source, source_ratio
        )
        fold_baseline = fit_baseline(clone(baseline), _rows(baseline_matrix, train), y[train])
        head_out = predict_outputs(fold_head, feature_blocks[0][held_out], task)
        base_out = predict_outputs(fold_baseline, _rows(baseline_matrix, held_out), task)
        head_out, base_out = (
            _all_classes(head_out, fold_head, n_classes),
            _all_classes(base_out, fold_baseline, n_classes),
        )
        for weight in BLEND_WEIGHTS:
            blended = blend(head_out, base_out, weight)
            losses[weight] += _blend_loss(blended, y[held_out], task, n_classes) / len(splits)
    return min(losses, key=losses.get), losses


def _rows(matrix, rows: np.ndarray):
    """Rows of the baseline's input: a matrix (pixels, audio statistics) or texts."""
    return matrix[rows] if isinstance(matrix, np.ndarray) else take_rows(matrix, rows)


def _all_classes(outputs: np.ndarray, model: BaseEstimator, n_classes: int) -> np.ndarray:
    """Class probabilities with a column for each of ``n_classes`` (a fold may miss some)."""
    if n_classes == 0 or outputs.shape[1] == n_classes:
        return outputs
    full = np.zeros((len(outputs), n_classes))
    full[:, model.classes_] = outputs
    return full
