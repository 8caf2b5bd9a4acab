"""Generate benchmarks/RESULTS.md from benchmarks/results/*.json (do not edit it by hand)."""

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from render_forecasting import (
    forecasting_section,
    guard_study_section,
    pooling_study_section,
    selection_study_section,
)
from render_tabular import tabular_section

HERE = Path(__file__).parent
RESULTS = HERE / "results"

LABELS = {
    "tfidf_lr_target": "TF-IDF + LR, target only (from scratch)",
    "tfidf_lr_source_only": "TF-IDF + LR, source only (movie)",
    "minilm_lr_target": "MiniLM features + LR, target only",
    "setfit": "SetFit (same MiniLM, library defaults)",
    "graft_feature_extraction": "graft feature_extraction (+ movie source)",
    "graft_fine_tune": "graft fine_tune",
    "graft_hybrid": "graft hybrid (+ movie source)",
    "graft_auto": "graft auto (+ movie source)",
}
GRAFT = ["graft_feature_extraction", "graft_fine_tune", "graft_hybrid", "graft_auto"]


def _stats(records, key):
    values = np.array([r[key] for r in records])
    return values.mean(), values.std(), len(values)


def _by_cell(records, name_key: str, labels) -> tuple[dict, list, list]:
    """Records grouped by (name, k), the label budgets, and the names of ``labels`` (in
    their order) that have any record."""
    cells = defaultdict(list)
    for r in records:
        cells[(r[name_key], r["k"])].append(r)
    ks = sorted({r["k"] for r in records})
    return cells, ks, [m for m in labels if any((m, k) in cells for k in ks)]


def _text_section(path: Path) -> tuple[list[str], dict]:
    data = json.loads(path.read_text())
    records = data["records"]
    target = records[0]["target"]
    cells, ks, methods = _by_cell(records, "method", LABELS)
    lines = [
        f"### movie → {target}",
        "",
        "Accuracy and macro-F1: mean ± std over seeds; fit and predict: mean seconds "
        "(predict = 1,000 test texts).",
        "",
        "| method | "
        + " | ".join(f"k={k} acc" for k in ks)
        + " | "
        + " | ".join(f"k={k} F1" for k in ks)
        + " | "
        + " | ".join(f"k={k} fit s" for k in ks)
        + " | predict s |",
        "|---" * (3 * len(ks) + 2) + "|",
    ]
    summary = {}
    for method in methods:
        acc, f1, fit, predict = [], [], [], []
        for k in ks:
            rs = cells.get((method, k), [])
            if not rs:
                acc += ["—"]
                f1 += ["—"]
                fit += ["—"]
                continue
            m, s, n = _stats(rs, "accuracy")
            fit_s = _stats(rs, "fit_s")[0]
            summary[(method, k)] = (m, s, n, fit_s)
            acc.append(f"{m:.3f} ± {s:.3f} (n={n})")
            m, s, _ = _stats(rs, "macro_f1")
            f1.append(f"{m:.3f} ± {s:.3f}")
            fit.append(f"{fit_s:.1f}")
            predict.append(_stats(rs, "predict_s")[0])
        lines.append(
            f"| {LABELS[method]} | "
            + " | ".join(acc)
            + " | "
            + " | ".join(f1)
            + " | "
            + " | ".join(fit)
            + f" | {np.mean(predict):.2f} |"
        )
    auto = [r for r in records if r["method"] == "graft_auto"]
    if auto:
        lines += ["", "What `auto` chose (count over seeds):", ""]
        for k in ks:
            chosen = defaultdict(int)
            for r in auto:
                if r["k"] == k:
                    chosen[r["chosen"]] += 1
            lines.append(f"- k={k}: " + ", ".join(f"{c} ×{n}" for c, n in sorted(chosen.items())))
    return [*lines, ""], {
        "target": target,
        "ks": ks,
        "summary": summary,
        "meta": data.get("meta", {}),
    }


