import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import graft
from graft import TransferForecaster
from graft.exceptions import BundleError, DataError, SchemaError

FAST = {"horizon": 24, "epochs": 1, "random_state": 0}


@pytest.fixture(scope="module")
def data(hourly_panel):
    return hourly_panel(ids=("a", "b"), days=14)


@pytest.fixture(scope="module")
def auto_model(data, hourly_panel):
    source = hourly_panel(ids=("s",), days=21, seed=3, start="2023-01-02")
    model = TransferForecaster(
        strategy="auto",
        candidates=["seasonal_naive", "mstl", "zero_shot", "fine_tune", "warm_start"],
        n_origins=2,
        **FAST,
    )
    return model.fit(data, source=source)


def test_auto_predicts_quantiles_and_explains(auto_model, data):
    out = auto_model.predict()
    assert list(out.columns[:3]) == ["id", "timestamp", "mean"] and len(out) == 48
    q = out[[c for c in out.columns if c.startswith("q")]].to_numpy()
    assert q.shape[1] == 9 and np.all(np.diff(q, axis=1) >= 0)
    assert out["timestamp"].min() > pd.Timestamp(data["timestamp"].max())
    assert auto_model.choice_reason_ and auto_model.strategy_
    naive = auto_model.auto_scores_["seasonal_naive"]
    chosen = min(auto_model.auto_scores_.values())
    assert chosen <= naive
    assert len(auto_model.predict(6)) == 12


@pytest.mark.parametrize("strategy", ["zero_shot", "fine_tune", "baseline"])
def test_single_strategies(strategy, hourly_panel):
    y = hourly_panel(days=10).set_index("timestamp")["value"]
    model = TransferForecaster(strategy=strategy, **FAST).fit(y)
    out = model.predict()
    assert len(out) == 24 and np.isfinite(out["mean"]).all()


def test_warm_start_with_covariates_needs_future(hourly_panel):
    data = hourly_panel(days=14, covariate=True)
    source = hourly_panel(ids=("s",), days=21, covariate=True, seed=4)
    model = TransferForecaster(strategy="warm_start", covariates=["temp"], **FAST)
    model.fit(data.iloc[:-24], source=source)
    with pytest.raises(DataError, match="future= / --future"):
        model.predict()
    future = data.iloc[-24:].drop(columns=["value"])
    out = model.predict(future=future)
    assert len(out) == 24 and model.covariates_used_ == ["temp"]


def test_sklearn_contract(data):
    model = TransferForecaster(strategy="baseline", baseline="seasonal_naive", horizon=12)
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(Exception, match="not fitted"):
        model.predict()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"strategy": "magic"}, "strategy"),
        ({"horizon": 0}, "horizon"),
        ({"baseline": "prophet"}, "baseline"),
        ({"candidates": ["nope"]}, "candidates"),
        ({"season_length": "x"}, "season_length"),
        ({"selection": "global"}, "selection"),
        ({"target_weight": 0}, "target_weight"),
        ({"target_weight": "heavy"}, "target_weight"),
        ({"target_weight": float("inf")}, "target_weight"),
        ({"season_length": 0}, "season_length=0 must be an integer >= 1"),
        ({"season_length": [24, 0]}, "season_length"),
        ({"random_state": "seed"}, "random_state='seed' must be None, an integer"),
        ({"random_state": -1}, "random_state"),
        ({"candidates": 5}, "candidates=5 must be a list"),
        ({"candidates": "auto_ets,nope"}, r"unknown names \['nope'\]"),
    ],
)
def test_bad_params(params, message, data):
    with pytest.raises(DataError, match=message):
        TransferForecaster(**{"strategy": "baseline", **params}).fit(data)


