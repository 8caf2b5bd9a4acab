"""Forecasting transfer benchmark: taylor (source elecdemand) and visnights (leave one
region out), every method on the same rolling origins. Writes
benchmarks/results/forecast_<task>.json (resumable: finished (method, series, origin)
records are kept and skipped).

Tasks
-----
* taylor_2w / taylor_4w: England & Wales half-hourly demand with 2 or 4 weeks of history
  before each origin, horizon 48 (one day), 10 daily origins over the last 10 days; the
  source for warm_start / auto is all of Victoria's 2014 demand (elecdemand), a different
  country and year, so it holds nothing of taylor's future.
* visnights: each of the 20 regions in turn is the target; its whole history before the
  origin is the training data and the other 19 regions, cut at the same origin, are the
  source. Horizon 4 quarters, 8 origins one quarter apart (the last 8 possible).

Every method is fitted only on data before the origin; ``auto`` chooses by its inner
backtest on data before the origin (the target's history, pooled with the source series cut
at the target's last timestamp: for visnights the other 19 regions, for taylor nothing,
since Victoria 2014 lies after England 2000), never on the scored window. Its rule was
chosen on earlier origins by benchmarks/forecasting_selection_study.py.

Usage: python benchmarks/forecasting.py [--tasks taylor_4w,visnights] [--methods ...] [--dev]
(--dev: the development origins, written to results/forecast_dev_<task>.json)
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from graft import TransferForecaster
from graft.data.io import write_json
from graft.datasets import load_elecdemand, load_taylor, load_visnights
from graft.strategies.forecasting.metrics import all_metrics

HERE = Path(__file__).parent
RESULTS = HERE / "results"

METHODS = {
    "seasonal_naive_daily": {"strategy": "baseline", "baseline": "seasonal_naive"},
    "seasonal_naive_weekly": {"strategy": "baseline", "baseline": "seasonal_naive_long"},
    "auto_ets": {"strategy": "baseline", "baseline": "auto_ets"},
    "auto_theta": {"strategy": "baseline", "baseline": "auto_theta"},
    "dynamic_theta": {"strategy": "baseline", "baseline": "dynamic_theta"},
    "mstl": {"strategy": "baseline", "baseline": "mstl"},
    "auto_arima": {"strategy": "baseline", "baseline": "auto_arima"},
    "fracast_zero_shot": {"strategy": "zero_shot"},
    "fracast_fine_tuned": {"strategy": "fine_tune"},
    "warm_start": {"strategy": "warm_start", "source": True},
    "auto": {"strategy": "auto", "source": True},
}
TASK_METHODS = {
    "taylor_2w": [m for m in METHODS if m != "auto_arima"],
    "taylor_4w": [m for m in METHODS if m != "auto_arima"],
    "visnights": [m for m in METHODS if m != "seasonal_naive_weekly"],
}
HORIZON = {"taylor_2w": 48, "taylor_4w": 48, "visnights": 4}
# --dev: the same cases this much earlier (the development origins of
# forecasting_selection_study.py), to check a rule without touching the scored origins.
DEV_SHIFT = {"taylor": 14 * 48, "visnights": 8}


def taylor_cases(weeks: int, dev: bool = False):
    taylor, source = load_taylor(), load_elecdemand()[["id", "timestamp", "value"]]
    n, horizon = len(taylor), 48
    for i in range(10):
        origin = n - horizon - (9 - i) * 48 - (DEV_SHIFT["taylor"] if dev else 0)
        history = taylor.iloc[origin - weeks * 336 : origin]
        actual = taylor["value"].to_numpy()[origin : origin + horizon]
        yield "england_wales", origin, history, source, actual


def visnights_cases(dev: bool = False):
    data = load_visnights()
    horizon = 4
    # Origin-major order, so a partial run still covers every region.
    for i in range(8):
        for region in data["id"].unique():
            series = data[data["id"] == region].reset_index(drop=True)
            n = len(series)
            origin = n - horizon - (7 - i) - (DEV_SHIFT["visnights"] if dev else 0)
            cutoff = series["timestamp"].iloc[origin]
            history = series.iloc[:origin]
            source = data[(data["id"] != region) & (data["timestamp"] < cutoff)]
            actual = series["value"].to_numpy()[origin : origin + horizon]
            yield region, origin, history, source, actual


def cases(task: str, dev: bool = False):
    if task == "taylor_2w":
        return taylor_cases(2, dev)
    if task == "taylor_4w":
        return taylor_cases(4, dev)
    return visnights_cases(dev)


def result_path(task: str, dev: bool = False) -> Path:
    return RESULTS / (f"forecast_dev_{task}.json" if dev else f"forecast_{task}.json")


def run(task: str, methods: list[str], dev: bool = False) -> None:
    path = result_path(task, dev)
    data = json.loads(path.read_text()) if path.exists() else {"records": []}
    data["meta"] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared, busy), "
        f"{platform.python_version()}",
        "threads": os.environ.get("GRAFT_NUM_THREADS", "default"),
        "horizon": HORIZON[task],
    }
    done = {(r["method"], r["series"], r["origin"]) for r in data["records"]}
    season = 48 if task.startswith("taylor") else 4
    for series_id, origin, history, source, actual in cases(task, dev):
        for method in methods:
            if (method, series_id, origin) in done:
                continue
            settings = dict(METHODS[method])
            use_source = settings.pop("source", False)
            model = TransferForecaster(horizon=HORIZON[task], random_state=0, **settings)
            started = time.perf_counter()
            model.fit(history, source=source if use_source else None)
            forecast = model.predict()
            seconds = time.perf_counter() - started
            quantiles = forecast[[c for c in forecast.columns if c.startswith("q")]].to_numpy()
            metrics = all_metrics(
                actual, forecast["mean"].to_numpy(), quantiles, history["value"].to_numpy(), season
            )
            record = {
                "task": task,
                "method": method,
                "series": series_id,
                "origin": int(origin),
                "history": len(history),
                **metrics,
                "seconds": seconds,
                "chosen": model.strategy_,
            }
            data["records"].append(record)
            write_json(data, path)  # atomic
            print(
                f"{task} {series_id} {origin} {method}: MASE {metrics['mase']:.3f} "
                f"({seconds:.1f}s) {model.strategy_ if method == 'auto' else ''}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="taylor_4w,taylor_2w,visnights")
    parser.add_argument("--methods", default="")
    parser.add_argument("--dev", action="store_true", help="development origins (earlier)")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    for task in args.tasks.split(","):
        methods = [
            m for m in TASK_METHODS[task] if not args.methods or m in args.methods.split(",")
        ]
        run(task, methods, args.dev)
    summary = {}
    for task in args.tasks.split(","):
        records = json.loads(result_path(task, args.dev).read_text())["records"]
        for method in TASK_METHODS[task]:
            values = [r["mase"] for r in records if r["method"] == method]
            if values:
                summary[f"{task} {method}"] = round(float(np.mean(values)), 3)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
