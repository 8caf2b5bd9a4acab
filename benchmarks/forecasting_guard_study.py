"""Development study of visnights (issue #4): which fixed methods and combinations do well
over several windows before the scored origins, and what the guard of ``auto`` costs.

Cases: leave one region out, horizon 4, the 24 quarterly origins before the scored ones of
benchmarks/forecasting.py, read as three windows of 8 (8, 16 and 24 quarters earlier than
the scored origins; the first is the development window of
forecasting_selection_study.py). Every method is fitted on the region's history before the
origin (``warm_start``: with the other 19 regions cut at the origin as source), so each
(region, origin) is one forecast. The costly Fracast fine-tune is left out.

Replayed from those forecasts:

* ``fixed``: each method and each equal-weight mean of 2 or 3 of them, mean MASE per window;
* ``rules``: for every case of the first window, a choice by the pooled mean MASE over the
  N origins before it (all 20 regions; the same rows ``auto``'s pooled backtest reads, here
  from forecasts refitted at each origin), with the guard on the target's own N rows (an
  option that lost to seasonal naive there is never chosen) or without it.

Writes benchmarks/results/forecast_guard_dev.json (forecasts kept, so a rerun only replays).
Usage: python benchmarks/forecasting_guard_study.py
"""

import itertools
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from graft import TransferForecaster
from graft.data.io import write_json
from graft.datasets import load_visnights
from graft.strategies.forecasting.metrics import mase

PATH = Path(__file__).parent / "results" / "forecast_guard_dev.json"
METHODS = (
    "seasonal_naive",
    "auto_ets",
    "auto_theta",
    "dynamic_theta",
    "mstl",
    "auto_arima",
    "zero_shot",
    "warm_start",
)
SHIFTS = (8, 16, 24)  # quarters before the scored origins
HORIZON = SEASON = 4


def forecast_all(data) -> dict:
    """Every method's forecast at every (region, origin) of the study, keyed 'region|origin'."""
    out = {m: {} for m in METHODS}
    seconds = dict.fromkeys(METHODS, 0.0)
    for region in data["id"].unique():
        series = data[data["id"] == region].reset_index(drop=True)
        last = len(series) - HORIZON - 7  # the first scored origin
        for origin in range(last - max(SHIFTS), last - min(SHIFTS) + 8):
            history = series.iloc[:origin]
            cutoff = series["timestamp"].iloc[origin]
            source = data[(data["id"] != region) & (data["timestamp"] < cutoff)]
            for method in METHODS:
                if method in ("zero_shot", "warm_start"):
                    model = TransferForecaster(horizon=HORIZON, strategy=method, random_state=0)
                else:
                    model = TransferForecaster(
                        horizon=HORIZON, strategy="baseline", baseline=method, random_state=0
                    )
                started = time.perf_counter()
                model.fit(history, source=source if method == "warm_start" else None)
                out[method][f"{region}|{origin}"] = model.predict()["mean"].round(4).tolist()
                seconds[method] += time.perf_counter() - started
        print(region, "done", flush=True)
    return {"forecasts": out, "seconds": seconds}


def replay(data, forecasts) -> dict:
    values = {r: data[data["id"] == r]["value"].to_numpy() for r in data["id"].unique()}
    regions = sorted(values)
    n = len(next(iter(values.values())))
    first_scored = n - HORIZON - 7

    def error(option, region, origin):
        f = np.mean([forecasts[m][f"{region}|{origin}"] for m in option], axis=0)
        y = values[region]
        return mase(y[origin : origin + HORIZON], f, y[:origin], SEASON)

    windows = {s: range(first_scored - s, first_scored - s + 8) for s in SHIFTS}
    options = [c for k in (1, 2, 3) for c in itertools.combinations(METHODS, k)]
    fixed = {
        " + ".join(option): {
            str(s): float(np.mean([error(option, r, o) for r in regions for o in w]))
            for s, w in windows.items()
        }
        for option in options
    }
    rules = {}
    earliest = first_scored - max(SHIFTS)
    for n_inner in (5, 13):
        for guard in (True, False):
            scores, kept_naive = [], 0
            for origin in windows[min(SHIFTS)]:
                # Inner origins whose actuals are all known at ``origin``.
                inner = [origin - HORIZON - j for j in range(n_inner)]
                assert min(inner) >= earliest
                pooled = {
                    m: np.mean([error((m,), r, o) for r in regions for o in inner]) for m in METHODS
                }
                for region in regions:
                    own = {m: np.mean([error((m,), region, o) for o in inner]) for m in METHODS}
                    allowed = [m for m in METHODS if not guard or own[m] <= own["seasonal_naive"]]
                    pick = min(allowed, key=pooled.get)
                    kept_naive += pick == "seasonal_naive"
                    scores.append(error((pick,), region, origin))
            label = f"pooled single best, {n_inner} inner origins, guard {'on' if guard else 'off'}"
            rules[label] = {
                "mase": float(np.mean(scores)),
                "seasonal_naive_kept": kept_naive,
                "cases": len(scores),
            }
    return {"fixed": fixed, "rules": rules}


def main() -> None:
    data = load_visnights()
    stored = json.loads(PATH.read_text()) if PATH.exists() else {}
    if "forecasts" not in stored:
        stored = forecast_all(data)
    stored.update(replay(data, stored["forecasts"]))
    write_json(stored, PATH)
    best = sorted(stored["fixed"].items(), key=lambda kv: np.mean(list(kv[1].values())))
    for name, by_window in best[:10]:
        print(name, {k: round(v, 3) for k, v in by_window.items()})
    for name, rule in stored["rules"].items():
        print(name, round(rule["mase"], 3), rule["seasonal_naive_kept"])


if __name__ == "__main__":
    main()
