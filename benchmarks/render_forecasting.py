"""The forecasting section of benchmarks/RESULTS.md, from results/forecast_*.json."""

import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

LABELS = {
    "seasonal_naive_daily": "seasonal naive (taylor: daily season; visnights: season 4)",
    "seasonal_naive_weekly": "seasonal naive (weekly season)",
    "auto_ets": "AutoETS (statsforecast)",
    "auto_theta": "AutoTheta (statsforecast)",
    "dynamic_theta": "DynamicOptimizedTheta (statsforecast; a candidate of auto since session 9)",
    "mstl": "MSTL (statsforecast)",
    "auto_arima": "AutoARIMA (statsforecast)",
    "fracast_zero_shot": "Fracast-0 zero-shot",
    "fracast_fine_tuned": "Fracast-0 fine-tuned (graft fine_tune)",
    "warm_start": "global LightGBM on source + target (graft warm_start)",
    "auto": "graft auto",
}
TITLES = {
    "taylor_4w": "taylor (England & Wales), 4 weeks of history, source elecdemand (Victoria)",
    "taylor_2w": "taylor (England & Wales), 2 weeks of history, source elecdemand (Victoria)",
    "visnights": "visnights, leave one region out (19 regions as source)",
}


def _table(task: str, records: list[dict]) -> list[str]:
    cells = defaultdict(list)
    for r in records:
        cells[r["method"]].append(r)
    # Only cases every method finished, so all rows score the same origins.
    keys = [{(r["series"], r["origin"]) for r in rs} for rs in cells.values()]
    common = set.intersection(*keys) if keys else set()
    horizon = 48 if task.startswith("taylor") else 4
    series = sorted({s for s, _ in common})
    expected = 160 if task == "visnights" else 10
    partial = (
        f" **Partial run: {len(common)} of {expected} cases finished** (cases run "
        "origin by origin over all series, so the finished ones are the earliest origins)."
        if len(common) < expected
        else ""
    )
    lines = [
        f"### {TITLES.get(task, task)}",
        "",
        f"Horizon {horizon}; {len(common)} forecast cases ({len(series)} series x origins) "
        "scored by every method. MASE, sMAPE, WQL: mean ± std over cases (lower is better); "
        "coverage: share of actuals inside the 80% interval (target 0.80); seconds: mean "
        f"wall time of one fit + predict.{partial}",
        "",
        "| method | MASE | sMAPE % | WQL | coverage 80% | fit+predict s |",
        "|---|---|---|---|---|---|",
    ]
    summary = {}
    for method in LABELS:
        rs = [r for r in cells.get(method, []) if (r["series"], r["origin"]) in common]
        if not rs:
            continue

        def stat(key, rs=rs):
            values = np.array([r[key] for r in rs])
            return values.mean(), values.std()

        mase, smape, wql, cov = (stat(k) for k in ("mase", "smape", "wql", "coverage80"))
        summary[method] = mase[0]
        lines.append(
            f"| {LABELS[method]} | {mase[0]:.3f} ± {mase[1]:.3f} | {smape[0]:.2f} ± "
            f"{smape[1]:.2f} | {wql[0]:.4f} ± {wql[1]:.4f} | {cov[0]:.2f} | "
            f"{stat('seconds')[0]:.1f} |"
        )
    auto = [r for r in cells.get("auto", []) if (r["series"], r["origin"]) in common]
    if auto:
        chosen = Counter(r["chosen"] for r in auto).most_common()
        rest = sum(n for _, n in chosen[8:])
        lines += [
            "",
            "What `auto` chose (count over cases): "
            + ", ".join(f"{c} ×{n}" for c, n in chosen[:8])
            + (f", {len(chosen) - 8} other choices ×{rest}" if rest else ""),
        ]
    return [*lines, ""], summary


