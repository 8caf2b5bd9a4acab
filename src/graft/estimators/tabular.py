"""The tabular side of TransferClassifier / TransferRegressor: input checks, sources, fit.

``fit`` on a table turns the features into a DataFrame, encodes the labels, aligns the
source (labelled rows, or a model trained on the source), builds one
:class:`~graft.strategies.tabular.problem.Problem`, and fits the requested strategy, or
lets ``auto`` choose (see :mod:`graft.estimators.tabular_auto`).
"""

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from graft.data.tabular import class_keys, respell_flags
from graft.data.validation import check_labels
from graft.exceptions import DataError

__all__ = ["as_frame", "fit_tabular", "tabular_outputs"]


def as_frame(X, where: str = "X", columns=None) -> pd.DataFrame:
    """A table as a DataFrame; a 2-D array gets columns x0, x1, ... (or ``columns``)."""
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0:
            raise DataError(f"{where} has no rows; give at least one row.")
        return X
    array = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
    if array.ndim != 2:
        raise DataError(
            f"{where} has shape {array.shape}; a table must be a DataFrame or a 2-D array "
            "with one row per example."
        )
    if array.shape[0] == 0:
        raise DataError(f"{where} has no rows; give at least one row.")
    names = list(columns) if columns is not None else [f"x{i}" for i in range(array.shape[1])]
    if len(names) != array.shape[1]:
        raise DataError(
            f"{where} has {array.shape[1]} columns but the model was trained on "
            f"{len(names)}; pass the same columns."
        )
    return pd.DataFrame(array, columns=names)


def fingerprint_frame(frame: pd.DataFrame, y) -> str:
    """SHA-256 of a table's values, column names and labels."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, frame.columns)).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
    digest.update("\x1e".join(map(str, np.asarray(y))).encode("utf-8"))
    return digest.hexdigest()


def source_class_keys(source_labels, target_classes) -> list[str]:
    """The text keys of source labels, in the target's spelling when both are one flag
    written two ways ("Yes"/"No" for "yes"/"no", True/False for 0/1): the same two classes,
    as the same flag spelt otherwise in a feature column is (see ``respell_flags``)."""
    respelled = respell_flags(pd.Series(list(target_classes)), pd.Series(list(source_labels)))
    return class_keys(source_labels if respelled is None else respelled)


class ModelSource:
    """A fitted tabular graft estimator used as the source: its scores feed the target.

    Target columns are matched to the source model's columns (the same matching as for
    source rows); the source model's probabilities become raw scores (log-odds) of the
    target's classes, which are looked up by their text (a target class "1" is the source's
    1). A target class the source model lacks gets a tiny probability.
    """

    def __init__(self, estimator, matching, target_task: str, target_classes):
        self.estimator = estimator
        self.matching = matching
        self.task = target_task
        self.classes = target_classes
        self.columns = list(estimator.feature_names_in_)

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Target rows with the source model's column names."""
        out = pd.DataFrame(np.nan, index=frame.index, columns=self.columns, dtype=object)
        for match in self.matching.matches:
            # As with source rows, a column of another kind (codes against text) is left
            # unmatched: fed to the source model, it would fail as if X were wrong.
            if match.kind_compatible:
                out[match.source] = frame[match.target].to_numpy()
        return out

    def margin(self, frame: pd.DataFrame) -> np.ndarray:
        rows = self.frame(frame)
        if self.task == "regression":
            return np.asarray(self.estimator.predict(rows), dtype=np.float64).reshape(-1, 1)
        proba = np.clip(self.estimator.predict_proba(rows), 1e-6, 1 - 1e-6)
        own = source_class_keys(self.estimator.classes_, self.classes)
        known = {key: i for i, key in enumerate(own)}
        columns = [
            proba[:, known[key]] if key in known else np.full(len(rows), 1e-6)
            for key in class_keys(self.classes)
        ]
        p = np.column_stack(columns)
        p = p / p.sum(axis=1, keepdims=True)
        if len(self.classes) == 2:
            return np.log(p[:, 1] / p[:, 0]).reshape(-1, 1)
        return np.log(p)


