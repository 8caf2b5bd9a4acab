"""Tables in, numbers out: infer a column schema, check frames against it, encode them.

The three steps a tabular model needs, so a user never encodes anything by hand:

1. :func:`infer_schema` reads a training frame once and gives every column a
   :class:`ColumnKind` (numeric, categorical, boolean, constant, empty). The
   :class:`TabularSchema` it returns is JSON-able, so a bundle manifest can store it.
2. :func:`check_frame` checks a frame (at fit or predict time) against the schema and returns
   it in the canonical form the encoders expect: the schema's columns in the schema's order,
   numeric and boolean columns as float64, categorical columns as text, missing as NaN.
3. :func:`make_preprocessor` builds an unfitted scikit-learn ``ColumnTransformer`` that
   imputes, scales and one-hot encodes those canonical frames into a dense float array.

The preprocessor is built from scikit-learn parts only, so a fitted one saves to a bundle
through skops with nothing but scikit-learn and NumPy types to trust.
"""

import warnings
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from graft.exceptions import DataError, SchemaError

__all__ = [
    "MISSING_CATEGORY",
    "ColumnKind",
    "ColumnSpec",
    "TabularSchema",
    "category_text",
    "check_frame",
    "class_keys",
    "infer_schema",
    "make_preprocessor",
    "respell_flags",
]

MISSING_CATEGORY = "__missing__"
"""The category a missing value of a categorical column becomes before one-hot encoding."""

_TRUE_TOKENS = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE_TOKENS = frozenset({"false", "f", "no", "n", "off", "0"})


class ColumnKind(StrEnum):
    """What a column holds, which decides how it is encoded."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    CONSTANT = "constant"
    EMPTY = "empty"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a :class:`TabularSchema`.

    Parameters
    ----------
    name : str
        The column name, as text (non-string names are converted with ``str``).
    kind : ColumnKind
        How the column is encoded.
    dtype : str
        The pandas dtype the column had in the training frame, for the record.
    categories : tuple or None
        Boolean: ``(false_value, true_value)`` as they appeared in training. Categorical: the
        sorted distinct values as text, or None when there were more than ``max_categories``.
        Other kinds: None.
    missing : bool
        Whether the training frame had missing values in this column.
    """

    name: str
    kind: ColumnKind
    dtype: str
    categories: tuple | None = None
    missing: bool = False


