"""Local statistical baselines from statsforecast: seasonal naive, AutoETS, AutoTheta, the
dynamic optimised Theta method (DOTM, Fiorucci et al. 2016), MSTL, AutoARIMA. They are what
a forecaster would use without transfer.

The models are used directly on NumPy arrays (``model.forecast(y, h, level=...)``), one
series at a time, refitted on every context.
"""

import importlib
import warnings

import numpy as np

from graft.exceptions import GraftError
from graft.strategies.forecasting.base import (
    Context,
    Forecast,
    ForecastMethod,
    check_context,
    quantiles_from_levels,
)

LEVELS = [20, 40, 60, 80]


def statsforecast_models():
    """The ``statsforecast.models`` module, or an error naming the extra to install."""
    try:
        return importlib.import_module("statsforecast.models")
    except ImportError as exc:
        raise GraftError(
            "Forecasting baselines need statsforecast; install the forecast extra: "
            'pip install "graft[forecast]" (see the README for the pandas 3 note).'
        ) from exc


class StatsForecastMethod(ForecastMethod):
    """One statsforecast model; ``kind`` names it (seasonal_naive_daily, mstl, ...)."""

    KINDS = (
        "seasonal_naive",
        "seasonal_naive_long",
        "auto_ets",
        "auto_theta",
        "dynamic_theta",
        "mstl",
        "auto_arima",
    )

    def __init__(self, kind: str, seasons: list[int], horizon: int):
        super().__init__(seasons, horizon)
        if kind not in self.KINDS:
            raise ValueError(f"unknown statsforecast baseline {kind!r}")
        self.kind = kind
        self.name = kind

    def _season_for(self, n: int) -> list[int]:
        # A season longer than half the history cannot be estimated; drop it.
        return [s for s in self.seasons if s > 1 and 2 * s <= n] or [1]

    def min_length(self) -> int:
        if self.kind == "seasonal_naive_long":
            return max(self.seasons) + 1
        return self.season + 1 if self.kind == "seasonal_naive" else 2 * self.season + 1

    def _model(self, n: int):
        models = statsforecast_models()
        seasons = self._season_for(n)
        if self.kind == "seasonal_naive":
            return models.SeasonalNaive(season_length=self.season)
        if self.kind == "seasonal_naive_long":
            return models.SeasonalNaive(season_length=max(self.seasons))
        # AutoETS and AutoTheta take one season; statsforecast's ETS cannot fit seasons
        # longer than 24, and silently goes non-seasonal then (see OFFLINE_ASSETS.md).
        if self.kind == "auto_ets":
            return models.AutoETS(season_length=seasons[0])
        if self.kind == "auto_theta":
            return models.AutoTheta(season_length=seasons[0])
        if self.kind == "dynamic_theta":
            return models.DynamicOptimizedTheta(season_length=seasons[0])
        if self.kind == "auto_arima":
            return models.AutoARIMA(season_length=seasons[0])
        if len(seasons) == 1 and seasons[0] == 1:
            return models.AutoETS(season_length=1)  # MSTL needs a season
        return models.MSTL(season_length=seasons)

    def forecast(self, context: Context) -> Forecast:
        check_context(self, context)
        y = context.series.values
        with warnings.catch_warnings():
            # ETS can report a negative forecast variance (sqrt -> NaN); handled below.
            warnings.simplefilter("ignore", RuntimeWarning)
            result = self._model(len(y)).forecast(y=y, h=len(context.future_index), level=LEVELS)
        mean = np.asarray(result["mean"], dtype=float)
        if not np.isfinite(mean).all():
            raise GraftError(
                f"{self.name} produced non-finite forecasts for series {context.series.id!r}."
            )
        bands = {
            level: (np.asarray(result[f"lo-{level}"]), np.asarray(result[f"hi-{level}"]))
            for level in LEVELS
        }
        quantiles = quantiles_from_levels(mean, bands)
        # An interval statsforecast could not compute collapses onto the point forecast.
        quantiles = np.where(np.isfinite(quantiles), quantiles, mean[:, None])
        return Forecast(mean, quantiles)
