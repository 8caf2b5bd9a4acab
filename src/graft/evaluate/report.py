"""TransferReport: the evidence of whether transfer helped, as a plain dataclass."""

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

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
        path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(self.to_dict(), handle, indent=2)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    def table(self):
        """The report as a Rich table."""
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
            table.add_row(
                name,
                f"{c.mean:.3f}",
                f"[{c.ci_low:.3f}, {c.ci_high:.3f}]",
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
        from rich.console import Console

        console = Console(width=140, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(self.table())
        return console.export_text()
