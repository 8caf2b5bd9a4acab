import warnings

import numpy as np
import pandas as pd
import pytest

from graft.data.timeseries import check_panel, infer_frequency, panel_frame, season_lengths
from graft.exceptions import DataError, SchemaError


def test_long_frame_becomes_panel_with_inferred_frequency(hourly_panel):
    panel = check_panel(hourly_panel(ids=("a", "b"), days=3))
    assert panel.freq == "h" and [s.id for s in panel.series] == ["a", "b"]
    assert len(panel.series[0].values) == 72
    back = panel_frame(panel)
    assert list(back.columns) == ["id", "timestamp", "value"] and len(back) == 144


def test_series_input_and_seasons():
    s = pd.Series(np.arange(40.0), index=pd.date_range("2024-01-01", periods=40, freq="QS"))
    panel = check_panel(s)
    assert panel.freq.startswith("QS") and season_lengths(panel.freq) == [4]
    assert season_lengths("30min") == [48, 336]
    assert season_lengths("D") == [7]
    assert season_lengths("B") == season_lengths("C") == [5]
    assert season_lengths("MS") == [12]


def test_gaps_are_interpolated_within_max_gap(hourly_panel):
    frame = hourly_panel(days=3).drop(index=[10, 11])  # two missing timestamps
    frame.loc[20, "value"] = np.nan
    panel = check_panel(frame)
    values = panel.series[0].values
    assert len(values) == 72 and np.isfinite(values).all()
    original = hourly_panel(days=3)["value"].to_numpy()
    assert values[9] < max(original[9], original[12]) + 1e-9  # between its neighbours


def test_frequency_inferred_despite_gaps():
    index = pd.date_range("2024-01-01", periods=50, freq="h").delete([5, 6, 30])
    assert infer_frequency(index, "x") == "h"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(index=range(10, 40)), "gap of 30"),
        (lambda f: pd.concat([f, f.iloc[[5]]]), "duplicate timestamp"),
        (lambda f: f.assign(value=f["value"].astype(object).where(f.index != 3, "x")), "Row 3"),
        (lambda f: f.drop(columns=["value"]), "value column"),
        (lambda f: f.assign(timestamp="not a date"), "does not parse"),
        (lambda f: f.iloc[:0], "empty"),
        (lambda f: f.assign(value=f["value"].where(f.index > 0)), "starts with missing"),
    ],
)
def test_bad_input_is_one_clear_error(change, message, hourly_panel):
    with pytest.raises(DataError, match=message):
        check_panel(change(hourly_panel(days=3)))


def test_irregular_timestamps_rejected(hourly_panel):
    frame = hourly_panel(days=3)
    frame.loc[7, "timestamp"] = frame.loc[7, "timestamp"] + pd.Timedelta(minutes=13)
    with pytest.raises(DataError, match="irregular"):
        check_panel(frame)


def test_fill_missing_raise_and_min_length(hourly_panel):
    frame = hourly_panel(days=3).drop(index=[10])
    with pytest.raises(DataError, match="missing value"):
        check_panel(frame, fill_missing="raise")
    with pytest.raises(DataError, match="at least 100"):
        check_panel(hourly_panel(days=3), min_length=100)


def test_covariates(hourly_panel):
    frame = hourly_panel(days=3, covariate=True)
    assert check_panel(frame, covariates="auto").covariates == ["temp"]
    assert check_panel(frame, covariates=["temp"]).series[0].covariates.shape == (72, 1)
    with pytest.raises(SchemaError, match="Covariate"):
        check_panel(frame, covariates=["humidity"])


def test_rows_without_a_series_id_are_refused_not_dropped(hourly_panel):
    frame = hourly_panel(ids=("a", "b"), days=2)
    frame.loc[frame.index[-5:], "id"] = None  # the end of series b
    with pytest.raises(DataError, match=r"^5 row\(s\) of data have no series id in column 'id'"):
        check_panel(frame)


def test_integer_years_are_years_other_numbers_are_refused():
    years = pd.DataFrame({"timestamp": range(1990, 2020), "value": np.arange(30.0)})
    panel = check_panel(years)
    assert panel.freq.startswith("YS") and panel.series[0].index[0] == pd.Timestamp("1990-01-01")
    assert check_panel(years.astype({"timestamp": float})).freq == panel.freq
    for numbers in (range(30), np.arange(1990, 2020) + 0.5):
        with pytest.raises(DataError, match=r"holds numbers, not dates.*years as whole numbers"):
            check_panel(years.assign(timestamp=numbers))