def forecasting_section(results: Path) -> list[str]:
    # Only the scored tasks: forecast_selection_dev.json is the development study.
    paths = [
        results / f"forecast_{t}.json" for t in TITLES if (results / f"forecast_{t}.json").exists()
    ]
    if not paths:
        return []
    out = [
        "## Forecasting: taylor (source elecdemand) and visnights (leave one region out)",
        "",
        "`benchmarks/forecasting.py`. Every method is fitted only on data before each origin; "
        "`auto` chooses by a rolling-origin backtest (5 inner origins) on data before the "
        "origin, never on the scored window: the target history pooled with the source series "
        "cut at the target's last timestamp (visnights: the other 19 regions; taylor: none, "
        "Victoria 2014 lies after England 2000, so the target alone). Its rule (pooled: the "
        "mean of the methods that beat seasonal naive; target alone: the best single method) "
        "was chosen on development origins (table below). taylor: 10 daily origins over its "
        "last 10 days, horizon 48 (one day). visnights: 8 quarterly origins (the last 8), "
        "horizon 4; the other regions, cut at the origin, are the source. MASE is scaled by "
        "the in-sample seasonal naive error with the shortest season (48 half-hours; 4 "
        "quarters). One deterministic run (seed 0), so ± is the spread over forecast cases, "
        "not over seeds. Timings: a shared, busy 2-core machine (other engineers' jobs "
        "running), one torch thread: compare methods within a table. The `auto` and "
        "`dynamic_theta` rows were rerun last, after statsforecast's DynamicOptimizedTheta "
        "became a candidate of `auto` (decided on the development origins, see below; two "
        "benchmark processes on an otherwise quiet machine); taylor's `warm_start` rows were "
        "rerun before them, on an idle "
        "machine, after its intervals were recalibrated on the target's held-out last window "
        "(split conformal; point forecasts unchanged, so MASE and auto's choices are too; "
        "before: WQL 0.0169 / 0.0187 and coverage 0.99 / 1.00 with 4 / 2 weeks of history); "
        "the other rows are from the earlier run of the same script (their code did not "
        "change). **Cached:** the elecdemand source model is trained "
        "once per process (keyed by the data's hash), Fracast's frozen-encoder states of "
        "windows seen before are reused, and `auto`'s pooled backtest, the same for every "
        "region at one visnights origin, is computed once per process (keyed by the data's "
        "hash: about 35-45 s for the first region of an origin, a few seconds for the "
        "others), so per-fit seconds of `warm_start` and `auto` exclude that work after the "
        "first case.",
        "",
    ]
    bar = []
    for path in paths:
        data = json.loads(path.read_text())
        task = path.stem.removeprefix("forecast_")
        lines, summary = _table(task, data["records"])
        out += lines
        if "auto" in summary:
            naive = min(v for k, v in summary.items() if k.startswith("seasonal_naive"))
            target = 0.20 if task.startswith("taylor") else 1.00
            mstl = summary.get("mstl", float("nan"))
            relative = ""
            if task.startswith("taylor"):
                met = "met" if summary["auto"] <= 0.9 * mstl else "NOT met"
                relative = f" (10% better than MSTL on these origins: {met})"
            bar.append(
                f"- {task}: auto {summary['auto']:.3f} (bar ≤ {target:.2f}: "
                f"{'met' if summary['auto'] <= target else 'NOT met'}); MSTL {mstl:.3f}"
                f"{relative}; best seasonal naive {naive:.3f} (never worse: "
                f"{'met' if summary['auto'] <= naive else 'NOT met'})"
            )
    if bar:
        out += [
            "### Quality bar (issue #4), checked on the numbers above",
            "",
            *bar,
            "- before the dev study, `auto` chose on the target's own backtest among "
            "combinations: visnights 1.044, taylor_4w 0.167, taylor_2w 0.242 on the same "
            "origins (earlier run); the pooled choice is far steadier on visnights but not "
            "more accurate on these origins, where the Fracast and LightGBM members it "
            "averages in did worse than on the development origins.",
            "",
        ]
    return out


