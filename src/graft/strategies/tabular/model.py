"""The fitted tabular model: an encoder, an optional source booster, and weighted members.

A member is one fitted predictor in the shared feature space (see ``encoding``). Which
inputs it reads is part of it: ``dense`` (the encoded columns), ``dense+domain`` (plus a
"this row is from the target" indicator, for models trained on pooled rows) or
``dense+source`` (plus the source model's raw scores, for stacking). The final model is a
weighted average of its members' probabilities (or values), usually one member; ``auto``
may blend two when inner validation says the blend is better.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graft.strategies.tabular.boosting import margin, start_margin, to_proba
from graft.strategies.tabular.encoding import Encoded, TabularEncoder

__all__ = ["INPUTS", "Member", "TabularModel"]

INPUTS = ("dense", "dense+domain", "dense+source", "codes", "source")


@dataclass
class Member:
    """One fitted predictor.

    ``kind`` is ``"booster"`` (a LightGBM booster), ``"sklearn"`` (a scikit-learn
    estimator), ``"mlp"`` (a :class:`~graft.strategies.tabular.fine_tune.TabularMLP`) or
    ``"source"`` (the source booster itself). ``rounds`` truncates a booster.
    """

    name: str
    kind: str
    model: object
    inputs: str
    rounds: int | None = None
    info: dict = field(default_factory=dict)

    @property
    def reads_source(self) -> bool:
        """Whether this member needs the source model's scores of the rows it predicts."""
        return (
            self.kind == "source" or self.inputs == "dense+source" or bool(self.info.get("offset"))
        )

    def outputs(
        self, encoded: Encoded, source_margin: np.ndarray | None, task: str, n_outputs: int
    ) -> np.ndarray:
        """Probabilities (n, K) for classification, values (n,) for regression."""
        if self.kind == "source":
            return to_proba(source_margin, task)
        if self.kind == "mlp":
            return self.model.outputs(encoded, task)
        X = features(encoded, self.inputs, source_margin)
        if self.kind == "booster":
            raw = margin(self.model, X, rounds=self.rounds)
            if self.info.get("offset"):  # boosting continued from the source model's scores
                raw = raw + start_margin(source_margin, self.info)
            return to_proba(raw, task)
        if task == "regression":
            return np.asarray(self.model.predict(X), dtype=np.float64)
        return _full_proba(self.model, X, n_outputs)


def features(encoded: Encoded, inputs: str, source_margin: np.ndarray | None) -> np.ndarray:
    """The matrix a member of ``inputs`` reads."""
    if inputs == "dense":
        return encoded.dense
    if inputs == "dense+domain":
        return np.column_stack([encoded.dense, np.ones(len(encoded.dense))])
    if inputs == "dense+source":
        return np.column_stack([encoded.dense, source_margin])
    raise ValueError(f"unknown member inputs {inputs!r}")


def _full_proba(model, X: np.ndarray, n_outputs: int) -> np.ndarray:
    # A model fitted on a fold may have seen fewer classes than the task has.
    proba = np.zeros((len(X), n_outputs))
    proba[:, np.asarray(model.classes_, dtype=int)] = model.predict_proba(X)
    return proba


@dataclass
class TabularModel:
    """What a tabular TransferClassifier / TransferRegressor holds after ``fit``."""

    encoder: TabularEncoder
    task: str
    n_outputs: int
    members: list[Member]
    weights: list[float]
    source_booster: object = None
    source_scorer: object = None

    def source_margin(self, frame: pd.DataFrame, encoded: Encoded) -> np.ndarray | None:
        """The source model's raw scores for these rows (None without a source model)."""
        if self.source_scorer is not None:
            return self.source_scorer.margin(frame)
        if self.source_booster is None:
            return None
        return margin(self.source_booster, encoded.dense)

    def outputs(self, frame: pd.DataFrame) -> np.ndarray:
        encoded = self.encoder.encode(frame)
        # A source model (possibly a whole nested bundle) runs only if a member reads it.
        needed = any(m.reads_source for m in self.members)
        source = self.source_margin(frame, encoded) if needed else None
        return blend(
            [m.outputs(encoded, source, self.task, self.n_outputs) for m in self.members],
            self.weights,
        )


def blend(outputs: list[np.ndarray], weights: list[float]) -> np.ndarray:
    total = sum(weights)
    return sum(w / total * out for w, out in zip(weights, outputs))
