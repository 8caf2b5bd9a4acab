"""Everything a tabular strategy fits on, encoded once: target rows, source rows, source model.

A :class:`Problem` is built once per ``fit`` and shared by every strategy and by every fold
of inner validation. What does not depend on target labels (the encoder, the source model
and its scores on target rows, the MLP pretrained on the source) is computed once here, so
reusing it across folds leaks nothing from a validation fold.
"""

from dataclasses import dataclass, field

import numpy as np

from graft.strategies.tabular.boosting import SOURCE_ROUNDS, margin, train_booster
from graft.strategies.tabular.encoding import Encoded, TabularEncoder

__all__ = ["Problem"]


@dataclass
class Problem:
    """Encoded target rows (and optionally source rows and a source model).

    ``y`` holds encoded targets: class indices 0..K-1, or floats for regression.
    ``source_margin`` is the source model's raw score on every target row, shape (n, m).
    ``missing_classes`` are the (encoded) target classes the source never saw.
    """

    task: str
    n_outputs: int
    encoder: TabularEncoder
    target: Encoded
    y: np.ndarray
    source: Encoded | None = None
    y_source: np.ndarray | None = None
    source_booster: object = None
    source_scorer: object = None
    source_margin: np.ndarray | None = None
    missing_classes: tuple[int, ...] = ()
    settings: dict = field(default_factory=dict)
    seed: int = 0
    cache: dict = field(default_factory=dict)

    @property
    def n_margin(self) -> int:
        return 1 if self.task == "regression" or self.n_outputs == 2 else self.n_outputs

    @property
    def has_source_rows(self) -> bool:
        return self.source is not None

    @property
    def has_source_model(self) -> bool:
        return self.source_margin is not None

    def fit_source_booster(self) -> None:
        """Train the source-only LightGBM on all source rows and score the target rows."""
        booster, _ = train_booster(
            self.source.dense,
            self.y_source,
            task=self.task,
            n_outputs=self.n_outputs,
            rounds=SOURCE_ROUNDS,
            seed=self.seed,
        )
        self.source_booster = booster
        self.source_margin = margin(booster, self.target.dense)