RULE_NOTES = {
    "target +mean": "target's own backtest only, plus the mean option",
    "target -mean": "target's own backtest only (the previous auto)",
    "mean(good)": "the mean of the methods that beat seasonal naive pooled, with a rough "
    "guard (see the study's docstring)",
    "single best": "the best single method of the (pooled) backtest if it beat seasonal "
    "naive; **shipped for the target alone**",
    "mean of good (no guard)": "equal-weight mean of the methods that beat seasonal naive "
    "over the (pooled) backtest; **shipped when source series are pooled** (with the guard "
    "on the target's own backtest)",
    "median of good (no guard)": "their median",
}


def selection_study_section(results: Path) -> list[str]:
    """The development study that chose auto's rule: origins before the scored ones."""
    path = results / "forecast_selection_dev.json"
    if not path.exists():
        return []
    records = json.loads(path.read_text())["records"]
    tasks = [
        t for t in ("visnights", "taylor_4w", "taylor_2w") if any(r["task"] == t for r in records)
    ]
    labels = []
    for r in records:
        labels += [k for k in r["scores"] if k not in labels]
    rules = [k for k in labels if " " in k or k.startswith("mean(")]
    methods = [k for k in labels if k not in rules]
    counts = {t: sum(r["task"] == t for r in records) for t in tasks}
    out = [
        "### How auto chooses: development study (origins before the scored ones)",
        "",
        "`benchmarks/forecasting_selection_study.py`. The rule of `auto` was chosen here, "
        "on **development origins only**: visnights 8 quarters earlier than the scored "
        "origins above (same leave-one-region-out design), taylor two weeks earlier; the "
        "scored origins were not looked at to choose. Each case's inner backtest is run once "
        "and every rule picks from it; picked members are fitted on the history and scored "
        "on the case's window. `target`: the target's own 5 inner origins (as before this "
        "study); `pooled wK`: mean MASE over the inner origins of the target and of every "
        "source series cut at the target's last timestamp, target rows counted K times; "
        "`+mean` / `-mean`: with or without the equal-weight mean of all methods that beat "
        "seasonal naive as an option. These live rules keep the guard (never an option that "
        "lost to seasonal naive on the target's own backtest); rules marked no guard are "
        "scored afterwards from the stored inner errors and forecasts. taylor's source "
        "(Victoria 2014) lies wholly after taylor (2000), so nothing of it is pooled there: "
        "taylor rows compare the option sets only. Mean MASE over dev cases ("
        + ", ".join(f"{t}: {counts[t]}" for t in tasks)
        + "); distinct choices in brackets.",
        "",
        "| rule / method | " + " | ".join(tasks) + " |",
        "|---|" + "---|" * len(tasks),
    ]
    direct: dict[str, dict[str, str]] = {}  # method -> task -> cell, from forecasting.py --dev
    for t in tasks:
        dev = results / f"forecast_dev_{t}.json"
        if not dev.exists():
            continue
        by_method: dict[str, list] = {}
        for r in json.loads(dev.read_text())["records"]:
            by_method.setdefault(r["method"], []).append(r)
        for method, rs in by_method.items():
            value = float(np.mean([r["mase"] for r in rs]))
            choices = f" [{len({r['chosen'] for r in rs})}]" if method == "auto" else ""
            direct.setdefault(method, {})[t] = f"{value:.3f}{choices} (n={len(rs)})"
    for method, cells in sorted(direct.items(), key=lambda kv: kv[0] != "auto"):
        name = (
            "**graft auto as shipped**"
            if method == "auto"
            else f"{method} (not in the study's candidates)"
        )
        out.append(
            f"| {name} (`forecasting.py --dev`, same cases) | "
            + " | ".join(cells.get(t, "") for t in tasks)
            + " |"
        )
    notes = [
        "",
        "What was decided, from these dev numbers only: on visnights every pooled rule beat "
        "the target-only choice, and the mean of the methods that beat seasonal naive (a "
        "forecast combination, least sensitive to which method happens to win a few "
        "origins) was as good as the best pooled rule, so it is what `auto` does when source "
        "series are pooled (keeping the guard on the target's own backtest). With the "
        "target alone (taylor) the single best method beat choosing among combinations over "
        "the two settings together (0.182 + 0.431 vs 0.266 + 0.395), so combinations are "
        "only weighed when source series add evidence. MSTL alone beat every rule on taylor's "
        "dev origins: with 2 weeks of history no inner origin has the 2 x 336 observations "
        "MSTL needs for its weekly season, so the inner backtest underrates the MSTL that "
        "the full history allows; no rule built on that backtest can see it.",
        "",
        "Added afterwards (session 9), again from dev origins only: statsforecast's "
        "DynamicOptimizedTheta (`dynamic_theta`), which the study above did not have, scored "
        "best of every method and rule on visnights' dev origins (row above), so it became a "
        "baseline and a candidate of `auto`; with it, `auto` as shipped went from 0.983 to "
        "the value in the first row (taylor unchanged: it is poor on half-hourly data and "
        "never chosen there). The rule rows were not rerun with it; whether the pooled rule "
        "should now prefer the single best method is answered by the next study (no).",
    ]
    for label in [*rules, *methods]:
        cells = []
        for t in tasks:
            rs = [r for r in records if r["task"] == t and label in r["scores"]]
            if not rs:
                cells.append("")
                continue
            value = float(np.mean([r["scores"][label]["mase"] for r in rs]))
            partial = f" (n={len(rs)})" if len(rs) < counts[t] else ""
            choices = {r["chosen"][label] for r in rs if label in r.get("chosen", {})}
            distinct = f" [{len(choices)}]" if choices else ""
            cells.append(f"{value:.3f}{distinct}{partial}")
        name = f"rule: {label}" if label in rules else label
        if label in RULE_NOTES:
            name += f" — {RULE_NOTES[label]}"
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*out, *notes, ""]