@dataclass(frozen=True)
class TabularSchema:
    """The ordered columns of a training frame and what each holds.

    Examples
    --------
    >>> import json
    >>> import pandas as pd
    >>> schema = infer_schema(pd.DataFrame({"age": [31, 45, 52], "plan": ["a", "b", "a"]}))
    >>> schema.names
    ('age', 'plan')
    >>> TabularSchema.from_dict(json.loads(json.dumps(schema.to_dict()))) == schema
    True
    """

    columns: tuple[ColumnSpec, ...]
    whole_numbers_as_int: bool = True
    """Whether categorical values that are whole numbers are written as integers (1, 1.0
    and "1" all become "1"), so a code column reads the same when a blank cell makes pandas
    load it as floats. False for schemas saved before this rule (they lack the key): their
    models learnt ``str(value)`` ("1.0"), and keep it so they predict as they did."""

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in training order."""
        return tuple(spec.name for spec in self.columns)

    def of_kind(self, kind: ColumnKind | str) -> tuple[str, ...]:
        """Names of the columns of one kind, in training order."""
        return tuple(spec.name for spec in self.columns if spec.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict that :meth:`from_dict` turns back into an equal schema."""
        return {
            "columns": [
                {
                    "name": spec.name,
                    "kind": spec.kind.value,
                    "dtype": spec.dtype,
                    "categories": None if spec.categories is None else list(spec.categories),
                    "missing": spec.missing,
                }
                for spec in self.columns
            ],
            "whole_numbers_as_int": self.whole_numbers_as_int,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TabularSchema":
        """Rebuild a schema from :meth:`to_dict` output, or raise :class:`SchemaError`."""
        try:
            columns = tuple(
                ColumnSpec(
                    name=str(entry["name"]),
                    kind=ColumnKind(entry["kind"]),
                    dtype=str(entry["dtype"]),
                    categories=None if entry["categories"] is None else tuple(entry["categories"]),
                    missing=bool(entry["missing"]),
                )
                for entry in data["columns"]
            )
            whole_numbers_as_int = bool(data.get("whole_numbers_as_int", False))
        except (KeyError, TypeError, ValueError) as exc:
            raise SchemaError(
                f"The tabular schema is malformed ({type(exc).__name__}: {exc}); re-save the "
                "model so its manifest holds a schema written by TabularSchema.to_dict()."
            ) from exc
        return cls(columns, whole_numbers_as_int)


def infer_schema(
    frame: pd.DataFrame, *, where: str = "X", max_categories: int = 50
) -> TabularSchema:
    """Work out what each column of a training frame holds.

    Bool dtype, two-valued 0/1 columns and two-valued text such as yes/no or true/false are
    boolean; other numeric dtypes (and object columns holding only numbers) are numeric;
    text, object and category columns are categorical; a column with a single distinct value
    is constant and a column with no value at all is empty.

    Parameters
    ----------
    frame : pandas.DataFrame
        The training features, one column per feature.
    where : str
        What to call ``frame`` in error messages.
    max_categories : int
        A categorical column with at most this many distinct values records them in the
        schema; a larger one (IDs, free text) is still categorical, with categories None.

    Returns
    -------
    TabularSchema

    Raises
    ------
    DataError
        If ``frame`` is not a non-empty DataFrame, has duplicate column names, or has a column
        that is mostly numbers with some non-numeric values, dates, or non-scalar cells.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [31, 45, None], "senior": ["no", "yes", "no"]})
    >>> [spec.kind.value for spec in infer_schema(frame).columns]
    ['numeric', 'boolean']
    """
    names = _column_names(frame, where)
    if len(frame) == 0:
        raise DataError(f"{where} has no rows; give at least one row of training data.")
    columns = tuple(
        _infer_column(name, frame.iloc[:, i], where, max_categories) for i, name in enumerate(names)
    )
    return TabularSchema(columns)


def check_frame(frame: pd.DataFrame, schema: TabularSchema, *, where: str = "X") -> pd.DataFrame:
    """Check ``frame`` against ``schema`` and return it in the form the preprocessor expects.

    Extra columns are dropped and the schema's column order is restored. Numeric and boolean
    columns come back as float64 (booleans as 0/1), categorical and constant columns as text
    (object dtype), empty columns as NaN; every missing value (None, NaN, pd.NA) becomes NaN.
    A boolean value that is neither of the two seen in training, nor a usual spelling of
    true/false, is treated as missing, as an unseen category is.

    Parameters
    ----------
    frame : pandas.DataFrame
        Features to check, at fit or predict time.
    schema : TabularSchema
        The schema inferred from the training frame.
    where : str
        What to call ``frame`` in error messages.

    Returns
    -------
    pandas.DataFrame
        A new frame with the schema's column names (as text), in order, and ``frame``'s index.

    Raises
    ------
    SchemaError
        If columns the model uses are missing.
    DataError
        If ``frame`` is not a DataFrame, has duplicate column names, or a numeric column holds
        a non-numeric or infinite value.

    Examples
    --------
    >>> import pandas as pd
    >>> schema = infer_schema(pd.DataFrame({"age": [31, 45, 52], "plan": ["a", "b", "a"]}))
    >>> check_frame(pd.DataFrame({"plan": ["c"], "age": [40], "extra": [1]}), schema)
        age plan
    0  40.0    c
    """
    names = _column_names(frame, where)
    positions = {name: i for i, name in enumerate(names)}
    # A column the preprocessor drops anyway (empty, or constant and never missing) may be
    # absent at predict time: refusing to predict for its sake would help no one.
    needed = [spec.name for spec in schema.columns if _is_used(spec)]
    absent = [name for name in needed if name not in positions]
    if absent:
        raise SchemaError(
            f"{where} lacks {len(absent)} column(s) the model was trained on "
            f"({', '.join(map(repr, absent[:10]))}{', ...' if len(absent) > 10 else ''}); "
            "add them, with NaN where a value is unknown."
        )
    canonical = {}
    for spec in schema.columns:
        if spec.name in positions:
            series = frame.iloc[:, positions[spec.name]]
        else:
            series = pd.Series(np.nan, index=frame.index, dtype=np.float64)
        canonical[spec.name] = _canonical(series, spec, where, schema.whole_numbers_as_int)
    text = {name: object for name, values in canonical.items() if values.dtype == object}
    # pandas 3 infers its "str" dtype from text arrays and pandas 2 keeps object: make it one
    # form (object, missing as NaN) for both.
    return pd.DataFrame(canonical, index=frame.index).astype(text)


def make_preprocessor(
    schema: TabularSchema, *, min_frequency: int | float = 2, max_categories: int | None = 50
) -> ColumnTransformer:
    """An unfitted ``ColumnTransformer`` that turns :func:`check_frame` output into floats.

    Numeric columns are median-imputed (with a missing indicator) and standardised;
    categorical columns are one-hot encoded with missing values as their own category and
    rare or unseen categories grouped into one "infrequent" column (all zeros when training
    had no rare ones); boolean columns are imputed with their most frequent value (with a
    missing indicator). Empty columns and constant columns are dropped, except that a
    constant column with missing values keeps its missing indicator: "filled in or not" is
    information. The output is a dense float array; names come from
    ``get_feature_names_out()`` once fitted.

    Parameters
    ----------
    schema : TabularSchema
        The schema of the frames the preprocessor will see.
    min_frequency : int or float
        Categories seen fewer times (int) or in a smaller fraction of rows (float) during fit
        are grouped as infrequent.
    max_categories : int or None
        At most this many one-hot columns per categorical column, the infrequent one included.

    Returns
    -------
    sklearn.compose.ColumnTransformer

    Raises
    ------
    DataError
        If no column is usable (every one is constant or empty).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [31, 45, 52, 38], "plan": ["a", "b", "a", "b"]})
    >>> schema = infer_schema(frame)
    >>> preprocessor = make_preprocessor(schema).fit(check_frame(frame, schema))
    >>> preprocessor.transform(check_frame(frame, schema)).shape
    (4, 3)
    """
    transformers = []
    numeric = schema.of_kind(ColumnKind.NUMERIC)
    if numeric:
        steps = make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
        )
        transformers.append(("numeric", steps, list(numeric)))
    categorical = schema.of_kind(ColumnKind.CATEGORICAL)
    if categorical:
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            min_frequency=min_frequency,
            max_categories=max_categories,
            sparse_output=False,
        )
        imputer = SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)
        transformers.append(("categorical", make_pipeline(imputer, encoder), list(categorical)))
    boolean = schema.of_kind(ColumnKind.BOOLEAN)
    if boolean:
        imputer = SimpleImputer(strategy="most_frequent", add_indicator=True)
        transformers.append(("boolean", imputer, list(boolean)))
    gappy = [s.name for s in schema.columns if s.kind == ColumnKind.CONSTANT and s.missing]
    if gappy:
        transformers.append(("present", MissingIndicator(features="all"), gappy))
    if not transformers:
        raise DataError(
            f"No usable columns: all {len(schema.columns)} column(s) are constant or empty "
            f"({', '.join(map(repr, schema.names[:10]))}); give columns whose values vary."
        )
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def _column_names(frame: pd.DataFrame, where: str) -> list[str]:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(
            f"{where} is a {type(frame).__name__}; pass a pandas DataFrame with one column "
            "per feature."
        )
    if frame.shape[1] == 0:
        raise DataError(f"{where} has no columns; give at least one feature column.")
    names = [str(name) for name in frame.columns]
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    if duplicates:
        raise DataError(
            f"{where} has duplicate column names ({', '.join(map(repr, duplicates[:10]))}, "
            "compared as text); rename or drop the duplicates so every name is unique."
        )
    return names