def test_auto_pools_source_series_without_looking_ahead(hourly_panel):
    data = hourly_panel(ids=("a",), days=14)
    source = hourly_panel(ids=("s", "t"), days=21, seed=5)  # 7 days past the target
    settings = dict(
        strategy="auto", candidates=["seasonal_naive", "mstl", "warm_start"], n_origins=2, **FAST
    )
    model = TransferForecaster(**settings).fit(data, source=source)
    assert "2 source series cut at the target's last timestamp" in model.choice_reason_
    assert model.lineage_["selection"]["pooled_source_series"] == 2
    # The source after the target's last timestamp is garbage now: nothing may move.
    late = pd.to_datetime(source["timestamp"]) > pd.to_datetime(data["timestamp"]).max()
    assert late.any()
    dirty = source.assign(value=source["value"].where(~late, 1e6))
    again = TransferForecaster(**settings).fit(data, source=dirty)
    assert again.auto_scores_ == model.auto_scores_ and again.weights_ == model.weights_
    # The source before it is evidence: changing it changes the pooled scores.
    moved = source.assign(value=source["value"].where(late, source["value"] * 1.5 + 3))
    other = TransferForecaster(**settings).fit(data, source=moved)
    assert other.auto_scores_ != model.auto_scores_
    own = TransferForecaster(selection="target", **settings).fit(data, source=source)
    assert "source" not in own.choice_reason_ and "selection" not in own.lineage_


def test_source_series_that_end_early_or_too_short_are_not_pooled(hourly_panel):
    data = hourly_panel(ids=("a",), days=14, start="2023-01-08")
    settings = dict(
        strategy="auto", candidates=["seasonal_naive", "mstl", "warm_start"], n_origins=2, **FAST
    )
    # Ends a week before the target: its origins would fall on earlier dates than the
    # target's, forecast by global models fitted on the target's later values.
    early = hourly_panel(ids=("s",), days=9, seed=5, start="2023-01-01")
    # Starts 2 days before the target ends: too short for a single inner origin.
    late = hourly_panel(ids=("t",), days=40, seed=6, start="2023-01-20")
    for source in (early, late):
        model = TransferForecaster(**settings).fit(data, source=source)
        assert "source series" not in model.choice_reason_
        assert "selection" not in model.lineage_


def test_a_target_series_too_short_to_backtest_does_not_make_the_choice_pooled(hourly_panel):
    data = pd.concat([hourly_panel(ids=("a",), days=14), hourly_panel(ids=("b",), days=3, seed=2)])
    model = TransferForecaster(
        strategy="auto",
        candidates=["seasonal_naive", "auto_ets", "auto_theta", "mstl"],
        n_origins=3,
        **FAST,
    ).fit(data)

    assert len(model.weights_) == 1  # target alone: a single method, never a combination
    assert "pooled" not in model.choice_reason_


def test_bad_calls(auto_model, data, hourly_panel):
    with pytest.raises(DataError, match="horizon"):
        auto_model.predict(100)
    with pytest.raises(DataError, match="at least"):
        TransferForecaster(strategy="baseline", horizon=4).fit(data.iloc[:5])
    with pytest.raises(DataError, match="mstl needs at least 49"):
        TransferForecaster(strategy="baseline", horizon=4).fit(data.iloc[:30])
    short = TransferForecaster(strategy="auto", horizon=4).fit(data.iloc[:30])
    assert short.strategy_ == "seasonal_naive" and "too short" in short.choice_reason_
    daily = hourly_panel(days=3).assign(timestamp=pd.date_range("2024-01-01", periods=72))
    with pytest.raises(DataError, match="frequency"):
        TransferForecaster(strategy="baseline", horizon=4).fit(data, source=daily)


def test_bundle_roundtrip_and_tamper(auto_model, tmp_path, hourly_panel):
    path = auto_model.save(tmp_path / "f.graft")
    loaded = graft.load(path)
    pd.testing.assert_frame_equal(loaded.predict(), auto_model.predict())
    assert loaded.strategy_ == auto_model.strategy_
    newer = hourly_panel(ids=("a",), days=15).iloc[-200:]
    assert len(loaded.predict(data=newer)) == 24
    (path / "history.parquet").write_bytes(b"broken")
    with pytest.raises(BundleError, match="hash"):
        graft.load(path)


