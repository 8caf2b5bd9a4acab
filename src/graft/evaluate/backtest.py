"""Rolling-origin backtests of forecasters, with statsforecast baselines in the same report.

At each origin every candidate is cloned, fitted on the history before the origin (the
last ``window`` observations, or all), and asked for ``horizon`` steps; the forecast is
scored against what followed. Source series are cut at the origin's timestamp too, so no
candidate sees anything from the scored window or after it.
"""

import time
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import clone

from graft.estimators.base import _is_int
from graft.estimators.forecaster import BASELINES, TransferForecaster
from graft.evaluate.forecast_report import ForecastReport
from graft.evaluate.report import CandidateResult
from graft.exceptions import DataError
from graft.strategies.forecasting.metrics import all_metrics
from graft.strategies.forecasting.selection import rolling_origins

DEFAULT_BASELINES = ("seasonal_naive", "auto_ets", "auto_theta", "mstl")


def _candidates(estimator_or_strategies) -> list:
    """``(name, forecaster or strategy name)`` pairs in the order given; names may repeat."""
    if isinstance(estimator_or_strategies, TransferForecaster):
        return [(estimator_or_strategies.strategy, estimator_or_strategies)]
    if isinstance(estimator_or_strategies, Mapping):
        return [(str(k), v) for k, v in estimator_or_strategies.items()]
    items = (
        [estimator_or_strategies]
        if isinstance(estimator_or_strategies, str)
        else list(estimator_or_strategies)
    )
    found = []
    for item in items:
        if isinstance(item, str):
            found.append((item, item))  # built from the template by the caller
        elif not isinstance(item, TransferForecaster):
            found.append((type(item).__name__, item))  # refused by the caller
        elif item.strategy == "baseline":
            found.append((item.baseline, item))  # "mstl", not "baseline"
        else:
            found.append((item.strategy, item))
    return found


def _unique(name: str, taken) -> str:
    """``name``, or ``name#2``, ``name#3`` ... when taken (no candidate is dropped)."""
    unique, number = name, 1
    while unique in taken:
        number += 1
        unique = f"{name}#{number}"
    return unique


