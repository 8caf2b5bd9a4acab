import numpy as np
import pandas as pd
import pytest

from graft.data.timeseries import check_panel
from graft.strategies.forecasting.base import Forecast
from graft.strategies.forecasting.baselines import StatsForecastMethod
from graft.strategies.forecasting.fracast import FracastFineTuned, FracastZeroShot
from graft.strategies.forecasting.global_lightgbm import GlobalLightGBM
from graft.strategies.forecasting.metrics import QUANTILES, coverage80, mase, smape, wql
from graft.strategies.forecasting.selection import (
    Backtest,
    Combination,
    choose,
    combine,
    context_at,
    cut_at,
    rolling_origins,
    run_backtest,
)

H = 24


@pytest.fixture(scope="module")
def panel(hourly_panel):
    return check_panel(hourly_panel(ids=("a",), days=14))


@pytest.fixture(scope="module")
def source(hourly_panel):
    return check_panel(hourly_panel(ids=("s1", "s2"), days=21, seed=1, start="2023-01-02"))


def _score(method, panel):
    s = panel.series[0]
    origin = len(s.values) - H
    method.fit([s.head(origin)], panel.freq)
    forecast = method.forecast(context_at(s, origin, panel.freq, H))
    assert forecast.mean.shape == (H,) and forecast.quantiles.shape == (H, len(QUANTILES))
    assert np.all(np.diff(forecast.quantiles, axis=1) >= 0)
    return mase(s.values[origin:], forecast.mean, s.values[:origin], 24)


@pytest.mark.parametrize(
    "kind", ["seasonal_naive", "auto_ets", "auto_theta", "dynamic_theta", "mstl"]
)
def test_statsforecast_baselines_forecast_a_seasonal_series(panel, kind):
    assert _score(StatsForecastMethod(kind, [24, 168], H), panel) < 2.0


def test_fracast_zero_shot_and_fine_tune(panel):
    zero = _score(FracastZeroShot([24, 168], H), panel)
    tuned_method = FracastFineTuned([24, 168], H, epochs=2, max_windows=16)
    tuned = _score(tuned_method, panel)
    assert np.isfinite(zero) and np.isfinite(tuned)
    assert tuned_method.history and tuned_method.history[0].index == 0
    state = tuned_method.state_dict()
    copy = FracastFineTuned([24, 168], H)
    copy.load_state_dict(state)
    s = panel.series[0]
    ctx = context_at(s, len(s.values) - H, panel.freq, H)
    np.testing.assert_allclose(copy.forecast(ctx).mean, tuned_method.forecast(ctx).mean)


def test_warm_start_from_source_series(panel, source):
    method = GlobalLightGBM([24, 168], H, source=source.series, n_estimators=50)
    assert _score(method, panel) < 2.0
    assert method.target_rounds in (0, 15, 30, 60) and method.residual_quantiles.shape == (H, 9)


def test_warm_start_intervals_are_recalibrated_on_the_target(panel, source):
    s = panel.series[0]
    settings = dict(source=source.series, n_estimators=50)
    kept = GlobalLightGBM([24, 168], H, continue_rounds=0, **settings).fit([s], panel.freq)
    tuned = GlobalLightGBM([24, 168], H, **settings).fit([s], panel.freq)
    again = GlobalLightGBM([24, 168], H, **settings).fit([s], panel.freq)

    # Without a continuation there is no held-out target window: the source's quantiles.
    assert not np.allclose(tuned.residual_quantiles, kept.residual_quantiles)
    assert np.all(np.diff(tuned.residual_quantiles, axis=1) >= 0)
    # The source model's quantiles are shared by fits (cached): recalibrating copies them.
    np.testing.assert_array_equal(tuned.residual_quantiles, again.residual_quantiles)
    np.testing.assert_array_equal(
        kept.residual_quantiles,
        GlobalLightGBM([24, 168], H, continue_rounds=0, **settings)
        .fit([s], panel.freq)
        .residual_quantiles,
    )


def test_warm_start_with_covariates(hourly_panel):
    target = check_panel(hourly_panel(days=14, covariate=True), covariates=["temp"])
    src = check_panel(hourly_panel(ids=("s",), days=21, covariate=True, seed=2), covariates="auto")
    method = GlobalLightGBM([24, 168], H, source=src.series, covariates=["temp"], n_estimators=50)
    assert _score(method, target) < 2.0


