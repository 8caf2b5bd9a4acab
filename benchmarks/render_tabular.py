"""The tabular part of RESULTS.md, from benchmarks/results/tabular_*.json (see tabular.py)."""

import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

LABELS = {
    "target_lr": "target-only logistic regression",
    "target_lightgbm": "target-only LightGBM",
    "baseline": "graft baseline (better of the two by inner CV)",
    "source_only": "source-only LightGBM",
    "pooled": "pooled LightGBM + domain indicator (share by inner CV)",
    "warm_start": "LightGBM warm start (extra rounds by inner CV)",
    "stacking": "stacking (source score as a feature)",
    "fine_tune": "MLP pretrained on source, fine-tuned",
    "instance": "instance reweighting (domain classifier)",
    "auto": "**graft auto**",
}
FIXED = [m for m in LABELS if m != "auto"]
QUALITY_TASKS = ("heart_cleveland_to_hungary", "heart_cleveland_to_va", "churn_nonwest_to_west")
QUALITY_N = (25, 50, 100)
SEEDS = 5
REQUIRED = ("auto", "target_lr", "target_lightgbm")
"""A quality-bar cell counts once these have all seeds; the other rows show their means
over the cells where they have all seeds too (their count is given)."""


def _cells(records):
    cells = defaultdict(list)
    for r in records:
        cells[(r["method"], r["n"])].append(r)
    return cells


def _task_table(data) -> list[str]:
    records, meta = data["records"], data["meta"]
    cells = _cells(records)
    ns = sorted({r["n"] for r in records})
    lines = [
        f"### {meta['task']} ({meta['source_rows']} source rows, "
        f"{meta['target_rows']} target rows)",
        "",
        "ROC AUC on the target rows not used for training: mean ± std over seeds (n = seeds "
        "done); fit: mean seconds per fit.",
        "",
        "| method | "
        + " | ".join(f"N={n}" for n in ns)
        + " | "
        + " | ".join(f"fit s N={n}" for n in ns)
        + " |",
        "|---" * (2 * len(ns) + 1) + "|",
    ]
    for method in LABELS:
        if not any((method, n) in cells for n in ns):
            continue
        aucs, fits = [], []
        for n in ns:
            rs = cells.get((method, n), [])
            if not rs:
                aucs.append("—")
                fits.append("—")
                continue
            values = np.array([r["auc"] for r in rs])
            aucs.append(f"{values.mean():.3f} ± {values.std():.3f} ({len(rs)})")
            fits.append(f"{np.mean([r['fit_s'] for r in rs]):.1f}")
        lines.append(f"| {LABELS[method]} | " + " | ".join(aucs) + " | " + " | ".join(fits) + " |")
    best = []
    for n in ns:
        means = {m: np.mean([r["auc"] for r in cells[(m, n)]]) for m in FIXED if (m, n) in cells}
        if means:
            m = max(means, key=means.get)
            best.append(f"{means[m]:.3f} ({m})")
        else:
            best.append("—")
    lines.append("| best fixed method in hindsight | " + " | ".join(best) + " |" + " |" * len(ns))
    auto = [r for r in records if r["method"] == "auto"]
    if auto:
        lines += ["", "What `auto` chose (count over seeds):", ""]
        for n in ns:
            chosen = Counter(r["chosen"] for r in auto if r["n"] == n)
            if chosen:
                lines.append(
                    f"- N={n}: " + ", ".join(f"{c} ×{k}" for c, k in sorted(chosen.items()))
                )
    negatives = sorted({r["test_negatives"] for r in records})
    if negatives and negatives[0] < 10:
        lines += ["", f"Test sets hold only {negatives[0]}–{negatives[-1]} negatives here."]
    return [*lines, ""]


