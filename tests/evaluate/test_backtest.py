import numpy as np
import pytest

from graft import TransferForecaster
from graft.evaluate.backtest import backtest
from graft.exceptions import DataError


def test_backtest_report_and_no_look_ahead(hourly_panel):
    data = hourly_panel(days=12)
    kwargs = dict(horizon=24, n_origins=3, baselines=["seasonal_naive", "mstl"])
    tuned = {"fine_tune": TransferForecaster(strategy="fine_tune", epochs=1, horizon=24)}
    report = backtest(tuned, data, **kwargs)
    names = [c.name for c in report.candidates]
    assert names == ["seasonal_naive", "mstl", "fine_tune"] and report.n_origins == 3
    assert {"smape", "wql", "coverage80"} <= set(report.metrics["mstl"])
    assert len(report.origins) == 9 and report.candidates[1].verdict is not None
    assert "MASE" in str(report)
    # The scored windows hold garbage now; forecasts must not move.
    dirty = data.copy()
    dirty.loc[dirty.index[-24:], "value"] = 1e6
    again = backtest(tuned, dirty, **kwargs)
    for a, b in zip(report.origins, again.origins):
        np.testing.assert_allclose(a["forecast"], b["forecast"])
    assert report.origins[-1]["actual"] != again.origins[-1]["actual"]


def test_backtest_cuts_source_at_each_origin(hourly_panel):
    data = hourly_panel(days=12)
    source = hourly_panel(ids=("s",), days=12, seed=7)  # same dates: must be cut
    report = backtest(
        ["warm_start"], data, source=source, horizon=24, n_origins=2, baselines=["seasonal_naive"]
    )
    assert [c.name for c in report.candidates] == ["seasonal_naive", "warm_start"]
    dirty = source.copy()
    dirty.loc[dirty.index[-24:], "value"] = 1e6  # the source's values in the last window
    again = backtest(
        ["warm_start"], data, source=dirty, horizon=24, n_origins=2, baselines=["seasonal_naive"]
    )
    for a, b in zip(report.origins, again.origins):
        np.testing.assert_allclose(a["forecast"], b["forecast"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_origins": 0}, "n_origins=0 must be an integer >= 1"),
        ({"horizon": 0}, "horizon=0"),
        ({"step": 0}, "step=0"),
        ({"window": -5}, "window=-5"),
    ],
)
def test_backtest_design_is_checked(kwargs, message, hourly_panel):
    with pytest.raises(DataError, match=message):
        backtest([], hourly_panel(days=3), **{"horizon": 6, **kwargs})


def _daily(n=60, seed=0):
    import pandas as pd

    t = pd.date_range("2024-01-01", periods=n, freq="D")
    rng = np.random.RandomState(seed)
    y = 10 + np.sin(np.arange(n) * 2 * np.pi / 7) + 0.1 * rng.randn(n)
    return pd.DataFrame({"id": "a", "timestamp": t, "value": y})


def test_gaps_are_filled_from_the_past_only():
    data = _daily()
    data.loc[50, "value"] = np.nan  # a gap inside the last history
    kwargs = dict(horizon=7, n_origins=2, baselines=["seasonal_naive", "auto_ets"])
    report = backtest([], data, **kwargs)
    spiked = data.copy()
    spiked.loc[53:, "value"] = 1000.0  # everything from the last origin on
    again = backtest([], spiked, **kwargs)
    for a, b in zip(report.origins, again.origins):
        np.testing.assert_allclose(a["forecast"], b["forecast"])
    # A missing value just before an origin could only be filled from after it: skipped.
    data.loc[52, "value"] = np.nan
    skipped = backtest([], data, **kwargs)
    assert skipped.n_origins == 1


def test_backtest_reads_data_as_the_given_estimator_does_and_leaves_it_unchanged():
    import pandas as pd

    data = _daily()
    data["temp"] = np.arange(len(data), dtype=float)
    est = TransferForecaster(strategy="warm_start", horizon=3, covariates=["temp"], max_gap=20)
    est.fit(data)
    steps = pd.date_range(data["timestamp"].iloc[-1], periods=4, freq="D")[1:]
    future = pd.DataFrame({"id": "a", "timestamp": steps, "temp": [60.0, 61.0, 62.0]})
    before = est.predict(future=future)
    data.loc[20:34, "value"] = np.nan  # a 15-day gap: more than the default max_gap of 7
    report = backtest(est, data, horizon=7, n_origins=2, baselines=["seasonal_naive"])
    assert [c.name for c in report.candidates] == ["seasonal_naive", "warm_start"]
    assert est.horizon == 3
    np.testing.assert_allclose(est.predict(future=future)["mean"], before["mean"])