def guard_study_section(results: Path) -> list[str]:
    """visnights over three development windows: fixed methods, and what the guard costs."""
    path = results / "forecast_guard_dev.json"
    if not path.exists():
        return []
    study = json.loads(path.read_text())
    windows = list(next(iter(study["fixed"].values())))
    ranked = sorted(study["fixed"].items(), key=lambda kv: np.mean(list(kv[1].values())))
    singles = [kv for kv in ranked if " + " not in kv[0]]
    shown = [*singles, *[kv for kv in ranked if " + " in kv[0]][:8]]
    out = [
        "### visnights over three development windows: fixed methods and the guard",
        "",
        "`benchmarks/forecasting_guard_study.py` (session 11). Leave one region out, horizon "
        "4, the 24 origins before the scored ones read as three windows of 8 (8, 16 and 24 "
        "quarters earlier than the scored origins; the first is the window of the study "
        "above). Every method is refitted on the region's history before each origin "
        "(`warm_start`: the other 19 regions cut there as source); the Fracast fine-tune is "
        "left out (too slow for 480 fits). Mean MASE over the 160 cases of each window; "
        "combinations are equal-weight means, the best 8 of all pairs and triples by the "
        "average over windows.",
        "",
        "| method | " + " | ".join(f"{w} quarters earlier" for w in windows) + " | average |",
        "|---|" + "---|" * (len(windows) + 1),
    ]
    for name, by_window in shown:
        cells = [f"{by_window[w]:.3f}" for w in windows]
        average = np.mean(list(by_window.values()))
        out.append(f"| {name} | " + " | ".join(cells) + f" | {average:.3f} |")
    out += [
        "",
        "Choice rules replayed on the first window's 160 cases, from the same forecasts: the "
        "option with the lowest pooled MASE over the N origins before the case (all 20 "
        "regions), with or without the guard of `auto` (never an option that lost to seasonal "
        "naive on the target's own N origins).",
        "",
        "| rule | MASE | seasonal naive kept (of cases) |",
        "|---|---|---|",
    ]
    for name, rule in study["rules"].items():
        kept = f"{rule['seasonal_naive_kept']} / {rule['cases']}"
        out.append(f"| {name} | {rule['mase']:.3f} | {kept} |")
    out += [
        "",
        "What it shows (dev windows only; nothing was changed): DOTM alone is the best single "
        "method in the nearest window and on average, and no equal-weight pair or triple beats "
        "it on average by more than rounding. Choosing by the pooled backtest without the guard "
        "picks DOTM in every case of the first window; the guard keeps seasonal naive for the "
        "regions whose last 5 (or 13) origins happened to favour it, and that costs 0.02-0.06 "
        "MASE, because those few origins say little about the next ones. The guard is what "
        "issue #4 asks for (never a method that lost to seasonal naive on the target's own "
        "backtest), so it stays; `auto` as shipped (0.978 on the first window, with the "
        "fine-tune and combinations) also beats the guarded single-best rule (0.988), so its "
        "rule stays too. On the scored origins the best single method is DOTM at 1.022, so "
        "the visnights bar (<= 1.00) needs a forecaster better than any of these, not another "
        "way of choosing among them.",
    ]
    return [*out, ""]


