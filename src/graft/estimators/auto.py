"""``strategy="auto"``: choose a strategy by inner cross-validation, guarded by the baseline.

Few labelled rows make inner validation noisy: on 16 texts a 3-fold split scores each
candidate on 5 rows, and picking the highest mean then often rewards luck. Two rules keep
the choice stable without hiding negative transfer:

- the cheap candidates (the baseline and feature extraction) are scored on repeated folds,
  so the guard that compares them rests on several splits rather than one;
- feature extraction is the default transfer, and a costly candidate (hybrid, fine-tune)
  replaces it only when it wins by more than one standard error of their paired fold
  differences (the "one standard error" rule, in the direction of the simpler model).

Whatever is chosen must not have lost to the baseline on the folds both were scored on.
When feature extraction did, a costly candidate that beat the baseline may stand in for
it, but only one that scored at least as well as feature extraction on their shared folds;
otherwise the baseline is kept. Images have two from-scratch baselines, pixels + a linear
model and a small CNN (``baseline_cnn``); both are always scored and a transfer strategy
must beat each of them.
"""

import time

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold

from graft.exceptions import DataError

CANDIDATES = ("baseline", "feature_extraction", "hybrid", "fine_tune")
"""In order of cost: cheap candidates are always scored, costly ones only within budget."""

CHEAP = CANDIDATES[:2]
DEFAULT_TRANSFER = "feature_extraction"
MODALITY_CANDIDATES = {
    "text": CANDIDATES,
    "image": ("baseline", "feature_extraction", "baseline_cnn", "hybrid", "fine_tune"),
    # The voice encoder is used frozen.
    "audio": ("baseline", "feature_extraction"),
}


def strategies_for(modality: str) -> tuple[str, ...]:
    """Every strategy name an estimator accepts for input of ``modality``."""
    if modality == "tabular":
        from graft.estimators.base import TABULAR_STRATEGIES

        return TABULAR_STRATEGIES
    return ("auto", *MODALITY_CANDIDATES[modality])


BASELINES = ("baseline", "baseline_cnn")
"""From-scratch candidates: always scored (never skipped for time), and the guard."""
REPEATS = 3
"""Repetitions of the k-fold split for the cheap candidates (costly ones get the first)."""


def _subset(X, rows):
    if hasattr(X, "subset"):  # decoded images or audio
        return X.subset(rows)
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    if isinstance(X, np.ndarray):
        return X[rows]
    return [X[i] for i in rows]


def _splits(estimator, y: np.ndarray, seed: int) -> tuple[list, int]:
    """Repeated k-fold splits, and k (the first k splits form one plain k-fold)."""
    if estimator._task == "classification":
        smallest = int(np.unique(y, return_counts=True)[1].min())
        if smallest < 2:
            raise DataError(
                f"strategy='auto' needs at least 2 labelled rows per class to validate "
                f"(the smallest class has {smallest}); add rows or pick a strategy."
            )
        n_splits = min(3, smallest)
        folds = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=REPEATS, random_state=seed)
        return list(folds.split(np.zeros(len(y)), y)), n_splits
    if len(y) < 6:
        raise DataError(
            f"strategy='auto' needs at least 6 rows to validate (got {len(y)}); "
            "add rows or pick a strategy."
        )
    folds = RepeatedKFold(n_splits=3, n_repeats=REPEATS, random_state=seed)
    return list(folds.split(np.zeros(len(y)))), 3


def _log_loss(model, X, y) -> float:
    from sklearn.metrics import log_loss

    if model._task != "classification":
        return 0.0
    return float(log_loss(y, model.predict_proba(X), labels=model.classes_))


def _score(estimator, name, X, y, source, splits) -> dict:
    started = time.perf_counter()
    fold_scores, fold_losses = [], []
    for train_rows, val_rows in splits:
        model = clone(estimator).set_params(strategy=name, progress=False)
        if getattr(estimator, "backbone_", None) is not None:
            model.set_params(backbone=estimator.backbone_)
        model.fit(_subset(X, train_rows), y[train_rows], source=source)
        X_val, y_val = _subset(X, val_rows), y[val_rows]
        fold_scores.append(float(model.score(X_val, y_val)))
        fold_losses.append(_log_loss(model, X_val, y_val))
    return {
        "mean": float(np.mean(fold_scores)),
        "std": float(np.std(fold_scores)),
        "folds": fold_scores,
        "fold_log_losses": fold_losses,
        "log_loss": float(np.mean(fold_losses)),
        "seconds": time.perf_counter() - started,
    }


def _paired(a: dict, b: dict) -> tuple[float, float, float, float]:
    """Mean score and log loss of ``a`` and ``b`` on the folds both were scored on."""
    n = min(len(a["folds"]), len(b["folds"]))
    return (
        float(np.mean(a["folds"][:n])),
        float(np.mean(a["fold_log_losses"][:n])),
        float(np.mean(b["folds"][:n])),
        float(np.mean(b["fold_log_losses"][:n])),
    )


