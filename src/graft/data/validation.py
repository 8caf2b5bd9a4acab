"""Checks on user input: each failure is one sentence saying what, where, and how to fix."""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from graft.exceptions import DataError, SchemaError


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def resolve_text_column(frame: pd.DataFrame, text_column: str | None, where: str) -> str:
    """Name of the text column of ``frame``: the one given, or its only text-like column."""
    if text_column is not None:
        if text_column not in frame.columns:
            raise SchemaError(
                f"Text column {text_column!r} is not in {where} (columns: "
                f"{', '.join(map(str, frame.columns))}); pass the right --text-column."
            )
        return text_column
    candidates = [
        c
        for c in frame.columns
        if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]
    if len(candidates) != 1:
        found = ", ".join(map(str, candidates)) or "none"
        raise SchemaError(
            f"Cannot tell which column of {where} holds the text (text-like columns: {found}); "
            "name it with text_column= / --text-column."
        )
    return str(candidates[0])


def check_texts(X, *, text_column: str | None = None, where: str = "X") -> list[str]:
    """Return the texts in ``X`` as a list of str, or raise :class:`DataError`.

    ``X`` may be a sequence of strings, a 1-D array or Series, or a DataFrame (the text
    column is ``text_column`` or its only text-like column).
    """
    if isinstance(X, pd.DataFrame):
        column = resolve_text_column(X, text_column, where)
        values, label = X[column].tolist(), f"column {column!r} of {where}"
    elif isinstance(X, pd.Series):
        values, label = X.tolist(), where
    elif isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        if X.ndim != 1:
            raise DataError(
                f"{where} has shape {X.shape}; text input must be one text per row "
                "(a list, a 1-D array, or a DataFrame with a text column)."
            )
        values, label = X.tolist(), where
    elif isinstance(X, Sequence) and not isinstance(X, (str, bytes)):
        values, label = list(X), where
    else:
        raise DataError(
            f"{where} is a {type(X).__name__}; pass a list of texts, a 1-D array, or a "
            "DataFrame with a text column."
        )
    if not values:
        raise DataError(f"{where} is empty; give at least one text.")
    for row, value in enumerate(values):
        if not isinstance(value, str):
            raise DataError(
                f"Row {row} (counting from 0) of {label} is {_describe(value)} "
                f"({type(value).__name__}), not text; fill or drop missing and non-text values."
            )
    return values


def check_labels(y, n_rows: int, *, task: str, where: str = "y") -> np.ndarray:
    """Return labels as a 1-D array for ``task`` ("classification" or "regression").

    Class labels that mix text with other values (numbers, booleans), as JSON Lines gives
    when only some labels are quoted, are all read as text, whole numbers without a
    decimal point: ``[1, "a", 2.0]`` becomes ``["1", "a", "2"]``. Labels of one kind are
    kept as they are.
    """
    if y is None:
        raise DataError(f"{where} is missing; pass one label per row.")
    array = np.asarray(y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else y)
    if array.dtype.kind == "U" and not isinstance(y, np.ndarray):
        # NumPy wrote a mixed list's numbers as str(number) ("2.0"): keep the values, for
        # the one text rule of mixed labels below.
        values = np.asarray(y, dtype=object)
        array = values if values.shape == array.shape and _mixed(values) else array
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise DataError(f"{where} has shape {array.shape}; pass one label per row (1-D).")
    if len(array) != n_rows:
        raise DataError(
            f"{where} has {len(array)} labels for {n_rows} rows; pass one label per row."
        )
    missing = pd.isna(array)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"{where} has {int(missing.sum())} missing labels (first at row {row}, counting "
            "from 0); "
            "drop those rows or fill their labels."
        )
    if task == "classification":
        array = _text_if_mixed(array)
        classes = np.unique(array.astype(str) if array.dtype == object else array).tolist()
        if len(classes) < 2:
            raise DataError(
                f"{where} has a single class ({_describe(classes[0])}); a classifier needs "
                "labelled examples of at least two classes."
            )
        return array
    try:
        values = array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        numbers = pd.to_numeric(pd.Series(array), errors="coerce")
        row = int(np.flatnonzero(numbers.isna().to_numpy())[0])
        raise DataError(
            f"{where} holds non-numeric values (first: {_describe(array[row])} at row {row}, "
            "counting from 0); a regressor needs numeric targets."
        ) from exc
    infinite = np.isinf(values)
    if infinite.any():
        row = int(np.flatnonzero(infinite)[0])
        raise DataError(
            f"{where} has {int(infinite.sum())} infinite target(s) (first at row {row}); "
            "drop those rows or fix their values."
        )
    return values


def labels_like(labels, classes, where: str = "y") -> np.ndarray:
    """``labels`` in the form of fitted ``classes``, whatever their types: 1, 1.0 and "1"
    are one class (:func:`graft.data.tabular.category_text`), so a test set read from
    another file (JSON text "0" / "1" against CSV numbers 0 / 1, or mixed training labels
    read as text, see :func:`check_labels`) scores against the same classes.

    A label of no training class keeps its value, as text when the classes are text and
    as a number when they are numbers; text that is no number beside numeric classes is
    a :class:`DataError` (naming ``where``), since it cannot be compared with them.
    """
    from graft.data.tabular import category_text

    labels = np.asarray(labels.to_numpy() if isinstance(labels, pd.Series) else labels)
    classes = np.asarray(classes)
    known = {category_text(c): c for c in classes.tolist()}
    text = all(isinstance(c, str) for c in known.values())
    out = []
    for row, value in enumerate(labels.tolist()):
        key = category_text(value)
        if key not in known and isinstance(value, str) and not text:
            try:  # numeric classes: "1.0" or " 1" is the class 1
                value = float(value)
            except ValueError:
                listed = ", ".join(map(repr, list(known.values())[:5]))
                raise DataError(
                    f"{where} holds {value!r} at row {row}, which is no training class "
                    f"({listed}{', ...' if len(known) > 5 else ''}) and cannot be compared "
                    "with numeric classes; fix the label or drop the row."
                ) from None
            key = category_text(value)
        out.append(known.get(key, key if text else value))
    return np.array(out, dtype=object if text else None)


def _text_if_mixed(labels: np.ndarray) -> np.ndarray:
    # NumPy cannot sort 1 and "a" together, so a mixed column would fail in np.unique; the
    # text of each label is what the user wrote in the file (1 and "1" are one class).
    if not _mixed(labels):
        return labels
    from graft.data.tabular import class_keys

    return np.array(class_keys(labels), dtype=object)


def _mixed(labels: np.ndarray) -> bool:
    """Whether an object array holds text and other values (numbers, booleans) together."""
    if labels.dtype != object or labels.ndim != 1:
        return False
    text = np.fromiter((isinstance(v, str) for v in labels), dtype=bool, count=len(labels))
    return bool(text.any() and not text.all())
