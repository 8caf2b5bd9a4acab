import pandas as pd
from typer.testing import CliRunner

from graft.cli.main import app

runner = CliRunner()


def test_fit_predict_backtest(tmp_path, hourly_panel):
    data = tmp_path / "data.csv"
    hourly_panel(days=10).rename(columns={"id": "store", "timestamp": "ts"}).to_csv(
        data, index=False
    )
    common = ["--id", "store", "--time", "ts", "--value", "value", "--horizon", "12"]
    bundle = tmp_path / "m.graft"
    result = runner.invoke(
        app, ["forecast", "fit", str(data), *common, "--strategy", "baseline", "--out", str(bundle)]
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "p.csv"
    result = runner.invoke(app, ["forecast", "predict", str(bundle), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0].startswith("store,ts,mean,q0.1")
    report = tmp_path / "r.json"
    result = runner.invoke(
        app,
        ["forecast", "backtest", str(data), *common, "--strategies", "zero_shot",
         "--baselines", "seasonal_naive", "--origins", "2", "--json", str(report)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert report.is_file()
    # The plain predict command names the forecasting one instead of failing obscurely.
    result = runner.invoke(app, ["predict", str(bundle), str(data), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "graft forecast predict" in result.output
    assert not (tmp_path / "x").exists()


def test_errors_exit_2_and_write_nothing(tmp_path, hourly_panel):
    data = tmp_path / "data.csv"
    hourly_panel(days=3).to_csv(data, index=False)
    out = tmp_path / "m.graft"
    result = runner.invoke(
        app, ["forecast", "fit", str(data), "--value", "nope", "--horizon", "4", "--out", str(out)]
    )
    assert result.exit_code == 2 and "error:" in result.output and not out.exists()
    result = runner.invoke(app, ["forecast", "predict", str(tmp_path / "none"), "--out", "x.csv"])
    assert result.exit_code == 2 and "error:" in result.output
    result = runner.invoke(
        app, ["forecast", "backtest", str(data), "--horizon", "4", "--strategies", "bogus"]
    )
    assert result.exit_code == 2 and "bogus" in result.output


def test_auto_with_source_explains_the_pooled_choice(tmp_path, hourly_panel):
    data, source = tmp_path / "data.csv", tmp_path / "source.csv"
    hourly_panel(days=10).to_csv(data, index=False)
    hourly_panel(ids=("s1", "s2"), days=10, seed=9).to_csv(source, index=False)
    out = tmp_path / "m.graft"
    args = ["forecast", "fit", str(data), "--horizon", "12", "--source-data", str(source)]
    result = runner.invoke(app, [*args, "--selection", "everything", "--out", str(out)])
    assert result.exit_code == 2 and "selection" in result.output and not out.exists()
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 source series" in " ".join(result.output.split())


def test_bad_freq_and_blank_ids_are_one_line_errors(tmp_path, hourly_panel):
    data = tmp_path / "data.csv"
    frame = hourly_panel(ids=("a", "b"), days=3)
    frame.to_csv(data, index=False)
    out = tmp_path / "m.graft"
    args = ["forecast", "fit", str(data), "--horizon", "4", "--strategy", "baseline"]
    result = runner.invoke(app, [*args, "--freq", "xyz", "--out", str(out)])
    assert result.exit_code == 2 and "error:" in result.output and "xyz" in result.output
    assert "Traceback" not in result.output and not out.exists()
    frame.loc[frame.index[-3:], "id"] = None  # blank id cells in the CSV
    frame.to_csv(data, index=False)
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2 and "no series id" in result.output and not out.exists()


def test_backtest_origins_must_be_positive(tmp_path, hourly_panel):
    data = tmp_path / "data.csv"
    hourly_panel(days=10).to_csv(data, index=False)
    result = runner.invoke(
        app, ["forecast", "backtest", str(data), "--horizon", "12", "--origins", "0"]
    )
    assert result.exit_code == 2 and "--origins 0 must be at least 1" in result.output


def test_ids_keep_leading_zeros_and_a_wrong_id_column_is_refused(tmp_path, hourly_panel):
    data = tmp_path / "data.csv"
    panel = hourly_panel(ids=("a", "b"), days=4)
    panel["id"] = panel["id"].map({"a": "001", "b": "1"})
    panel.to_csv(data, index=False)
    bundle, out = tmp_path / "m.graft", tmp_path / "p.csv"
    fit = ["forecast", "fit", str(data), "--horizon", "6", "--strategy", "baseline"]
    result = runner.invoke(app, [*fit, "--baseline", "seasonal_naive", "--out", str(bundle)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["forecast", "predict", str(bundle), "--out", str(out)])
    assert result.exit_code == 0, result.output
    ids = pd.read_csv(out, dtype={"id": str})["id"]
    assert sorted(set(ids)) == ["001", "1"]
    wrong = tmp_path / "w.graft"
    result = runner.invoke(app, [*fit, "--id", "store", "--out", str(wrong)])
    assert result.exit_code == 2 and "id column 'store'" in result.output
    assert not wrong.exists()


def test_backtest_takes_covariates_and_jsonl_integer_ids_stay_integers(tmp_path, hourly_panel):
    data = tmp_path / "data.jsonl"
    panel = hourly_panel(ids=("a",), days=6, covariate=True)
    panel.assign(id=7).to_json(data, orient="records", lines=True, date_format="iso")
    result = runner.invoke(
        app,
        ["forecast", "backtest", str(data), "--horizon", "12", "--covariates", "temp",
         "--strategies", "warm_start", "--baselines", "seasonal_naive", "--origins", "2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    bundle, out = tmp_path / "m.graft", tmp_path / "p.jsonl"
    fit = ["forecast", "fit", str(data), "--horizon", "6", "--strategy", "baseline"]
    assert runner.invoke(app, [*fit, "--out", str(bundle)]).exit_code == 0
    assert (
        runner.invoke(app, ["forecast", "predict", str(bundle), "--out", str(out)]).exit_code == 0
    )
    assert set(pd.read_json(out, lines=True)["id"]) == {7}


def test_jsonl_forecasts_hold_iso_timestamps_with_their_zone(tmp_path, hourly_panel):
    data = tmp_path / "data.csv"
    panel = hourly_panel(ids=("a",), days=4)
    panel["timestamp"] = pd.to_datetime(panel["timestamp"]).dt.tz_localize("UTC")
    panel.to_csv(data, index=False)
    bundle, out = tmp_path / "m.graft", tmp_path / "p.jsonl"
    fit = ["forecast", "fit", str(data), "--horizon", "3", "--strategy", "baseline"]
    result = runner.invoke(app, [*fit, "--baseline", "seasonal_naive", "--out", str(bundle)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["forecast", "predict", str(bundle), "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = pd.read_json(out, lines=True, convert_dates=False, dtype=False)["timestamp"][0]
    last = pd.to_datetime(panel["timestamp"]).iloc[-1] + pd.Timedelta(hours=1)
    assert first == last.isoformat()  # e.g. 2024-01-05T00:00:00+00:00, not epoch ms


def test_max_gap_and_season_length_are_cli_options_named_in_errors(tmp_path, hourly_panel):
    data, out = tmp_path / "data.csv", tmp_path / "m.graft"
    hourly_panel(days=6).drop(index=range(50, 80)).to_csv(data, index=False)  # 30 h missing
    fit = ["forecast", "fit", str(data), "--horizon", "4", "--strategy", "baseline"]
    fit += ["--baseline", "seasonal_naive", "--out", str(out)]
    result = runner.invoke(app, fit)
    assert result.exit_code == 2 and "max_gap= / --max-gap" in result.output
    assert not out.exists()
    result = runner.invoke(app, [*fit, "--max-gap", "30", "--season-length", "12"])
    assert result.exit_code == 0, result.output
    import graft

    model = graft.load(out)
    assert model.max_gap == 30 and model.seasons_ == [12]
    backtest = ["forecast", "backtest", str(data), "--horizon", "4", "--origins", "2"]
    backtest += ["--strategies", "baseline", "--baselines", "seasonal_naive"]
    result = runner.invoke(app, backtest)
    assert result.exit_code == 2 and "--max-gap" in result.output
    result = runner.invoke(app, [*backtest, "--max-gap", "30", "--season-length", "12,24"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*backtest, "--season-length", "0"])
    assert result.exit_code == 2 and "--season-length '0' must be whole numbers" in result.output
    # Baselines alone read the same settings.
    baselines_only = ["forecast", "backtest", str(data), "--horizon", "4", "--origins", "2"]
    baselines_only += ["--strategies", "", "--baselines", "seasonal_naive", "--max-gap", "30"]
    result = runner.invoke(app, [*baselines_only, "--season-length", "12"])
    assert result.exit_code == 0, result.output


def test_too_short_for_the_season_names_the_cli_option(tmp_path):
    data, out = tmp_path / "data.csv", tmp_path / "m.graft"
    t = pd.date_range("2024-01-01", periods=300, freq="min")
    pd.DataFrame({"timestamp": t, "value": range(300)}).to_csv(data, index=False)
    fit = ["forecast", "fit", str(data), "--horizon", "6", "--strategy", "baseline"]
    fit += ["--baseline", "seasonal_naive", "--out", str(out)]
    result = runner.invoke(app, fit)
    assert result.exit_code == 2 and "season_length= / --season-length" in result.output
    assert runner.invoke(app, [*fit, "--season-length", "60"]).exit_code == 0


def test_backtest_title_counts_origins_per_series(tmp_path, hourly_panel):
    data = tmp_path / "data.csv"
    hourly_panel(ids=("a", "b", "c"), days=4).to_csv(data, index=False)
    result = runner.invoke(
        app,
        ["forecast", "backtest", str(data), "--horizon", "6", "--origins", "2",
         "--strategies", "", "--baselines", "seasonal_naive"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 rolling origins x 3 series" in result.output