def _quality(sections) -> list[str]:
    lines = ["## Quality bar (issue #2), checked on the numbers above", ""]
    for sec in sections:
        s, target = sec["summary"], sec["target"]
        for k in sec["ks"]:
            if ("setfit", k) in s and target in ("amazon", "tweets"):
                setfit_acc, setfit_fit = s[("setfit", k)][0], s[("setfit", k)][3]
                ranked = sorted((m for m in GRAFT if (m, k) in s), key=lambda m: -s[(m, k)][0])
                best = ranked[0]
                winners = [
                    m for m in ranked if s[(m, k)][0] > setfit_acc and s[(m, k)][3] < setfit_fit
                ]
                verdict = (
                    f"met by {winners[0]} ({s[(winners[0], k)][0]:.3f}, fit "
                    f"{s[(winners[0], k)][3]:.1f}s)"
                    if winners
                    else "NOT met"
                )
                lines.append(
                    f"- {target}, k={k}: SetFit {setfit_acc:.3f} (fit {setfit_fit:.1f}s); most "
                    f"accurate graft strategy {best} {s[(best, k)][0]:.3f} (fit "
                    f"{s[(best, k)][3]:.1f}s); more accurate and faster than SetFit: {verdict}"
                )
            refs = [m for m in ("tfidf_lr_target", "graft_feature_extraction") if (m, k) in s]
            if ("graft_auto", k) in s and refs:
                ref = max(refs, key=lambda m: s[(m, k)][0])
                floor = s[(ref, k)][0] - s[(ref, k)][1]
                auto = s[("graft_auto", k)][0]
                lines.append(
                    f"- {target}, k={k}: auto {auto:.3f} vs better of TF-IDF target-only and "
                    f"feature extraction ({ref} {s[(ref, k)][0]:.3f} ± {s[(ref, k)][1]:.3f}): "
                    f"{'met' if auto >= floor else 'NOT met'}"
                )
    return [*lines, ""]


def _mean_folds(score: dict, key: str, n: int) -> float:
    return float(np.mean(score[key][:n]))


def _guard_keeps_transfer(fe: dict, base: dict, key: str, n: int) -> bool:
    """auto's guard replayed on stored fold scores: feature extraction must beat the
    baseline on the first n folds (accuracy higher; log loss lower)."""
    if key == "folds":
        a, b = _mean_folds(fe, "folds", n), _mean_folds(base, "folds", n)
        if a != b:
            return a > b
        key = "fold_log_losses"  # auto breaks accuracy ties on log loss
    return _mean_folds(fe, key, n) < _mean_folds(base, key, n)


GUARD_RULES = {
    "shipped guard: accuracy, 3 x 3-fold (9 folds)": ("folds", 9),
    "accuracy, 6 x 3-fold (18 folds)": ("folds", 18),
    "log loss, 9 folds": ("fold_log_losses", 9),
    "log loss, 18 folds": ("fold_log_losses", 18),
}


def _text_guard_study(path: Path) -> list[str]:
    """Guard rules replayed on the development draws of benchmarks/text_auto_dev.py."""
    data = json.loads(path.read_text())
    records, meta = data["records"], data["meta"]
    cells = sorted({(r["target"], r["k"]) for r in records})
    header = " | ".join(f"{t} k={k}" for t, k in cells)
    lines = [
        "### Development study: the baseline guard of `auto` at small k (no test snippets)",
        "",
        f"`benchmarks/text_auto_dev.py`: per target, {meta['dev_size']:,} snippets of the "
        f"non-test pool are a development holdout (seed {meta['dev_seed']}); k labelled "
        "snippets per class are drawn from the rest (seeds 100+). For each draw the two cheap "
        "candidates of `auto` (TF-IDF baseline; feature extraction + movie source) are "
        "scored as `auto` scores them, on 6 repetitions of its stratified 3-fold split, and "
        "fitted on all the draw's rows to score the holdout. Each guard rule is replayed on "
        "those stored scores: it keeps feature extraction or falls back to the baseline. "
        "Cells: mean holdout accuracy of what the rule keeps; last column: draws where the "
        "rule kept the baseline / of those, draws where the baseline was worse on the "
        "holdout (false alarms). Costly candidates (hybrid, fine-tune) are not scored here.",
        "",
        f"| rule | {header} | baseline kept / false alarms |",
        "|---" * (len(cells) + 2) + "|",
    ]

    def row(label, pick):
        by_cell, kept, wrong = defaultdict(list), 0, 0
        for r in records:
            transfer = pick(r)
            by_cell[(r["target"], r["k"])].append(
                r["dev_feature_extraction"] if transfer else r["dev_baseline"]
            )
            if not transfer:
                kept += 1
                wrong += r["dev_baseline"] < r["dev_feature_extraction"]
        values = " | ".join(f"{np.mean(by_cell[c]):.3f} (n={len(by_cell[c])})" for c in cells)
        return f"| {label} | {values} | {kept} / {wrong} |"

    for label, (key, n) in GUARD_RULES.items():
        lines.append(
            row(
                label,
                lambda r, key=key, n=n: _guard_keeps_transfer(
                    r["scores"]["feature_extraction"], r["scores"]["baseline"], key, n
                ),
            )
        )
    lines.append(row("no guard: always feature extraction", lambda r: True))
    lines.append(row("always the TF-IDF baseline", lambda r: False))
    lines += [
        "",
        "What was decided from this table: `auto` keeps its rule. No other statistic fired "
        "less often on noise in a consistent way (log loss over 9 folds avoided the false "
        "alarms, log loss over the 18 folds of the same draws did not), and dropping the "
        "guard is not an option (GUIDE). These rare false alarms are what costs `auto` the "
        "strict bar in the nyt cells above: on 8-16 labelled snippets per class, a few draws' "
        "own inner folds favour TF-IDF, and the guard then keeps it.",
    ]
    return [*lines, ""]