def test_combination_averages_members(panel):
    members = {
        "seasonal_naive": StatsForecastMethod("seasonal_naive", [24, 168], H),
        "mstl": StatsForecastMethod("mstl", [24, 168], H),
    }
    combo = Combination(members, {"seasonal_naive": 1.0, "mstl": 3.0})
    s = panel.series[0]
    ctx = context_at(s, len(s.values) - H, panel.freq, H)
    expected = 0.25 * members["seasonal_naive"].forecast(ctx).mean
    expected += 0.75 * members["mstl"].forecast(ctx).mean
    np.testing.assert_allclose(combo.forecast(ctx).mean, expected)


def test_metrics():
    actual = np.array([1.0, 2.0, 3.0, 4.0])
    history = np.array([1.0, 3.0, 1.0, 3.0])
    assert mase(actual, actual, history, 1) == 0.0
    assert mase(actual, actual + 2, history, 1) == pytest.approx(1.0)
    assert smape(actual, actual) == 0.0 and smape([1.0], [3.0]) == pytest.approx(100.0)
    perfect = np.repeat(actual[:, None], 9, axis=1)
    assert wql(actual, perfect) == 0.0
    assert coverage80(actual, perfect) == 1.0
    assert coverage80(actual, perfect + 10) == 0.0


def test_rolling_origins():
    assert rolling_origins(100, 10, 3, 5, 50) == [80, 85, 90]
    assert rolling_origins(100, 10, 10, 10, 50) == [50, 60, 70, 80, 90]


def test_backtest_never_sees_the_future(panel, source, hourly_panel):
    """Replacing everything after the last origin by garbage must not change a forecast."""
    s = panel.series[0]
    garbage = check_panel(hourly_panel(days=14))
    values = garbage.series[0].values.copy()
    values[-H:] = 1e6
    garbage.series[0].values = values
    methods = lambda: {  # noqa: E731
        "mstl": StatsForecastMethod("mstl", [24, 168], H),
        "fine_tune": FracastFineTuned([24, 168], H, epochs=1, max_windows=8),
        "warm_start": GlobalLightGBM([24, 168], H, source=source.series, n_estimators=30),
    }
    kwargs = dict(horizon=H, n_origins=3, step=H, min_train=49)
    clean = run_backtest(methods(), [s], panel.freq, **kwargs)
    dirty = run_backtest(methods(), garbage.series, panel.freq, **kwargs)
    assert not clean.errors and len(clean.origins) == 3
    for name in clean.forecasts:
        for a, b in zip(clean.forecasts[name], dirty.forecasts[name]):
            np.testing.assert_allclose(a.mean, b.mean)
            np.testing.assert_allclose(a.quantiles, b.quantiles)
    assert not np.allclose(clean.actuals[-1], dirty.actuals[-1])  # the garbage was there


def test_choose_never_keeps_a_method_that_lost_to_seasonal_naive(panel):
    methods = {
        "seasonal_naive": StatsForecastMethod("seasonal_naive", [24, 168], H),
        "zero_shot": FracastZeroShot([24, 168], H),
    }
    bt = run_backtest(methods, panel.series, panel.freq, horizon=H, n_origins=3, step=H,
                      min_train=49)  # fmt: skip
    # Make zero_shot look terrible: it must not be chosen, alone or mixed.
    for f in bt.forecasts["zero_shot"]:
        f.mean += 100
        f.quantiles += 100
    weights, _scores, reason = choose(bt, 24)
    assert weights == {"seasonal_naive": 1.0}
    assert "seasonal_naive" in reason


def _backtest_with_errors(errors: dict[str, list[float]], n_series: int) -> Backtest:
    """Two origins per series, horizon 2, MASE scale 1: a row's MASE is its error."""
    origins = [(i, o) for i in range(n_series) for o in (10, 12)]
    history = np.arange(10.0)  # naive in-sample error 1 (no season shorter than the history)
    forecasts = {
        name: [Forecast(np.full(2, e), np.full((2, 9), e)) for e in values]
        for name, values in errors.items()
    }
    return Backtest(origins, forecasts, [np.zeros(2)] * len(origins), [history] * len(origins))


def _rows(target: float, source: float) -> list[float]:
    return [target] * 2 + [source] * 6  # series 0 is the target, 1-3 are sources


