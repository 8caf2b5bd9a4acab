"""Rolling-origin backtests, and the ``auto`` choice they drive.

``auto`` scores every candidate method on the last ``n_origins`` forecast origins of the
target history (each method fitted on the data before the first of them and shown only the
data before each origin) and, given source series, on theirs too, each cut at the target's
last timestamp (a pooled backtest: many more series behind one choice). On the target
alone it keeps the single method with the lowest mean MASE: with five origins, choosing
among many close combinations mostly picks noise. Pooled, it also scores combinations
(equal weights of the best two / three, the best mixed with each other one at 0.75/0.25
and 0.5/0.5, inverse-MASE and equal weights of every method that beat seasonal naive) and
prefers the equal-weight mean of the methods that beat seasonal naive. Whatever the rule,
an option that lost to the better seasonal naive on the target's own origins is never
chosen. These rules were chosen on development origins
(benchmarks/forecasting_selection_study.py). Combining forecasts averages their means and
their quantiles (quantile averaging), weight by weight.
"""

import copy
import hashlib
from dataclasses import dataclass, field

import numpy as np

from graft.data.timeseries import Series
from graft.strategies.forecasting.base import Context, Forecast, ForecastMethod, future_index
from graft.strategies.forecasting.metrics import mase

NAIVE = ("seasonal_naive", "seasonal_naive_long")


def rolling_origins(length: int, horizon: int, n_origins: int, step: int, min_train: int):
    """Origins (number of observations known) of a rolling backtest ending at ``length``.

    The last origin leaves exactly ``horizon`` observations to score; earlier ones are
    ``step`` apart; origins that would leave fewer than ``min_train`` observations to
    train on are dropped.
    """
    last = length - horizon
    origins = [last - i * step for i in range(n_origins)]
    return sorted(o for o in origins if o >= min_train)


def context_at(series: Series, origin: int, freq: str, horizon: int) -> Context:
    """What is known at ``origin``: values before it; covariates of the next steps."""
    known = series.head(origin)
    future_cov = None
    if series.covariates is not None:
        future_cov = series.covariates[origin : origin + horizon]
    return Context(known, freq, future_index(known.index, freq, horizon), future_cov)


class Combination(ForecastMethod):
    """A weighted average of fitted members' forecasts (means and quantiles)."""

    def __init__(self, members: dict[str, ForecastMethod], weights: dict[str, float]):
        first = next(iter(members.values()))
        super().__init__(first.seasons, first.horizon)
        self.members = members
        self.weights = {n: float(weights[n]) for n in members}
        self.name = " + ".join(members)

    def fit(self, histories: list[Series], freq: str) -> "Combination":
        for member in self.members.values():
            member.fit(histories, freq)
        return self

    def forecast(self, context: Context) -> Forecast:
        return combine({n: m.forecast(context) for n, m in self.members.items()}, self.weights)

    def min_length(self) -> int:
        return max(m.min_length() for m in self.members.values())


def combine(forecasts: dict[str, Forecast], weights: dict[str, float]) -> Forecast:
    total = sum(weights.values())
    mean = sum(weights[n] * forecasts[n].mean for n in weights) / total
    quantiles = sum(weights[n] * forecasts[n].quantiles for n in weights) / total
    return Forecast(mean, quantiles)


@dataclass
class Backtest:
    """Per-method forecasts at every (series, origin) of a backtest, and what they forecast."""

    origins: list[tuple[int, int]]  # (series position, origin)
    forecasts: dict[str, list[Forecast]]
    actuals: list[np.ndarray]
    histories: list[np.ndarray]
    errors: dict[str, str] = field(default_factory=dict)