IMAGE_LABELS = {
    "pixels_lr": "pixels + logistic regression (from scratch)",
    "small_cnn": "small CNN from scratch (graft baseline_cnn)",
    "pixels_lr_source_only": "pixels + LR trained on digits only (source only)",
    "effnet_fe_plain": "EfficientNet-Lite0 feature_extraction, plain (previous defaults)",
    "effnet_fe": "EfficientNet-Lite0 feature_extraction (224 px, current defaults)",
    "effnet_fe_tta_flip_shift": "EfficientNet-Lite0 feature_extraction, tta=flip_shift",
    "effnet_fe_source": "EfficientNet-Lite0 feature_extraction + digits source (current defaults)",
    "mobilenet_fe_plain": "MobileNetV2 feature_extraction, plain (previous defaults)",
    "mobilenet_fe": "MobileNetV2 feature_extraction (224 px, current defaults)",
    "effnet_hybrid": "EfficientNet-Lite0 hybrid (112 px)",
    "effnet_fine_tune": "EfficientNet-Lite0 fine_tune (112 px, top 3 stages)",
    "graft_auto": "graft auto (EfficientNet-Lite0)",
    "graft_auto_source": "graft auto (EfficientNet-Lite0, + digits source, current defaults)",
}
IMAGE_TITLES = {
    "fashion": "Fashion-MNIST (ImageNet backbones → clothes)",
    "digits": "digits (8×8, scikit-learn) → MNIST (28×28)",
}
SCRATCH = ("pixels_lr", "small_cnn")


def _image_section(path: Path) -> list[str]:
    data = json.loads(path.read_text())
    records, meta = data["records"], data["meta"]
    cells, ks, methods = _by_cell(records, "method", IMAGE_LABELS)
    task = records[0]["task"]
    lines = [
        f"### {IMAGE_TITLES.get(task, task)}",
        "",
        f"k labelled images per class; accuracy on {meta['test_size']:,} fixed test images, "
        "mean ± std over seeds (n = seeds run); fit: mean seconds per fit; images/s: test "
        "images predicted per second.",
        "",
        "| method | "
        + " | ".join(f"k={k} acc (n)" for k in ks)
        + " | "
        + " | ".join(f"k={k} fit s" for k in ks)
        + " | images/s |",
        "|---" * (2 * len(ks) + 2) + "|",
    ]
    for method in methods:
        acc, fit, speed = [], [], []
        for k in ks:
            rs = cells.get((method, k), [])
            if not rs:
                acc.append("—")
                fit.append("—")
                continue
            mean, std, n = _stats(rs, "accuracy")
            acc.append(f"{mean:.3f} ± {std:.3f} ({n})")
            fit.append(f"{_stats(rs, 'fit_s')[0]:.0f}")
            speed += [r["images_per_s"] for r in rs]
        lines.append(
            f"| {IMAGE_LABELS[method]} | "
            + " | ".join(acc)
            + " | "
            + " | ".join(fit)
            + f" | {np.mean(speed):.0f} |"
        )
    chosen = defaultdict(list)
    for r in records:
        if r["method"].startswith("graft_auto"):
            chosen[r["k"]].append(r["chosen"])
    if chosen:
        lines += [
            "",
            "auto chose: " + "; ".join(f"k={k}: {', '.join(v)}" for k, v in sorted(chosen.items())),
        ]
    if task == "fashion":
        lines += ["", *_image_quality(cells, ks)]
    return [*lines, ""]


