"""A global LightGBM forecaster trained on a panel of source series, then continued on the
target (``warm_start``).

One direct multi-horizon model: a training row is (series, origin t, step k) with
features known at the origin — the step, the last value, the mean of the last season, the
value one season before the target time (for every season length; also two for the
shortest season), calendar
fields of the target time, and the covariates at the target time — and the value k steps
ahead as the label. Every value is divided by the mean absolute value of the season(s)
before the origin (per-series scaling), so series of different size share one model:
Victorian demand in GW can teach the shape of English demand in MW.

Prediction intervals come from the model's scaled residuals, per step, on the last 15%
of the source origins (held out from training and used for early stopping). After a warm
start they are recalibrated on the target where it has enough evidence: the residuals of
the chosen continuation on the target's last window, which it did not train on (split
conformal), replace the source's for every step with at least ``MIN_CALIBRATION`` of them,
because the source's errors need not be the target's (a smoother target gets intervals
far too wide).

``warm_start`` continues boosting on the target's own rows (LightGBM ``init_model``): the
source trees stay, new trees fit what the source model gets wrong on the target. How many
rounds (none, a quarter, half or all of ``continue_rounds``) is chosen on the target's last
window, so a short target history keeps the source model rather than overfitting.
"""

import hashlib
import importlib

import numpy as np
import pandas as pd

from graft.data.timeseries import Series
from graft.exceptions import GraftError
from graft.strategies.forecasting.base import Context, Forecast, ForecastMethod, check_context
from graft.strategies.forecasting.metrics import QUANTILES

MAX_ROWS = 250_000
PARAMS = {
    "objective": "l2",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "verbosity": -1,
    "deterministic": True,
    "force_row_wise": True,
}


def lightgbm():
    try:
        return importlib.import_module("lightgbm")
    except ImportError as exc:
        raise GraftError(
            "The global source model needs LightGBM; install the forecast extra: "
            'pip install "graft[forecast]".'
        ) from exc