def run_backtest(
    methods: dict[str, ForecastMethod],
    series: list[Series],
    freq: str,
    *,
    horizon: int,
    n_origins: int,
    step: int,
    min_train: int,
    refit: bool = False,
) -> Backtest:
    """Fit each method on what precedes the earliest origin (``refit``: at every origin), and
    forecast at every origin from what precedes it. A method that fails is left out and its
    error recorded. Origins right after an interpolated value are left out (that value was
    filled from the scored window)."""
    cuts = []
    for i, s in enumerate(series):
        for origin in rolling_origins(len(s.values), horizon, n_origins, step, min_train):
            if s.known_at(origin):
                cuts.append((i, origin))
    if not cuts:
        return Backtest([], {}, [], [], {})
    actuals = [series[i].values[o : o + horizon] for i, o in cuts]
    histories = [series[i].values[:o] for i, o in cuts]
    # A method fitted once is scored at every series' origins, so it is fitted on what
    # precedes the earliest of them in time: another series' values after that date share
    # the dates of the scored windows (two regions' demand on the same days).
    earliest = min(series[i].index[o] for i, o in cuts)
    heads = [
        series[i].head_known(int(series[i].index.searchsorted(earliest)))
        for i in sorted({i for i, _ in cuts})
    ]
    heads = [h for h in heads if len(h.values)]
    forecasts, errors = {}, {}
    for name, method in methods.items():
        try:
            if not refit:
                method.fit(heads, freq)
            out = []
            for i, origin in cuts:
                if refit:
                    method.fit([series[i].head(origin)], freq)
                out.append(method.forecast(context_at(series[i], origin, freq, horizon)))
            forecasts[name] = out
        except Exception as exc:  # a candidate that cannot run here is not a candidate
            errors[name] = f"{type(exc).__name__}: {exc}"
    return Backtest(cuts, forecasts, actuals, histories, errors)


def cut_at(series: Series, end) -> Series | None:
    """``series`` up to and including timestamp ``end``; None when nothing is left."""
    n = int(series.index.searchsorted(end, side="right"))
    cut = series.head_known(n)
    return cut if len(cut.values) else None


_BACKTESTS: dict[str, Backtest] = {}


def _fingerprint(series: list[Series], extra) -> str:
    digest = hashlib.sha256(repr(extra).encode())
    for s in series:
        digest.update(repr(s.id).encode())
        digest.update(np.ascontiguousarray(s.values).tobytes())
        digest.update(s.index.asi8.tobytes())
        if s.covariates is not None:
            digest.update(np.ascontiguousarray(s.covariates).tobytes())
        if s.filled is not None:
            digest.update(s.filled.tobytes())
    return digest.hexdigest()


def cached_backtest(
    methods: dict[str, ForecastMethod],
    series: list[Series],
    freq: str,
    *,
    settings,
    source: list[Series] | None = None,
    **kwargs,
) -> Backtest:
    """``run_backtest``, remembered per process for the same series, methods and settings.

    A pooled backtest is the same for every series of a panel taken in turn as the target
    (leave one out), and every method in it is deterministic given its settings and seed,
    so it is computed once. ``settings`` must hold everything the methods depend on besides
    the data; ``source`` is the source data a method was built with.
    """
    key = _fingerprint(
        [*series, *(source or [])],
        (sorted(methods), freq, sorted(kwargs.items()), settings, len(source or [])),
    )
    if key not in _BACKTESTS:
        if len(_BACKTESTS) >= 4:
            _BACKTESTS.pop(next(iter(_BACKTESTS)))
        _BACKTESTS[key] = run_backtest(methods, series, freq, **kwargs)
    return copy.deepcopy(_BACKTESTS[key])


def _combinations(ranked, good, scores, mean_of_good: bool) -> dict[str, dict[str, float]]:
    options = {}
    for k in (2, 3):
        if len(ranked) >= k:
            options[" + ".join(ranked[:k])] = dict.fromkeys(ranked[:k], 1.0)
    # The best method shrunk toward each other one: a cheap, robust family of combinations.
    for other in ranked[1:]:
        for w in (0.25, 0.5):
            options[f"{1 - w:g}*{ranked[0]} + {w:g}*{other}"] = {ranked[0]: 1 - w, other: w}
    if len(good) >= 2:
        options["inverse-MASE(" + ", ".join(good) + ")"] = {n: 1.0 / scores[n] for n in good}
        if mean_of_good:
            options["mean(" + ", ".join(good) + ")"] = dict.fromkeys(good, 1.0)
    return options