def test_epoch_milliseconds_as_pandas_to_json_writes_them_are_timestamps(tmp_path):
    from graft.data.io import read_table

    days = pd.date_range("2020-01-01", periods=30, freq="D")
    pd.DataFrame({"timestamp": days, "value": np.arange(30.0)}).to_json(
        tmp_path / "d.jsonl", orient="records", lines=True
    )  # pandas writes 1577836800000, ...
    panel = check_panel(read_table(tmp_path / "d.jsonl"))
    assert panel.freq == "D" and panel.series[0].index[0] == days[0]
    epoch_seconds = (days - pd.Timestamp("1970-01-01")) // pd.Timedelta("1s")
    seconds = pd.DataFrame({"timestamp": epoch_seconds, "value": range(30)})
    assert seconds["timestamp"].iloc[0] == 1577836800
    stamps = pd.DataFrame({"timestamp": days.strftime("%Y%m%d%H%M").astype("int64"), "value": 1})
    with pytest.raises(DataError, match="format='%Y%m%d%H%M'"):  # not 1976 in milliseconds
        check_panel(stamps)
    with pytest.raises(DataError, match=r"epoch seconds with pd.to_datetime\(..., unit='s'\)"):
        check_panel(seconds)


def test_unknown_freq_is_a_data_error(hourly_panel):
    with pytest.raises(DataError, match=r"freq='xyz' .* is not a pandas frequency"):
        check_panel(hourly_panel(days=2), freq="xyz")


def test_iso_text_with_changing_offsets_or_date_only_midnights_parses():
    local = pd.date_range("2024-03-25", periods=24 * 14, freq="h", tz="Europe/London")
    text = local.map(lambda t: t.isoformat(sep=" "))  # +00:00, then +01:00 after 31 March
    frame = pd.DataFrame({"timestamp": text, "value": np.arange(len(local), dtype=float)})
    panel = check_panel(frame)
    assert panel.freq == "h" and str(panel.series[0].index.tz) == "UTC"
    naive = pd.date_range("2024-01-01", periods=24 * 3, freq="h")
    text = [t.strftime("%Y-%m-%d") if t.hour == 0 else str(t) for t in naive]
    panel = check_panel(pd.DataFrame({"timestamp": text, "value": range(len(naive))}))
    assert len(panel.series[0].values) == len(naive)


def test_an_id_column_that_was_named_must_exist_and_covariates_must_be_numbers(hourly_panel):
    data = hourly_panel(ids=("a", "b"), days=2)
    with pytest.raises(SchemaError, match="id column 'store'"):
        check_panel(data.rename(columns={"id": "shop"}), id_column="store")
    single = data[data["id"] == "a"].drop(columns="id")
    assert len(check_panel(single)) == 1  # the default id column may be absent
    data["temp"] = 1.0
    data["temp"] = data["temp"].astype(object)
    data.loc[5, "temp"] = "hot"
    with pytest.raises(DataError, match="non-numeric value 'hot' in covariate 'temp'"):
        check_panel(data, covariates=["temp"])


def test_a_freq_finer_than_the_data_is_refused():
    s = pd.Series(range(30), index=pd.date_range("2024-01-01", periods=30, freq="D"))
    with pytest.raises(DataError, match="most of it would be invented"):
        check_panel(s, freq="h")


def test_an_inferred_freq_that_would_invent_most_of_the_series_is_refused():
    # 52 weekly values, then 200 daily ones: 'D' is inferred, and 306 of the 558 days
    # would have been interpolated without a word.
    weekly = pd.date_range("2023-01-01", periods=52, freq="W-SUN")
    daily = pd.date_range(weekly[-1] + pd.Timedelta(days=1), periods=200, freq="D")
    s = pd.Series(np.arange(252.0), index=weekly.append(daily))
    with pytest.raises(DataError, match=r"inferred .* so 306 of its 558 steps would be invented"):
        check_panel(s)