def pooling_study_section(results: Path) -> list[str]:
    """visnights: three ways of pooling the 20 regions, against DOTM, on development windows."""
    path = results / "forecast_pooling_dev.json"
    if not path.exists():
        return []
    study = json.loads(path.read_text())["methods"]
    windows = [k for k in next(iter(study.values())) if k != "seconds"]
    out = [
        "### visnights over the same development windows: pooling the regions",
        "",
        "`benchmarks/forecasting_pooling_study.py` (session 12). The same 480 development "
        "cases as the table above (leave one region out, horizon 4; never the scored "
        "origins). At an origin every region's history stops there, so each method uses only "
        "what `auto`'s pooled backtest may use. Global linear AR: one ridge regression over "
        "windows of all 20 regions (each window divided by the mean of its last season). "
        "Reconciled: base forecasts of the 20 regions, the 6 states (first three letters of "
        "a region) and the total made coherent by WLS (in-sample residual variances) or MinT "
        "(Ledoit-Wolf-shrunk residual covariance), read at the regions. Fracast pooled "
        "fine-tune: Fracast-0's head fine-tuned on up to 1,024 windows of all 20 regions "
        "(30 epochs, early stopping on each region's last window). Mean MASE over the 160 "
        "cases of each window; seconds: the whole method over the 24 origins.",
        "",
        "| method | " + " | ".join(f"{w} quarters earlier" for w in windows) + " | average | s |",
        "|---|" + "---|" * (len(windows) + 2),
    ]
    for name, row in study.items():
        cells = [f"{row[w]:.3f}" for w in windows]
        average = np.mean([row[w] for w in windows])
        cells += [f"{average:.3f}", f"{row['seconds']:.0f}"]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out += [
        "",
        "What it shows (dev windows only; nothing was changed): none of the three ways of "
        "pooling the regions gives the forecaster the visnights bar needs. Reconciliation "
        "over the states helps every base method a little (MinT: DOTM 0.810 -> 0.801 on "
        "average, about 1%), but it needs a hierarchy that graft's panels do not carry (here "
        "read from the regions' names), and 1% below DOTM's 1.022 on the scored origins "
        "would still be above 1.00. The global linear AR (best 0.853) and Fracast-0 "
        "fine-tuned on all 20 regions (0.863; the target-only fine-tune scored 1.177 there) "
        "stay well behind DOTM, as the global LightGBM did (0.946). So no pooling method was "
        "added to `auto`.",
    ]
    return [*out, ""]
