"""Checks and normalisation of time-series input (long format: id, timestamp, value).

The rules, applied in this order and documented for users in the README:

* the timestamp column must parse as dates; a column of whole numbers from 1000 to 3000 is
  read as calendar years (annual data), any other numeric column is refused (it is not
  read as nanoseconds since 1970); ISO 8601 text whose UTC offset changes (daylight
  saving) is read as UTC; the value and covariate columns must be numeric;
* every row of a panel needs a series id (rows without one are refused, not dropped); an
  id column other than the default ``id`` must exist;
* duplicate (id, timestamp) pairs are rejected (say which);
* the frequency is inferred from the timestamps (or given as ``freq``); timestamps that do
  not sit on that regular grid are rejected as irregular;
* missing grid points and missing values inside a series are filled by linear
  interpolation in time when ``fill_missing="interpolate"`` (the default), or rejected
  with ``fill_missing="raise"``; a series may not start or end with missing values, and a
  gap longer than ``max_gap`` steps is rejected either way (filling it would invent data);
* every series needs at least ``min_length`` observations.
"""

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graft.exceptions import DataError, SchemaError

FILL_RULES = ("interpolate", "raise")


@dataclass
class Series:
    """One regular, gap-free series: values, their timestamps and optional covariates."""

    id: str
    values: np.ndarray
    index: pd.DatetimeIndex
    covariates: np.ndarray | None = None  # (n, k), columns as in the panel's covariate names
    filled: np.ndarray | None = None  # True where a missing value was interpolated

    def head(self, n: int) -> "Series":
        """The first ``n`` observations (what was known at origin ``n``)."""
        cov = None if self.covariates is None else self.covariates[:n]
        filled = None if self.filled is None else self.filled[:n]
        return Series(self.id, self.values[:n], self.index[:n], cov, filled)

    def tail(self, n: int) -> "Series":
        cov = None if self.covariates is None else self.covariates[-n:]
        filled = None if self.filled is None else self.filled[-n:]
        return Series(self.id, self.values[-n:], self.index[-n:], cov, filled)

    def head_known(self, n: int) -> "Series":
        """The first ``n`` observations less any interpolated ones at their end: those were
        filled from values at or after ``n``, which a cut at ``n`` must not see."""
        if self.filled is not None:
            while n > 0 and self.filled[n - 1]:
                n -= 1
        return self.head(n)

    def known_at(self, origin: int) -> bool:
        """Whether the last value before ``origin`` was observed: one interpolated there was
        filled from values at or after the origin, so a backtest must not start there."""
        return self.filled is None or not self.filled[origin - 1]


@dataclass
class Panel:
    """Series of one frequency, with the names of their covariate columns."""

    series: list[Series]
    freq: str
    covariates: list[str]

    def __len__(self) -> int:
        return len(self.series)

    @property
    def min_length(self) -> int:
        return min(len(s.values) for s in self.series)


def season_lengths(freq: str) -> list[int]:
    """Seasonal periods for a pandas frequency string, shortest first.

    Half-hourly data get a daily (48) and a weekly (336) season, hourly 24 and 168, daily 7,
    business-daily 5 (a week of working days), weekly 52, monthly 12, quarterly 4; yearly
    and unknown frequencies get none (1).
    """
    offset = pd.tseries.frequencies.to_offset(freq)
    name = offset.name.upper()
    if name in ("B", "C"):
        # Business days have no fixed Timedelta (a Friday's next step is 3 days), but one
        # step each working day makes a week of five.
        return [5] if offset.n == 1 else [1]
    if name.startswith(("Q", "BQ")):
        return [4]
    if name.startswith(("M", "BM", "SM")) and name not in ("MIN",):
        return [12]
    if name.startswith("W"):
        return [52]
    if name.startswith(("Y", "A", "BY", "BA")):
        return [1]
    try:
        delta = pd.Timedelta(offset)
    except (ValueError, TypeError):
        return [1]
    day = pd.Timedelta(days=1)
    if delta >= day:
        return [7] if delta == day else [1]
    per_day = day / delta
    if per_day != int(per_day):
        return [1]
    return [int(per_day), int(per_day) * 7]