def _infer_column(name: str, series: pd.Series, where: str, max_categories: int) -> ColumnSpec:
    dtype = str(series.dtype)
    missing_mask = series.isna().to_numpy()
    missing = bool(missing_mask.any())
    if missing_mask.all():
        return ColumnSpec(name, ColumnKind.EMPTY, dtype, missing=missing)
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        raise DataError(
            f"Column {name!r} of {where} holds dates or durations ({dtype}); turn it into "
            "numbers (e.g. days since an event, month) or drop it."
        )
    uniques = _distinct(name, series, missing_mask, where)
    if len(uniques) == 1:
        return ColumnSpec(name, ColumnKind.CONSTANT, dtype, missing=missing)

    def spec(kind: ColumnKind, categories: tuple | None = None) -> ColumnSpec:
        return ColumnSpec(name, kind, dtype, categories, missing)

    if pd.api.types.is_bool_dtype(series) or all(isinstance(v, bool | np.bool_) for v in uniques):
        return spec(ColumnKind.BOOLEAN, (False, True))
    if isinstance(series.dtype, pd.CategoricalDtype):
        # A category dtype is the user's explicit choice, even when its values look numeric.
        return spec(ColumnKind.CATEGORICAL, _categories(uniques, max_categories))
    if pd.api.types.is_numeric_dtype(series):
        return spec(*_numeric_kind(uniques))
    numbers = pd.to_numeric(series[~missing_mask], errors="coerce")
    parsed = numbers.notna().to_numpy()
    if parsed.all():
        return spec(*_numeric_kind(numbers.unique()))
    if parsed.mean() > 0.5:
        bad = np.flatnonzero(~missing_mask)[np.flatnonzero(~parsed)]
        raise DataError(
            f"Column {name!r} of {where} is mostly numbers but {_row(series, bad[0])} holds "
            f"{_describe(series.iloc[bad[0]])}{_others(len(bad))}; replace non-numeric values "
            "with NaN (e.g. read_csv(na_values=[...])), or cast the column with "
            ".astype('category') if it is a category."
        )
    flags = _flag_pair(uniques)
    if flags is not None:
        return spec(ColumnKind.BOOLEAN, flags)
    return spec(ColumnKind.CATEGORICAL, _categories(uniques, max_categories))