def _beats_baseline(candidate: dict, baseline: dict) -> bool:
    """Higher score on the shared folds; on a tie, lower log loss (ties favour the baseline)."""
    score, loss, base_score, base_loss = _paired(candidate, baseline)
    return score > base_score or (score == base_score and loss < base_loss)


def _clear_gain(candidate: dict, default: dict) -> float | None:
    """The paired mean gain of ``candidate`` over ``default`` if above one standard error."""
    n = min(len(candidate["folds"]), len(default["folds"]))
    gains = np.subtract(candidate["folds"][:n], default["folds"][:n])
    standard_error = float(np.std(gains, ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    gain = float(np.mean(gains))
    return gain if gain > 0 and gain > standard_error else None


def select_strategy(estimator, X, y, source, *, seed: int):
    """Score the candidates on shared inner folds and return the choice.

    Returns ``(strategy, scores, reason)``. ``scores`` maps each candidate to its fold
    scores (the estimator's ``score``: accuracy or R²) and log losses, mean, std and
    seconds, or to the reason it was skipped. A transfer strategy that lost to the baseline
    on the folds both were scored on is never returned.
    """
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    splits, n_splits = _splits(estimator, y, seed)
    budget = estimator.time_budget
    started = time.perf_counter()
    scores: dict[str, dict] = {}
    last_cost = 0.0
    always = {*CHEAP, *BASELINES}
    for name in MODALITY_CANDIDATES[getattr(estimator, "modality_", "text")]:
        elapsed = time.perf_counter() - started
        if budget is not None and name not in always and elapsed + last_cost > budget:
            scores[name] = {"skipped": f"time budget of {budget:.0f}s"}
            continue
        scores[name] = _score(
            estimator, name, X, y, source, splits if name in CHEAP else splits[:n_splits]
        )
        if name not in BASELINES:
            # A costly candidate costs about its fold count times one fit; the next is
            # similar. (The scratch CNN says nothing about fine-tuning's cost.)
            last_cost = scores[name]["seconds"] * n_splits / len(scores[name]["folds"])
    best, why = _choose(scores)
    metric = "accuracy" if estimator._task == "classification" else "R²"
    summary = "; ".join(
        f"{k} {v['mean']:.3f}±{v['std']:.3f} over {len(v['folds'])} folds"
        if "mean" in v
        else f"{k} skipped ({v['skipped']})"
        for k, v in scores.items()
    )
    validation = f"{n_splits}-fold inner validation ({metric}: {summary})"
    if best in BASELINES:
        kept = "the baseline" if best == "baseline" else f"the from-scratch {best}"
        reason = (
            f"no transfer strategy beat the from-scratch baseline in {validation}, "
            f"so {kept} was kept"
        )
    else:
        reason = f"{best} {why} in {validation}, and did not lose to the baseline"
    return best, scores, reason


def _not_below(candidate: dict, default: dict) -> bool:
    mine, _, theirs, _ = _paired(candidate, default)
    return mine >= theirs


def _choose(scores: dict[str, dict]) -> tuple[str, str]:
    """The chosen candidate and a phrase saying why (see the module docstring)."""
    scored = {k: v for k, v in scores.items() if "mean" in v}
    default = scored[DEFAULT_TRANSFER]
    costly = sorted(
        (name for name in scored if name not in CHEAP and name not in BASELINES),
        key=lambda name: (-scored[name]["mean"], scored[name]["log_loss"]),
    )
    gains = {name: _clear_gain(scored[name], default) for name in costly}
    clear = sorted((name for name in costly if gains[name] is not None), key=lambda n: -gains[n])
    # In order of preference: clear winners over the default, the default, then the rest
    # that did at least as well as the default on the folds both were scored on (one that
    # did worse than a default which lost to the baseline is no better evidence of transfer).
    preferred = [
        *(
            (n, f"beat {DEFAULT_TRANSFER} by {gains[n]:.3f}, more than one standard error,")
            for n in clear
        ),
        (DEFAULT_TRANSFER, "is the default transfer (no costlier candidate beat it clearly)"),
        *(
            (n, f"had the best score of the transfers left, not below {DEFAULT_TRANSFER}'s")
            for n in costly
            if n not in clear and _not_below(scored[n], default)
        ),
    ]
    baselines = [scored[b] for b in BASELINES if b in scored]
    for name, why in preferred:
        if all(_beats_baseline(scored[name], b) for b in baselines):
            return name, why
    # The better from-scratch model on the folds both were scored on.
    if "baseline_cnn" in scored:
        cnn, _, pixels, _ = _paired(scored["baseline_cnn"], scored["baseline"])
        if cnn > pixels:
            return "baseline_cnn", ""
    return "baseline", ""
