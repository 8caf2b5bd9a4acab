"""``graft.compare``: judge transfer candidates against the from-scratch baseline."""

import time
from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.metrics import get_scorer, log_loss, make_scorer
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

from graft.data.validation import check_labels, check_texts, labels_like
from graft.estimators.modality import (
    TABULAR,
    audio_inputs,
    detect_modality,
    folder_or_given_labels,
    image_inputs,
    kind_strategy,
)
from graft.evaluate.report import CandidateResult, TransferReport
from graft.exceptions import DataError


def _candidates(estimator_or_strategies, task: str) -> list:
    """``(name, estimator)`` pairs in the order given; names may repeat (see ``_named``)."""
    from graft.estimators import TransferClassifier, TransferForecaster, TransferRegressor

    cls = TransferClassifier if task == "classification" else TransferRegressor
    if isinstance(estimator_or_strategies, Mapping):
        found = [(str(k), v) for k, v in estimator_or_strategies.items()]
    elif isinstance(estimator_or_strategies, (TransferClassifier, TransferRegressor)):
        found = [(estimator_or_strategies.strategy, estimator_or_strategies)]
    elif isinstance(estimator_or_strategies, str):
        found = [(estimator_or_strategies, cls(strategy=estimator_or_strategies))]
    else:
        try:
            items = list(estimator_or_strategies)
        except TypeError:
            items = [estimator_or_strategies]  # one estimator of another kind: refused below
        found = []
        for item in items:
            if isinstance(item, str):
                found.append((item, cls(strategy=item)))
            else:
                found.append((str(getattr(item, "strategy", type(item).__name__)), item))
    if not found:
        raise DataError("compare() got no candidates; pass an estimator or strategy names.")
    for name, item in found:
        forecaster = isinstance(item, TransferForecaster)
        usable = hasattr(item, "fit") and "strategy" in getattr(item, "get_params", dict)()
        if forecaster or not usable:
            hint = "; forecasters are compared by graft.backtest()" if forecaster else ""
            raise DataError(
                f"compare() candidate {name!r} is a {type(item).__name__}, not a "
                f"TransferClassifier or TransferRegressor{hint}."
            )
    return found


def _named(found: list, reserved: set) -> tuple[object, dict]:
    """(the user's baseline or None, name -> candidate), dropping no candidate.

    The first candidate named ``"baseline"`` whose strategy is the baseline *is* the
    baseline row. Any other name already taken, or reserved for a row compare adds
    (``baseline``, ``source_only``), gets a number (``feature_extraction#2``), so candidates
    sharing a strategy are all scored.
    """
    baseline, named = None, {}
    for name, estimator in found:
        is_baseline = getattr(estimator, "strategy", None) == "baseline"
        if baseline is None and name == "baseline" and is_baseline:
            baseline = estimator
            continue
        # A table's own source-only candidate stands for the source-only row compare adds.
        own_row = name == "source_only" and getattr(estimator, "strategy", None) == name
        unique, number = name, 1
        while unique in named or (unique in reserved and not (own_row and unique == name)):
            number += 1
            unique = f"{name}#{number}"
        named[unique] = estimator
    return baseline, named


METRICS = {
    "classification": ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "neg_log_loss"),
    "regression": ("r2", "neg_mean_absolute_error", "neg_root_mean_squared_error"),
}
"""scikit-learn scorer names ``compare`` accepts; higher is better for every one."""
BASELINE_WORDS = {
    "text": "TF-IDF + linear model",
    TABULAR: "LightGBM or linear model",
    "image": "pixels + linear model",
    "audio": "log-mel statistics + linear model",
}
_BOUNDED = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc"}
_SHOWN = {"r2": "R²", "roc_auc": "ROC AUC"}


def _metric(metric: str | None, task: str, tabular: bool, y: np.ndarray) -> str:
    """The scorer name: ``metric`` if given, else ROC AUC for a two-class table (what
    ``auto`` optimises there), accuracy for other classification, R² for regression."""
    if metric is None:
        if task == "regression":
            return "r2"
        return "roc_auc" if tabular and len(np.unique(y)) == 2 else "accuracy"
    if metric not in METRICS[task]:
        raise DataError(
            f"metric={metric!r} is not available for {task}; use one of {', '.join(METRICS[task])}."
        )
    if metric == "roc_auc" and len(np.unique(y)) != 2:
        raise DataError(
            f"metric='roc_auc' needs exactly two classes (the labels have "
            f"{len(np.unique(y))}); use accuracy, balanced_accuracy, f1_macro or neg_log_loss."
        )
    return metric