def _distinct(name: str, series: pd.Series, missing: np.ndarray, where: str) -> np.ndarray:
    try:
        return pd.unique(series[~missing].to_numpy(dtype=object))
    except TypeError as exc:  # unhashable cells: lists or dicts, e.g. from nested JSON
        row = next((i for i, v in enumerate(series) if not isinstance(v, Hashable)), 0)
        raise DataError(
            f"Column {name!r} of {where} holds a {type(series.iloc[row]).__name__} at "
            f"{_row(series, row)}; give one plain value (number or text) per cell."
        ) from exc


def _numeric_kind(uniques) -> tuple[ColumnKind, tuple | None]:
    values = np.asarray(uniques, dtype=np.float64)
    if len(values) == 2 and np.isin(values, (0.0, 1.0)).all():
        return ColumnKind.BOOLEAN, (0, 1)
    return ColumnKind.NUMERIC, None


def _flag_pair(uniques) -> tuple | None:
    """``(false_value, true_value)`` if the two distinct values spell no/yes, else None."""
    if len(uniques) != 2:
        return None
    tokens = [_token(v) for v in uniques]
    for false, true in ((0, 1), (1, 0)):
        if tokens[false] in _FALSE_TOKENS and tokens[true] in _TRUE_TOKENS:
            return (_plain(uniques[false]), _plain(uniques[true]))
    return None