def infer_frequency(index: pd.DatetimeIndex, where: str) -> str:
    """The frequency of sorted, unique timestamps, tolerating gaps.

    pandas' ``infer_freq`` needs a gap-free index; with gaps, the most common frequency of
    runs of five consecutive timestamps is used.
    """
    if len(index) < 3:
        raise DataError(f"{where} has {len(index)} timestamps; at least 3 are needed.")
    freq = pd.infer_freq(index)
    if freq is None:
        found = Counter()
        for start in range(0, len(index) - 4, max(1, (len(index) - 4) // 200)):
            guess = pd.infer_freq(index[start : start + 5])
            if guess is not None:
                found[guess] += 1
        if not found:
            raise DataError(
                f"Cannot infer the frequency of the timestamps in {where} (they are "
                "irregular); resample them to a regular grid or pass freq= / --freq, e.g. '30min'."
            )
        freq = found.most_common(1)[0][0]
    return freq


def _grid(
    index: pd.DatetimeIndex, freq: str, where: str, given: bool, gaps_chosen: bool = False
) -> pd.DatetimeIndex:
    """The regular grid from the first to the last timestamp; refuses timestamps off it
    and a grid mostly to be invented (unless the frequency was inferred and the user chose
    how long a gap may be filled: hourly data with every night missing and max_gap=24)."""
    try:
        grid = pd.date_range(index[0], index[-1], freq=freq)
    except ValueError as exc:
        raise DataError(f"freq={freq!r} is not a pandas frequency ({exc}).") from exc
    off_grid = index.difference(grid)
    if len(off_grid):
        raise DataError(
            f"{len(off_grid)} timestamp(s) of {where} are off the regular {freq!r} grid "
            f"(first: {off_grid[0]}); the series is irregular, so resample it to a regular "
            "grid first."
        )
    if len(index) < len(grid) / 2 and (given or not gaps_chosen):
        # More grid points to invent than observed ones: a freq given finer than the data
        # (hourly for daily values), or one inferred from the finest part of data whose
        # spacing changes (weekly, then daily), would be filled in by interpolation almost
        # everywhere.
        if given:
            raise DataError(
                f"{where} has {len(index)} timestamps on the given {freq!r} grid of "
                f"{len(grid)} steps, so most of it would be invented; give the data's own "
                "frequency (or leave freq out)."
            )
        raise DataError(
            f"{where} has {len(index)} timestamps on the {freq!r} grid inferred from them, "
            f"so {len(grid) - len(index)} of its {len(grid)} steps would be invented by "
            "interpolation (does the spacing change?); resample the data to one regular "
            "frequency, give the right one as freq= / --freq, or pass max_gap= / --max-gap "
            "to fill the gaps anyway."
        )
    return grid


def _fill(values: pd.Series, rule: str, max_gap: int, where: str) -> np.ndarray:
    missing = values.isna().to_numpy()
    if not missing.any():
        return values.to_numpy(dtype=float)
    if missing[0] or missing[-1]:
        end = "starts" if missing[0] else "ends"
        raise DataError(
            f"{where} {end} with missing values; trim the series to its first and last "
            "observed values."
        )
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, missing.astype(int), 0])))[::2]
    if rule == "raise":
        raise DataError(
            f"{where} has {int(missing.sum())} missing value(s) or timestamp(s) (first at "
            f"{values.index[missing.argmax()]}); fill them (future covariates must be complete; "
            "a history is interpolated unless fill_missing='raise')."
        )
    if runs.max() > max_gap:
        raise DataError(
            f"{where} has a gap of {int(runs.max())} consecutive missing steps, longer than "
            f"max_gap={max_gap}; fill it yourself or raise max_gap= / --max-gap."
        )
    return values.interpolate(method="time").to_numpy(dtype=float)


YEARS = (1000, 3000)
"""Whole numbers in this range in a time column are calendar years (e.g. 2024)."""
EPOCH_MS = (1e12, 1e13)
"""Whole numbers in this range (13 digits) in a time column are epoch milliseconds (from
September 2001 to 2286), as pandas' ``to_json`` writes timestamps. Shorter numbers are
refused with a hint: 12 digits may be epoch milliseconds before 2001 or stamps such as
202401011200 (YYYYMMDDHHMM, as loggers write), which would silently read as 1976."""


def check_freq(freq, where: str = "data") -> None:
    """Refuse a ``freq`` that pandas cannot read, before any series is looked at."""
    if freq is None:
        return
    try:
        pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"freq={freq!r} for {where} is not a pandas frequency; use one such as 'h', "
            "'30min', 'D', 'W', 'MS', 'QS' or 'YS', or leave it out to infer it."
        ) from exc


