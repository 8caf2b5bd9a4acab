"""Reading and writing tables (CSV, Parquet, JSON Lines) with clear errors; atomic JSON."""

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from graft.exceptions import DataError

SUPPORTED = {".csv": "CSV", ".parquet": "Parquet", ".pq": "Parquet", ".jsonl": "JSON Lines"}


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, Parquet or JSON Lines file by its extension.

    Raises :class:`DataError` for a missing, empty, unreadable or unsupported file.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> pd.DataFrame({"text": ["a"], "y": [1]}).to_csv(f, index=False)
    >>> read_table(f).shape
    (1, 2)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DataError(
            f"{path} has an unsupported extension {suffix or '(none)'!r}; use "
            ".csv, .parquet or .jsonl."
        )
    if not path.is_file():
        raise DataError(f"{path} does not exist; check the path.")
    if path.stat().st_size == 0:
        raise DataError(f"{path} is empty; it needs a header and at least one row.")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path)
        elif suffix == ".jsonl":
            frame = pd.read_json(path, lines=True)
        else:
            frame = pd.read_parquet(path)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(
            f"{path} is not readable as {SUPPORTED[suffix]} ({first}); check the file format."
        ) from exc
    if frame.empty:
        raise DataError(f"{path} has no data rows; it needs at least one row.")
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` atomically (temp file, then rename) as CSV, Parquet or JSON Lines."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DataError(
            f"Output {path} has an unsupported extension {suffix or '(none)'!r}; use "
            ".csv, .parquet or .jsonl."
        )
    if not path.parent.is_dir():
        raise DataError(f"Output folder {path.parent} does not exist; create it first.")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        elif suffix == ".jsonl":
            frame.to_json(tmp, orient="records", lines=True)
        else:
            frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_json(data, path: str | Path) -> Path:
    """Write ``data`` as indented JSON atomically (temp file, then rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