def calendar(index: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Calendar fields that matter at this frequency, as float columns."""
    from graft.data.timeseries import season_lengths

    seasons = season_lengths(freq)
    if seasons[0] == 4:
        return np.column_stack([index.quarter])
    if seasons[0] == 12:
        return np.column_stack([index.month])
    if seasons[0] == 52:
        return np.column_stack([index.isocalendar().week.to_numpy()])
    if seasons[0] in (5, 7):  # daily or business-daily: the day of the week matters
        return np.column_stack([index.dayofweek, index.month])
    if len(seasons) > 1:  # sub-daily
        return np.column_stack([index.hour * 60 + index.minute, index.dayofweek])
    return np.zeros((len(index), 0))


class _Features:
    """Builds feature rows for origins of one series; values may be a longer array than the
    origins use, but a row at origin t only reads values[:t] (and the target's calendar)."""

    def __init__(self, seasons: list[int], horizon: int):
        self.seasons = sorted(set(s for s in seasons if s > 1)) or [1]
        self.horizon = horizon

    def scale(self, values: np.ndarray, origins: np.ndarray) -> np.ndarray:
        window = max(self.seasons)
        csum = np.r_[0.0, np.cumsum(np.abs(values))]
        start = np.maximum(origins - window, 0)
        scale = (csum[origins] - csum[start]) / np.maximum(origins - start, 1)
        return np.where(scale > 0, scale, 1.0)

    def rows(self, values, origins, steps, target_calendar, target_covariates):
        """Features for every (origin, step) pair; origins and steps are aligned 1-D arrays."""
        scale = self.scale(values, origins)
        target_pos = origins - 1 + steps
        padded = np.r_[np.nan, values]  # index -1 -> NaN

        def at(pos):
            return padded[np.where(pos >= 0, pos + 1, 0)] / scale

        columns = [steps.astype(float), at(origins - 1)]
        first = self.seasons[0]
        csum = np.r_[0.0, np.cumsum(values)]
        start = np.maximum(origins - first, 0)
        columns.append((csum[origins] - csum[start]) / np.maximum(origins - start, 1) / scale)
        for s in self.seasons:
            cycles = np.ceil(steps / s).astype(int)
            lag = target_pos - s * cycles
            columns.append(at(lag))
            if s == first:
                # Two cycles back only for the shortest season: two cycles of a weekly season
                # are missing from every row of a two-week target history, but not at its
                # forecast origin, and trees fitted on missing values misroute present ones.
                columns.append(at(lag - s))
        features = np.column_stack([*columns, target_calendar, target_covariates])
        return features, scale


class GlobalLightGBM(ForecastMethod):
    """Global LightGBM on source series, optionally continued on the target (warm start)."""

    name = "warm_start"

    def __init__(
        self,
        seasons,
        horizon,
        *,
        source: list[Series] | None = None,
        source_freq: str | None = None,
        covariates: list[str] | None = None,
        continue_rounds: int = 60,
        n_estimators: int = 400,
        seed: int = 0,
    ):
        super().__init__(seasons, horizon)
        self.source = source
        self.source_freq = source_freq
        # False only for bundles trained before business days had a weekly season, whose
        # models read no calendar fields at that frequency (see forecast_bundle).
        self.calendar_fields = True
        self.covariates = list(covariates or [])
        self.uses_covariates = bool(self.covariates)
        self.continue_rounds = continue_rounds
        self.n_estimators = n_estimators
        self.seed = seed
        self.features = _Features(self.seasons, horizon)
        self.booster = None
        self.residual_quantiles = None  # (horizon, len(QUANTILES)), in scaled units
        self.target_rounds = 0

    def min_length(self) -> int:
        return self.features.seasons[0] + 1

    def min_train_length(self) -> int:
        """Fewest observations a series needs to give the model one training origin (a
        source series, or the target when there is no source)."""
        return self.features.seasons[0] + self.horizon

    def _training_rows(self, series: list[Series], freq: str, max_rows: int, first: int):
        horizon = self.horizon
        n_origins = sum(max(len(s.values) - horizon - first + 1, 0) for s in series)
        stride = max(1, int(np.ceil(n_origins * horizon / max_rows)))
        blocks = []
        for s in series:
            n = len(s.values)
            origins = np.arange(n - horizon, first - 1, -stride)[::-1]
            if len(origins) == 0:
                continue
            o = np.repeat(origins, horizon)
            k = np.tile(np.arange(1, horizon + 1), len(origins))
            pos = o - 1 + k
            cal = self._calendar(s.index, freq)[pos]
            cov = s.covariates[pos] if self.covariates else np.zeros((len(pos), 0))
            X, scale = self.features.rows(s.values, o, k, cal, cov)
            blocks.append((X, s.values[pos] / scale, o, k, np.full(len(o), n)))
        if not blocks:
            return None
        return tuple(np.concatenate([b[j] for b in blocks]) for j in range(5))

    def _calendar(self, index: pd.DatetimeIndex, freq: str) -> np.ndarray:
        return calendar(index, freq) if self.calendar_fields else np.zeros((len(index), 0))

    def fit(self, histories: list[Series], freq: str) -> "GlobalLightGBM":
        lgb = lightgbm()
        self.freq = freq
        first = self.features.seasons[0]
        if self.source:
            self.booster, self.residual_quantiles = _train_source(self, freq)
        target = self._training_rows(histories, freq, MAX_ROWS, first)
        if target is None:
            if self.booster is None:
                raise GraftError(
                    "warm_start has neither source series nor a target history long enough "
                    f"to train on (needs at least {self.min_train_length()} observations)."
                )
            return self
        X, y, origin, step, length = target
        if self.booster is None:  # no source: a global model of the target panel alone
            self.booster, self.residual_quantiles = _train(self, X, y, origin, step)
            return self
        self.target_rounds = self._continuation_rounds(X, y, origin, step, length)
        if self.target_rounds:
            params = {**PARAMS, "seed": self.seed, "min_data_in_leaf": _leaf_size(len(y))}
            self.booster = lgb.train(
                params,
                lgb.Dataset(X, y),
                num_boost_round=self.target_rounds,
                init_model=self.booster,
            )
        return self

    def _continuation_rounds(self, X, y, origin, step, length) -> int:
        """How many rounds to continue on the target, chosen on its last window.

        Continuing on a short target history overfits it (two weeks of half-hourly demand
        hold one example of each weekday), so the rounds (0 = keep the source model) are
        chosen by the error on each series' last ``horizon`` origins, with the model
        continued only on rows whose targets end before them.
        """
        lgb = lightgbm()
        last = length - self.horizon
        val = origin > last - self.horizon
        train = origin <= last - 2 * self.horizon + 1
        if self.continue_rounds <= 0 or val.sum() == 0 or train.sum() < 4 * self.horizon:
            return 0
        predictions = {0: self.booster.predict(X[val])}
        params = {**PARAMS, "seed": self.seed, "min_data_in_leaf": _leaf_size(train.sum())}
        for rounds in sorted({max(1, self.continue_rounds // 4), self.continue_rounds // 2,
                              self.continue_rounds}):  # fmt: skip
            booster = lgb.train(
                params, lgb.Dataset(X[train], y[train]), num_boost_round=rounds,
                init_model=self.booster,
            )  # fmt: skip
            predictions[rounds] = booster.predict(X[val])
        errors = {r: float(np.mean((p - y[val]) ** 2)) for r, p in predictions.items()}
        best = min(errors, key=errors.get)
        self.residual_quantiles = _recalibrated(
            self.residual_quantiles, y[val] - predictions[best], step[val]
        )
        return best

    def forecast(self, context: Context) -> Forecast:
        check_context(self, context)
        s = context.series
        h = len(context.future_index)
        n = len(s.values)
        steps = np.arange(1, h + 1)
        origins = np.full(h, n)
        cal = self._calendar(context.future_index, context.freq)
        if self.covariates:
            if context.future_covariates is None:
                raise GraftError(
                    f"warm_start uses the covariates {self.covariates}; pass their future "
                    "values for the forecast horizon (future=...)."
                )
            cov = context.future_covariates
        else:
            cov = np.zeros((h, 0))
        if h > self.horizon:
            raise GraftError(
                f"warm_start was trained for {self.horizon} steps ahead and cannot forecast "
                f"{h}; refit with horizon={h}."
            )
        X, scale = self.features.rows(s.values, origins, steps, cal, cov)
        z = self.booster.predict(X)
        rq = self.residual_quantiles[steps - 1]
        median_shift = rq[:, list(QUANTILES).index(0.5)][:, None]
        quantiles = (z[:, None] + rq - median_shift) * scale[:, None]
        return Forecast(z * scale, quantiles)


MIN_CALIBRATION = 20
"""Target residuals a forecast step needs before they replace the source's quantiles."""


def _recalibrated(source_quantiles: np.ndarray, residuals, steps) -> np.ndarray:
    """Per-step residual quantiles from the target where a step has enough residuals."""
    out = np.array(source_quantiles, dtype=float)  # a copy: the source's may be cached
    for k in range(1, len(out) + 1):
        r = residuals[steps == k]
        if len(r) >= MIN_CALIBRATION:
            out[k - 1] = np.quantile(r, QUANTILES)
    return out


def _leaf_size(n_rows: int) -> int:
    return max(5, min(20, int(n_rows) // 50))


def _train(method: GlobalLightGBM, X, y, origin, step):
    """Train with the newest 15% of origins held out for early stopping and residuals."""
    lgb = lightgbm()
    cutoff = np.quantile(origin, 0.85)
    held = origin > cutoff
    if held.sum() < method.horizon or (~held).sum() < method.horizon:
        held = np.zeros(len(y), dtype=bool)
    params = {**PARAMS, "seed": method.seed}
    train_set = lgb.Dataset(X[~held], y[~held])
    valid_sets = [lgb.Dataset(X[held], y[held], reference=train_set)] if held.any() else []
    callbacks = [lgb.early_stopping(30, verbose=False)] if held.any() else []
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=method.n_estimators,
        valid_sets=valid_sets,
        callbacks=callbacks,
    )
    residual_rows = held if held.any() else np.ones(len(y), dtype=bool)
    residuals = y[residual_rows] - booster.predict(X[residual_rows])
    steps = step[residual_rows]
    rq = np.zeros((method.horizon, len(QUANTILES)))
    for k in range(1, method.horizon + 1):
        r = residuals[steps == k]
        rq[k - 1] = np.quantile(r, QUANTILES) if len(r) else 0.0
    return booster, rq


def _fingerprint(method: GlobalLightGBM, freq: str) -> str:
    digest = hashlib.sha256()
    for s in method.source:
        digest.update(s.values.tobytes())
        digest.update(s.index.asi8.tobytes())
        if s.covariates is not None and method.covariates:
            digest.update(s.covariates.tobytes())
    key = (freq, tuple(method.seasons), method.horizon, tuple(method.covariates))
    digest.update(repr((key, method.n_estimators, method.seed, PARAMS)).encode())
    return digest.hexdigest()


_SOURCE_MODELS: dict[str, tuple[str, np.ndarray]] = {}


def _train_source(method: GlobalLightGBM, freq: str):
    """The source model depends only on the source data and settings, so it is trained once
    per process and data hash (a backtest refits only the target side at every origin)."""
    key = _fingerprint(method, freq)
    if key not in _SOURCE_MODELS:
        rows = method._training_rows(method.source, freq, MAX_ROWS, method.features.seasons[0])
        if rows is None:
            raise GraftError(
                "The source series are too short for the global model; one needs at least "
                f"{method.min_train_length()} observations."
            )
        booster, rq = _train(method, *rows[:4])
        if len(_SOURCE_MODELS) >= 4:
            _SOURCE_MODELS.pop(next(iter(_SOURCE_MODELS)))
        _SOURCE_MODELS[key] = (booster.model_to_string(), rq)
    text, rq = _SOURCE_MODELS[key]
    return lightgbm().Booster(model_str=text), rq.copy()