def _quality(datasets) -> list[str]:
    means = defaultdict(dict)  # method -> (task, n) -> mean AUC
    complete = []
    for data in datasets:
        task = data["meta"]["task"]
        if task not in QUALITY_TASKS:
            continue
        cells = _cells(data["records"])
        for n in QUALITY_N:
            done = all(len(cells.get((m, n), [])) == SEEDS for m in REQUIRED)
            if done:
                complete.append((task, n))
            for m in LABELS:
                if len(cells.get((m, n), [])) == SEEDS:
                    means[m][(task, n)] = np.mean([r["auc"] for r in cells[(m, n)]])
    lines = [
        "### Quality bar (issue 3): heart Cleveland → Hungary, → VA, churn non-west → west; "
        "N ∈ {25, 50, 100}; 5 seeds",
        "",
        f"Cells where auto and both target-only baselines have 5 seeds: {len(complete)} of 9"
        + (f" ({', '.join(f'{t} N={n}' for t, n in complete)})" if complete else "")
        + ".",
        "",
    ]
    if not complete:
        return [*lines, "Not checked: no complete cell yet.", ""]
    lines += [
        "| method | mean AUC over those cells | cells | auto on the same cells |",
        "|---|---|---|---|",
    ]
    for m in LABELS:
        have = [c for c in complete if c in means[m]]
        if have:
            lines.append(
                f"| {LABELS[m]} | {np.mean([means[m][c] for c in have]):.3f} | {len(have)} | "
                f"{np.mean([means['auto'][c] for c in have]):.3f} |"
            )
    hindsight = np.mean([max(means[m][c] for m in FIXED if c in means[m]) for c in complete])
    lines.append(
        f"| best fixed method per cell, in hindsight (among those run) | {hindsight:.3f} | "
        f"{len(complete)} | {np.mean([means['auto'][c] for c in complete]):.3f} |"
    )
    auto_mean = np.mean([means["auto"][c] for c in complete])
    losses = {
        c: means["auto"][c] - max(means["target_lr"][c], means["target_lightgbm"][c])
        for c in complete
    }
    worst = min(losses, key=losses.get)
    lines += [
        "",
        f"- auto's mean AUC {auto_mean:.3f} (bar: ≥ 0.835): "
        f"{'met' if auto_mean >= 0.835 else 'NOT met'}"
        + ("" if len(complete) == 9 else f" on {len(complete)} of 9 cells only"),
        f"- worst cell against the better target-only baseline: {worst[0]} N={worst[1]} "
        f"{losses[worst]:+.3f} (bar: no loss > 0.01): "
        f"{'met' if losses[worst] >= -0.01 else 'NOT met'}",
        "",
    ]
    return lines


def tabular_section(results: Path) -> list[str]:
    paths = sorted(results.glob("tabular_*.json"))
    if not paths:
        return []
    datasets = [json.loads(p.read_text()) for p in paths]
    order = {t: i for i, t in enumerate(QUALITY_TASKS)}
    datasets.sort(key=lambda d: order.get(d["meta"]["task"], 99))
    meta = datasets[0]["meta"]
    out = [
        "## Tables: source domain → target domain (issue 3)",
        "",
        "For each task, N labelled target rows are drawn (stratified) per seed; every other "
        "target row is the test set. Every method sees the same rows in one run; graft "
        "methods get all source rows through `fit(..., source=(X_source, y_source))`. "
        "Target-only peers use graft's encoding of the target rows only. Nothing is cached: "
        "every fit trains its own source model. Seconds come from a shared, busy 2-core "
        f"machine ({meta['machine']}; two benchmark processes under `nice -n 10`, "
        f"GRAFT_NUM_THREADS={meta['threads']}) and are inflated; compare within a table.",
        "",
    ]
    for data in datasets:
        out += _task_table(data)
    return out + _quality(datasets) + NOTES


NOTES = [
    "### How auto's rule was chosen, and what was seen afterwards",
    "",
    "- The selection rule (out-of-fold predictions on repeated stratified folds shared by "
    "all variants, greedy ensemble selection) was chosen on development seeds 100–104 of "
    "Hungary and VA (same target populations, other samples), never on seeds 0–4 above. On "
    "those development runs the greedy ensemble was ahead of the single best variant and "
    "of a two-model blend.",
    "- The half-standard-error margin of the guard was added afterwards so that a useless "
    "source (a synthetic one whose labels ignore the features the target depends on) leads "
    "`auto` to a target-only model, as the issue's guard test asks; on the development "
    "seeds it cost about 0.003 mean AUC.",
    "- Measured after the run above, on test splits (so not used to change the code): with "
    "the margin set to 0 the six guard decisions among the nine quality cells would have "
    "given 0.715 / 0.673 instead of 0.659 / 0.497 (VA N=25, seeds 0 and 4), 0.877 instead "
    "of 0.867 (Hungary N=50, seed 3) and 0.893 / 0.872 instead of 0.874 / 0.866 (Hungary "
    "N=100, seeds 1 and 3): a nine-cell mean of about 0.825, still below 0.835.",
    "- VA at N=25 is where auto loses most: in seed 3 the 25 labelled rows (6 negatives) "
    "rank the source model at AUC 0.27 in inner validation while it scores 0.78 on the "
    "test rows, so every validation-based choice that honours the guard returns a "
    "target-only model there.",
    "- A later study on development seeds 100–109 (same nine cells, other samples; the "
    "out-of-fold and test predictions of every variant were kept and selection rules replayed "
    "on them) found no guarded rule better than the current one: nine-cell mean AUC current "
    "0.822; the same greedy blend without the guard 0.824; warm start @10 rounds as the "
    "default, replaced only by a blend that wins by more than one paired SE, guard at 0 SE: "
    "0.820 (0.5 SE: 0.814); an equal blend of source-only, warm start, pooled and instance: "
    "0.812 guarded, 0.828 unguarded. Fixed methods there: source-only 0.829, warm start @10 "
    "0.829, source-only + warm start @10 averaged 0.830. On 25–100 rows with 3–25 rows of the "
    "rarer class, the guard's inner-validation AUC rejects good transfer often enough to cost "
    "about 0.01, so a bar at the level of source-only is out of reach of a rule that honours "
    "the guard; the rule was left as it is.",
    "",
]