def test_bundle_of_fine_tune_and_warm_start(tmp_path, hourly_panel):
    data = hourly_panel(days=10)
    source = hourly_panel(ids=("s",), days=14, seed=5)
    for strategy in ("fine_tune", "warm_start"):
        model = TransferForecaster(strategy=strategy, **FAST).fit(data, source=source)
        loaded = graft.load(model.save(tmp_path / f"{strategy}.graft"))
        np.testing.assert_allclose(loaded.predict()["mean"], model.predict()["mean"])


def test_covariates_are_demanded_only_when_the_chosen_method_reads_them(tmp_path, hourly_panel):
    data = hourly_panel(days=10, covariate=True)
    model = TransferForecaster(
        strategy="baseline", baseline="seasonal_naive", covariates=["temp"], **FAST
    ).fit(data)
    assert model.covariates_used_ == [] and model.covariate_columns_ == ["temp"]
    assert len(model.predict()) == 24  # no future= needed: seasonal naive ignores temp
    newer = data.drop(columns=["temp"]).iloc[-100:]
    assert len(model.predict(data=newer)) == 24
    loaded = graft.load(model.save(tmp_path / "b.graft"))
    assert loaded.covariates_used_ == [] and len(loaded.predict()) == 24


def test_random_state_may_be_a_random_state_and_candidates_a_string(data):
    model = TransferForecaster(
        strategy="baseline", baseline="seasonal_naive", horizon=12,
        random_state=np.random.RandomState(0),
    ).fit(data)  # fmt: skip
    assert isinstance(model.seed_, int) and len(model.predict()) == 24
    auto = TransferForecaster(
        strategy="auto", candidates="seasonal_naive, auto_theta", horizon=12, n_origins=2
    ).fit(data)
    assert set(auto.auto_scores_) == {"seasonal_naive", "auto_theta"}


def test_too_short_for_the_inferred_seasons_suggests_season_length():
    t = pd.date_range("2024-01-01", periods=300, freq="min")
    minutes = pd.DataFrame({"timestamp": t, "value": np.sin(np.arange(300) / 10)})
    with pytest.raises(DataError, match=r"at least 1441 with the seasons \[1440, 10080\].*"
                       "season_length="):  # fmt: skip
        TransferForecaster(strategy="baseline", baseline="seasonal_naive", horizon=6).fit(minutes)
    model = TransferForecaster(
        strategy="baseline", baseline="seasonal_naive", horizon=6, season_length=60
    ).fit(minutes)
    assert len(model.predict()) == 6


def test_integer_years_are_annual_timestamps():
    years = pd.DataFrame({"timestamp": range(1990, 2020), "value": np.arange(30.0) % 7})
    model = TransferForecaster(strategy="baseline", baseline="seasonal_naive", horizon=3)
    out = model.fit(years).predict()
    # Given back as the numbers they were, so forecasts merge with the input on the year.
    assert out["timestamp"].tolist() == [2020, 2021, 2022]
    assert pd.api.types.is_integer_dtype(out["timestamp"])
    assert len(pd.concat([years, out]).merge(years, on="timestamp")) == 30


def test_integer_years_stay_integers_through_a_bundle_and_new_data(tmp_path):
    frame = pd.DataFrame({"year": range(1995, 2020), "value": np.arange(25.0)})
    model = TransferForecaster(
        strategy="baseline", baseline="auto_ets", horizon=3, time_column="year"
    ).fit(frame)
    loaded = graft.load(model.save(tmp_path / "m.graft"))
    assert loaded.predict()["year"].tolist() == [2020, 2021, 2022]
    dated = frame.assign(year=pd.to_datetime(frame["year"].astype(str), format="%Y"))
    assert loaded.predict(data=dated)["year"].dt.year.tolist() == [2020, 2021, 2022]


