"""Forecast accuracy metrics (pure NumPy), shared by model selection and backtests.

* MASE: mean absolute error scaled by the in-sample mean absolute error of the seasonal
  naive forecast with the series' shortest season (``m``; 1 without a season), so 1.0 means
  "as good as seasonal naive was in sample".
* sMAPE: symmetric mean absolute percentage error, in percent (0-200).
* WQL: weighted quantile loss, the pinball losses summed over quantiles and steps divided
  by the sum of absolute actuals (as in GluonTS / Chronos), averaged over the quantile levels.
* Coverage: share of actuals inside the 80% interval [q0.1, q0.9].
"""

import numpy as np

QUANTILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
"""Quantile levels every graft forecast carries."""


def mase_scale(history: np.ndarray, season: int) -> float:
    """In-sample MAE of the seasonal naive forecast (naive if the history is too short)."""
    history = np.asarray(history, dtype=float)
    m = season if len(history) > season else 1
    diffs = np.abs(history[m:] - history[:-m])
    scale = float(diffs.mean()) if len(diffs) else 0.0
    return scale if scale > 0 else 1.0


def mase(actual, forecast, history, season: int) -> float:
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    return float(np.mean(np.abs(actual - forecast)) / mase_scale(history, season))


def smape(actual, forecast) -> float:
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(
        2 * np.abs(actual - forecast), denominator, out=np.zeros_like(actual), where=denominator > 0
    )
    return float(100 * ratio.mean())


def wql(actual, quantiles, levels=QUANTILES) -> float:
    """Weighted quantile loss of ``quantiles`` (steps, levels) against ``actual`` (steps)."""
    actual = np.asarray(actual, float)[:, None]
    quantiles = np.asarray(quantiles, float)
    q = np.asarray(levels, float)[None, :]
    diff = actual - quantiles
    pinball = np.maximum(q * diff, (q - 1) * diff)
    denominator = np.abs(actual).sum()
    denominator = denominator if denominator > 0 else 1.0
    return float((2 * pinball.sum(axis=0) / denominator).mean())


def coverage80(actual, quantiles, levels=QUANTILES) -> float:
    levels = list(levels)
    low, high = quantiles[:, levels.index(0.1)], quantiles[:, levels.index(0.9)]
    actual = np.asarray(actual, float)
    return float(np.mean((actual >= low) & (actual <= high)))


def all_metrics(actual, mean, quantiles, history, season: int) -> dict[str, float]:
    return {
        "mase": mase(actual, mean, history, season),
        "smape": smape(actual, mean),
        "wql": wql(actual, quantiles),
        "coverage80": coverage80(actual, quantiles),
    }
