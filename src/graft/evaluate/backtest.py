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


def _candidates(estimator_or_strategies, template: TransferForecaster) -> dict:
    if isinstance(estimator_or_strategies, TransferForecaster):
        return {estimator_or_strategies.strategy: estimator_or_strategies}
    if isinstance(estimator_or_strategies, Mapping):
        return dict(estimator_or_strategies)
    items = (
        [estimator_or_strategies]
        if isinstance(estimator_or_strategies, str)
        else list(estimator_or_strategies)
    )
    found = {}
    for item in items:
        if isinstance(item, str):
            found[item] = clone(template).set_params(strategy=item)
        else:
            found[getattr(item, "strategy", type(item).__name__)] = item
    return found


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
    from graft.data.timeseries import check_panel, panel_frame

    for name, value, low in (("horizon", horizon, 1), ("n_origins", n_origins, 1)):
        if not _is_int(value, low):
            raise DataError(f"{name}={value!r} must be an integer >= {low}.")
    for name, value in (("step", step), ("window", window)):
        if value is not None and not _is_int(value, 1):
            raise DataError(f"{name}={value!r} must be an integer >= 1 (or None).")
    step = step or horizon
    template = TransferForecaster(
        horizon=horizon,
        id_column=id_column,
        time_column=time_column,
        value_column=value_column,
        random_state=random_state,
    )
    models = {}
    for name in baselines:
        if name not in BASELINES:
            raise DataError(f"baseline {name!r} is unknown; use some of {', '.join(BASELINES)}.")
        models[name] = clone(template).set_params(strategy="baseline", baseline=name)
    models.update(_candidates(estimator_or_strategies, template))
    if not models:
        raise DataError("backtest() got no candidates and no baselines; pass at least one.")
    for model in models.values():
        model.set_params(horizon=horizon)
    panel = check_panel(
        data,
        id_column=id_column,
        time_column=time_column,
        value_column=value_column,
        covariates=next(iter(models.values())).covariates,
        min_length=3,
        where="data",
    )
    frame = panel_frame(
        panel, id_column=id_column, time_column=time_column, value_column=value_column
    )
    seasons = next(iter(models.values()))._seasons(panel.freq)
    source_frame = None if source is None else _long(source, time_column)
    records, per_model = [], {n: {"rows": [], "seconds": []} for n in models}
    n_cut = 0
    for s in panel.series:
        origins = rolling_origins(len(s.values), horizon, n_origins, step, 2 * seasons[0] + 1)
        for origin in origins:
            n_cut += 1
            start = 0 if window is None else max(0, origin - window)
            rows = frame[(frame[id_column] == s.id)].iloc[start:origin]
            actual = s.values[origin : origin + horizon]
            cutoff = s.index[origin]
            source_cut = None
            if source_frame is not None:
                source_cut = source_frame[source_frame[time_column] < cutoff]
            future = None
            if panel.covariates:
                future = frame[frame[id_column] == s.id].iloc[origin : origin + horizon]
                future = future.drop(columns=[value_column])
            for name, model in models.items():
                fitted = clone(model)
                started = time.perf_counter()
                has_source = source_cut is not None and len(source_cut) > 0
                fitted.fit(rows, source=source_cut if has_source else None)
                forecast = fitted.predict(future=future)
                seconds = time.perf_counter() - started
                quantiles = forecast[[c for c in forecast.columns if c.startswith("q")]]
                metrics = all_metrics(
                    actual,
                    forecast["mean"].to_numpy(),
                    quantiles.to_numpy(),
                    rows[value_column].to_numpy(),
                    seasons[0],
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
                        "actual": actual.tolist(),
                        "seconds": seconds,
                    }
                )
    if n_cut == 0:
        raise DataError(
            f"data is too short for a backtest: it needs more than {2 * seasons[0] + 1 + horizon}"
            " observations per series; shorten the horizon or give a longer history."
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


def _long(source, time_column: str) -> pd.DataFrame:
    if isinstance(source, pd.Series):
        return pd.DataFrame({time_column: source.index, "value": source.to_numpy()})
    if time_column not in source.columns:
        raise DataError(f"source lacks the time column {time_column!r}.")
    from graft.data.timeseries import parse_times

    frame = source.copy()
    frame[time_column] = parse_times(frame[time_column], time_column, "source")
    return frame
