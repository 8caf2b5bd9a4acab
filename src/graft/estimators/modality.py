"""Which kind of input an estimator got: free text or a table.

One small function, so a new modality (images, audio) is one more branch here. Text keeps
the behaviour it always had: a ``text_column``, a list / 1-D array / Series of strings, a
DataFrame whose one text-like column holds free text, or a strategy only text has, all mean
text. Every other DataFrame, and any 2-D numeric array, is a table; so is any input given
to a strategy only tables have (``pooled``, ``warm_start``, ...).
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["TABULAR", "TEXT", "detect_modality"]

TEXT = "text"
TABULAR = "tabular"
TEXT_ONLY_STRATEGIES = ("feature_extraction", "hybrid")
TABULAR_ONLY_STRATEGIES = ("source_only", "pooled", "warm_start", "stacking", "instance")


def detect_modality(X, *, text_column=None, strategy=None) -> str:
    """``"text"`` or ``"tabular"`` for the input ``X`` of ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> detect_modality(["good film", "bad film"])
    'text'
    >>> detect_modality(pd.DataFrame({"age": [31, 45], "plan": ["a", "b"]}))
    'tabular'
    """
    if text_column is not None or strategy in TEXT_ONLY_STRATEGIES:
        return TEXT
    if strategy in TABULAR_ONLY_STRATEGIES:
        return TABULAR
    if isinstance(X, pd.DataFrame):
        return TEXT if _one_free_text_column(X) else TABULAR
    if isinstance(X, pd.Series):
        return TEXT
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] > 1:
            return TABULAR
        return TABULAR if X.ndim == 2 and _numeric(X) else TEXT
    if isinstance(X, Sequence) and not isinstance(X, (str, bytes)) and len(X):
        first = X[0]
        if isinstance(first, Sequence) and not isinstance(first, (str, bytes)):
            return TABULAR  # a list of rows
    return TEXT


def _numeric(array: np.ndarray) -> bool:
    return np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)


def _one_free_text_column(frame: pd.DataFrame) -> bool:
    """True when the frame's only text-like column holds free text (sentences, not codes)."""
    texty = [
        c
        for c in frame.columns
        if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]
    if len(texty) != 1:
        return False
    values = frame[texty[0]].dropna()
    values = values[values.map(lambda v: isinstance(v, str))]
    if len(values) == 0:
        return False
    words = values.str.split().str.len().mean()
    distinct = values.nunique() / len(values)
    # Category labels repeat and are one or two words; free text is longer and mostly unique.
    return bool(words >= 2.5 or (distinct > 0.5 and values.str.len().mean() > 15))