def test_target_selection_trains_warm_start_on_source_before_the_inner_origins(hourly_panel):
    data = hourly_panel(ids=("a",), days=14)
    source = hourly_panel(ids=("s",), days=21, seed=5)  # overlaps the target, and goes on
    settings = dict(
        strategy="auto", candidates=["seasonal_naive", "warm_start"], selection="target",
        n_origins=2, **FAST,
    )  # fmt: skip
    model = TransferForecaster(**settings).fit(data, source=source)
    assert "warm_start" in model.auto_scores_
    # Source values from the first inner origin on are garbage now: the inner backtest of
    # warm_start must not move (the final model may use them: they precede its forecast).
    first_origin = pd.to_datetime(data["timestamp"]).iloc[-2 * 24]
    late = pd.to_datetime(source["timestamp"]) >= first_origin
    dirty = source.assign(value=source["value"].where(~late, 1e6))
    again = TransferForecaster(**settings).fit(data, source=dirty)
    assert again.auto_scores_ == model.auto_scores_
    # Values before it are what the source model learns from.
    moved = source.assign(value=source["value"].where(late, source["value"] * 1.5 + 3))
    other = TransferForecaster(**settings).fit(data, source=moved)
    assert other.auto_scores_["warm_start"] != model.auto_scores_["warm_start"]


def test_inner_backtest_source_is_cut_only_where_it_overlaps_the_target(hourly_panel):
    data = hourly_panel(ids=("a",), days=14, start="2024-03-01")
    source = pd.concat(
        [
            hourly_panel(ids=("before",), days=10, seed=1, start="2024-01-01"),
            hourly_panel(ids=("after",), days=10, seed=2, start="2024-06-01"),
            hourly_panel(ids=("overlap",), days=30, seed=3, start="2024-02-20"),
        ]
    )
    model = TransferForecaster(strategy="auto", n_origins=2, **FAST)
    panel, source_panel = model._prepare(data, source)
    cut = {s.id: s for s in model._source_before_origins(panel, source_panel).series}
    full = {s.id: s for s in source_panel.series}
    first_origin = panel.series[0].index[-2 * 24]
    assert cut["before"] is full["before"] and cut["after"] is full["after"]  # as is
    assert cut["overlap"].index[-1] == first_origin - pd.Timedelta(hours=1)


def test_auto_keeps_the_seasonal_naive_guard_when_candidates_leave_it_out():
    rng = np.random.default_rng(0)
    t = pd.date_range("2024-01-01", periods=70, freq="D")
    y = np.tile([1, 1, 1, 1, 1, 20, 20.0], 10) + rng.normal(0, 0.05, 70)
    model = TransferForecaster(strategy="auto", horizon=7, candidates=["zero_shot"])
    model.fit(pd.DataFrame({"timestamp": t, "value": y}))
    assert model.strategy_ == "seasonal_naive"


def test_auto_on_a_panel_chooses_among_methods_its_shortest_series_allows():
    rng = np.random.default_rng(0)

    def series(n, sid, start):
        t = pd.date_range(start, periods=n, freq="D")
        wave = 10 + 3 * np.sin(np.arange(n) * 2 * np.pi / 7)
        return pd.DataFrame({"id": sid, "timestamp": t, "value": wave + rng.normal(0, 0.3, n)})

    data = pd.concat([series(120, "long", "2024-01-01"), series(11, "short", "2024-04-19")])
    model = TransferForecaster(
        strategy="auto", horizon=7, candidates=["seasonal_naive", "auto_ets", "mstl"]
    ).fit(data)
    assert model.predict().groupby("id").size().to_dict() == {"long": 7, "short": 7}


def test_future_rows_with_an_empty_value_column_are_read_for_their_covariates():
    t = pd.date_range("2024-01-01", periods=60, freq="D")
    data = pd.DataFrame({"timestamp": t, "value": np.sin(np.arange(60)), "temp": np.arange(60.0)})
    model = TransferForecaster(strategy="warm_start", horizon=3, covariates=["temp"]).fit(data)
    steps = pd.date_range(t[-1], periods=4, freq="D")[1:]
    future = pd.DataFrame({"timestamp": steps, "temp": [60.0, 61, 62], "value": np.nan})
    assert len(model.predict(future=future)) == 3


