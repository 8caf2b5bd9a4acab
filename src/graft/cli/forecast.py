"""``graft forecast fit | predict | backtest``: forecasting from the command line."""

from pathlib import Path
from typing import Annotated

import typer

from graft.cli.main import _check_out, _console, _friendly, escape
from graft.exceptions import DataError

forecast_app = typer.Typer(
    no_args_is_help=True,
    help="Forecast a series or panel by transfer (Fracast-0, source series), with backtests.",
)

IdOpt = Annotated[str, typer.Option("--id", help="Column naming the series (absent: one).")]
TimeOpt = Annotated[str, typer.Option("--time", help="Timestamp column.")]
ValueOpt = Annotated[str, typer.Option("--value", help="Value column.")]
CovOpt = Annotated[
    str | None, typer.Option(help="Comma-separated covariate columns (e.g. temperature).")
]
SourceOpt = Annotated[
    Path | None, typer.Option(help="Related source series, same columns (for warm_start).")
]
MaxGapOpt = Annotated[
    int | None,
    typer.Option(help="Longest run of missing steps to interpolate (default: one season)."),
]
SeasonOpt = Annotated[
    str | None,
    typer.Option(
        help="Seasonal period(s) in steps, comma-separated (default: from the frequency, "
        "e.g. 48,336 for half-hourly data)."
    ),
]


def _read(path: Path, id_column: str):
    from graft.data.io import read_table

    return read_table(path, text_columns=(id_column,))  # ids such as 001 stay text


def _season_length(text: str | None):
    """``--season-length``: one period (an int) or several (a list), as season_length=."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise DataError(
            f"--season-length {text!r} must be whole numbers >= 1, comma-separated "
            "(e.g. 24 or 24,168)."
        )
    seasons = [int(p) for p in parts]
    return seasons[0] if len(seasons) == 1 else seasons


def _covariates(text: str | None):
    if not text:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


@forecast_app.command("fit")
@_friendly
def fit(
    data: Annotated[Path, typer.Argument(help="History: CSV, Parquet or JSONL, long format.")],
    horizon: Annotated[int, typer.Option(help="Steps to forecast.")],
    out: Annotated[Path, typer.Option(help="Bundle directory to write.")],
    id_column: IdOpt = "id",
    time_column: TimeOpt = "timestamp",
    value_column: ValueOpt = "value",
    covariates: CovOpt = None,
    source_data: SourceOpt = None,
    strategy: Annotated[
        str, typer.Option(help="auto, zero_shot, fine_tune, warm_start or baseline.")
    ] = "auto",
    baseline: Annotated[str, typer.Option(help="statsforecast model for baseline.")] = "mstl",
    freq: Annotated[str | None, typer.Option(help="pandas frequency (default: inferred).")] = None,
    season_length: SeasonOpt = None,
    max_gap: MaxGapOpt = None,
    selection: Annotated[
        str,
        typer.Option(
            help="What auto backtests: pooled (target + source series, cut at the target's "
            "end) or target (its own history)."
        ),
    ] = "pooled",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Fit a forecaster on DATA and save it as a bundle."""
    from graft.estimators.forecaster import TransferForecaster

    seasons = _season_length(season_length)
    frame = _read(data, id_column)
    source = _read(source_data, id_column) if source_data is not None else None
    _check_out(out, bundle=True)
    model = TransferForecaster(
        strategy=strategy,
        horizon=horizon,
        baseline=baseline,
        id_column=id_column,
        time_column=time_column,
        value_column=value_column,
        covariates=_covariates(covariates),
        freq=freq,
        season_length=seasons,
        max_gap=max_gap,
        selection=selection,
        random_state=seed,
    ).fit(frame, source=source)
    model.save(out)
    console = _console()
    console.print(f"[bold]chose:[/] {escape(model.strategy_)} — {escape(model.choice_reason_)}")
    console.print(f"saved bundle to {escape(str(out))} (fit {model.fit_seconds_:.1f}s)")


