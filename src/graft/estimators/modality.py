"""Which kind of input an estimator got: free text, a table, images or audio.

Images: ``image_column`` given, ``X`` a folder or an ``ImageSet``, or a 3-D / 4-D numeric
array. Audio: ``audio_column`` given or ``X`` an ``AudioSet``. These are checked first.

One small function, so a new modality (images, audio) is one more branch here. Text: a
``text_column``, a list / 1-D array / Series of strings, a DataFrame whose only column holds
free text, or a strategy only text has. Every other DataFrame, and any 2-D numeric array,
is a table; so is any input given to a strategy only tables have (``pooled``,
``warm_start``, ...). A model learns from a table or from one text column, never both, so
a DataFrame with a free-text column beside other columns is refused unless
``text_column`` or the strategy says which is meant: taking it as text would drop the other
columns, and taking it as a table would reduce the text to category codes, both silently.
"""

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from graft.exceptions import DataError, SchemaError

__all__ = [
    "TABULAR",
    "TEXT",
    "audio_inputs",
    "detect_modality",
    "image_inputs",
    "kind_strategy",
]

TEXT = "text"
TABULAR = "tabular"
TEXT_ONLY_STRATEGIES = ("feature_extraction", "hybrid")
TABULAR_ONLY_STRATEGIES = ("source_only", "pooled", "warm_start", "stacking", "instance")


def kind_strategy(names) -> str | None:
    """Of several strategy names, one that tells the input kind (text-only or table-only)
    if any does, else the first: the order a user lists them in must not matter."""
    names = list(names)
    telling = (*TEXT_ONLY_STRATEGIES, *TABULAR_ONLY_STRATEGIES)
    return next((n for n in names if n in telling), names[0] if names else None)


def detect_modality(
    X, *, text_column=None, strategy=None, image_column=None, audio_column=None, where="X"
) -> str:
    """``"text"``, ``"tabular"``, ``"image"`` or ``"audio"`` for the input ``X`` of ``fit``.

    Raises :class:`DataError` for a DataFrame with a free-text column beside other columns
    when neither ``text_column`` nor ``strategy`` says whether the text or the table is meant
    (``where`` names ``X`` in that message).

    Examples
    --------
    >>> import pandas as pd
    >>> detect_modality(["good film", "bad film"])
    'text'
    >>> detect_modality(pd.DataFrame({"age": [31, 45], "plan": ["a", "b"]}))
    'tabular'
    """
    media = _media_modality(X, image_column, audio_column)
    if media is not None:
        return media
    if text_column is not None or strategy in TEXT_ONLY_STRATEGIES:
        return TEXT
    if strategy in TABULAR_ONLY_STRATEGIES:
        return TABULAR
    if isinstance(X, pd.DataFrame):
        return _frame_modality(X, where)
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


def _frame_modality(frame: pd.DataFrame, where: str) -> str:
    if frame.shape[1] == 1:
        return TEXT if _is_free_text(frame.iloc[:, 0]) else TABULAR
    free = [c for c in frame.columns if _is_free_text(frame[c], beside_others=True)]
    if not free:
        return TABULAR
    others = [str(c) for c in frame.columns if c != free[0]]
    listed = ", ".join(map(repr, others[:5])) + (", ..." if len(others) > 5 else "")
    raise DataError(
        f"Column {str(free[0])!r} of {where} holds free text beside {len(others)} other "
        f"column(s) ({listed}), and a model learns from a table or from one text column, "
        f"not both; pass text_column={str(free[0])!r} (CLI: --text-column {free[0]}) to learn "
        "from the text alone, or drop the text column to learn from the table."
    )


PROSE_WORDS = 5
"""Mean words per value from which a column beside others is prose, not a table column."""
LONE_DISTINCT = 0.8
"""Share of distinct values from which a table's only (string) column is text, not codes."""
LONE_MIN_VALUES = 20
"""Values a lone column needs before its share of distinct values says anything."""
_SAMPLE = 10_000
"""Values of a column looked at to tell free text from codes (enough, and fast)."""


def _is_free_text(column: pd.Series, beside_others: bool = False) -> bool:
    """True when a text-like column holds free text (sentences, not codes or numbers).

    Category labels repeat and are one or two words; free text is longer and mostly unique.
    A column alone is text when it is long or mostly unique, however short its values.
    Beside other columns the test is stricter, since a table can use a text column as a
    category: free text there is prose (5+ words on average) that is mostly distinct, not
    names or addresses ("Braund, Mr. Owen Harris", "12 Oak Street"), repeated sentences
    (templates, many-word category names) nor long single tokens (IDs, e-mail addresses),
    which stay table columns.
    """
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return False
    values = column.dropna().head(_SAMPLE)
    values = values[values.map(lambda v: isinstance(v, str))]
    if len(values) == 0 or pd.to_numeric(values, errors="coerce").notna().mean() > 0.5:
        return False  # numbers written as text (with a stray word) are a table's column
    words = _word_counts(values).mean()
    share = values.nunique() / len(values)
    distinct = share > 0.5
    if beside_others:
        return bool(words >= PROSE_WORDS and distinct)
    # A lone column whose values rarely repeat is text even when short ("love it",
    # "awful"): as a table's only column its values would be category codes seen about
    # once each, which a model can only memorise, so it would predict a constant. Only
    # for a column mostly filled and long enough to tell (five rows are always distinct).
    lone_text = (
        share >= LONE_DISTINCT
        and len(values) >= LONE_MIN_VALUES
        and len(values) >= 0.5 * column.head(_SAMPLE).size
    )
    return bool(words >= 2.5 or (distinct and values.str.len().mean() > 15) or lone_text)


