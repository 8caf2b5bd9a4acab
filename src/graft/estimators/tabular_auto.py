"""Fitting tabular strategies, and ``strategy="auto"`` for tables.

``auto`` scores every variant of every available strategy (both target-only baselines
included) on the same repeated stratified folds of the target rows and keeps their
out-of-fold predictions. On 25 rows no single variant's score is reliable, so instead of
trusting one winner it builds a small ensemble by greedy forward selection with
replacement over those out-of-fold predictions (Caruana et al., 2004): start from the best
variant, add whichever variant (possibly the same one again) most improves the blend's
score, and keep the best prefix of at most ``ENSEMBLE_STEPS`` picks. Blending a strong
source model with a target-side model is often better than either alone.

The negative-transfer guard: the chosen ensemble must beat the better target-only baseline
on the same folds by more than half the standard error of that difference (a paired
bootstrap over target rows of the two out-of-fold predictions); otherwise the baseline is
returned. A plain "not lower" test would let a useless source through whenever noise
favours it (stacking with an uninformative source score is the target model plus noise). The
choice, the weights and every variant's score are in ``choice_reason_`` and
``auto_scores_``.
"""

import time
from collections import Counter

import numpy as np

from graft.exceptions import DataError
from graft.strategies.tabular.candidates import (
    BASELINES,
    NEEDS,
    available,
    fit_variants,
    source_member,
)
from graft.strategies.tabular.model import TabularModel
from graft.strategies.tabular.pooled import pooled_booster, share_name
from graft.strategies.tabular.problem import Problem
from graft.strategies.tabular.validation import (
    inner_splits,
    oof_predictions,
    repeat_scores,
    score,
)

__all__ = ["AUTO_ORDER", "ENSEMBLE_STEPS", "fit_named", "select_and_fit"]

AUTO_ORDER = (
    "baseline_linear",
    "baseline_lightgbm",
    "source_only",
    "stacking",
    "warm_start",
    "pooled",
    "instance",
    "fine_tune",
)
"""Candidates of ``auto`` in order of cost; the costly ones are skipped past the budget."""
ENSEMBLE_STEPS = 5
GUARD_SE = 0.5
"""Standard errors by which transfer must beat the target-only baseline in validation."""
BOOTSTRAP = 200


def _metric(problem: Problem) -> str:
    if problem.task == "regression":
        return "R²"
    return "ROC AUC" if problem.n_outputs == 2 else "-log loss"


def _strategy_of(variant: str) -> str:
    return variant.split("@")[0]


def _model(problem: Problem, members, weights) -> TabularModel:
    return TabularModel(
        encoder=problem.encoder,
        task=problem.task,
        n_outputs=problem.n_outputs,
        members=members,
        weights=list(weights),
        source_booster=problem.source_booster,
        source_scorer=problem.source_scorer,
    )


def _refit(problem: Problem, variant: str):
    """Fit one variant on every target row."""
    name = _strategy_of(variant)
    if name == "baseline":
        name = variant
    if name == "source_only":
        return source_member()
    return fit_variants(problem, name, np.arange(len(problem.y)))[variant]


def _score_table(problem, oof) -> dict[str, dict]:
    table = {}
    for variant, predictions in oof.items():
        scores = repeat_scores(problem.task, problem.y, predictions)
        table[variant] = {
            "mean": float(scores.mean()),
            "std": float(scores.std()),
            "repeats": scores.tolist(),
        }
    return table


def _ensemble(problem: Problem, oof: dict[str, np.ndarray]) -> tuple[Counter, float]:
    """Greedy forward selection with replacement; the best prefix and its score."""
    picks: Counter = Counter()
    best_picks, best_score = Counter(), -np.inf
    total = None
    for step in range(ENSEMBLE_STEPS):
        scored = []
        for variant, predictions in oof.items():
            blend = predictions if total is None else (total + predictions) / (step + 1)
            scored.append((repeat_scores(problem.task, problem.y, blend).mean(), variant))
        score, variant = max(scored, key=lambda pair: (pair[0], -list(oof).index(pair[1])))
        picks[variant] += 1
        total = oof[variant] * 1.0 if total is None else total + oof[variant]
        if score > best_score + 1e-9:
            best_picks, best_score = Counter(picks), score
    return best_picks, float(best_score)