def backtest(
    estimator_or_strategies="auto",
    data=None,
    *,
    source=None,
    horizon: int = 24,
    n_origins: int = 10,
    step: int | None = None,
    window: int | None = None,
    baselines=DEFAULT_BASELINES,
    id_column: str = "id",
    time_column: str = "timestamp",
    value_column: str = "value",
    covariates=None,
    freq: str | None = None,
    season_length=None,
    max_gap: int | None = None,
    random_state: int = 0,
) -> ForecastReport:
    """Backtest forecasters and statsforecast baselines on the same rolling origins.

    Parameters
    ----------
    estimator_or_strategies : TransferForecaster, strategy name, list, or dict name->estimator
    data : long-format DataFrame or Series with a DatetimeIndex (the target history)
    source : long-format DataFrame, optional; given to every candidate's ``fit``, cut at
        each origin's timestamp
    horizon, n_origins, step : the backtest design (``step`` defaults to ``horizon``)
    window : int, optional; observations before each origin to fit on (default: all)
    baselines : statsforecast baselines to add (names from ``BASELINES``); the first is the
        reference of gains and verdicts, so keep ``seasonal_naive`` first
    id_column, time_column, value_column, covariates, freq, season_length, max_gap : how to
        read ``data`` (and the settings of the baselines and of candidates given by name), as
        in :class:`TransferForecaster`; a forecaster passed in uses its own

    Returns
    -------
    ForecastReport

    Examples
    --------
    >>> import numpy as np, pandas as pd, graft
    >>> t = pd.date_range("2024-01-01", periods=24 * 21, freq="h")
    >>> y = pd.Series(5 + np.sin(np.arange(len(t)) * 2 * np.pi / 24), index=t)
    >>> report = backtest([], y, horizon=24, n_origins=3, baselines=["seasonal_naive", "mstl"])
    >>> [c.name for c in report.candidates]
    ['seasonal_naive', 'mstl']
    """
    from graft.data.timeseries import check_same_zone

    for name, value, low in (("horizon", horizon, 1), ("n_origins", n_origins, 1)):
        if not _is_int(value, low):
            raise DataError(f"{name}={value!r} must be an integer >= {low}.")
    for name, value in (("step", step), ("window", window)):
        if value is not None and not _is_int(value, 1):
            raise DataError(f"{name}={value!r} must be an integer >= 1 (or None).")
    step = step or horizon
    # A forecaster the user passed says how to read the data (columns, freq, gaps,
    # covariates, seasons); the baselines read it the same way.
    candidates = _candidates(estimator_or_strategies)
    given = [m for _, m in candidates if isinstance(m, TransferForecaster)]
    reading = {
        "id_column": (id_column, "id"),
        "time_column": (time_column, "timestamp"),
        "value_column": (value_column, "value"),
        "covariates": (covariates, None),
        "freq": (freq, None),
        "season_length": (season_length, None),
        "max_gap": (max_gap, None),
    }
    changed = [
        f"{k}="
        for k, (value, default) in reading.items()
        if (value is not None if default is None else value != default)
    ]
    if given and changed:
        raise DataError(
            f"{' / '.join(changed)} set how the data is read when candidates are named by "
            "strategy; a TransferForecaster passed in reads it with its own settings (the "
            "baselines too), so set them on it."
        )
    template = (
        clone(given[0]).set_params(strategy="auto")
        if given
        else TransferForecaster(
            id_column=id_column,
            time_column=time_column,
            value_column=value_column,
            covariates=covariates,
            freq=freq,
            season_length=season_length,
            max_gap=max_gap,
            random_state=random_state,
        )
    )
    template.set_params(horizon=horizon)
    template._check_params()
    id_column, time_column = template.id_column, template.time_column
    models = {}
    for name in baselines:
        if name not in BASELINES:
            raise DataError(f"baseline {name!r} is unknown; use some of {', '.join(BASELINES)}.")
        models[name] = clone(template).set_params(
            strategy="baseline", baseline=name, covariates=None
        )
    # Clones: a backtest must not change the estimators it was given.
    for name, model in candidates:
        if isinstance(model, str):
            model = clone(template).set_params(strategy=model)
        if not isinstance(model, TransferForecaster):
            raise DataError(
                f"backtest() candidate {name!r} is a {type(model).__name__}; pass "
                "TransferForecaster instances or strategy names."
            )
        models[_unique(name, models)] = clone(model).set_params(horizon=horizon)
    if not models:
        raise DataError("backtest() got no candidates and no baselines; pass at least one.")
    panel = template._panel(data, "data", id_required=not template._has_id(source))
    # Every cut is read on the data's own grid, whatever its gaps leave to infer.
    models = {n: m.set_params(freq=m.freq or panel.freq) for n, m in models.items()}
    # Every column each candidate reads must be known before an origin to start there.
    frame = _long(data, template, "data")
    needed = {template.value_column, *panel.covariates}
    for model in models.values():
        if isinstance(model.covariates, list | tuple):
            needed.update(model.covariates)
        elif model.covariates == "auto":  # every other numeric column
            needed.update(c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]))
    raw = _on_grid(frame, panel, template)
    source_frame = None
    if source is not None:
        check_same_zone(panel, template._panel(source, "source", covariates=[]), "source")
        source_frame = _long(source, template, "source")
    # The shortest season of any candidate scales MASE and drops origins too early for
    # every candidate (so the candidates' order changes neither); one that needs more
    # history is checked below.
    season = min(m._seasons(panel.freq)[0] for m in models.values())
    min_train = 2 * season + 1
    # What each candidate's fit needs before an origin (with its own seasons and method).
    needs = {n: m._history_needs(panel.freq) for n, m in models.items()}
    cuts = {}

    def source_at(cutoff, length):
        """The usable source before ``cutoff``, less the series shorter than ``length`` (too
        short for a global model at an early origin: left out there, as a series that
        starts late is); cached, as candidates and series share origins."""
        if source_frame is None:
            return None
        if (cutoff, length) not in cuts:
            cuts[cutoff, length] = _usable_source(
                source_frame, cutoff, template, panel.covariates, length
            )
        return cuts[cutoff, length]

    def lacking(origin, start, cutoff):
        """The first candidate that cannot be fitted on the cut ``start:origin``, and what
        it needs; None when every one can."""
        for name, (need, train_need) in needs.items():
            if origin - start < need:
                return name, need, ""
            if train_need and origin - start < train_need and source_at(cutoff, train_need) is None:
                return (
                    name,
                    train_need,
                    (
                        " (its global model trains on the cut alone where no source series is "
                        "that long yet)"
                    ),
                )
        return None

    # Every candidate is scored at the same origins (a paired comparison), so the first
    # origin must leave each one the history its fit needs; a design that cannot is
    # refused whole rather than scoring candidates on different origins.
    plan, skipped = [], 0
    for s in panel.series:
        observed = raw[s.id]  # the data as given on the grid: NaN where it had no value
        known = observed[[c for c in observed.columns if c in needed]].notna().all(axis=1)
        known = known.to_numpy()
        values = pd.to_numeric(observed[template.value_column], errors="coerce")
        values = values.to_numpy(dtype=float)
        cut_plan, missing = [], None
        for origin in rolling_origins(len(s.values), horizon, n_origins, step, min_train):
            if not known[origin - 1] or np.isnan(values[origin : origin + horizon]).all():
                # A history ending in a missing value (or covariate) could only be filled
                # from the values after the origin (fit refuses it); a window with nothing
                # observed scores nothing.
                skipped += 1
                continue
            window_start = 0 if window is None else max(0, origin - window)
            # A cut starts on a known row.
            start = window_start + int(np.argmax(known[window_start:origin]))
            missing = lacking(origin, start, s.index[origin]) or missing
            cut_plan.append((origin, window_start, start))
        if missing is not None:
            name, need, why = missing
            fits = sum(lacking(o, st, s.index[o]) is None for o, _, st in cut_plan)
            where = "data" if len(panel) == 1 else f"series {s.id!r} of data"
            limit = f" (window={window} fits on at most {window})" if window is not None else ""
            if window is not None and window < need:
                advice = f"pass window={need} or more"
            elif fits:
                advice = (
                    f"{fits} of the {len(cut_plan)} origins leave that much: pass n_origins={fits}"
                )
            else:
                advice = "no origin leaves that much: give a longer history"
            raise DataError(
                f"backtest candidate {name!r} needs {need} observations before each origin{why}, "
                f"but {where} has "
                f"{len(s.values)}{limit}; {advice}, or drop {name!r}."
            )
        plan.append((s, observed, values, cut_plan))
    n_cut = 0
    records, per_model = [], {n: {"rows": [], "seconds": []} for n in models}
    for s, observed, values, cut_plan in plan:
        for origin, window_start, start in cut_plan:
            actual = values[origin : origin + horizon]
            scored = ~np.isnan(actual)
            n_cut += 1
            cutoff = s.index[origin]
            # The values as given before the origin (gaps left as NaN): each candidate
            # fills them itself, from the past only.
            rows = observed.iloc[start:origin].reset_index(names=time_column)
            rows.insert(0, id_column, s.id)
            # The covariates' values over the window, as a forecast of them would be known:
            # the panel's own (filled) where it has them; for other candidates' columns the
            # data's, gaps filled within the window (future covariates only, no target).
            future = observed.iloc[origin : origin + horizon].drop(columns=template.value_column)
            numeric = [c for c in future.columns if c in needed]
            future[numeric] = future[numeric].apply(pd.to_numeric, errors="coerce")
            future[numeric] = future[numeric].interpolate(limit_direction="both")
            for j, name in enumerate(panel.covariates):
                future[name] = s.covariates[origin : origin + horizon, j]
            future = future.reset_index(names=time_column)
            future.insert(0, id_column, s.id)
            for name, model in models.items():
                fitted = clone(model)
                started = time.perf_counter()
                fitted.fit(rows, source=source_at(cutoff, needs[name][1]))
                forecast = fitted.predict(future=future)
                seconds = time.perf_counter() - started
                quantiles = forecast[[c for c in forecast.columns if c.startswith("q")]]
                metrics = all_metrics(
                    actual[scored],
                    forecast["mean"].to_numpy()[scored],
                    quantiles.to_numpy()[scored],
                    s.values[window_start:origin],
                    season,
                )
                per_model[name]["rows"].append(metrics)
                per_model[name]["seconds"].append(seconds)
                records.append(
                    {
                        "candidate": name,
                        "series": s.id,
                        "origin": str(cutoff),
                        "chosen": fitted.strategy_,
                        **metrics,
                        "forecast": forecast["mean"].tolist(),
                        "actual": [None if np.isnan(v) else float(v) for v in actual],
                        "seconds": seconds,
                    }
                )
    if n_cut == 0:
        why = (
            f" ({skipped} origin(s) skipped: a missing value just before the origin, or "
            "nothing observed after it)"
            if skipped
            else ""
        )
        raise DataError(
            f"data is too short for a backtest{why}: each series needs at least "
            f"{min_train + horizon} observations; shorten the horizon or give a longer history."
        )
    reference = next(iter(models))
    base = np.array([m["mase"] for m in per_model[reference]["rows"]])
    candidates, summary = [], {}
    for name, info in per_model.items():
        row = CandidateResult.from_scores(
            name,
            [m["mase"] for m in info["rows"]],
            fit_seconds=np.mean(info["seconds"]),
            predict_seconds=0.0,
            bounded=False,
        )
        chosen = sorted({r["chosen"] for r in records if r["candidate"] == name})
        if models[name].strategy == "auto":
            row.notes = [f"chose {', '.join(chosen)}"]
        if name != reference:
            row.judge(base, lower_is_better=True)  # MASE: lower is better
        candidates.append(row)
        summary[name] = {
            k: float(np.mean([m[k] for m in info["rows"]])) for k in ("smape", "wql", "coverage80")
        }
    return ForecastReport(
        horizon=horizon,
        n_origins=n_cut,
        step=step,
        baseline=reference,
        candidates=candidates,
        metrics=summary,
        origins=records,
    )