# Scripts written without spaces between words, and about how many characters make one
# word there (Chinese words average 1.5 characters, Korean syllable blocks about 2 per
# word, Thai-like scripts about 4 code points): counting whitespace-separated tokens
# alone gives one "word" for a whole Chinese sentence, so a review column would be read
# as category codes.
_UNSPACED_SCRIPTS = (
    # Han (CJK ideographs, extension A and beyond, compatibility), Hiragana and Katakana.
    (
        "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d"
        "\U00020000-\U0003134f]",
        1.5,
    ),
    ("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]", 2.0),  # Hangul
    ("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]", 4.0),  # Thai, Lao, Myanmar, Khmer
)


def _word_counts(values: pd.Series) -> pd.Series:
    """Words per value: whitespace-separated tokens, or for scripts written without spaces
    the characters counted as about one word per average word length, whichever is more
    (text with no such characters counts exactly as split on whitespace)."""
    tokens = values.str.split().str.len()
    unspaced = sum(values.str.count(pattern) / per_word for pattern, per_word in _UNSPACED_SCRIPTS)
    return np.maximum(tokens, unspaced)


def _is_folder(X) -> bool:
    return isinstance(X, (str, os.PathLike)) and Path(X).expanduser().is_dir()


def _media_modality(X, image_column, audio_column) -> str | None:
    from graft.data.audio import AudioSet
    from graft.data.images import ImageSet

    if image_column is not None and audio_column is not None:
        raise DataError(
            "Both image_column and audio_column are set; one model reads one kind of input, "
            "so set only one."
        )
    if image_column is not None or isinstance(X, ImageSet) or _is_folder(X):
        return "image"
    if audio_column is not None or isinstance(X, AudioSet):
        return "audio"
    if (
        isinstance(X, np.ndarray)
        and X.ndim in (3, 4)
        and np.issubdtype(X.dtype, np.number)
        and X.dtype != bool
    ):
        return "image"
    if isinstance(X, os.PathLike):
        raise DataError(f"{X} is not a folder; pass a folder of images (one subfolder per class).")
    return None


def _path_column(X, column: str, where: str, kind: str) -> list:
    if not isinstance(X, pd.DataFrame):
        raise DataError(
            f"{kind}_column={column!r} needs a DataFrame with that column, but {where} is a "
            f"{type(X).__name__}; pass a DataFrame (e.g. pandas.read_csv of your file list)."
        )
    if column not in X.columns:
        raise SchemaError(
            f"{kind.capitalize()} column {column!r} is not in {where} (columns: "
            f"{', '.join(map(str, X.columns))}); pass the right --{kind}-column."
        )
    return X[column].tolist()


def image_inputs(X, *, image_column=None, where="X", fitting=False):
    """An :class:`ImageSet` from ``X``, and the labels when ``X`` is a class-folder tree.

    Returns ``(images, folder_labels)``; ``folder_labels`` is None unless ``X`` is a folder
    being fitted (one subfolder per class). At predict time a folder may be flat: every
    image under it is read, in sorted order.
    """
    from graft.data.images import (
        IMAGE_EXTENSIONS,
        ImageSet,
        images_from_array,
        read_images,
        resolve_paths,
        scan_folder,
    )

    if isinstance(X, ImageSet):
        if len(X) == 0:
            raise DataError(f"{where} holds no images; give at least one.")
        return X, None
    if _is_folder(X):
        folder = Path(X).expanduser()
        if fitting:
            paths, labels = scan_folder(folder)
            return read_images(paths), labels
        paths = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
        )
        if not paths:
            raise DataError(f"{folder} holds no images; put the images to predict in it.")
        return read_images(paths), None
    if image_column is not None:
        values = _path_column(X, image_column, where, "image")
        if not values:
            raise DataError(f"{where} has no rows; give at least one image.")
        return read_images(resolve_paths(values, None, f"column {image_column!r} of {where}")), None
    if isinstance(X, np.ndarray):
        return images_from_array(X, where), None
    raise DataError(
        f"{where} is a {type(X).__name__}; pass a folder of images, a numeric array of images, "
        "or a DataFrame with image_column naming its path column."
    )


def folder_or_given_labels(y, folder_labels, where: str = "X"):
    """The labels of a fit: a class-folder tree's own, or ``y`` (never both)."""
    if folder_labels is None:
        return y
    if y is not None:
        raise DataError(
            f"{where} is a class-folder tree, whose subfolder names are the labels; leave y "
            "out (or pass a DataFrame of paths with y)."
        )
    return folder_labels


def audio_inputs(X, *, audio_column=None, where="X"):
    """An :class:`AudioSet` from a DataFrame of file paths (``audio_column``) or an AudioSet."""
    from graft.data.audio import AudioSet, read_audio_files

    if isinstance(X, AudioSet):
        if len(X) == 0:
            raise DataError(f"{where} holds no audio clips; give at least one.")
        return X
    if audio_column is None:
        raise DataError(f"{where} is not audio input; name the path column with audio_column=.")
    values = _path_column(X, audio_column, where, "audio")
    if not values:
        raise DataError(f"{where} has no rows; give at least one audio file.")
    from graft.data.images import resolve_paths

    return read_audio_files(resolve_paths(values, None, f"column {audio_column!r} of {where}"))