def _image_quality(cells, ks) -> list[str]:
    def mean(method, k):
        rs = cells.get((method, k), [])
        return _stats(rs, "accuracy")[0] if rs else None

    transfer = [m for m in IMAGE_LABELS if m not in SCRATCH and m.startswith(("effnet", "mobile"))]
    out = ["Quality bar (issue 5), from the rows above:", ""]
    if 10 in ks:
        best = max((mean(m, 10) or 0.0, m) for m in transfer)
        verdict = "met" if best[0] >= 0.78 else "NOT met"
        out.append(
            f"- best transfer strategy at k=10: {best[1]} {best[0]:.3f} (bar 0.78): {verdict}"
        )
    if 50 in ks:
        scratch = max(mean(m, 50) or 0.0 for m in SCRATCH)
        best = max((mean(m, 50) or 0.0, m) for m in transfer)
        verdict = "met" if best[0] > scratch else "NOT met"
        out.append(
            f"- k=50: best transfer {best[1]} {best[0]:.3f} vs best from scratch "
            f"{scratch:.3f}: {verdict}"
        )
    for k in ks:
        auto, scratch = mean("graft_auto", k), max(mean(m, k) or 0.0 for m in SCRATCH)
        if auto is not None:
            verdict = "met" if auto >= scratch else "NOT met"
            out.append(
                f"- auto never below the better from-scratch method, k={k}: auto {auto:.3f} "
                f"vs {scratch:.3f}: {verdict}"
            )
    return out


DEV_LABELS = {
    "previous": "previous defaults: logistic regression on raw features, no blend, no TTA",
    "normalized_head": "L2-normalised features + logistic regression (C=10)",
    "normalized_head_tta_flip": "normalised head + tta=flip",
    "normalized_head_blend_auto": "normalised head + pixels blend, weight by inner CV",
    "normalized_head_blend_auto_tta_flip": "normalised head + blend by inner CV + tta=flip",
    "normalized_head_blend_auto_tta_flip_shift": "normalised head + blend by CV + flip_shift",
    "raw_head_blend_auto": "raw-feature head + pixels blend by inner CV",
    "normalized_head_blend0.3": "normalised head + pixels blend 0.3",
    "normalized_head_blend0.3_tta_flip": "**normalised head + blend 0.3 + tta=flip (new default)**",
    "normalized_head_blend0.3_tta_flip_shift": "normalised head + blend 0.3 + tta=flip_shift",
    "raw_head_blend0.3": "raw-feature head + pixels blend 0.3",
    "mobilenet_previous": "MobileNetV2, previous defaults",
    "mobilenet_normalized_head_blend_auto_tta_flip": "MobileNetV2, normalised + blend by CV + flip",
    "mobilenet_normalized_head_blend0.3_tta_flip": "MobileNetV2, new defaults",
}


def _image_dev(path: Path) -> list[str]:
    """The development study: variants compared on holdouts from the training split."""
    data = json.loads(path.read_text())
    records, meta = data["records"], data["meta"]
    cells, ks, variants = _by_cell(records, "variant", DEV_LABELS)
    lines = [
        "### Development study: feature-extraction options (holdouts from the TRAIN split)",
        "",
        f"`benchmarks/images_dev.py`: {meta['dev_size']:,} images held out of the "
        "Fashion-MNIST **training** split (seed "
        f"{meta['dev_seed']}); k labelled images per class drawn from the rest of the "
        "training split with seeds 100+. The test images above were never used to choose "
        "anything: the defaults (normalised head, pixels-baseline blend 0.3, tta=flip) were "
        "chosen from this table. Accuracy on the holdout, mean ± std over seeds (n); "
        "blend w: mean weight of the pixels baseline. 'blend by inner CV' is "
        "`baseline_blend='auto'`: it chose 0-0.1 on half the k=10 draws where 0.3 did better "
        "on the holdout (the pixels model gains more than the frozen-feature head from the "
        "rows inner folds hold out), hence the fixed default. A feature-level exploration "
        "before this script also tried concatenating both backbones' features and a "
        "nearest-class-mean (cosine) head blended with the logistic head; neither gained "
        "clearly over the normalised head plus the blend, so neither became an option.",
        "",
        "| variant | " + " | ".join(f"k={k} acc (n) | k={k} blend w" for k in ks) + " |",
        "|---" * (2 * len(ks) + 1) + "|",
    ]
    for variant in variants:
        row = []
        for k in ks:
            rs = cells.get((variant, k), [])
            if not rs:
                row += ["—", "—"]
                continue
            mean, std, n = _stats(rs, "accuracy")
            row += [f"{mean:.3f} ± {std:.3f} ({n})", f"{_stats(rs, 'baseline_weight')[0]:.2f}"]
        lines.append(f"| {DEV_LABELS[variant]} | " + " | ".join(row) + " |")
    return [*lines, ""]