def test_choose_pools_source_series_and_says_so():
    bt = _backtest_with_errors(
        {"seasonal_naive": _rows(1.0, 1.0), "a": _rows(0.8, 2.0), "b": _rows(0.9, 0.5)}, 4
    )
    target_only = choose(Backtest(bt.origins[:2], {k: v[:2] for k, v in bt.forecasts.items()},
                                  bt.actuals[:2], bt.histories[:2]), 24)  # fmt: skip
    assert target_only[0] == {"a": 1.0} and "source" not in target_only[2]
    weights, scores, reason = choose(bt, 24, target={0})
    assert weights == {"b": 1.0} and scores["b"] == pytest.approx(0.6)
    assert "3 source series" in reason and "on the target alone 0.900" in reason
    # Counting the target rows many times brings back the target's own choice.
    assert choose(bt, 24, target={0}, target_weight=1000)[0] == {"a": 1.0}


def test_pooled_choice_never_lost_to_seasonal_naive_on_the_target():
    # b is best over the pool but worse than seasonal naive on the target itself.
    bt = _backtest_with_errors(
        {"seasonal_naive": _rows(1.0, 1.0), "a": _rows(0.95, 2.0), "b": _rows(1.3, 0.3)}, 4
    )
    weights, scores, reason = choose(bt, 24, target={0})
    on_target = combine({n: bt.forecasts[n][0] for n in weights}, weights).mean[0]
    assert "b" not in weights or on_target <= 1.0
    assert on_target <= 1.0 and "lost to seasonal naive there" in reason
    assert min(scores, key=scores.get) not in (" + ".join(weights), next(iter(weights)))


def test_cut_at_keeps_what_the_target_knew(panel):
    s = panel.series[0]
    assert len(cut_at(s, s.index[9]).values) == 10
    assert cut_at(s, s.index[0] - pd.Timedelta("1h")) is None


def test_prefer_mean_takes_the_mean_of_the_good_methods_unless_it_lost_on_the_target():
    errors = {"seasonal_naive": _rows(1.0, 1.0), "a": _rows(0.8, 0.6), "b": _rows(0.9, 0.7)}
    bt = _backtest_with_errors(errors, 4)
    assert choose(bt, 24, target={0})[0] == {"a": 1.0}
    weights, _scores, reason = choose(bt, 24, target={0}, prefer_mean=True)
    assert weights == {"a": 1.0, "b": 1.0} and "equal-weight mean of the 2 methods" in reason
    # The mean lost to seasonal naive on the target: fall back to the guarded choice.
    errors["b"] = _rows(1.5, 0.7)
    weights, _scores, reason = choose(_backtest_with_errors(errors, 4), 24, target={0},
                                      prefer_mean=True)  # fmt: skip
    assert weights == {"a": 1.0} and "lowest mean MASE" in reason


def test_without_combinations_only_single_methods_are_options():
    errors = {"seasonal_naive": _rows(1.0, 1.0), "a": _rows(0.8, 0.6), "b": _rows(0.9, 0.7)}
    bt = _backtest_with_errors(errors, 4)
    weights, scores, _reason = choose(bt, 24, combinations=False)
    assert set(scores) == set(errors) and weights == {"a": 1.0}


def test_inner_backtests_skip_origins_right_after_an_interpolated_value():
    t = pd.date_range("2024-01-01", periods=60, freq="D")
    y = pd.Series(10 + np.sin(np.arange(60) * 2 * np.pi / 7), index=t)
    y.iloc[52] = np.nan  # just before the origin 53 of the last window
    panel = check_panel(y)
    method = {"seasonal_naive": StatsForecastMethod("seasonal_naive", [7], 7)}
    kwargs = dict(horizon=7, n_origins=3, step=7, min_train=15)
    origins = [o for _, o in run_backtest(method, panel.series, "D", **kwargs).origins]
    assert origins == [39, 46]  # 53 is left out
    assert [
        o
        for _, o in run_backtest(method, check_panel(y.fillna(10.0)).series, "D", **kwargs).origins
    ] == [39, 46, 53]


def test_a_method_fitted_once_sees_no_series_past_the_earliest_inner_origin():
    t = pd.date_range("2024-01-01", periods=60, freq="D")
    long = pd.DataFrame({"id": "long", "timestamp": t, "value": np.arange(60.0)})
    short = long.iloc[:40].assign(id="short")  # ends 20 days earlier
    panel = check_panel(pd.concat([long, short]))
    seen = []

    class Recorder(StatsForecastMethod):
        def fit(self, histories, freq):
            seen.extend(h.index[-1] for h in histories)
            return self

    method = {"naive": Recorder("seasonal_naive", [7], 7)}
    backtest = run_backtest(method, panel.series, "D", horizon=7, n_origins=2, step=7, min_train=15)
    earliest = min(panel.series[i].index[o] for i, o in backtest.origins)
    assert seen and max(seen) < earliest