def choose(
    backtest: Backtest,
    season: int,
    *,
    target: set[int] | None = None,
    target_weight: float = 1.0,
    combinations: bool = True,
    mean_of_good: bool = True,
    prefer_mean: bool = False,
) -> tuple[dict[str, float], dict[str, float], str]:
    """Weights of the chosen method or combination, every option's score, and why.

    ``combinations``: also weigh combinations of the best methods (off: single methods
    only, for backtests too small to choose among many close options).

    ``prefer_mean``: take the equal-weight mean of every method that beat seasonal naive
    over the (pooled) backtest whenever it also beat seasonal naive on the target's own
    rows, instead of the single lowest-scoring option; choosing among many close options
    on a few origins mostly picks noise, and a mean of the good ones is robust to that.

    ``target``: positions of the target series in the backtest (default: all); the other
    series are source series whose backtest rows add evidence. Every (series, origin) row
    counts once, target rows ``target_weight`` times. The guard against seasonal naive
    reads the target rows alone: an option that lost to seasonal naive there is never
    chosen, whatever the source series say.
    """
    present = {i for i, _ in backtest.origins}
    target = present if target is None else set(target)
    is_target = np.array([i in target for i, _ in backtest.origins])
    row_weight = np.where(is_target, float(target_weight), 1.0)
    row_weight = row_weight / row_weight.sum()

    def row_mase(forecasts: list[Forecast]) -> np.ndarray:
        return np.array(
            [
                mase(a, f.mean, h, season)
                for a, f, h in zip(backtest.actuals, forecasts, backtest.histories)
            ]
        )

    rows = {n: row_mase(f) for n, f in backtest.forecasts.items()}
    scores = {n: float(row_weight @ r) for n, r in rows.items()}
    on_target = {n: float(r[is_target].mean()) for n, r in rows.items()}
    naive = {n: on_target[n] for n in NAIVE if n in rows}
    floor = min(naive.values()) if naive else np.inf
    options: dict[str, dict[str, float]] = {n: {n: 1.0} for n in scores}
    ranked = sorted(scores, key=scores.get)
    pooled_naive = min((scores[n] for n in naive), default=np.inf)
    good = [n for n in ranked if scores[n] < pooled_naive]
    if combinations:
        options.update(_combinations(ranked, good, scores, mean_of_good))
    option_rows = {}
    for label, weights in options.items():
        if len(weights) == 1:
            option_rows[label] = rows[next(iter(weights))]
            continue
        forecasts = [
            combine({n: backtest.forecasts[n][j] for n in weights}, weights)
            for j in range(len(backtest.origins))
        ]
        option_rows[label] = row_mase(forecasts)
    option_scores = {k: float(row_weight @ r) for k, r in option_rows.items()}
    option_target = {k: float(r[is_target].mean()) for k, r in option_rows.items()}
    # Seasonal naive itself sits at the floor, so ``allowed`` is never empty.
    allowed = [k for k in option_scores if option_target[k] <= floor]
    best = min(allowed, key=option_scores.get)
    overall = min(option_scores, key=option_scores.get)
    mean_label = next((k for k in options if k.startswith("mean(")), None)
    picked_mean = prefer_mean and mean_label in allowed
    if picked_mean:
        best = mean_label
    if best in NAIVE and not any(option_target[k] < floor for k in option_scores):
        reason = (
            f"no candidate beat {best} in the backtest on the target's own history (best: "
            f"{overall}, MASE {option_target[overall]:.3f} vs {floor:.3f}), so {best} was kept"
        )
        return {best: 1.0}, option_scores, reason
    n_target = int(is_target.sum())
    n_source = len(present - target)
    naive_note = f"; seasonal naive there {floor:.3f}" if naive else ""
    how = (
        f"the equal-weight mean of the {len(good)} methods that beat seasonal naive"
        if picked_mean
        else "lowest mean MASE"
    )
    if not n_source:
        reason = (
            f"{how} over {n_target} rolling origins of the target history: "
            f"{best} {option_scores[best]:.3f}{naive_note}"
        )
        return options[best], option_scores, reason
    reason = (
        f"{how} over {len(backtest.origins)} rolling origins pooled from the target "
        f"({n_target} origins, weighted x{target_weight:g}) and {n_source} source series "
        f"cut at the target's last timestamp: {best} {option_scores[best]:.3f}; on the "
        f"target alone {option_target[best]:.3f}{naive_note}"
    )
    if overall != best and not picked_mean:
        reason += f" ({overall} scored better pooled but lost to seasonal naive there)"
    return options[best], option_scores, reason
