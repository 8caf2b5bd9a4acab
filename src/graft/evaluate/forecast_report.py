"""ForecastReport: forecasting candidates against seasonal naive over rolling origins.

It reuses :class:`graft.evaluate.report.CandidateResult` for each candidate's MASE (mean,
95% CI over origins, gain over the baseline and a verdict), adds the other metrics, and
keeps every origin's result (metrics and forecast) for inspection.
"""

import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graft.data.io import write_json
from graft.evaluate.report import CandidateResult, as_text


@dataclass
class ForecastReport:
    """Backtest of forecasting candidates; MASE, sMAPE, WQL: lower is better.

    ``verdict`` compares each candidate's MASE with the baseline's origin by origin:
    "helps" when the 95% CI of the paired difference lies below zero (lower error),
    "hurts" when it lies above, "no clear difference" otherwise.
    """

    horizon: int
    n_origins: int
    step: int
    baseline: str
    candidates: list[CandidateResult]
    metrics: dict[str, dict[str, float]]  # candidate -> mean sMAPE, WQL, coverage80
    origins: list[dict] = field(default_factory=list)
    metric: str = "MASE"

    def to_dict(self) -> dict:
        return asdict(self)

    def best(self) -> CandidateResult:
        """The candidate with the lowest mean MASE."""
        return min(self.candidates, key=lambda c: c.mean)

    def save_json(self, path: str | os.PathLike) -> Path:
        """Write the report as JSON atomically."""
        return write_json(self.to_dict(), path)

    def table(self):
        from rich.markup import escape
        from rich.table import Table

        table = Table(
            title=f"Backtest: {self._origins_text()}, horizon {self.horizon}",
            caption=f"gain and verdict are MASE against {self.baseline} (negative gain = "
            "lower error)",
        )
        columns = ("candidate", "MASE", "95% CI", "sMAPE %", "WQL", "cover 80%", "gain")
        for column in (*columns, "verdict", "fit+predict s"):
            left = column in ("candidate", "verdict")
            table.add_column(column, justify="left" if left else "right", no_wrap=not left)
        for c in self.candidates:
            m = self.metrics[c.name]
            name = c.name + (f" ({'; '.join(c.notes)})" if c.notes else "")
            # Names are the user's text and "[nan, nan]" reads as a markup tag: escaped.
            table.add_row(
                escape(name),
                f"{c.mean:.3f}",
                escape(f"[{c.ci_low:.3f}, {c.ci_high:.3f}]"),
                f"{m['smape']:.2f}",
                f"{m['wql']:.4f}",
                f"{m['coverage80']:.2f}",
                "—" if c.gain is None else f"{c.gain:+.3f}",
                c.verdict or "—",
                f"{c.fit_seconds:.1f}",
            )
        return table

    def _origins_text(self) -> str:
        """How many origins, per series where there are several: ``n_origins`` counts
        every series' cuts, and ``--origins`` is a number per series."""
        first = self.origins[0]["candidate"] if self.origins else None
        per_series = Counter(r["series"] for r in self.origins if r["candidate"] == first)
        if len(per_series) < 2:
            return f"{self.n_origins} rolling origins"
        counts = set(per_series.values())
        if len(counts) == 1:
            return f"{counts.pop()} rolling origins x {len(per_series)} series"
        return f"{self.n_origins} rolling origins over {len(per_series)} series"

    def __str__(self) -> str:
        return as_text(self.table())