def respell_flags(target: pd.Series, source: pd.Series) -> pd.Series | None:
    """``source`` written in ``target``'s true/false spelling, or None if there is nothing to do.

    The same flag is often stored as "Yes"/"No" in one table and "yes"/"no" or 0/1 in
    another; joined as they are, the column would hold four categories (or mostly numbers
    and some text) and the source's knowledge of it would be lost. Both columns must spell
    a flag (bool dtype, or at most one usual spelling each of true and false: yes/no, y/n,
    true/false, t/f, on/off, 1/0, any case) and together hold both truth values. A truth
    value the target never shows gets a spelling of the same style (numbers stay numbers,
    "No" gets "Yes"). Missing source values stay missing. None when either column is not
    such a flag, or when the spellings already agree.

    Examples
    --------
    >>> import pandas as pd
    >>> respell_flags(pd.Series(["yes", "no"]), pd.Series(["No", "Yes", None])).tolist()
    ['no', 'yes', None]
    >>> respell_flags(pd.Series([0, 1]), pd.Series(["no", "yes"])).tolist()
    [0.0, 1.0]
    """
    target_spelling, source_spelling = _flag_spelling(target), _flag_spelling(source)
    if target_spelling is None or source_spelling is None:
        return None
    if len(set(target_spelling) | set(source_spelling)) != 2:
        return None  # one truth value on both sides: a constant, nothing to reconcile
    numeric_target = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(
        target
    )
    spelling = {}
    for truth in (False, True):
        if truth in target_spelling:
            spelling[truth] = target_spelling[truth]
        elif pd.api.types.is_bool_dtype(target):
            spelling[truth] = truth
        elif numeric_target:
            spelling[truth] = int(truth)
        else:
            spelling[truth] = _partner(target_spelling[not truth])
    # Compared with their types: True == 1 in Python, yet a bool column joined to a 0/1
    # column is no longer read as one flag.
    if all(_same(value, spelling[truth]) for truth, value in source_spelling.items()):
        return None
    lookup = {value: spelling[truth] for truth, value in source_spelling.items()}
    values = source.to_numpy(dtype=object)
    missing = source.isna().to_numpy()
    out = np.array([None if gap else lookup[v] for v, gap in zip(values, missing)], dtype=object)
    if numeric_target:
        return pd.Series(out, index=source.index, dtype=np.float64)
    return pd.Series(out, index=source.index, dtype=object)


def _flag_spelling(series: pd.Series) -> dict | None:
    """``{truth: value}`` for a column whose values spell a flag (one spelling per truth
    value), else None."""
    try:
        uniques = pd.unique(series.dropna().to_numpy(dtype=object))
    except TypeError:  # unhashable cells: not a flag; the schema reports them
        return None
    if not 1 <= len(uniques) <= 2:
        return None
    spelling = {}
    for value in uniques:
        token = _token(value)
        truth = True if token in _TRUE_TOKENS else False if token in _FALSE_TOKENS else None
        if truth is None or truth in spelling:
            return None
        spelling[truth] = _plain(value)
    return spelling


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b


_PARTNERS = {"yes": "no", "y": "n", "true": "false", "t": "f", "on": "off", "1": "0"}
_PARTNERS |= {false: true for true, false in _PARTNERS.items()}


def _partner(value) -> str:
    """The other truth value in ``value``'s style: "No" -> "Yes", "F" -> "T", "0" -> "1"."""
    text = str(value).strip()
    other = _PARTNERS[text.lower()]
    if text.isupper():
        return other.upper()
    return other.capitalize() if text[:1].isupper() else other


def _categories(uniques, max_categories: int) -> tuple[str, ...] | None:
    if len(uniques) > max_categories:
        return None
    return tuple(sorted({category_text(v) for v in uniques}))


def _is_used(spec: ColumnSpec) -> bool:
    return spec.kind != ColumnKind.EMPTY and not (
        spec.kind == ColumnKind.CONSTANT and not spec.missing
    )


def _canonical(
    series: pd.Series, spec: ColumnSpec, where: str, whole_numbers_as_int: bool = True
) -> np.ndarray:
    missing = series.isna().to_numpy()
    if spec.kind == ColumnKind.EMPTY:
        return np.full(len(series), np.nan)
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        # Fit refuses dates, so training held no dates here; pd.to_numeric would silently
        # read them as nanoseconds (numbers of another scale), or a category as unseen text.
        raise DataError(
            f"Column {spec.name!r} of {where} holds dates or durations ({series.dtype}) but "
            f"held {spec.kind} values in training; give it as in training (e.g. the same "
            "numbers, not parsed dates)."
        )
    if spec.kind == ColumnKind.NUMERIC:
        return _as_numbers(series, missing, spec.name, where)
    if spec.kind == ColumnKind.BOOLEAN:
        return _as_flags(series, missing, spec, where)
    values = series.to_numpy(dtype=object).copy()
    text = category_text if whole_numbers_as_int else str
    values[~missing] = [text(v) for v in values[~missing]]
    values[missing] = np.nan
    return values