def _image_speed(path: Path) -> list[str]:
    data = json.loads(path.read_text())
    lines = [
        "### Feature extraction speed at 224 px",
        "",
        f"{data['n_images']} Fashion-MNIST images, embedding cache off, one process; the "
        "machine was shared with other work (load average in the last column), so the "
        "numbers move from run to run.",
        "",
        "| backbone | runtime | threads | images/s | load average |",
        "|---|---|---|---|---|",
    ]
    for row in data["rows"]:
        lines.append(
            f"| {row['backbone']} | {row['runtime']} | {row['threads']} | "
            f"{row['images_per_s']:.1f} | {row['load_average']:.1f} |"
        )
    if data.get("tta_rows"):
        lines += [
            "",
            "Predict speed of a fitted `feature_extraction` model (EfficientNet-Lite0, ONNX, "
            "cache off, pixels blend included) per `tta` setting; `flip` (the default) embeds "
            "each image twice, `flip_shift` six times. Two runs right after each other: "
            "other engineers' jobs started during the first (see the load average), so the "
            "two-thread rows of the second run are slower than one thread.",
            "",
            "| run | tta | threads | images/s | load average |",
            "|---|---|---|---|---|",
        ]
        for row in data["tta_rows"]:
            lines.append(
                f"| {row.get('run', 1)} | {row['tta']} | {row['threads']} | "
                f"{row['images_per_s']:.1f} | {row['load_average']:.1f} |"
            )
    return [*lines, ""]


def images_markdown() -> list[str]:
    """The image section of RESULTS.md (empty when the image benchmark has not run)."""
    paths = sorted(RESULTS.glob("images_*.json"))
    tables = [p for p in paths if p.name not in ("images_speed.json", "images_dev.json")]
    if not paths:
        return []
    out = [
        "## Images: ImageNet backbones → Fashion-MNIST; digits → MNIST",
        "",
        "`benchmarks/images.py` at one thread (`GRAFT_NUM_THREADS=1`, BLAS limited too) on "
        "a shared, busy 2-core machine: other engineers' jobs ran at the same time (load "
        "average 1-5 during the Fashion-MNIST rerun, with the development study running "
        "beside it at times; 6-20 during the earlier digits run), so seconds are inflated "
        "and noisy; compare methods within a table. Rows with fewer "
        "seeds (n) are the ones the deadline cut short. Every method sees the same images. "
        "**Cached:** frozen-backbone "
        "features (and the 4 augmented views per training image) are kept in graft's "
        "embedding cache, keyed by weight hash + image content hash, so feature-extraction "
        "fits after the first reuse them; fine-tuning and the scratch CNN compute "
        "everything each fit. fine_tune / hybrid use 112 px inputs to keep a fit within "
        "minutes on the CPU; `auto` ran with `time_budget=120` s, so it scored the two "
        "from-scratch baselines and feature extraction on every fit and skipped the "
        "fine-tuning candidates when the budget was spent (its reason says which). "
        "images/s of feature-extraction rows (and of auto when it chose them) reads the "
        "cached test features; the uncached speed at 224 px is in the speed table below. "
        "**Defaults changed:** after the development study at the end of this section "
        "(holdouts from the training split), image `feature_extraction` uses an "
        "L2-normalised logistic head, blends in the pixels baseline with weight 0.3 and "
        "averages over each test image and its mirror (`tta='flip'`). Rows marked "
        "'current defaults' (and auto) were rerun with them; rows marked 'plain (previous "
        "defaults)' run the old configuration on the same splits. Every Fashion-MNIST row "
        "comes from one rerun of the script after that change; in the digits → MNIST "
        "table the 'plain' and pixels rows are from the earlier run, the others were "
        "rerun with the current defaults (the two '+ digits source' rows later, on a "
        "quieter machine, after a fix: the normalised head had refused the source rows' "
        "sample weights). With `augment` and `tta` at their defaults the digits are "
        "also mirrored, as a user who leaves them on would get.",
        "",
    ]
    for path in tables:
        out += _image_section(path)
    if (RESULTS / "images_dev.json").is_file():
        out += _image_dev(RESULTS / "images_dev.json")
    if (RESULTS / "images_speed.json").is_file():
        out += _image_speed(RESULTS / "images_speed.json")
    return out