def _own_score(estimator, X, y) -> float:
    return estimator.score(X, y)


BOOTSTRAP = 1000
"""Resamples of a fixed test set's rows behind its confidence intervals."""


class _FrozenClassifier(ClassifierMixin, BaseEstimator):
    """A fitted classifier's probabilities on the fixed test rows, answering for any
    resample of them (row indices stand for X), so a bootstrap scores without predicting
    again; ``score`` is accuracy, as the estimators' own."""

    def __init__(self, classes=None, proba=None):
        self.classes = classes
        self.proba = proba

    @property
    def classes_(self):
        return self.classes

    @property
    def outputs(self):
        return self.proba

    def predict_proba(self, rows):
        return self.proba[rows]

    def predict(self, rows):
        return self.classes[self.proba[rows].argmax(axis=1)]


class _FrozenRegressor(RegressorMixin, BaseEstimator):
    """A fitted regressor's predictions on the fixed test rows (``score`` is R²)."""

    def __init__(self, outputs=None):
        self.outputs = outputs

    def predict(self, rows):
        return self.outputs[rows]


def _freeze(model, X, task: str):
    """The model's outputs on ``X`` as a frozen estimator, or None if it cannot give them."""
    if task == "classification":
        if not (hasattr(model, "predict_proba") and hasattr(model, "classes_")):
            return None
        return _FrozenClassifier(np.asarray(model.classes_), np.asarray(model.predict_proba(X)))
    if not hasattr(model, "predict"):
        return None
    return _FrozenRegressor(np.asarray(model.predict(X), dtype=float))


def _bootstrap(frozen: dict, scorer, y: np.ndarray, task: str, seed: int) -> dict:
    """Each candidate's seed-mean score on ``BOOTSTRAP`` resamples of the test rows (the
    same resamples for all, so differences are paired). A classification resample is drawn
    again while it lacks a class of the test set (ROC AUC and log loss need every class);
    the class mix still varies, so a model that predicts one class gets an interval too."""
    rng = np.random.default_rng(seed)
    n, classes = len(y), np.unique(y) if task == "classification" else None
    # Seeds that gave the same outputs (a deterministic model) are scored once, weighted.
    distinct = {name: _distinct(models) for name, models in frozen.items()}
    out = {name: np.empty(BOOTSTRAP) for name in frozen}
    for b in range(BOOTSTRAP):
        for _ in range(100):
            rows = rng.integers(0, n, n)
            if classes is None or len(np.unique(y[rows])) == len(classes):
                break
        for name, (models, weights) in distinct.items():
            scores = [scorer(m, rows, y[rows]) for m in models]
            out[name][b] = np.average(scores, weights=weights)
    return out


def _distinct(models: list) -> tuple[list, list[int]]:
    """The models with distinct outputs, and how many of the given ones each stands for."""
    kept, counts = [], []
    for model in models:
        for i, other in enumerate(kept):
            if np.array_equal(model.outputs, other.outputs):
                counts[i] += 1
                break
        else:
            kept.append(model)
            counts.append(1)
    return kept, counts


def _scorer(metric: str, y: np.ndarray):
    if metric in ("accuracy", "r2"):  # what the estimators' own ``score`` computes
        return _own_score
    if metric == "neg_log_loss":
        # Every class of y, so that a split whose test part lacks a rare class scores.
        return make_scorer(
            log_loss,
            greater_is_better=False,
            response_method="predict_proba",
            labels=np.unique(y),
        )
    return get_scorer(metric)