def test_a_future_frame_with_past_rows_is_read_at_the_horizon_steps_only():
    t = pd.date_range("2024-01-01", periods=63, freq="D")
    weather = pd.DataFrame({"id": "m", "timestamp": t, "temp": np.arange(63.0)})
    data = weather.iloc[:60].assign(value=np.sin(np.arange(60)))
    model = TransferForecaster(strategy="warm_start", horizon=3, covariates=["temp"]).fit(data)
    expected = model.predict(future=weather.iloc[60:])
    gappy = weather.copy()
    gappy.loc[10, "temp"] = np.nan  # gaps in the past rows of the record
    gappy = gappy.drop(index=[20, 21])
    pd.testing.assert_frame_equal(model.predict(future=gappy), expected)
    gappy.loc[61, "temp"] = np.nan  # a step to forecast must still be given
    with pytest.raises(DataError, match="2024-03-02"):
        model.predict(future=gappy)


def test_integer_series_ids_come_back_as_integers(tmp_path):
    t = pd.date_range("2024-01-01", periods=30, freq="D")
    data = pd.concat(
        [
            pd.DataFrame({"id": sid, "timestamp": t, "value": np.arange(30.0) + sid})
            for sid in (7, 8)
        ]
    )
    model = TransferForecaster(strategy="baseline", baseline="seasonal_naive", horizon=2).fit(data)
    forecast = model.predict()
    assert forecast["id"].tolist() == [7, 7, 8, 8]
    assert forecast.merge(pd.DataFrame({"id": [7, 8], "store": ["a", "b"]}), on="id").shape[0] == 4
    model.save(tmp_path / "m.graft")
    assert graft.load(tmp_path / "m.graft").predict()["id"].tolist() == [7, 7, 8, 8]


def test_a_single_series_source_needs_no_id_column():
    t = pd.date_range("2024-01-01", periods=60, freq="D")
    stores = pd.concat(
        [pd.DataFrame({"store": k, "timestamp": t, "value": np.sin(np.arange(60)) + i})
         for i, k in enumerate(("a", "b"))]
    )  # fmt: skip
    national = pd.DataFrame({"timestamp": t, "value": np.sin(np.arange(60)) * 2})
    model = TransferForecaster(strategy="warm_start", horizon=3, id_column="store")
    assert len(model.fit(stores, source=national).predict()) == 6


def test_one_target_series_beside_a_source_split_by_a_custom_id_column(tmp_path):
    t = pd.date_range("2024-01-01", periods=60, freq="D")
    stores = pd.concat(
        [pd.DataFrame({"store": k, "date": t, "sales": np.sin(np.arange(60)) + i, "temp": 1.0})
         for i, k in enumerate(("a", "b"))]
    )  # fmt: skip
    target = stores[stores["store"] == "a"].drop(columns="store")  # one new store: no id
    kwargs = dict(horizon=3, id_column="store", time_column="date", value_column="sales")
    model = TransferForecaster(strategy="warm_start", **kwargs).fit(target, source=stores)
    assert model.lineage_["source"]["n_series"] == 2
    assert model.predict()["store"].tolist() == ["series"] * 3  # named as one series is
    assert len(graft.load(model.save(tmp_path / "m.graft")).predict(data=target)) == 3
    with_temp = TransferForecaster(strategy="warm_start", covariates=["temp"], **kwargs)
    with_temp.fit(target, source=stores)
    future = pd.DataFrame({"date": pd.date_range("2024-03-01", periods=3), "temp": 1.0})
    assert len(with_temp.predict(future=future)) == 3
    # New data or a future may carry the column, one naming the store, the other not.
    named = target.assign(store="a9")
    assert with_temp.predict(data=named, future=future)["mean"].notna().all()
    assert len(with_temp.predict(future=future.assign(store="a9"))) == 3
    # Missing from both: a misspelt name must not glue the source's series together.
    with pytest.raises(SchemaError, match="id column 'store'"):
        TransferForecaster(strategy="warm_start", **kwargs).fit(
            target, source=stores.rename(columns={"store": "shop"})
        )
    # A source without it, holding several series: the error points at the id column.
    with pytest.raises(DataError, match=r"duplicate timestamps: .*id_column= / --id"):
        TransferForecaster(strategy="warm_start", **{**kwargs, "id_column": "id"}).fit(
            target, source=stores
        )


