"""What every forecasting method shares: the forecast it returns and the fit/forecast API.

A method is fitted once on a panel of histories (``fit``), then forecasts from any context
(``forecast``): the values observed up to a forecast origin. Local statistical methods
refit on each context; learned methods (fine-tuned Fracast, LightGBM) reuse what ``fit``
learned and only read the context. Backtests therefore call ``fit`` on data before their
first origin and ``forecast`` at every origin, never showing a method a value after it.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graft.data.timeseries import Series
from graft.exceptions import DataError
from graft.strategies.forecasting.metrics import QUANTILES


@dataclass
class Forecast:
    """Point forecast ``mean`` (h,) and ``quantiles`` (h, len(QUANTILES)), sorted per step."""

    mean: np.ndarray
    quantiles: np.ndarray

    def __post_init__(self):
        self.mean = np.asarray(self.mean, dtype=float)
        self.quantiles = np.sort(np.asarray(self.quantiles, dtype=float), axis=1)


@dataclass
class Context:
    """What a method may see at a forecast origin, plus future-known covariates."""

    series: Series
    freq: str
    future_index: pd.DatetimeIndex
    future_covariates: np.ndarray | None = None  # (h, k)


class ForecastMethod(ABC):
    """Base class; subclasses set ``name`` and implement ``fit`` and ``forecast``."""

    name = "method"
    uses_covariates = False

    def __init__(self, seasons: list[int], horizon: int):
        self.seasons = list(seasons)
        self.horizon = int(horizon)

    @property
    def season(self) -> int:
        return self.seasons[0]

    def fit(self, histories: list[Series], freq: str) -> "ForecastMethod":
        return self

    @abstractmethod
    def forecast(self, context: Context) -> Forecast:
        """The forecast from ``context`` (the history up to an origin)."""

    def min_length(self) -> int:
        """Fewest observations a context needs."""
        return 2 * self.season + 1


def future_index(index: pd.DatetimeIndex, freq: str, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` timestamps after ``index``."""
    return pd.date_range(index[-1], periods=horizon + 1, freq=freq)[1:]


def check_context(method: ForecastMethod, context: Context) -> None:
    if len(context.series.values) < method.min_length():
        raise DataError(
            f"{method.name} needs at least {method.min_length()} observations of series "
            f"{context.series.id!r}, which has {len(context.series.values)}; give a longer "
            "history."
        )


def quantiles_from_levels(mean: np.ndarray, bands: dict[int, tuple[np.ndarray, np.ndarray]]):
    """Assemble the QUANTILES from a median and central intervals {level: (low, high)}."""
    columns = []
    for q in QUANTILES:
        if np.isclose(q, 0.5):
            columns.append(mean)
            continue
        level = round(abs(1 - 2 * q) * 100)
        low, high = bands[level]
        columns.append(low if q < 0.5 else high)
    return np.column_stack(columns)