def category_text(value) -> str:
    """The text a categorical value is known by: ``str(value)``, but whole numbers as
    integers, so 1, 1.0, np.int64(1) and "1" are one category (pandas reads a column of
    codes as floats once a cell is blank). Text, booleans and fractions keep ``str``."""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and np.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)


def class_keys(values) -> list[str]:
    """Class labels as text (:func:`category_text`), to compare labels read from different
    files or mixed in one: 1, 1.0 and "1" are one class."""
    return [category_text(v) for v in np.asarray(values, dtype=object).tolist()]


def _as_numbers(series: pd.Series, missing: np.ndarray, name: str, where: str) -> np.ndarray:
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(numbers) & ~missing)
    if len(bad):
        raise DataError(
            f"Column {name!r} of {where} was numeric in training but {_row(series, bad[0])} "
            f"holds {_describe(series.iloc[bad[0]])}{_others(len(bad))}; replace non-numeric "
            "values with numbers or NaN."
        )
    infinite = np.flatnonzero(np.isinf(numbers))
    if len(infinite):
        raise DataError(
            f"Column {name!r} of {where} holds an infinite value at {_row(series, infinite[0])}"
            f"{_others(len(infinite))}; replace infinite values with NaN or a finite number."
        )
    return numbers


def _as_flags(series: pd.Series, missing: np.ndarray, spec: ColumnSpec, where: str) -> np.ndarray:
    false_value, true_value = spec.categories
    true_tokens = _TRUE_TOKENS | {_token(true_value)}
    false_tokens = _FALSE_TOKENS | {_token(false_value)}
    # Map each distinct value once: a column has few distinct values but maybe many rows.
    flags: dict = {}
    out = np.full(len(series), np.nan)
    values = series.to_numpy(dtype=object)
    for i in np.flatnonzero(~missing):
        value = values[i]
        if not isinstance(value, Hashable):  # a list or dict, e.g. from nested JSON
            raise DataError(
                f"Column {spec.name!r} of {where} holds a {type(value).__name__} at "
                f"{_row(series, i)}; give one plain value (number or text) per cell."
            )
        if value not in flags:
            token = _token(value)
            flags[value] = 1.0 if token in true_tokens else 0.0 if token in false_tokens else np.nan
        out[i] = flags[value]
    unread = np.flatnonzero(np.isnan(out) & ~missing)
    if len(unread) and _numeric_coded(spec):
        # A column that held only 0 and 1 in training is read as a flag, so a count or code
        # such as 2 or 20 cannot be read; say so rather than fill it in silently.
        warnings.warn(
            f"Column {spec.name!r} of {where} held only 0 and 1 in training, so it is read as "
            f"a flag, but {len(unread)} row(s) hold other values (e.g. "
            f"{_example(values[unread[0]])} at {_row(series, unread[0])}); they are read as "
            "missing. If the column is a count or code, train on rows that show other values.",
            UserWarning,
            stacklevel=2,
        )
    return out


def _example(value) -> str:
    # 2, not 2.0: a blank cell makes pandas read a column of counts as floats.
    if isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_):
        return category_text(value)
    return _describe(value)


def _numeric_coded(spec: ColumnSpec) -> bool:
    """Whether a boolean column was numbers (0/1) in training, not text or bool."""
    return all(
        isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
        for v in spec.categories
    )


def _token(value) -> str:
    """Lower-case text of a value, with 1.0 and True spelled as "1" and "true"."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float | np.number) and float(value).is_integer():
        return str(int(value))
    return str(value).strip().lower()


def _plain(value):
    """``value`` as a JSON-able Python scalar (NumPy scalars become int, float, bool, str)."""
    return value.item() if isinstance(value, np.generic) else value


def _row(series: pd.Series, position: int) -> str:
    label = series.index[position]
    return f"row {position}" if label == position else f"row {position} (index {label!r})"


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _others(count: int) -> str:
    return f" (and {count - 1} other row(s))" if count > 1 else ""