def _source_frame_for(estimator) -> pd.DataFrame:
    """A two-row stand-in for the source model's training table, for column matching.

    Only each column's name and kind matter to the matcher, so the values are made up to
    have the kind the source model's schema recorded.
    """
    from graft.data.tabular import ColumnKind

    columns = {}
    for spec in estimator.model_.encoder.schema.columns:
        if spec.kind == ColumnKind.NUMERIC:
            columns[spec.name] = [0.5, 1.5]
        elif spec.kind == ColumnKind.BOOLEAN:
            columns[spec.name] = list(spec.categories or (0, 1))  # its own spelling
        elif spec.kind == ColumnKind.CATEGORICAL:
            categories = list(spec.categories or ("a", "b", "c"))
            columns[spec.name] = (categories * 2)[:2] if len(categories) > 2 else ["a", "b"]
    return pd.DataFrame(columns)


def _load_source_model(source, task: str):
    """The fitted tabular estimator behind ``source`` (a bundle path or an estimator)."""
    if isinstance(source, str | os.PathLike):
        from graft.bundle import load  # the bundle layer sits above; imported on use

        source = load(Path(source))
    if not hasattr(source, "model_") or getattr(source, "modality_", "text") != "tabular":
        raise DataError(
            "source must be (X_source, y_source), a saved tabular graft bundle, or a fitted "
            "tabular TransferClassifier / TransferRegressor; this one is not tabular."
        )
    if source._task != task:
        raise DataError(
            f"The source model is a {source._task} model but the target task is {task}; use "
            f"a source model trained for {task}, or source rows (X_source, y_source)."
        )
    return source


def _check_source_rows(estimator, source):
    if not (isinstance(source, tuple) and len(source) == 2):
        raise DataError(
            "source must be a tuple (X_source, y_source) of labelled source-domain rows, or "
            "the path of a saved graft bundle trained on the source."
        )
    source_X = as_frame(source[0], where="source X")
    labels = check_labels(source[1], len(source_X), task=estimator._task, where="source y")
    if estimator._task == "regression":
        return source_X.reset_index(drop=True), labels, {}
    keys = np.array(source_class_keys(labels, estimator.classes_), dtype=object)
    target = class_keys(estimator.classes_)
    known = np.isin(keys, target)
    if len(np.unique(keys[known])) < 2:
        raise DataError(
            "source y shares fewer than two classes with y (source classes: "
            f"{sorted(set(keys.tolist()))[:5]}, target classes: {sorted(target)[:5]}); give "
            "source rows labelled with the target's classes."
        )
    notes = _missing_classes(target, set(keys.tolist()))
    if not known.all():
        notes["dropped_source_rows"] = int((~known).sum())
    lookup = {key: i for i, key in enumerate(target)}
    encoded = np.array([lookup[key] for key in keys[known]])
    return source_X[known].reset_index(drop=True), encoded, notes


def _check_source_model_classes(estimator, model, source) -> dict:
    """Lineage notes on the target classes a source model lacks; refuse one sharing < 2."""
    if estimator._task == "regression":
        return {}
    target = class_keys(estimator.classes_)
    known = set(source_class_keys(model.classes_, estimator.classes_))
    if sum(key in known for key in target) < 2:
        named = f" {source}" if isinstance(source, str | os.PathLike) else ""
        raise DataError(
            f"The source model{named} shares fewer than two classes with y (source classes: "
            f"{sorted(known)[:5]}, target classes: {sorted(target)[:5]}), so its scores cannot "
            "tell the target's classes apart; give a source model trained on the target's "
            "classes, or source rows (X_source, y_source)."
        )
    return _missing_classes(target, known)


def _missing_classes(target: list[str], known: set) -> dict:
    unseen = [key for key in target if key not in known]
    # The source model cannot predict these classes; target-side models still learn them,
    # and warm_start starts them from their share of the target rows.
    return {"classes_not_in_source": unseen} if unseen else {}


def _thread_limit():
    """Cap BLAS threads at graft's thread count while fitting or predicting a table.

    Tiny linear models on a busy machine were five times slower with OpenBLAS spinning
    up threads for each 25-row solve than with one thread.
    """
    from threadpoolctl import threadpool_limits

    from graft.config import num_threads

    return threadpool_limits(limits=num_threads())


def fit_tabular(estimator, X, y, source) -> None:
    """Fit ``estimator`` on the table ``X``; sets every fitted attribute."""
    with _thread_limit():
        _fit_tabular(estimator, X, y, source)