def _check_test_classes(y: np.ndarray, y_test: np.ndarray, metric: str) -> None:
    """Refuse test labels of a class absent from the training labels for the metrics that
    cannot score them: ROC AUC is defined over the model's classes, and a log loss over a
    class the model gives probability 0 is infinite. The label metrics (accuracy,
    balanced accuracy, F1) score them as the errors they are."""
    if metric not in ("roc_auc", "neg_log_loss"):
        return
    known = set(y.tolist())
    unseen = [v for v in y_test.tolist() if v not in known]
    if unseen:
        names = sorted({str(v) for v in unseen})
        raise DataError(
            f"test y has {len(unseen)} row(s) of class(es) absent from the training labels "
            f"({', '.join(map(repr, names[:5]))}{', ...' if len(names) > 5 else ''}), which "
            f"metric {metric!r} cannot score; drop those rows or use accuracy, "
            "balanced_accuracy or f1_macro (they count them as errors)."
        )


def _check_strategies(candidates: dict, modality: str) -> None:
    """Refuse, before anything is fitted, a strategy the input's modality does not have."""
    from graft.estimators.auto import strategies_for

    allowed = strategies_for(modality)
    wrong = [
        getattr(est, "strategy", None)
        for est in candidates.values()
        if isinstance(getattr(est, "strategy", None), str) and est.strategy not in allowed
    ]
    if wrong:
        raise DataError(
            f"strategy {', '.join(map(repr, wrong))} is not available for {modality} input; "
            f"use {', '.join(allowed)}."
        )


def _subset(X, rows):
    if hasattr(X, "subset"):  # an ImageSet or AudioSet
        return X.subset(rows)
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    return [X[i] for i in rows] if isinstance(X, list) else np.asarray(X, dtype=object)[rows]


def _inputs(X, y, modality: str, columns: dict, where: str = "X"):
    """``(X, y, number of rows)``; images and audio are decoded once, here, so every split
    reuses them (and a class-folder tree gives its labels)."""
    if modality == "image":
        images, folder_labels = image_inputs(
            X, image_column=columns["image_column"], where=where, fitting=True
        )
        y = folder_or_given_labels(y, folder_labels, where)
        return images, y, len(images)
    if modality == "audio":
        clips = audio_inputs(X, audio_column=columns["audio_column"], where=where)
        return clips, y, len(clips)
    if modality == TABULAR:
        from graft.estimators.tabular import as_frame

        return X, y, len(as_frame(X, where=where))
    return X, y, len(check_texts(X, text_column=columns["text_column"], where=where))


