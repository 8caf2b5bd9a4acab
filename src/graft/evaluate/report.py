"""TransferReport: the evidence of whether transfer helped, as a plain dataclass."""

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

from graft.data.io import write_json

VERDICTS = ("helps", "no clear difference", "hurts")


@dataclass
class CandidateResult:
    """One candidate's scores on the evaluation splits, and its gain over the baseline."""

    name: str
    mean: float
    ci_low: float
    ci_high: float
    scores: list[float]
    fit_seconds: float
    predict_seconds: float
    gain: float | None = None
    gain_ci_low: float | None = None
    gain_ci_high: float | None = None
    verdict: str | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_scores(
        cls, name: str, scores, *, fit_seconds: float, predict_seconds: float, bounded: bool
    ) -> "CandidateResult":
        """A row for ``scores`` with their mean and 95% CI (clipped to [0, 1] if
        ``bounded``: accuracy or ROC AUC cannot leave it)."""
        scores = np.asarray(scores, dtype=float)
        low, high = mean_ci(scores)
        if bounded:
            low, high = max(low, 0.0), min(high, 1.0)
        return cls(
            name=name,
            mean=float(scores.mean()),
            ci_low=low,
            ci_high=high,
            scores=scores.tolist(),
            fit_seconds=float(fit_seconds),
            predict_seconds=float(predict_seconds),
        )

    def judge(self, baseline_scores: Sequence[float], *, lower_is_better: bool = False) -> None:
        """Set the paired gain over the baseline's scores on the same splits, its 95% CI,
        and the verdict: "helps" when the CI lies on the better side of zero, "hurts" when
        on the worse side, "no clear difference" otherwise."""
        diff = np.asarray(self.scores) - np.asarray(baseline_scores)
        self.gain = float(diff.mean())
        self.gain_ci_low, self.gain_ci_high = mean_ci(diff)
        if len(diff) < 2:  # one paired difference says nothing of its spread
            self.verdict = "no clear difference"
            return
        self._verdict(lower_is_better)

    def judge_resampled(self, differences, baseline_scores: Sequence[float]) -> None:
        """As :meth:`judge`, with the 95% CI of the gain taken from paired resampled
        differences (a bootstrap over a fixed test set's rows) instead of the splits."""
        self.gain = float(np.mean(self.scores) - np.mean(baseline_scores))
        self.gain_ci_low, self.gain_ci_high = np.percentile(differences, [2.5, 97.5]).tolist()
        self._verdict(lower_is_better=False)

    def _verdict(self, lower_is_better: bool) -> None:
        # A gain within floating-point noise of the scores (e.g. two forecasts of a constant
        # series that differ by 1e-8) is no difference, however consistent it is.
        noise = 1e-6 * max(1.0, abs(self.mean))
        if max(abs(self.gain_ci_low), abs(self.gain_ci_high)) <= noise:
            self.verdict = "no clear difference"
            return
        above, below = self.gain_ci_low > 0, self.gain_ci_high < 0
        better, worse = (below, above) if lower_is_better else (above, below)
        self.verdict = "helps" if better else "hurts" if worse else "no clear difference"


def mean_ci(values: Sequence[float]) -> tuple[float, float]:
    """The 95% t confidence interval of the mean (a point when the values agree)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or np.allclose(values, values[0]):
        return float(values.mean()), float(values.mean())
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


@dataclass
class TransferReport:
    """Scores of transfer candidates against the from-scratch baseline on the same splits.

    ``verdict`` of each candidate compares it with the baseline split by split: "helps"
    when the 95% confidence interval of the paired difference lies above zero, "hurts"
    when it lies below, "no clear difference" otherwise.
    """

    task: str
    metric: str
    n_rows: int
    n_splits: int
    evaluation: str
    baseline: str
    candidates: list[CandidateResult]
    column_matching: dict | None = None
    """Tables with a source: how source columns were matched to target columns."""

    def to_dict(self) -> dict:
        return asdict(self)

    def best(self) -> CandidateResult:
        """The candidate with the highest mean score."""
        return max(self.candidates, key=lambda c: c.mean)

    def save_json(self, path: str | os.PathLike) -> Path:
        """Write the report as JSON atomically."""
        return write_json(self.to_dict(), path)

    def table(self):
        """The report as a Rich table."""
        from rich.markup import escape
        from rich.table import Table

        table = Table(
            title=f"{self.task}: {self.metric} over {self.n_splits} {self.evaluation}",
            caption=f"{self.n_rows} labelled rows; gain and verdict are against {self.baseline}",
        )
        for column in ("candidate", self.metric, "95% CI", "gain", "verdict", "fit s", "predict s"):
            left = column in ("candidate", "verdict")
            table.add_column(column, justify="left" if left else "right", no_wrap=not left)
        for c in self.candidates:
            gain = "—" if c.gain is None else f"{c.gain:+.3f}"
            name = c.name + (f" ({'; '.join(c.notes)})" if c.notes else "")
            # Names are the user's text and "[nan, nan]" reads as a markup tag: escaped.
            table.add_row(
                escape(name),
                f"{c.mean:.3f}",
                escape(f"[{c.ci_low:.3f}, {c.ci_high:.3f}]"),
                gain,
                c.verdict or "—",
                f"{c.fit_seconds:.1f}",
                f"{c.predict_seconds:.2f}",
            )
        return table

    def matching_table(self):
        """The column matching as a Rich table, or None without one."""
        if self.column_matching is None:
            return None
        from graft.analysis.column_matching import ColumnMatching

        return ColumnMatching.from_dict(self.column_matching).as_table()

    def __str__(self) -> str:
        return as_text(self.table())


def as_text(renderable) -> str:
    """A Rich renderable (a report's table) as plain text, 140 columns wide."""
    from rich.console import Console

    console = Console(width=140, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()