def test_a_source_series_that_starts_late_is_left_out_of_early_origins():
    import pandas as pd

    data = _daily(70)
    late = _daily(30, seed=1).assign(id="late")
    late["timestamp"] = pd.date_range("2024-02-28", periods=30, freq="D")
    source = pd.concat([_daily(70, seed=2).assign(id="early"), late], ignore_index=True)
    report = backtest(
        ["warm_start"], data, source=source, horizon=7, n_origins=4, baselines=["seasonal_naive"]
    )
    assert report.n_origins == 4


def test_one_origin_gives_no_verdict():
    report = backtest(["zero_shot"], _daily(22), horizon=7, baselines=["seasonal_naive"])
    assert report.n_origins == 1
    assert report.candidates[1].verdict == "no clear difference"


def test_time_zone_mismatch_with_the_source_is_refused():
    import pandas as pd

    data = _daily()  # stamped at noon: local midnights would be read as plain dates
    data["timestamp"] = (data["timestamp"] + pd.Timedelta(hours=12)).dt.tz_localize("UTC")
    with pytest.raises(DataError, match="time zone"):
        backtest(["warm_start"], data, source=_daily(seed=3), horizon=7, baselines=[])
    with pytest.raises(DataError, match="time zone"):
        TransferForecaster(strategy="warm_start", horizon=7).fit(data, source=_daily(seed=3))


def test_cuts_with_missing_rows_values_or_covariates_are_read_on_the_data_grid():
    data = _daily().drop(index=[43, 47, 50])  # missing rows: a cut alone looks irregular
    assert backtest([], data, horizon=7, n_origins=2, window=12, baselines=["seasonal_naive"])
    data = _daily()
    data.loc[31, "value"] = np.nan  # the first row of a window
    report = backtest([], data, horizon=7, n_origins=3, window=15, baselines=["seasonal_naive"])
    assert report.n_origins == 3
    data = _daily()
    data["temp"] = np.arange(60.0)
    data.loc[52, "temp"] = np.nan  # a covariate just before the last origin: skipped
    est = TransferForecaster(strategy="warm_start", horizon=7, covariates=["temp"])
    assert backtest(est, data, horizon=7, n_origins=2, baselines=[]).n_origins == 1


def test_a_source_gap_just_before_a_cut_is_left_out_not_filled_from_after_it():
    import pandas as pd

    source = _daily(seed=3).assign(id="s")
    source.loc[45, "value"] = np.nan  # the day before the first origin (46)
    source = pd.concat([source, _daily(seed=4).assign(id="t").drop(index=[20])])
    report = backtest(["warm_start"], _daily(), source=source, horizon=7, n_origins=2, baselines=[])
    assert report.n_origins == 2


def test_candidates_sharing_a_name_are_all_backtested():
    report = backtest(
        [
            TransferForecaster(strategy="baseline", baseline="auto_ets"),
            {"seasonal_naive": TransferForecaster(strategy="baseline", baseline="mstl")}[
                "seasonal_naive"
            ],
        ],
        _daily(),
        horizon=7,
        n_origins=2,
        baselines=["seasonal_naive"],
    )
    assert [c.name for c in report.candidates] == ["seasonal_naive", "auto_ets", "mstl"]
    report = backtest(
        {"seasonal_naive": TransferForecaster(strategy="baseline", baseline="auto_ets")},
        _daily(),
        horizon=7,
        n_origins=2,
        baselines=["seasonal_naive"],
    )
    assert [c.name for c in report.candidates] == ["seasonal_naive", "seasonal_naive#2"]


def test_each_candidate_reads_its_own_covariates_and_others_are_refused_in_one_line():
    import pandas as pd

    rng = np.random.default_rng(0)
    data = _daily(80).assign(promo=rng.normal(size=80), temp=rng.normal(size=80))
    plain = TransferForecaster(strategy="baseline", baseline="seasonal_naive", horizon=7)
    promo = TransferForecaster(strategy="warm_start", horizon=7, covariates=["promo"])
    report = backtest({"plain": plain, "promo": promo}, data, horizon=7, n_origins=2, baselines=[])
    assert [c.name for c in report.candidates] == ["plain", "promo"]
    from sklearn.linear_model import LinearRegression

    with pytest.raises(DataError, match="LinearRegression"):
        backtest([LinearRegression()], data, horizon=7, baselines=["seasonal_naive"])
    with pytest.raises(DataError, match="id_column=None"):
        backtest(TransferForecaster(id_column=None, horizon=7), data, horizon=7)
    assert isinstance(data, pd.DataFrame)