def parse_times(column: pd.Series, name, where: str) -> pd.Series:
    """Timestamps of a time column; whole numbers from 1000 to 3000 are years.

    pandas reads integers as nanoseconds since 1970, which is never what a time column of
    numbers means here: a year column of annual data becomes January 1st of each year, and
    any other numbers are refused with a note on how to pass them.
    """
    if column.isna().all():
        # An empty column reads as numbers (NaN): say the timestamps are missing instead.
        raise DataError(
            f"Column {name!r} of {where} has no timestamps (every cell is empty); fill it, or "
            "name the column that holds them with --time / time_column=."
        )
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        numbers = pd.to_numeric(column).astype(float)
        known = numbers.dropna()
        whole = bool((known == np.floor(known)).all())
        if len(known) and whole and known.between(*YEARS).all():
            years = known.astype(int).astype(str)
            times = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns]")
            times[known.index] = pd.to_datetime(years, format="%Y")
            return times
        if len(known) and whole and known.between(*EPOCH_MS).all():
            # What pandas' to_json writes for timestamps by default (as graft did before).
            return pd.to_datetime(numbers, unit="ms")
        raise DataError(
            f"Column {name!r} of {where} holds numbers, not dates; give timestamps such as "
            f"2024-01-31 or 2024-01-31 12:30, years as whole numbers from {YEARS[0]} to "
            f"{YEARS[1]}, or 13-digit epoch milliseconds (convert other numbers yourself: "
            "epoch seconds with pd.to_datetime(..., unit='s'), milliseconds before 2001 with "
            "unit='ms', stamps like 202401011200 with format='%Y%m%d%H%M')."
        )
    times, mixed_offsets = _parse_dates(column, name, where)
    if not mixed_offsets:
        return times
    # Offsets that change within one column (daylight saving) were read as UTC instants.
    # Daily (or coarser) data stamped at one local time of day (midnight, or a 06:00 meter
    # reading) is regular in local time, not in UTC (05:00 in summer, 06:00 in winter):
    # such stamps keep their wall-clock times.
    wall = pd.to_datetime(
        column.map(lambda v: pd.Timestamp(v).tz_localize(None) if pd.notna(v) else pd.NaT)
    )
    known = wall.dropna()
    one_time_of_day = len(known) and (known - known.dt.normalize()).nunique() == 1
    return wall if one_time_of_day else times


def _day_first(column: pd.Series, name, where: str) -> bool:
    """Whether text dates read day-first only (31/01/2022); refuses dates such as
    01/02/2022 that read both day-first and month-first: pandas guesses one order from the
    first value, so European dates could silently become other days (a monthly series
    read as daily)."""
    known = column.dropna()
    if not len(known) or not all(isinstance(v, str) for v in known):
        return False
    sample = str(known.iloc[0]).strip()
    if len(sample) >= 5 and sample[:4].isdigit() and not sample[4].isdigit():
        return False  # year first (ISO 8601 and the like): one reading
    readings = []
    for day_first in (False, True):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                readings.append(pd.to_datetime(known, dayfirst=day_first, utc=True))
        except (ValueError, TypeError):
            readings.append(None)
    if all(r is not None for r in readings) and not readings[0].equals(readings[1]):
        raise DataError(
            f"Column {name!r} of {where} holds dates such as {sample!r} that read both "
            "day-first and month-first; write them as ISO 8601 (YYYY-MM-DD) so that they "
            "have one reading."
        )
    return readings[0] is None and readings[1] is not None


def _parse_dates(column: pd.Series, name, where: str) -> tuple[pd.Series, bool]:
    """Parsed timestamps, and whether their UTC offsets differed (then read as UTC)."""
    day_first = _day_first(column, name, where)
    first = None
    try:
        with warnings.catch_warnings():
            # pandas' two-line "Could not infer format" warning would precede graft's own
            # one-line error (or a date it read value by value is checked on its grid).
            warnings.filterwarnings("ignore", "Could not infer format", UserWarning)
            # ... and one that a date read day-first was (it has one reading, see above).
            warnings.filterwarnings("ignore", "Parsing dates in", UserWarning)
            times = pd.to_datetime(column, dayfirst=day_first)
        # pandas 2 returns an object column of mixed offsets where pandas 3 raises.
        if times.dtype != object:
            return times, False
    except (ValueError, TypeError) as exc:
        first = exc
    # pandas guesses one format from the first value; ISO 8601 text may still vary (a
    # midnight written as the date alone), and offsets that change with daylight saving
    # (+00:00 in winter, +01:00 in summer) are one instant each: read them as UTC.
    try:
        times = pd.to_datetime(column, format="ISO8601")
        if times.dtype != object:
            return times, False
    except (ValueError, TypeError):
        pass
    try:
        return pd.to_datetime(column, format="ISO8601", utc=True), True
    except (ValueError, TypeError):
        pass
    reason = f" ({first})" if first is not None else ""
    raise DataError(
        f"Column {name!r} of {where} does not parse as dates{reason}; use ISO "
        "timestamps such as 2024-01-31 12:30."
    ) from first