def select_and_fit(problem: Problem, *, time_budget: float | None = 600.0):
    """``auto``: returns (model, scores, reason, strategy name)."""
    splits = inner_splits(problem.y, problem.task, problem.seed, "strategy='auto'")
    started = time.perf_counter()
    oof: dict[str, np.ndarray] = {}
    skipped: dict[str, str] = {}
    last_cost = 0.0
    for name in AUTO_ORDER:
        if not available(problem, name):
            skipped[name] = f"needs {_need_words(NEEDS[name])}"
            continue
        elapsed = time.perf_counter() - started
        if time_budget is not None and name not in BASELINES and elapsed + last_cost > time_budget:
            skipped[name] = f"time budget of {time_budget:.0f}s"
            continue
        t0 = time.perf_counter()
        oof.update(oof_predictions(problem, [name], splits))
        last_cost = time.perf_counter() - t0
    table = _score_table(problem, oof)
    picks, ensemble_score = _ensemble(problem, oof)
    baseline = max((v for v in table if v in BASELINES), key=lambda v: table[v]["mean"])
    guard = table[baseline]["mean"]
    metric = _metric(problem)
    n_folds = f"{len(splits)}x{len(splits[0])}-fold"
    if any(v not in BASELINES for v in picks):
        blend = sum(oof[v] * c for v, c in picks.items()) / sum(picks.values())
        se = _paired_se(problem, blend, oof[baseline])
        if ensemble_score - guard <= GUARD_SE * se:
            picks, ensemble_score = Counter({baseline: 1}), guard
    transfer = any(v not in BASELINES for v in picks)
    steps = sum(picks.values())
    variants = sorted(picks, key=lambda v: -picks[v])
    members = [_refit(problem, v) for v in variants]
    weights = [picks[v] / steps for v in variants]
    chosen = "+".join(dict.fromkeys(_strategy_of(v) for v in variants))
    described = ", ".join(f"{v} {w:.2f}" for v, w in zip(variants, weights))
    if transfer:
        reason = (
            f"the blend [{described}] had the best {n_folds} inner-validation {metric} "
            f"({ensemble_score:.3f}) and beat the better target-only baseline {baseline} "
            f"({guard:.3f}) by more than {GUARD_SE:g} standard error"
        )
    else:
        reason = (
            f"no transfer variant or blend beat the target-only baseline {baseline} "
            f"({guard:.3f} {metric}) by more than {GUARD_SE:g} standard error in {n_folds} "
            "inner validation, so the baseline was kept (negative-transfer guard)"
        )
    scores = {
        **table,
        "ensemble": {"mean": ensemble_score, "weights": dict(zip(variants, weights))},
    }
    scores.update({name: {"skipped": why} for name, why in skipped.items()})
    return _model(problem, members, weights), scores, reason, chosen


def _paired_se(problem: Problem, a: np.ndarray, b: np.ndarray) -> float:
    """Bootstrap standard error of score(a) - score(b) over target rows (repeats averaged)."""
    y, pa, pb = problem.y, a.mean(axis=0), b.mean(axis=0)
    rng = np.random.default_rng(problem.seed)
    diffs = []
    for _ in range(BOOTSTRAP):
        rows = rng.integers(0, len(y), len(y))
        if problem.task == "classification" and len(np.unique(y[rows])) < 2:
            continue
        diffs.append(
            score(problem.task, y[rows], pa[rows]) - score(problem.task, y[rows], pb[rows])
        )
    return float(np.std(diffs)) if len(diffs) > 1 else 0.0


def _need_words(need: str | None) -> str:
    return {
        "model": "a source (rows or a model)",
        "booster": "a source model or rows",
        "rows": "labelled source rows",
    }.get(need, "nothing")


def fit_named(problem: Problem, strategy: str):
    """Fit one named strategy; its own hyperparameter (if any) by inner validation."""
    if strategy == "baseline":
        candidates = list(BASELINES)
    else:
        if not available(problem, strategy):
            raise DataError(_missing_source_message(problem, strategy))
        candidates = [strategy]
    fixed = problem.settings.get("source_weight", "auto")
    if strategy in ("pooled", "instance") and fixed != "auto":
        share = float(fixed)
        variant = share_name(share) if strategy == "pooled" else "instance"
        if strategy == "pooled":
            from graft.strategies.tabular.model import Member

            booster = pooled_booster(problem, np.arange(len(problem.y)), share)
            member = Member(variant, "booster", booster, "dense+domain", info={"share": share})
        else:
            from graft.strategies.tabular.instance import fit_instance

            member = fit_instance(problem, np.arange(len(problem.y)), share=share)["instance"]
        reason = f"strategy={strategy!r} was requested with source_weight={fixed!r}"
        return _model(problem, [member], [1.0]), {}, reason, strategy
    if strategy == "source_only":
        reason = "strategy='source_only' was requested: the source model, no target fitting"
        return _model(problem, [source_member()], [1.0]), {}, reason, strategy
    rows = np.arange(len(problem.y))
    try:
        splits = inner_splits(problem.y, problem.task, problem.seed, f"strategy={strategy!r}")
    except DataError:
        splits = None
    all_variants = {}
    for name in candidates:
        all_variants.update(fit_variants(problem, name, rows))
    if len(all_variants) == 1:
        ((variant, member),) = all_variants.items()
        reason = f"strategy={strategy!r} was requested"
        return _model(problem, [member], [1.0]), {}, reason, strategy
    if splits is None:
        variant = next(iter(all_variants))
        reason = (
            f"strategy={strategy!r} was requested; too few target rows to validate its "
            f"settings, so the default {variant} was used"
        )
        return _model(problem, [all_variants[variant]], [1.0]), {}, reason, strategy
    table = _score_table(problem, oof_predictions(problem, candidates, splits))
    variant = max(table, key=lambda v: table[v]["mean"])
    reason = (
        f"strategy={strategy!r} was requested; {variant} had the best inner-validation "
        f"{_metric(problem)} ({table[variant]['mean']:.3f}) among "
        + ", ".join(f"{v} {s['mean']:.3f}" for v, s in table.items())
    )
    return _model(problem, [all_variants[variant]], [1.0]), table, reason, strategy


def _missing_source_message(problem: Problem, strategy: str) -> str:
    if not problem.has_source_model and not problem.has_source_rows:
        return (
            f"strategy={strategy!r} transfers from a source, but no source was given; pass "
            "source=(X_source, y_source) or source='model.graft', or use strategy='baseline'."
        )
    return (
        f"strategy={strategy!r} needs labelled source rows (source=(X_source, y_source)); "
        "a source given as a saved model supports 'source_only', 'stacking' and 'warm_start'."
    )