def _fit_tabular(estimator, X, y, source) -> None:
    from graft.estimators.base import TABULAR_STRATEGIES
    from graft.estimators.tabular_auto import fit_named, select_and_fit
    from graft.strategies.tabular.prepare import (
        align_source,
        build_problem,
        mark_unjoinable,
        refuse_unusable,
    )

    if estimator.strategy not in TABULAR_STRATEGIES:
        raise DataError(
            f"strategy={estimator.strategy!r} works on text only, and X is a table; use one "
            f"of {', '.join(TABULAR_STRATEGIES)}."
        )
    frame = as_frame(X).reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    y_arr = check_labels(y, len(frame), task=estimator._task)
    targets = estimator._encode_targets(y_arr)
    estimator.feature_names_in_ = np.array(frame.columns, dtype=object)
    estimator.n_features_in_ = frame.shape[1]
    estimator.text_column_ = None
    estimator.modality_ = "tabular"
    estimator.training_fingerprint_ = fingerprint_frame(frame, y_arr)
    estimator.n_training_rows_ = len(frame)
    estimator.lineage_ = {}
    estimator.column_matching_ = None
    n_outputs = estimator._n_outputs()
    seed = estimator._seed()
    # The text backbone matches column names by meaning; None (or "none") matches by name.
    backbone = None if estimator.backbone in (None, "", "none") else estimator.backbone
    settings = {
        key: getattr(estimator, key)
        for key in (
            "source_weight",
            "unfreeze_layers",
            "layer_lr_decay",
            "weight_decay",
            "dropout",
            "l2sp",
            "validation_fraction",
            "patience",
        )
    }
    source_rows = source_y = scorer = None
    if isinstance(source, tuple):
        source_X, source_y, notes = _check_source_rows(estimator, source)
        source_rows, matching = align_source(
            source_X, frame, mapping=estimator.column_mapping, backbone=backbone
        )
        estimator.column_matching_ = matching
        estimator.lineage_["source"] = {
            "kind": "rows",
            "fingerprint": fingerprint_frame(source_X, source_y),
            "n_rows": len(source_X),
            **notes,
        }
    elif source is not None:
        model = _load_source_model(source, estimator._task)
        notes = _check_source_model_classes(estimator, model, source)
        from graft.analysis.column_matching import match_columns

        stand_in = _source_frame_for(model)
        matching = match_columns(
            stand_in, frame, mapping=estimator.column_mapping, backbone=backbone
        )
        mark_unjoinable(matching, stand_in, frame)
        refuse_unusable(matching)
        estimator.column_matching_ = matching
        scorer = ModelSource(model, matching, estimator._task, getattr(estimator, "classes_", None))
        estimator.lineage_["source"] = {
            "kind": "model",
            "fingerprint": model.training_fingerprint_,
            "n_rows": model.n_training_rows_,
            "strategy": model.strategy_,
            **notes,
        }
        if isinstance(source, str | os.PathLike):
            estimator.lineage_["source"]["bundle"] = str(source)
    unseen = estimator.lineage_.get("source", {}).get("classes_not_in_source", [])
    missing = [
        i for i, key in enumerate(class_keys(getattr(estimator, "classes_", []))) if key in unseen
    ]
    problem = build_problem(
        frame,
        targets,
        task=estimator._task,
        n_outputs=n_outputs,
        source_frame=source_rows,
        y_source=source_y,
        source_scorer=scorer,
        missing_classes=missing,
        settings=settings,
        seed=seed,
    )
    if estimator.strategy == "auto":
        model, scores, reason, chosen = select_and_fit(problem, time_budget=estimator.time_budget)
    else:
        model, scores, reason, chosen = fit_named(problem, estimator.strategy)
    estimator.model_ = model
    estimator.auto_scores_ = scores
    estimator.choice_reason_ = reason + _unseen_note(chosen, unseen)
    estimator.strategy_ = chosen


def _unseen_note(chosen: str, unseen: list[str]) -> str:
    """What the chosen strategy does with target classes the source never saw."""
    if not unseen:
        return ""
    names = ", ".join(map(repr, unseen))
    parts = chosen.split("+")
    note = ""
    if "source_only" in parts:
        note += f"; source_only never predicts {names}, which the source never saw"
    if "warm_start" in parts:
        note += f"; warm_start started {names} (unseen by the source) from the target share"
    return note


def tabular_outputs(estimator, X) -> np.ndarray:
    frame = as_frame(
        X, columns=None if isinstance(X, pd.DataFrame) else estimator.feature_names_in_
    )
    frame.columns = [str(c) for c in frame.columns]
    with _thread_limit():
        return estimator.model_.outputs(frame.reset_index(drop=True))
