"""Reading and writing tables (CSV, Parquet, JSON Lines) with clear errors; atomic JSON."""

import csv
import datetime
import inspect
import json
import math
import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from graft.exceptions import DataError

SUPPORTED = {".csv": "CSV", ".parquet": "Parquet", ".pq": "Parquet", ".jsonl": "JSON Lines"}


# pandas < 3.1 guesses dates even with dtype=False unless told not to; pandas 3.1 stops
# with dtype=False and deprecates these keywords (a warning on every read).
_NO_JSON_DATES = (
    {"convert_dates": False, "keep_default_dates": False}
    if getattr(inspect.signature(pd.read_json).parameters.get("convert_dates"), "default", None)
    is True
    else {}
)


def read_table(path: str | Path, text_columns=()) -> pd.DataFrame:
    """Read a CSV, Parquet or JSON Lines file by its extension.

    ``text_columns`` are read as written where present: series ids such as ``001`` keep
    their leading zeros, and a review that says ``None`` or ``NA`` stays text (only an
    empty cell is missing there).

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
    suffix = _supported_suffix(path, "")
    if not path.is_file():
        raise DataError(f"{path} does not exist; check the path.")
    if path.stat().st_size == 0:
        raise DataError(f"{path} is empty; it needs a header and at least one row.")
    try:
        if suffix == ".csv":
            index_col = _csv_index_col(path)
            with warnings.catch_warnings():
                # The fields beyond the header that pandas warns it drops are empty.
                warnings.filterwarnings("ignore", "Length of header", pd.errors.ParserWarning)
                frame = pd.read_csv(path, index_col=index_col)
                if frame.shape[1] == 1:
                    _check_delimiter(path)
                as_text = [c for c in text_columns if c in frame.columns]
                if as_text:  # read again as written: no number or missing-value guessing
                    verbatim = pd.read_csv(
                        path, dtype=str, keep_default_na=False, na_values=[""], index_col=index_col
                    )
                    # By position: row names read as text would not match the frame's.
                    frame[as_text] = verbatim[as_text].to_numpy()
        elif suffix == ".jsonl":
            # Values as written: JSON says which are text, so "001" stays "001" and 123
            # stays 123 (dtype=False: pandas would read "001" as 1). No date guessing
            # either: pandas turns numbers in columns named like dates (signup_at, *_time,
            # timestamp, date, modified) into datetimes, so the same rows would read
            # differently from CSV; a time column is parsed where it is used.
            _check_json_lines(path)
            # utf-8-sig: a byte-order mark (as Windows tools write) is not the first value.
            frame = pd.read_json(
                path, lines=True, dtype=False, encoding="utf-8-sig", **_NO_JSON_DATES
            )
        else:
            frame = pd.read_parquet(path)
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1].hex()
        raise DataError(
            f"{path} is not UTF-8 text (byte 0x{bad} cannot be read as UTF-8; a Windows "
            "encoding such as cp1252 or a binary file?); save it as UTF-8 (Excel: 'CSV UTF-8')."
        ) from exc
    except Exception as exc:
        if suffix == ".csv":
            _check_delimiter(path)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(
            f"{path} is not readable as {SUPPORTED[suffix]} ({first}); check the file format."
        ) from exc
    if frame.empty:
        raise DataError(f"{path} has no data rows; it needs at least one row.")
    return frame


def _check_delimiter(path: Path) -> None:
    """Refuse a CSV whose header is one field holding a semicolon or a tab: the file is
    separated by that (European Excel, TSV), and read with commas every row would be one
    column, so a column named later would be reported missing."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = next(csv.reader(handle), [])
    if len(header) != 1:
        return
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs")):
        if delimiter in header[0]:
            raise DataError(
                f"{path} seems to use {name}, not commas, between columns (header "
                f"{header[0][:60]!r}); save it comma-separated (pandas: "
                f"read_csv(path, sep={delimiter!r}).to_csv(new_path, index=False))."
            )


def _check_json_lines(path: Path) -> None:
    """Refuse a JSON array saved as .jsonl: pandas would read each record as one column
    (0, 1, 2, ...) of a single row."""
    with open(path, "rb") as handle:
        start = handle.read(1024).removeprefix(b"\xef\xbb\xbf").lstrip()
    if start.startswith(b"["):
        raise DataError(
            f"{path} holds a JSON array, not JSON Lines (one object per line, such as "
            '{"text": "...", "label": "pos"}); write one record per line (pandas: '
            "to_json(path, orient='records', lines=True))."
        )


def _csv_index_col(path: Path):
    """``index_col`` for reading a CSV: None (pandas' rule) when every row has one field
    more than the header, the first holding row names (R's write.table and pandas'
    index_label=False write every row so); False (the header's positions) otherwise.

    Some exports end rows with a delimiter instead: the extra field is then empty, and
    taking the first field as row names would shift every column one place (silently: the
    label column would hold another column's values). So extra fields that are always
    empty are dropped; a row-name layout whose last column is wholly empty (no "NA"
    either) is read so too, the one reading this cannot tell apart. A value beyond the
    header on rows that are not all that long is refused, naming the line."""
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # pandas reads fields of any length (long documents)
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            lengths, first_extra = set(), None
            for row in reader:
                if not any(value.strip() for value in row):  # blank lines: pandas skips them
                    continue
                lengths.add(len(row))
                beyond = any(value.strip() for value in row[len(header) :])
                if beyond and first_extra is None:
                    first_extra = (reader.line_num, len(row))
    finally:
        csv.field_size_limit(limit)
    if first_extra is None:
        return False
    if lengths == {len(header) + 1}:
        return None
    _check_delimiter(path)  # a semicolon file has "extra" fields wherever a comma is
    line, fields = first_extra
    raise DataError(
        f"{path} line {line} has {fields} fields but the header names {len(header)} columns "
        "(and not every row has that many, as with row names); add the missing column "
        "name(s) to the header or remove the extra field(s)."
    )