def check_panel(
    data,
    *,
    id_column: str | None = "id",
    time_column: str = "timestamp",
    value_column: str = "value",
    covariates=None,
    freq: str | None = None,
    fill_missing: str = "interpolate",
    max_gap: int | None = None,
    min_length: int = 3,
    where: str = "data",
    id_required: bool = True,
) -> Panel:
    """Validate long-format data (or a Series with a DatetimeIndex) into a :class:`Panel`.

    Parameters
    ----------
    data : DataFrame in long format, or Series with a DatetimeIndex (one series)
    id_column : column naming the series; None (or the default ``"id"`` absent) means one
        series
    id_required : whether an ``id_column`` other than ``"id"`` must exist (a misspelt
        name would silently glue every series into one); False for a source file, which
        may hold one series
    time_column, value_column : columns of timestamps and values
    covariates : None, "auto" (every other numeric column) or list of column names
    freq : pandas frequency; inferred when None
    fill_missing : "interpolate" or "raise" (see the module docstring)
    max_gap : longest run of missing steps that may be interpolated (default: one season)
    min_length : fewest observations a series may have

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(range(10), index=pd.date_range("2024-01-01", periods=10, freq="D"))
    >>> check_panel(s).freq
    'D'
    """
    if fill_missing not in FILL_RULES:
        raise DataError(f"fill_missing={fill_missing!r} must be one of {FILL_RULES}.")
    check_freq(freq, where)
    if max_gap is not None and (
        isinstance(max_gap, bool) or not isinstance(max_gap, int | np.integer) or max_gap < 0
    ):
        raise DataError(
            f"max_gap={max_gap!r} must be an integer >= 0 (the longest run of missing steps "
            "to interpolate), or None for one season."
        )
    if isinstance(data, pd.Series):
        if not isinstance(data.index, pd.DatetimeIndex):
            raise DataError(
                f"{where} is a Series without a DatetimeIndex; index it by timestamps or "
                "pass a long-format DataFrame."
            )
        data = pd.DataFrame({time_column: data.index, value_column: data.to_numpy()})
        id_column = None
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"{where} is a {type(data).__name__}; pass a long-format DataFrame (id, "
            "timestamp, value columns) or a Series with a DatetimeIndex."
        )
    if len(data) == 0:
        raise DataError(f"{where} is empty; give at least one series.")
    for role, column in (("time", time_column), ("value", value_column)):
        if column not in data.columns:
            raise SchemaError(
                f"The {role} column {column!r} is not in {where} (columns: "
                f"{', '.join(map(str, data.columns))}); the columns are the ones named at "
                f"fit (--{role} / {role}_column=)."
            )
    given_id = id_column  # named in the errors below when absent
    if id_column is not None and id_column not in data.columns:
        if id_column != "id" and id_required:  # a name the user chose must exist
            raise SchemaError(
                f"The id column {id_column!r} is not in {where} (columns: "
                f"{', '.join(map(str, data.columns))}); pass the right --id / id_column=, "
                "or leave it out for a single series."
            )
        id_column = None  # a frame without the default id column holds one series
    if id_column is not None and data[id_column].isna().any():
        # groupby drops missing keys: those rows would vanish and their series end early.
        missing = data[id_column].isna().to_numpy()
        raise DataError(
            f"{int(missing.sum())} row(s) of {where} have no series id in column "
            f"{id_column!r} (first at row {int(missing.argmax())}); fill or drop them."
        )
    cov_names = _covariate_names(data, covariates, id_column, time_column, value_column, where)
    times = parse_times(data[time_column], time_column, where)
    if times.isna().any():
        raise DataError(
            f"Column {time_column!r} of {where} has {int(times.isna().sum())} missing "
            "timestamp(s); drop those rows."
        )
    values = _numbers(data, value_column, f"column {value_column!r}", where)
    if np.isinf(values.to_numpy(dtype=float)).any():
        raise DataError(f"Column {value_column!r} of {where} holds infinite values; drop them.")
    frame = pd.DataFrame({"__t": times.to_numpy(), "__y": values.to_numpy(dtype=float)})
    frame["__id"] = data[id_column].astype(str).to_numpy() if id_column else "series"
    for name in cov_names:
        frame[name] = _numbers(data, name, f"covariate {name!r}", where).to_numpy(dtype=float)
    dupes = frame.duplicated(["__id", "__t"])
    if dupes.any() and id_column is None and given_id is not None:
        # Read as one series for want of the id column: most likely several series.
        raise DataError(
            f"{where} has duplicate timestamps: if it holds several series, name their id "
            f"column with id_column= / --id (the id column {given_id!r} is not in {where}); "
            "otherwise aggregate or drop the duplicates."
        )
    if dupes.any():
        first = frame[dupes].iloc[0]
        raise DataError(
            f"{where} has {int(dupes.sum())} duplicate timestamp(s) (first: series "
            f"{first['__id']!r} at {first['__t']}); aggregate or drop the duplicates."
        )
    out, freqs = [], set()
    for sid, group in frame.groupby("__id", sort=False):
        group = group.sort_values("__t")
        label = f"series {sid!r} of {where}" if id_column else where
        index = pd.DatetimeIndex(group["__t"])
        series_freq = freq or infer_frequency(index, label)
        freqs.add(pd.tseries.frequencies.to_offset(series_freq).freqstr)
        grid = _grid(
            index, series_freq, label, given=freq is not None, gaps_chosen=max_gap is not None
        )
        gap = max_gap if max_gap is not None else max(season_lengths(series_freq)[0], 1)
        body = group.set_index("__t").reindex(grid)
        filled = _fill(body["__y"], fill_missing, gap, label)
        cov = None
        if cov_names:
            cov = np.column_stack(
                [
                    _fill(body[c], fill_missing, gap, f"covariate {c!r} of {label}")
                    for c in cov_names
                ]
            )
        if len(filled) < min_length:
            raise DataError(
                f"{label} has {len(filled)} observations; at least {min_length} are needed "
                "here, so give a longer history."
            )
        gaps = body["__y"].isna().to_numpy()
        out.append(Series(str(sid), filled, grid, cov, gaps if gaps.any() else None))
    if len(freqs) > 1:
        raise DataError(
            f"The series of {where} have different frequencies ({', '.join(sorted(freqs))}); "
            "resample them to one frequency."
        )
    return Panel(out, freqs.pop(), cov_names)