def test_auto_scores_seasonal_naive_when_the_long_one_cannot_run():
    t = pd.date_range("2024-01-01", periods=100, freq="h")
    data = pd.DataFrame({"timestamp": t, "value": np.sin(np.arange(100) * 2 * np.pi / 24)})
    model = TransferForecaster(
        strategy="auto", horizon=6, n_origins=3, candidates=["seasonal_naive_long", "auto_ets"]
    ).fit(data)
    assert "seasonal_naive" in model.auto_scores_
    with pytest.raises(DataError, match="seasonal_naive_long needs 169"):
        TransferForecaster(strategy="auto", horizon=6, candidates=["seasonal_naive_long"]).fit(data)


def test_a_target_only_source_cut_drops_values_filled_from_after_it():
    t = pd.date_range("2024-01-01", periods=60, freq="D")
    target = pd.DataFrame({"timestamp": t, "value": np.sin(np.arange(60.0))})
    source = target.assign(id="s", value=np.cos(np.arange(60.0)))
    model = TransferForecaster(strategy="auto", horizon=7, n_origins=3, selection="target")
    panel, source_panel = model._prepare(target, source)
    first = panel.series[0].index[60 - 7 - 2 * 7]  # the first inner origin
    source.loc[source["timestamp"] == first - pd.Timedelta(days=1), "value"] = np.nan
    source.loc[source["timestamp"] == first, "value"] = 1000.0
    panel, source_panel = model._prepare(target, source)
    cut = model._source_before_origins(panel, source_panel).series[0]
    assert cut.index[-1] < first - pd.Timedelta(days=1) and cut.values.max() < 2


def test_a_business_day_warm_start_bundle_from_before_its_season_still_predicts(
    tmp_path, monkeypatch
):
    import json

    from graft import bundle
    from graft.strategies.forecasting import global_lightgbm

    t = pd.bdate_range("2024-01-01", periods=80)
    data = pd.DataFrame({"timestamp": t, "value": 10.0 + t.day_of_week})
    # Trained as graft did when business days had no season: no calendar fields.
    with monkeypatch.context() as patch:
        patch.setattr(global_lightgbm, "calendar", lambda index, freq: np.zeros((len(index), 0)))
        model = TransferForecaster(strategy="warm_start", horizon=5, random_state=0).fit(data)
        expected = model.predict()
    model.save(tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    del manifest["model"]["members"]["warm_start"]["calendar_fields"]  # as saved back then
    bundle.write_manifest(tmp_path / "m", manifest)

    pd.testing.assert_frame_equal(graft.load(tmp_path / "m").predict(), expected)


def test_business_days_get_a_weekly_season_of_five():
    from graft.strategies.forecasting.global_lightgbm import calendar

    t = pd.bdate_range("2024-01-01", periods=60)
    week = np.array([200.0, 150, 120, 110, 90])
    data = pd.DataFrame({"timestamp": t.strftime("%Y-%m-%d"), "value": week[t.day_of_week]})
    model = TransferForecaster(strategy="baseline", baseline="seasonal_naive", horizon=5)
    out = model.fit(data).predict()
    assert model.freq_ == "B" and model.seasons_ == [5]
    assert out["mean"].tolist() == week.tolist()  # not flat: Monday .. Friday again
    # warm_start's features keep the day of the week.
    assert (calendar(t[:5], "B")[:, 0] == np.arange(5)).all()