def default_mode(directory: bool = False) -> int:
    """The permissions ``open`` / ``mkdir`` would give a new file (or folder) here: 0o666
    (0o777) less the process umask.

    ``tempfile`` stages with 0o600 / 0o700 whatever the umask; without this, a bundle or
    an output file renamed into place would be private to the account that wrote it.
    """
    return (0o777 if directory else 0o666) & ~_umask()


def _umask() -> int:
    # Linux reports the umask without changing it; elsewhere os.umask can only be read by
    # setting it (set straight back; another thread could create a file in between).
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_output_file(path: str | Path) -> Path:
    """Refuse an output file path that cannot be written: a folder, or one in a missing or
    unwritable folder (raises :class:`DataError`)."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"Output {path} is a folder; name a file to write instead.")
    check_output_folder(path.parent)
    return path


def check_output_table(path: str | Path) -> Path:
    """:func:`check_output_file` for a table, whose extension must also be one graft writes."""
    path = Path(path)
    _supported_suffix(path, "Output ")
    return check_output_file(path)


def _supported_suffix(path: Path, prefix: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DataError(
            f"{prefix}{path} has an unsupported extension {suffix or '(none)'!r}; use "
            ".csv, .parquet or .jsonl."
        )
    return suffix


def check_output_folder(folder: Path) -> None:
    """Refuse a missing folder, or one where no file can be created (read-only mount,
    permissions, a special file system such as /proc)."""
    if not folder.is_dir():
        raise DataError(f"Output folder {folder} does not exist; create it first.")
    try:
        # Tried rather than os.access: root passes access() even where writing fails.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise DataError(
            f"Output folder {folder} is not writable ({exc.strerror or exc}); choose "
            "another folder or fix its permissions."
        ) from exc


def _mixed_columns(frame: pd.DataFrame) -> list[str]:
    """Object columns holding values of more than one type (missing values aside)."""
    return [
        str(name)
        for name in frame.columns
        if frame[name].dtype == object and len({type(v) for v in frame[name].dropna()}) > 1
    ]


def _staged_file(path: Path, write) -> Path:
    """Call ``write(fd, temp path)`` for a temp file next to ``path``, then rename it into
    place with the permissions of a new file; an OSError becomes a :class:`DataError` and
    leaves nothing behind."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DataError(
            f"Cannot write {path} ({exc.strerror or exc}); choose a writable folder."
        ) from exc
    try:
        write(fd, tmp)
        os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    except OSError as exc:
        raise DataError(
            f"Cannot write {path} ({exc.strerror or exc}); check the path and free space."
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` atomically (temp file, then rename) as CSV, Parquet or JSON Lines.

    Raises :class:`DataError` for an unsupported extension, an unwritable path, or (for
    Parquet) a column mixing value types, which Parquet cannot store.
    """
    path = check_output_table(path)
    suffix = path.suffix.lower()

    def write(fd: int, tmp: str) -> None:
        os.close(fd)
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        elif suffix == ".jsonl":
            # Timestamps as ISO 8601 text (pandas writes epoch milliseconds, which lose the
            # time zone and read back as numbers); timedeltas as ISO durations.
            _iso_dates(frame).to_json(tmp, orient="records", lines=True, date_format="iso")
        else:
            try:
                frame.to_parquet(tmp, index=False)
            except (ImportError, OSError):
                raise
            except Exception as exc:  # pyarrow's type errors: values Parquet cannot hold
                mixed = _mixed_columns(frame)
                if mixed:
                    what = f"column(s) {', '.join(map(repr, mixed[:5]))} mix value types"
                else:
                    what = (str(exc).strip() or type(exc).__name__).splitlines()[0]
                raise DataError(
                    f"Cannot write {path} as Parquet ({what}); write "
                    f"{path.with_suffix('.csv').name} or .jsonl instead."
                ) from exc

    return _staged_file(path, write)


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its date and time columns as ISO 8601 text, as CSV writes them: a
    zone-aware stamp keeps its UTC offset (pandas' own ISO output converts it to UTC), and
    a column of naive stamps all at midnight is written as dates alone."""
    out = frame
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            known = values.dropna()
            if values.dt.tz is None and len(known) and (known == known.dt.normalize()).all():
                text = values.map(lambda t: t.date().isoformat() if pd.notna(t) else None)
            else:
                text = values.map(lambda t: t.isoformat() if pd.notna(t) else None)
        elif values.dtype == object and _all_dates(values):
            text = values.map(lambda t: t.isoformat() if pd.notna(t) else None)
        else:
            continue
        if out is frame:
            out = frame.copy()
        out.isetitem(position, text.astype(object))
    return out


def _all_dates(values: pd.Series) -> bool:
    """Whether an object column holds dates or datetimes (missing values aside)."""
    known = values.dropna()
    return bool(len(known)) and all(isinstance(v, datetime.date) for v in known)


def _finite(data):
    """``data`` with NaN and infinite floats as None: JSON has no NaN, and other readers
    refuse the ``NaN`` token Python would write."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def write_json(data, path: str | Path) -> Path:
    """Write ``data`` as indented JSON atomically (temp file, then rename)."""
    path = Path(path)
    check_output_file(path)

    def write(fd: int, tmp: str) -> None:
        with os.fdopen(fd, "w") as handle:
            json.dump(_finite(data), handle, indent=2, allow_nan=False)

    return _staged_file(path, write)
