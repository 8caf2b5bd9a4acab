"""Development study for how ``auto`` chooses (issue #4): rules compared on origins that
come *before* the scored ones of benchmarks/forecasting.py, never on those.

visnights: the 8 quarterly origins 8 quarters earlier than the benchmark's (leave one
region out, horizon 4). taylor: the 10 daily origins two weeks earlier (2 and 4 weeks of
history, horizon 48). For every case the inner backtest of ``auto`` is run once (pooled
with the source series where they overlap the target in time; for visnights it is the same
for all 20 regions at an origin and computed once), every rule picks from it, and the
picked members are fitted on the history and scored on the case's window.

Rules: ``target`` = the choice on the target's own backtest rows only (the previous
``auto``); ``pooled wK`` = mean MASE over all pooled rows, target rows counted K times;
``+mean`` / ``-mean`` = with or without the equal-weight mean of every method that beat
seasonal naive among the options; ``mean(good)`` = that mean (a rough guard: used when the
lowest-MASE option among those methods and seasonal naive is a combination, else the
``pooled w1`` choice). These keep the guard: never an option that lost to seasonal naive on
the target's own rows. Scored afterwards from the stored rows and forecasts (see
``derived``): ``single best``, ``mean of good (no guard)``, ``median of good (no guard)``.

Writes benchmarks/results/forecast_selection_dev.json (resumable per case).
Usage: python benchmarks/forecasting_selection_study.py [--tasks visnights,taylor_4w,taylor_2w]
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from graft import TransferForecaster
from graft.datasets import load_elecdemand, load_taylor, load_visnights
from graft.strategies.forecasting.base import Context, future_index
from graft.strategies.forecasting.metrics import all_metrics, mase, mase_scale
from graft.strategies.forecasting.selection import Backtest, choose

HERE = Path(__file__).parent
PATH = HERE / "results" / "forecast_selection_dev.json"
REFERENCE = ("seasonal_naive", "seasonal_naive_long", "auto_ets", "auto_theta", "mstl")


def visnights_dev_cases(shift: int = 8):
    data = load_visnights()
    for i in range(8):
        for region in data["id"].unique():
            series = data[data["id"] == region].reset_index(drop=True)
            origin = len(series) - 4 - (7 - i) - shift
            cutoff = series["timestamp"].iloc[origin]
            source = data[(data["id"] != region) & (data["timestamp"] < cutoff)]
            actual = series["value"].to_numpy()[origin : origin + 4]
            yield region, origin, series.iloc[:origin], source, actual


def taylor_dev_cases(weeks: int, shift: int = 14 * 48):
    taylor, source = load_taylor(), load_elecdemand()[["id", "timestamp", "value"]]
    for i in range(10):
        origin = len(taylor) - 48 - (9 - i) * 48 - shift
        history = taylor.iloc[origin - weeks * 336 : origin]
        actual = taylor["value"].to_numpy()[origin : origin + 48]
        yield "england_wales", origin, history, source, actual


def subset(backtest: Backtest, keep: set[int]) -> Backtest:
    rows = [j for j, (i, _) in enumerate(backtest.origins) if i in keep]
    return Backtest(
        [backtest.origins[j] for j in rows],
        {n: [f[j] for j in rows] for n, f in backtest.forecasts.items()},
        [backtest.actuals[j] for j in rows],
        [backtest.histories[j] for j in rows],
    )


def rules(backtest: Backtest, target: set[int], season: int) -> dict[str, dict]:
    own = subset(backtest, target)
    out = {}
    for mean in (True, False):
        tag = "+mean" if mean else "-mean"
        out[f"target {tag}"] = choose(own, season, mean_of_good=mean)[0]
        if len({i for i, _ in backtest.origins}) > len(target):
            for w in (1, 5, 20):
                out[f"pooled w{w} {tag}"] = choose(
                    backtest, season, target=target, target_weight=w, mean_of_good=mean
                )[0]
    # Always the mean of the methods that beat seasonal naive pooled (guarded on target).
    weights, scores, _ = choose(backtest, season, target=target, mean_of_good=True)
    means = [k for k in scores if k.startswith("mean(")]
    if means:
        members = means[0][5:-1].split(", ")
        guarded = choose(
            subset_methods(backtest, members), season, target=target, mean_of_good=True
        )[0]
        out["mean(good)"] = dict.fromkeys(members, 1.0) if len(guarded) > 1 else weights
        stats = [m for m in members if m in REFERENCE or m == "auto_arima"]
        if len(stats) >= 2:
            guarded = choose(subset_methods(backtest, stats), season, target=target)[0]
            out["mean(good stats)"] = dict.fromkeys(stats, 1.0) if len(guarded) > 1 else weights
    return out


def subset_methods(backtest: Backtest, members: list[str]) -> Backtest:
    keep = [
        *members,
        *(n for n in ("seasonal_naive", "seasonal_naive_long") if n in backtest.forecasts),
    ]
    return Backtest(
        backtest.origins,
        {n: backtest.forecasts[n] for n in keep},
        backtest.actuals,
        backtest.histories,
    )


def inner_scores(backtest: Backtest, target: set[int], season: int) -> dict:
    """Inner mean MASE of every single method, pooled and on the target's own rows (for
    rules scored after the run)."""
    is_target = np.array([i in target for i, _ in backtest.origins])
    out = {}
    for name, fs in backtest.forecasts.items():
        rows = np.array(
            [
                mase(a, f.mean, h, season)
                for a, f, h in zip(backtest.actuals, fs, backtest.histories)
            ]
        )
        out[name] = {
            "pooled": round(float(rows.mean()), 5),
            "target": round(float(rows[is_target].mean()), 5),
        }
    return out


def run_case(horizon, history, source, actual, season):
    est = TransferForecaster(horizon=horizon, random_state=0)
    panel, source_panel = est._prepare(history, source)
    names = est._default_candidates(source_panel)
    backtest, target = est._selection_backtest(names, panel, source_panel)
    chosen = rules(backtest, target, season)
    s = panel.series[0]
    context = Context(s, panel.freq, future_index(s.index, panel.freq, horizon))
    forecasts, seconds = {}, {}
    for name in sorted({*REFERENCE, *names, *(n for w in chosen.values() for n in w)}):
        if name == "seasonal_naive_long" and len(est.seasons_) < 2:
            continue
        started = time.perf_counter()
        method = est._method(name, source_panel).fit(panel.series, panel.freq)
        forecasts[name] = method.forecast(context)
        seconds[name] = time.perf_counter() - started
    scores = {}
    for label, weights in {**{n: {n: 1.0} for n in forecasts}, **chosen}.items():
        total = sum(weights.values())
        mean = sum(w * forecasts[n].mean for n, w in weights.items()) / total
        q = sum(w * forecasts[n].quantiles for n, w in weights.items()) / total
        scores[label] = all_metrics(actual, mean, q, s.values, season)
    return {
        "chosen": {k: " + ".join(f"{w:g}*{n}" for n, w in v.items()) for k, v in chosen.items()},
        "scores": scores,
        "seconds": seconds,
        "inner": inner_scores(backtest, target, season),
        "actual": [float(v) for v in actual],
        "scale": mase_scale(s.values, season),
        "forecasts": {n: f.mean.round(2).tolist() for n, f in forecasts.items()},
    }


def derived(record: dict) -> dict:
    """Rules scored from a record's stored inner MASE rows and member forecasts: the best
    single method (``single best``; kept only if it beat seasonal naive, else the better
    seasonal naive) and the plain mean / median of every method that beat seasonal naive
    over the (pooled) inner backtest, without the target guard."""
    pooled = {k: v["pooled"] for k, v in record["inner"].items()}
    naive = [n for n in ("seasonal_naive", "seasonal_naive_long") if n in pooled]
    floor = min(pooled[n] for n in naive)
    ranked = sorted(pooled, key=pooled.get)
    good = [m for m in ranked if pooled[m] < floor]
    fallback = [min(naive, key=pooled.get)]
    actual, scale = np.array(record["actual"]), record["scale"]

    def score(members, agg):
        f = agg(np.array([record["forecasts"][m] for m in members]), axis=0)
        return {"mase": float(np.mean(np.abs(actual - f)) / scale)}

    return {
        "single best": score(good[:1] or fallback, np.mean),
        "mean of good (no guard)": score(good or fallback, np.mean),
        "median of good (no guard)": score(good or fallback, np.median),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="visnights,taylor_4w,taylor_2w")
    args = parser.parse_args()
    data = json.loads(PATH.read_text()) if PATH.exists() else {"records": []}
    done = {(r["task"], r["series"], r["origin"]) for r in data["records"]}
    for task in args.tasks.split(","):
        horizon, season = (4, 4) if task == "visnights" else (48, 48)
        cases = visnights_dev_cases() if task == "visnights" else taylor_dev_cases(int(task[-2]))
        for series_id, origin, history, source, actual in cases:
            if (task, series_id, int(origin)) in done:
                continue
            started = time.perf_counter()
            record = run_case(horizon, history, source, actual, season)
            record.update(
                task=task,
                series=series_id,
                origin=int(origin),
                seconds_case=time.perf_counter() - started,
            )
            data["records"].append(record)
            tmp = PATH.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, separators=(",", ":")))
            os.replace(tmp, PATH)
            print(
                task,
                series_id,
                origin,
                f"{record['seconds_case']:.1f}s",
                {k: round(v["mase"], 3) for k, v in record["scores"].items()},
                flush=True,
            )
    for record in data["records"]:
        record["scores"].update(derived(record))
    tmp = PATH.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")))
    os.replace(tmp, PATH)
    for task in args.tasks.split(","):
        rs = [r for r in data["records"] if r["task"] == task]
        labels = sorted({k for r in rs for k in r["scores"]})
        print(
            task,
            len(rs),
            {
                k: round(
                    float(np.mean([r["scores"][k]["mase"] for r in rs if k in r["scores"]])), 3
                )
                for k in labels
            },
        )


if __name__ == "__main__":
    main()