def compare(
    estimator_or_strategies,
    X,
    y,
    *,
    source=None,
    test=None,
    task: str = "classification",
    n_splits: int = 5,
    test_size: float = 0.25,
    random_state: int = 0,
    backbone: str | None = None,
    text_column: str | None = None,
    image_column: str | None = None,
    audio_column: str | None = None,
    column_mapping=None,
    metric: str | None = None,
) -> TransferReport:
    """Score transfer candidates and the from-scratch baseline on the same splits.

    Parameters
    ----------
    estimator_or_strategies : estimator, strategy name, list of either, or dict name->estimator
        The candidates. The from-scratch baseline is always added (as ``"baseline"``):
        TF-IDF + a linear model for text, the better of LightGBM and a linear model for
        tables, pixels (images) or log-mel statistics (audio) + a linear model; a
        candidate named ``"baseline"`` with that strategy is used as that row. Candidates
        are named by their strategy (or dict key); repeated names are numbered
        (``feature_extraction``, ``feature_extraction#2``), so none is dropped.
    X, y : the target task's inputs and labels, in any form ``fit`` takes: texts, a table,
        images (a class-folder tree with ``y=None``, a DataFrame of paths with
        ``image_column``, an array) or audio (a DataFrame of paths with ``audio_column``).
    source : tuple (X_source, y_source), optional
        Labelled source-domain rows (for tables also a saved bundle), given to every
        candidate's ``fit``; a ``source_only`` row is added (texts: frozen features + head
        trained on the source alone; tables: the ``source_only`` strategy).
    test : tuple (X_test, y_test), optional
        A fixed held-out set. Each of the ``n_splits`` repeats then fits on all of
        ``X, y`` with a different seed and scores on ``test``. Without it, the repeats are
        stratified random splits of ``X, y`` with ``test_size`` held out.
    task : "classification" or "regression"
    n_splits, test_size, random_state : the evaluation design.
    backbone, text_column, image_column, audio_column, column_mapping : set on every
        candidate when given (``column_mapping``: tables, as in the estimators).
    metric : str, optional
        A scikit-learn scorer name from ``METRICS`` (higher is better, so losses are
        negated, e.g. ``neg_log_loss``). Default: ROC AUC for two-class tables, accuracy
        for other classification, R² for regression.

    Returns
    -------
    TransferReport

    Examples
    --------
    >>> import graft
    >>> X = ["good", "great", "fine", "nice", "bad", "awful", "poor", "sad"] * 2
    >>> y = [1, 1, 1, 1, 0, 0, 0, 0] * 2
    >>> report = graft.compare(["feature_extraction"], X, y, n_splits=2, backbone="tiny-bert")
    >>> [c.name for c in report.candidates]
    ['baseline', 'feature_extraction']
    """
    if task not in ("classification", "regression"):
        raise DataError(f"task={task!r} is unknown; use 'classification' or 'regression'.")
    if not isinstance(n_splits, int) or n_splits < 2:
        raise DataError(f"n_splits={n_splits!r} must be an integer >= 2 to give an interval.")
    # Split i fits with seed random_state + i, and the estimators take seeds below 2**31
    # (a fixed test set uses seeds 0 .. n_splits - 1 and no random_state).
    seed_ok = isinstance(random_state, int | np.integer) and not isinstance(random_state, bool)
    if test is None and not (seed_ok and 0 <= random_state <= 2**31 - n_splits):
        raise DataError(
            f"random_state={random_state!r} must be an integer from 0 to 2**31 - n_splits "
            f"({2**31 - n_splits})."
        )
    found = _candidates(estimator_or_strategies, task)
    columns = {
        "text_column": text_column,
        "image_column": image_column,
        "audio_column": audio_column,
    }
    given = {"backbone": backbone, "column_mapping": column_mapping, **columns}
    overrides = {k: v for k, v in given.items() if v}
    template = found[0][1]
    strategy = kind_strategy(c.strategy for _, c in found)
    modality = detect_modality(X, strategy=strategy, **columns)
    tabular = modality == TABULAR
    reserved = {"baseline", "source_only"} if source is not None else {"baseline"}
    own_baseline, candidates = _named(found, reserved)
    X, y, n_rows = _inputs(X, y, modality, columns)
    y = check_labels(y, n_rows, task=task)
    metric = _metric(metric, task, tabular, y)
    scorer = _scorer(metric, y)
    _check_strategies(candidates, modality)
    if own_baseline is not None:
        models = {"baseline": clone(own_baseline).set_params(**overrides)}
    else:
        models = {"baseline": clone(template).set_params(strategy="baseline", **overrides)}
    if tabular and source is not None and "source_only" not in candidates:
        # A table's source-only model is fitted like any strategy (it ignores target labels).
        models["source_only"] = clone(template).set_params(strategy="source_only", **overrides)
    for name, est in candidates.items():
        models[name] = clone(est).set_params(**overrides) if overrides else clone(est)
    if test is not None:
        X_test, y_test, n_test = _inputs(*test, modality, columns, where="test X")
        y_test = check_labels(y_test, n_test, task=task, where="test y")
        if task == "classification":
            y_test = labels_like(y_test, y, "test y")  # 1, 1.0 and "1" are one class
            _check_test_classes(y, y_test, metric)
        elif metric == "r2" and (n_test < 2 or np.ptp(np.asarray(y_test, float)) == 0):
            raise DataError(
                f"test has {n_test} row(s) {'' if n_test < 2 else 'all with one target value '}"
                "and R² is undefined there; give more (and varied) test rows or pick another "
                "metric= / --metric."
            )
        splits = [(np.arange(n_rows), None, seed) for seed in range(n_splits)]
        evaluation = "seeds on a fixed test set"
    else:
        splitter = (StratifiedShuffleSplit if task == "classification" else ShuffleSplit)(
            n_splits=n_splits, test_size=test_size, random_state=random_state
        )
        try:
            folds = list(splitter.split(np.zeros(n_rows), y))
        except ValueError as exc:
            raise DataError(
                f"Cannot make {n_splits} splits with {test_size:.0%} held out from {n_rows} "
                f"rows ({exc}); add labelled rows, or pass test=(X_test, y_test)."
            ) from exc
        if task == "regression" and metric == "r2" and min(len(te) for _, te in folds) < 2:
            # R² of a single held-out row is undefined (NaN for every candidate).
            raise DataError(
                f"{test_size:.0%} of {n_rows} rows holds out 1 row per split, and R² needs "
                "at least 2; add labelled rows, raise test_size=, pick another metric= / "
                "--metric, or give a fixed test set (test= / --test-data)."
            )
        splits = [(tr, te, random_state + i) for i, (tr, te) in enumerate(folds)]
        evaluation = f"random {'stratified ' if task == 'classification' else ''}splits"

    results: dict[str, dict] = {
        name: {"scores": [], "fit": [], "predict": [], "notes": set()} for name in models
    }
    source_model = None
    if source is not None and not tabular:
        source_model = clone(template).set_params(strategy="feature_extraction", **overrides)
        started = time.perf_counter()
        source_model.fit(*source)
        source_fit = time.perf_counter() - started
        results["source_only"] = {"scores": [], "fit": [source_fit], "predict": [], "notes": set()}
    matching = None
    # On a fixed test set, models that do not vary with the seed score the same every time,
    # so the intervals come from a bootstrap over the test rows instead (``_bootstrap``).
    frozen: dict[str, list] | None = {} if test is not None else None

    def score(name, fitted, X_eval, y_eval):
        started = time.perf_counter()
        held = _freeze(fitted, X_eval, task) if frozen is not None else None
        if held is not None:
            frozen.setdefault(name, []).append(held)
            value = scorer(held, np.arange(len(y_eval)), y_eval)
        else:
            value = scorer(fitted, X_eval, y_eval)
        results[name]["scores"].append(float(value))
        results[name]["predict"].append(time.perf_counter() - started)

    for train_rows, test_rows, seed in splits:
        X_train, y_train = _subset(X, train_rows), y[train_rows]
        if test_rows is None:
            X_eval, y_eval = X_test, y_test
        else:
            X_eval, y_eval = _subset(X, test_rows), y[test_rows]
        for name, model in models.items():
            fitted = clone(model).set_params(random_state=seed)
            started = time.perf_counter()
            fitted.fit(X_train, y_train, source=source)
            results[name]["fit"].append(time.perf_counter() - started)
            score(name, fitted, X_eval, y_eval)
            if fitted.strategy == "auto":
                results[name]["notes"].add(f"chose {fitted.strategy_}")
            if matching is None and getattr(fitted, "column_matching_", None) is not None:
                matching = fitted.column_matching_.to_dict()
        if source_model is not None:
            score("source_only", source_model, X_eval, y_eval)

    baseline_scores = np.asarray(results["baseline"]["scores"])
    resampled = None
    if frozen is not None and set(frozen) == set(results):
        resampled = _bootstrap(frozen, scorer, y_test, task, random_state)
        evaluation += f" (95% CIs: {BOOTSTRAP} bootstrap resamples of its rows)"
    rows = []
    for name, r in results.items():
        row = CandidateResult.from_scores(
            name,
            r["scores"],
            fit_seconds=np.mean(r["fit"]),
            predict_seconds=np.mean(r["predict"]),
            bounded=metric in _BOUNDED,
        )
        row.notes = sorted(r["notes"])
        if resampled is not None:
            row.ci_low, row.ci_high = np.percentile(resampled[name], [2.5, 97.5]).tolist()
            if name != "baseline":
                row.judge_resampled(resampled[name] - resampled["baseline"], baseline_scores)
        elif name != "baseline":
            row.judge(baseline_scores)
        rows.append(row)
    return TransferReport(
        task=task,
        metric=_SHOWN.get(metric, metric),
        n_rows=n_rows,
        n_splits=len(splits),
        evaluation=evaluation,
        baseline=f"baseline ({BASELINE_WORDS[modality]}, target rows only)",
        candidates=rows,
        column_matching=matching,
    )