def test_local_midnight_dates_with_daylight_saving_offsets_stay_dates():
    local = pd.date_range("2024-03-01", periods=60, freq="D", tz="Europe/London")
    frame = pd.DataFrame({"timestamp": [t.isoformat() for t in local], "value": range(60)})
    panel = check_panel(frame)
    assert panel.freq == "D" and panel.series[0].index[0] == pd.Timestamp("2024-03-01")


def test_daily_stamps_at_one_local_hour_across_daylight_saving_keep_their_wall_times():
    local = pd.date_range("2024-03-01 06:00", periods=60, freq="D", tz="Europe/London")
    frame = pd.DataFrame({"timestamp": [t.isoformat() for t in local], "value": range(60)})
    panel = check_panel(frame)  # as read back from a CSV: offsets +00:00 then +01:00
    assert panel.freq == "D" and panel.series[0].index[-1] == pd.Timestamp("2024-04-29 06:00")
    hourly = pd.date_range("2024-03-30", periods=72, freq="h", tz="Europe/London")
    text = pd.DataFrame({"timestamp": [t.isoformat() for t in hourly], "value": range(72)})
    assert check_panel(text).series[0].index.tz is not None  # many hours a day: UTC instants


def test_inferred_hourly_data_with_nights_missing_is_read_as_before():
    t = pd.date_range("2024-01-01", periods=24 * 10, freq="h")
    day = t[(t.hour >= 8) & (t.hour <= 18)]
    panel = check_panel(pd.Series(np.arange(len(day), dtype=float), index=day), max_gap=24)
    assert panel.freq == "h"


def test_only_mixed_offsets_at_local_midnight_become_plain_dates():
    year = pd.date_range("2023-01-01", periods=400, freq="D", tz="Europe/London")
    text = pd.DataFrame({"timestamp": [t.isoformat() for t in year], "value": range(400)})
    assert check_panel(text).series[0].index.tz is None  # offsets change: wall dates
    aware = pd.DataFrame({"timestamp": year, "value": range(400)})
    assert str(check_panel(aware).series[0].index.tz) == "Europe/London"  # kept as given
    hourly = pd.date_range("2023-01-01", periods=48, freq="h", tz="UTC")
    assert check_panel(pd.Series(range(48), index=hourly)).series[0].index.tz is not None


def test_unparseable_dates_give_graft_s_error_without_pandas_warning():
    frame = pd.DataFrame({"timestamp": ["2024-01-01 25:00", "2024-01-02 25:00"], "value": [1, 2]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas' "Could not infer format" would raise here
        with pytest.raises(DataError, match="does not parse as dates"):
            check_panel(frame)


def test_dates_that_read_day_first_and_month_first_are_refused():
    months = [f"01/{m:02d}/2022" for m in range(1, 13)]  # 1 January ... 1 December, day-first
    frame = pd.DataFrame({"timestamp": months, "value": range(12)})
    with pytest.raises(DataError, match=r"read both day-first and month-first.*ISO 8601"):
        check_panel(frame)


def test_dates_that_read_day_first_only_are_read_day_first():
    days = ["31/01/2022", "01/02/2022", "02/02/2022", "03/02/2022"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no pandas warning about the order
        series = check_panel(pd.DataFrame({"timestamp": days, "value": range(4)})).series[0]
    assert list(series.index.strftime("%Y-%m-%d")) == [
        "2022-01-31", "2022-02-01", "2022-02-02", "2022-02-03"
    ]  # fmt: skip
    us = ["01/31/2022", "02/01/2022", "02/02/2022"]  # month-first only
    assert check_panel(pd.DataFrame({"timestamp": us, "value": range(3)})).freq == "D"


def test_max_gap_must_be_a_whole_number():
    s = pd.Series(range(30), index=pd.date_range("2024-01-01", periods=30, freq="D"))
    for bad in (-1, 2.5, "3", True):
        with pytest.raises(DataError, match=r"max_gap=.* must be an integer >= 0"):
            check_panel(s, max_gap=bad)


def test_an_empty_time_column_says_the_timestamps_are_missing():
    for empty in ([np.nan] * 3, [None] * 3):
        frame = pd.DataFrame({"timestamp": empty, "value": [1.0, 2.0, 3.0]})
        with pytest.raises(DataError, match="'timestamp' of data has no timestamps"):
            check_panel(frame)