@forecast_app.command("predict")
@_friendly
def predict(
    bundle: Annotated[Path, typer.Argument(help="Bundle written by graft forecast fit.")],
    out: Annotated[Path, typer.Option(help="Output file (.csv, .parquet or .jsonl).")],
    data: Annotated[
        Path | None, typer.Option(help="Newer history to forecast from (default: the fitted one).")
    ] = None,
    future: Annotated[
        Path | None, typer.Option(help="Future covariate values, when the model uses them.")
    ] = None,
    horizon: Annotated[int | None, typer.Option(help="Steps (default: the fitted horizon).")] = (
        None
    ),
) -> None:
    """Forecast with a saved bundle; writes id, timestamp, mean and q0.1 .. q0.9."""
    import graft
    from graft.data.io import write_table

    model = graft.load(bundle)
    if getattr(model, "_task", None) != "forecasting":
        raise DataError(f"{bundle} holds a {model._task} model; use graft predict for it.")
    frame = _read(data, model.id_column) if data is not None else None
    future_frame = _read(future, model.id_column) if future is not None else None
    _check_out(out, table=True)
    result = model.predict(horizon, data=frame, future=future_frame)
    write_table(result, out)
    _console().print(f"wrote {len(result)} forecast rows to {escape(str(out))}")


@forecast_app.command("backtest")
@_friendly
def backtest(
    data: Annotated[Path, typer.Argument(help="History: CSV, Parquet or JSONL, long format.")],
    horizon: Annotated[int, typer.Option(help="Steps to forecast at each origin.")],
    id_column: IdOpt = "id",
    time_column: TimeOpt = "timestamp",
    value_column: ValueOpt = "value",
    covariates: CovOpt = None,
    freq: Annotated[str | None, typer.Option(help="pandas frequency (default: inferred).")] = None,
    season_length: SeasonOpt = None,
    max_gap: MaxGapOpt = None,
    source_data: SourceOpt = None,
    strategies: Annotated[
        str, typer.Option(help="Comma-separated strategies to backtest.")
    ] = "auto",
    baselines: Annotated[
        str, typer.Option(help="Comma-separated statsforecast baselines (first = reference).")
    ] = "seasonal_naive,auto_ets,auto_theta,mstl",
    origins: Annotated[int, typer.Option(help="Rolling origins per series.")] = 10,
    step: Annotated[int | None, typer.Option(help="Steps between origins (default horizon).")] = (
        None
    ),
    window: Annotated[
        int | None, typer.Option(help="Observations before each origin to fit on (default all).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON.")] = (
        None
    ),
) -> None:
    """Backtest strategies and baselines on rolling origins of DATA."""
    from graft.estimators.forecaster import FORECAST_STRATEGIES
    from graft.evaluate.backtest import backtest as run_backtest

    for option, value in (("--origins", origins), ("--step", step), ("--window", window)):
        if value is not None and value < 1:
            raise DataError(f"{option} {value} must be at least 1.")
    names = [s.strip() for s in strategies.split(",") if s.strip()]
    unknown = [s for s in names if s not in FORECAST_STRATEGIES]
    if unknown:
        raise DataError(
            f"--strategies has unknown names {unknown}; use {', '.join(FORECAST_STRATEGIES)}."
        )
    seasons = _season_length(season_length)
    frame = _read(data, id_column)
    source = _read(source_data, id_column) if source_data is not None else None
    if json_out is not None:
        _check_out(json_out)
    report = run_backtest(
        names,
        frame,
        source=source,
        horizon=horizon,
        n_origins=origins,
        step=step,
        window=window,
        baselines=[b.strip() for b in baselines.split(",") if b.strip()],
        id_column=id_column,
        time_column=time_column,
        value_column=value_column,
        covariates=_covariates(covariates),
        freq=freq,
        season_length=seasons,
        max_gap=max_gap,
        random_state=seed,
    )
    _console().print(report.table())
    if json_out is not None:
        report.save_json(json_out)
        _console().print(f"report saved to {escape(str(json_out))}")