def main() -> None:
    sections, body = [], []
    for path in sorted(RESULTS.glob("text_*.json")):
        if path.name == "text_auto_dev.json":  # the guard study, rendered below
            continue
        lines, info = _text_section(path)
        body += lines
        sections.append(info)
    machine = sections[0]["meta"].get("machine", "?") if sections else "?"
    out = [
        "# Benchmark results",
        "",
        "Generated by `make bench` (`benchmarks/render.py`) from `benchmarks/results/*.json`; "
        "do not edit by hand.",
        "",
        f"Machine: {machine}; torch threads per process: "
        f"{sections[0]['meta'].get('torch_threads', '?') if sections else '?'}.",
        "",
        "## Text: movie snippets → Amazon / tweets / NYT (VADER data)",
        "",
        "Target-domain labels: rating > 0. Each target has a fixed held-out test set of "
        "1,000 snippets; for each seed, k labelled snippets per class are drawn from the rest. "
        "The source is all 10,605 labelled movie snippets. Every method sees the same rows in "
        "one run. graft methods marked '+ movie source' get the movie rows through "
        "`fit(..., source=...)`; graft chooses their weight by cross-validation on the "
        "target rows. SetFit runs at k ≤ 16 only (its pair sampling makes a k=64 fit take "
        "over ten minutes here).",
        "",
        "**Cached:** MiniLM embeddings of the source and all target texts are computed once "
        "per machine and kept in graft's embedding cache (SQLite, keyed by backbone weight "
        "hash and text hash). Fit and predict seconds of methods on frozen features "
        "therefore exclude embedding; the one-time embedding cost is listed below. "
        "Fine-tuning methods and SetFit embed with their own weights every time. Three "
        "benchmark processes (one per target, one torch thread each) shared the 2 cores, "
        "so absolute seconds are inflated; compare methods within a table.",
        "",
        "The `graft auto` rows were rerun later, after its selection rule changed (repeated "
        "folds for the cheap candidates, one-standard-error rule toward feature extraction), "
        "on the same splits but on a much busier machine (load 15-20: other engineers' jobs "
        "and six benchmark processes). Its fit seconds are therefore not comparable with the "
        "other rows, and in some fits its 600 s `time_budget` ran out before hybrid or "
        "fine-tune were scored (each record's `reason` says which).",
        "",
    ]
    warm = RESULTS / "embedding_warmup.json"
    if warm.is_file():
        cost = json.loads(warm.read_text())
        out += [
            "One-time embedding into the cache (seconds, 0 when already cached): "
            + ", ".join(f"{k} {v:.1f}" for k, v in cost.items()),
            "",
        ]
    out += body + _quality(sections)
    if (RESULTS / "text_auto_dev.json").is_file():
        out += _text_guard_study(RESULTS / "text_auto_dev.json")
    out += images_markdown()
    threads = RESULTS / "threads.json"
    if threads.is_file():
        t = json.loads(threads.read_text())
        speed = t["sentences_per_s"]
        out += [
            "## Threads and the embedding cache",
            "",
            f"MiniLM embedding, {t['n_sentences']} movie snippets, cache off: "
            + ", ".join(f"{k} thread(s) {v:.0f} sentences/s" for k, v in speed.items())
            + " (measured with the machine otherwise idle). graft's default "
            "(`GRAFT_NUM_THREADS`) is therefore all cores; the benchmark above ran three "
            "processes at one thread each. At two threads, embedding the 10,605 movie "
            f"snippets into the cache once takes about {10605 / speed['2']:.0f} s.",
            "",
            f"`feature_extraction` fit on {t['n_fit_texts']} Amazon snippets in a fresh cache: "
            f"first fit {t['first_fit_s']:.2f}s, second fit on the same texts "
            f"{t['second_fit_s']:.2f}s ({t['cache_speedup']:.0f}× faster).",
            "",
        ]
    out += tabular_section(RESULTS)
    out += forecasting_section(RESULTS)
    out += selection_study_section(RESULTS)
    out += guard_study_section(RESULTS)
    out += pooling_study_section(RESULTS)
    (HERE / "RESULTS.md").write_text("\n".join(out))
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
