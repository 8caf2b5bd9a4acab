"""Development study of visnights (issue #4): does pooling the 20 regions beat DOTM?

The guard study (forecasting_guard_study.py) found statsforecast's DynamicOptimizedTheta
(DOTM) the best single method on visnights' development windows, and no equal-weight
combination better. The visnights bar needs a better forecaster, and what the regions share
is the obvious place to look. This study tries three ways of pooling them, on the same
development cases (leave one region out, horizon 4, the 24 origins before the scored ones,
read as three windows of 8), never on the scored origins:

* ``global linear AR``: one ridge regression over windows of every region cut at the
  origin (the last L values, each window divided by the mean of its last season, predict
  the next 4 values divided alike), as in global-model studies of tourism data;
* ``reconciled``: base forecasts of every region, of each state (the first three letters
  of a region's name) and of the total, made coherent by weighted least squares (WLS,
  in-sample residual variances) or MinT with a shrunk residual covariance (Ledoit-Wolf on
  the standardised residuals), read at the regions;
* ``Fracast pooled fine-tune``: Fracast-0's head fine-tuned on windows of all 20 regions
  (graft's ``fine_tune`` trains on the target alone).

At an origin every region's history stops there, so all of these use what ``auto``'s pooled
backtest may use. Writes benchmarks/results/forecast_pooling_dev.json (each method's mean
MASE per window; a rerun skips the methods already there).
Usage: python benchmarks/forecasting_pooling_study.py
"""

import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from graft.data.io import write_json
from graft.datasets import load_visnights
from graft.strategies.forecasting.metrics import mase

PATH = Path(__file__).parent / "results" / "forecast_pooling_dev.json"
SHIFTS = (8, 16, 24)  # quarters before the scored origins, as in the guard study
HORIZON = SEASON = 4
GLOBAL_LINEAR = [(lags, alpha) for lags in (8, 12, 16, 20) for alpha in (1.0, 10.0)]


def global_linear(histories: np.ndarray, lags: int, alpha: float) -> np.ndarray:
    """Ridge on every region's windows of ``lags`` values, scaled by their last season."""
    from sklearn.linear_model import Ridge

    inputs, targets = [], []
    for values in histories:
        for end in range(lags, len(values) - HORIZON + 1):
            scale = values[end - SEASON : end].mean()
            inputs.append(values[end - lags : end] / scale)
            targets.append(values[end : end + HORIZON] / scale)
    model = Ridge(alpha=alpha).fit(np.array(inputs), np.array(targets))
    scales = histories[:, -SEASON:].mean(axis=1, keepdims=True)
    return model.predict(histories[:, -lags:] / scales) * scales


def summing_matrix(regions: list[str]) -> np.ndarray:
    """Rows: the total, each state, each region; columns: the regions."""
    states = list(dict.fromkeys(r[:3] for r in regions))
    rows = [np.ones(len(regions))]
    rows += [np.array([r[:3] == s for r in regions], dtype=float) for s in states]
    return np.vstack([*rows, np.eye(len(regions))])


def base_forecasts(model_name: str, series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """statsforecast forecasts (rows of ``series``) and in-sample residuals (time x rows)."""
    from statsforecast.models import AutoETS, AutoTheta, DynamicOptimizedTheta

    make = {"dynamic_theta": DynamicOptimizedTheta, "auto_theta": AutoTheta, "auto_ets": AutoETS}
    forecasts, residuals = [], []
    for values in series:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = make[model_name](season_length=SEASON).forecast(y=values, h=HORIZON, fitted=True)
        forecasts.append(out["mean"])
        residuals.append(values - out["fitted"])
    residuals = np.array(residuals).T
    return np.array(forecasts), residuals[~np.isnan(residuals).any(axis=1)]


def reconcile(forecasts, residuals, summing, kind: str) -> np.ndarray:
    """Bottom-level (region) forecasts made coherent with ``summing``'s aggregates."""
    from sklearn.covariance import LedoitWolf

    spread = residuals.std(axis=0)
    if kind == "wls":
        weights = np.diag(spread**2)
    else:  # MinT with the correlation shrunk toward the identity
        correlation = LedoitWolf(assume_centered=True).fit(residuals / spread).covariance_
        weights = correlation * np.outer(spread, spread)
    precision = np.linalg.pinv(weights)
    projection = np.linalg.solve(summing.T @ precision @ summing, summing.T @ precision)
    return projection @ forecasts


def fracast_pooled(histories: np.ndarray, index: pd.DatetimeIndex, regions) -> np.ndarray:
    from graft.data.timeseries import Series
    from graft.strategies.forecasting.base import Context, future_index
    from graft.strategies.forecasting.fracast import FracastFineTuned

    series = [Series(r, v, index) for r, v in zip(regions, histories)]
    model = FracastFineTuned(
        [SEASON],
        HORIZON,
        max_windows=1024,
        epochs=30,
        learning_rate=1e-3,
        head_learning_rate=3e-3,
        seed=0,
    ).fit(series, "QS-JAN")
    future = future_index(index, "QS-JAN", HORIZON)
    return np.array([model.forecast(Context(s, "QS-JAN", future)).mean for s in series])


def methods(regions) -> dict:
    """Name -> function(histories (regions x t), index) -> forecasts (regions x HORIZON)."""
    summing = summing_matrix(regions)
    out = {}
    for model_name in ("dynamic_theta", "auto_theta", "auto_ets"):

        def base(h, _i, m=model_name):
            return base_forecasts(m, h)[0]

        out[model_name] = base
        for kind in ("wls", "mint"):

            def reconciled(h, _i, m=model_name, k=kind):
                forecasts, residuals = base_forecasts(m, summing @ h)
                return reconcile(forecasts, residuals, summing, k)

            out[f"{model_name}, reconciled ({kind.upper()})"] = reconciled
    for lags, alpha in GLOBAL_LINEAR:
        out[f"global linear AR, {lags} lags, ridge {alpha:g}"] = lambda h, _i, n=lags, a=alpha: (
            global_linear(h, n, a)
        )
    out["Fracast pooled fine-tune"] = lambda h, i: fracast_pooled(h, i, regions)
    return out


def main() -> None:
    data = load_visnights()
    regions = list(dict.fromkeys(data["id"]))
    values = np.array([data.loc[data["id"] == r, "value"].to_numpy() for r in regions])
    index = pd.DatetimeIndex(data.loc[data["id"] == regions[0], "timestamp"])
    first_scored = values.shape[1] - HORIZON - 7
    stored = json.loads(PATH.read_text()) if PATH.exists() else {"methods": {}}
    for name, method in methods(regions).items():
        if name in stored["methods"]:
            continue
        started = time.perf_counter()
        by_window = {}
        for shift in SHIFTS:
            errors = []
            for origin in range(first_scored - shift, first_scored - shift + 8):
                forecasts = method(values[:, :origin], index[:origin])
                actual = values[:, origin : origin + HORIZON]
                errors += [
                    mase(a, f, h, SEASON) for a, f, h in zip(actual, forecasts, values[:, :origin])
                ]
            by_window[str(shift)] = float(np.mean(errors))
        stored["methods"][name] = {**by_window, "seconds": time.perf_counter() - started}
        write_json(stored, PATH)  # atomic; resumable per method
        print(name, {k: round(v, 3) for k, v in by_window.items()}, flush=True)


if __name__ == "__main__":
    main()