def test_mase_is_scaled_by_the_window_fitted_on():
    data = _daily(120)
    data.loc[:59, "value"] *= 5  # a noisier past outside the window
    whole = backtest([], data, horizon=7, n_origins=1, baselines=["seasonal_naive"])
    windowed = backtest([], data, horizon=7, n_origins=1, window=40, baselines=["seasonal_naive"])
    assert windowed.candidates[0].mean > whole.candidates[0].mean


def test_a_zone_aware_series_and_a_second_candidate_with_a_covariate_gap():
    import pandas as pd

    t = pd.date_range("2024-01-01", periods=120, freq="D", tz="Europe/Berlin")
    y = pd.Series(5 + np.sin(np.arange(120) * 2 * np.pi / 7), index=t)
    assert backtest([], y, horizon=7, n_origins=2, baselines=["seasonal_naive"]).n_origins == 2
    data = _daily(90).assign(x=np.cos(np.arange(90.0)))
    data.loc[87, "x"] = np.nan  # inside the last scored window: a known future, filled
    plain = TransferForecaster(strategy="baseline", baseline="mstl", horizon=7)
    with_x = TransferForecaster(strategy="warm_start", horizon=7, covariates=["x"])
    report = backtest([plain, with_x], data, horizon=7, n_origins=2, baselines=["seasonal_naive"])
    assert [c.name for c in report.candidates] == ["seasonal_naive", "mstl", "warm_start"]


def test_the_first_origin_leaves_every_candidate_the_history_it_needs(hourly_panel):
    data = hourly_panel(days=14)  # 336 hours: a weekly naive needs 169 before an origin
    kwargs = dict(horizon=24, baselines=["seasonal_naive", "seasonal_naive_long"])
    with pytest.raises(DataError) as info:
        backtest([], data, n_origins=10, **kwargs)
    message = str(info.value)
    assert "'seasonal_naive_long' needs 169" in message and "has 336" in message
    assert "n_origins=6" in message and "\n" not in message
    with pytest.raises(DataError, match="pass window=169 or more, or drop"):
        backtest([], data, n_origins=6, window=100, **kwargs)
    report = backtest([], data, n_origins=6, **kwargs)
    assert report.n_origins == 6  # both scored on the same six origins
    origins = [(r["candidate"], r["origin"]) for r in report.origins]
    assert sorted(o for c, o in origins if c == "seasonal_naive") == sorted(
        o for c, o in origins if c == "seasonal_naive_long"
    )


def test_a_source_cut_too_short_for_the_global_model_is_left_out_there():
    import pandas as pd

    data = _daily()  # origins 46 and 53
    source = _daily(seed=5).iloc[35:].assign(id="s")  # 11 days before 46: < 7 + 7
    report = backtest(["warm_start"], data, source=source, horizon=7, n_origins=2, baselines=[])
    assert report.n_origins == 2
    # Where neither the source nor the cut can train the global model: refused in one line.
    with pytest.raises(DataError, match=r"'warm_start' needs 21 .* n_origins=2, or drop"):
        backtest(["warm_start"], data, source=source, horizon=14, n_origins=3, baselines=[])
    assert isinstance(data, pd.DataFrame)


def test_baselines_read_the_season_length_given(hourly_panel):
    data = hourly_panel(days=10)
    default = backtest([], data, horizon=24, n_origins=2, baselines=["seasonal_naive"])
    twelve = backtest(
        [], data, horizon=24, n_origins=2, baselines=["seasonal_naive"], season_length=12
    )
    daily = default.candidates[0].mean
    assert twelve.candidates[0].mean > daily  # half a day back is a worse guess


def test_season_length_beside_a_forecaster_passed_in_is_refused(hourly_panel):
    with pytest.raises(DataError, match=r"season_length= set how the data is read.*on it"):
        backtest([TransferForecaster(strategy="baseline")], hourly_panel(days=6), season_length=12)


def test_the_candidates_order_does_not_change_the_origins(hourly_panel):
    data = hourly_panel(days=3)
    weekly = TransferForecaster(strategy="baseline", baseline="seasonal_naive", season_length=24)
    hourly = TransferForecaster(strategy="baseline", baseline="seasonal_naive", season_length=2)
    kwargs = dict(horizon=6, n_origins=4, baselines=[])
    one = backtest({"a": weekly, "b": hourly}, data, **kwargs)
    other = backtest({"b": hourly, "a": weekly}, data, **kwargs)
    assert one.n_origins == other.n_origins
    assert one.metrics["a"] == other.metrics["a"]
    assert [c.mean for c in one.candidates] == [c.mean for c in other.candidates][::-1]


def test_season_length_may_be_an_array(hourly_panel):
    report = backtest(
        [], hourly_panel(days=8), horizon=24, n_origins=2, baselines=["seasonal_naive"],
        season_length=np.array([24, 168]),
    )  # fmt: skip
    assert report.n_origins == 2