def _long(data, template: TransferForecaster, where: str) -> pd.DataFrame:
    """``data`` as a long-format frame with parsed timestamps (a Series becomes one)."""
    from graft.data.timeseries import parse_times

    time_column = template.time_column
    if isinstance(data, pd.Series):
        index = pd.Series(data.index)
        return pd.DataFrame(
            {
                template.id_column: "series",
                time_column: parse_times(index, time_column, where).to_numpy(),
                template.value_column: data.to_numpy(),
            }
        )
    frame = data.copy()
    if template.id_column not in frame.columns:
        frame[template.id_column] = "series"  # one series, as check_panel reads it
    frame[time_column] = parse_times(frame[time_column], time_column, where)
    return frame


def _on_grid(frame: pd.DataFrame, panel, template: TransferForecaster) -> dict:
    """Each series' columns (all but the id and time) as given, on its grid (NaN where the
    data had no row or no value), keyed by series id: every candidate finds the columns
    it reads, whichever forecaster set how the data is read."""
    ids = frame[template.id_column].astype(str)
    columns = [c for c in frame.columns if c not in (template.id_column, template.time_column)]
    out = {}
    for s in panel.series:
        rows = frame[ids == s.id].set_index(template.time_column)[columns]
        out[s.id] = rows.reindex(s.index)
    return out


def _usable_source(
    source: pd.DataFrame, cutoff, template: TransferForecaster, covariates, min_length=None
):
    """The source rows before ``cutoff``, each series ending on a known value (one missing
    just before the cut could only be filled from after it) and long enough to be read (and
    to hold ``min_length`` rows, when given); a series that starts late is left out of the
    early origins. None when nothing is left."""
    before = source[source[template.time_column] < cutoff]
    needed = [template.value_column, *(c for c in covariates if c in before.columns)]
    parts = []
    for _, rows in before.groupby(before[template.id_column].astype(str), sort=False):
        rows = rows.sort_values(template.time_column)
        known = rows[needed].notna().all(axis=1).to_numpy()
        if known.any():
            rows = rows.iloc[: len(known) - int(np.argmax(known[::-1]))]
        if known.sum() >= 3 and len(rows) >= (min_length or 0):
            parts.append(rows)
    return pd.concat(parts) if parts else None