def _numbers(data: pd.DataFrame, column, what: str, where: str) -> pd.Series:
    """A column as numbers; a value that is not one (missing aside) is a one-line error."""
    numbers = pd.to_numeric(data[column], errors="coerce")
    bad = numbers.isna() & data[column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"Row {row} of {where} has the non-numeric value {data[column].iloc[row]!r} in "
            f"{what}; fix or drop it."
        )
    return numbers


def check_same_zone(panel: Panel, other: Panel, where: str, ours: str = "data") -> None:
    """Refuse to compare timestamps with a time zone against timestamps without one."""
    mine, theirs = panel.series[0].index.tz, other.series[0].index.tz
    if (mine is None) != (theirs is None):

        def say(tz):
            return f"in {tz}" if tz is not None else "without a time zone"

        raise DataError(
            f"The timestamps of {ours} are {say(mine)} but those of {where} are {say(theirs)}; "
            f"give both the same time zone (or none)."
        )


def _covariate_names(data, covariates, id_column, time_column, value_column, where):
    reserved = {id_column, time_column, value_column}
    if covariates is None:
        return []
    if covariates == "auto":
        return [
            str(c)
            for c in data.columns
            if c not in reserved
            and pd.api.types.is_numeric_dtype(data[c])
            and not pd.api.types.is_bool_dtype(data[c])
        ]
    names = [covariates] if isinstance(covariates, str) else list(covariates)
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise SchemaError(
            f"Covariate column(s) {missing} are not in {where} (columns: "
            f"{', '.join(map(str, data.columns))}); pass the right covariates."
        )
    clash = [c for c in names if c in reserved]
    if clash:
        raise SchemaError(f"Covariate(s) {clash} are also the id, time or value column.")
    return [str(c) for c in names]


def panel_frame(panel: Panel, *, id_column="id", time_column="timestamp", value_column="value"):
    """The panel back as a long-format DataFrame (after filling)."""
    frames = []
    for s in panel.series:
        part = pd.DataFrame({id_column: s.id, time_column: s.index, value_column: s.values})
        for j, name in enumerate(panel.covariates):
            part[name] = s.covariates[:, j]
        frames.append(part)
    return pd.concat(frames, ignore_index=True)
