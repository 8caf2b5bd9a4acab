"""One feature space for source and target rows: schema, dense encoding, category codes.

Every tabular strategy works in the *target's* column space: source rows are first renamed
into target column names by the column matching (target columns the source lacks are NaN
there), then one :class:`TabularEncoder` turns both into numbers. Two views exist:

- ``dense``: :func:`graft.data.tabular.make_preprocessor` output (imputed, scaled, one-hot)
  for linear models and LightGBM;
- ``codes``: the non-categorical part of that, plus one integer code per categorical column
  (0 = missing, unseen or rare), for the MLP's embedding tables.

The encoder is fitted on the feature values of every row given to ``fit`` (source and
target, never the labels), so the source's value ranges shape the scaling as much as the
few target rows do. Both views are scikit-learn transformers, saved through skops.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OrdinalEncoder

from graft.data.tabular import (
    ColumnKind,
    TabularSchema,
    check_frame,
    infer_schema,
    make_preprocessor,
)
from graft.exceptions import DataError

__all__ = ["Encoded", "TabularEncoder"]


@dataclass
class Encoded:
    """The two numeric views of some rows."""

    dense: np.ndarray
    numeric: np.ndarray
    codes: np.ndarray

    def take(self, rows) -> "Encoded":
        return Encoded(self.dense[rows], self.numeric[rows], self.codes[rows])


@dataclass
class TabularEncoder:
    """Schema plus the fitted transformers; ``encode(frame)`` gives an :class:`Encoded`."""

    schema: TabularSchema
    dense: ColumnTransformer
    numeric: ColumnTransformer | None
    codes: ColumnTransformer | None

    @classmethod
    def fit(cls, frame: pd.DataFrame, *, where: str = "X") -> "TabularEncoder":
        """Infer the schema of ``frame`` and fit both views on it."""
        schema = infer_schema(frame, where=where)
        canonical = check_frame(frame, schema, where=where)
        dense = make_preprocessor(schema).fit(canonical)
        categorical = list(schema.of_kind(ColumnKind.CATEGORICAL))
        rest = TabularSchema(
            tuple(s for s in schema.columns if s.kind != ColumnKind.CATEGORICAL),
            schema.whole_numbers_as_int,
        )
        numeric = None
        try:
            numeric = make_preprocessor(rest).fit(canonical.loc[:, list(rest.names)])
        except DataError:  # only categorical columns vary: the MLP sees embeddings only
            numeric = None
        codes = None
        if categorical:
            encoder = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-1,
                min_frequency=2,
            )
            codes = ColumnTransformer([("codes", encoder, categorical)], remainder="drop")
            codes.fit(canonical)
        return cls(schema, dense, numeric, codes)

    def canonical(self, frame: pd.DataFrame, *, where: str = "X") -> pd.DataFrame:
        return check_frame(frame, self.schema, where=where)

    def encode(self, frame: pd.DataFrame, *, where: str = "X") -> Encoded:
        canonical = self.canonical(frame, where=where)
        n = len(canonical)
        dense = np.asarray(self.dense.transform(canonical), dtype=np.float64)
        if self.numeric is not None:
            names = list(self.numeric.feature_names_in_)
            numeric = np.asarray(
                self.numeric.transform(canonical.reindex(columns=names)), dtype=np.float32
            )
        else:
            numeric = np.zeros((n, 0), dtype=np.float32)
        if self.codes is not None:
            # Code 0 is "missing, unseen or rare"; real categories start at 1.
            raw = np.asarray(self.codes.transform(canonical), dtype=np.float64)
            codes = (np.nan_to_num(raw, nan=-1.0) + 1).astype(np.int64)
        else:
            codes = np.zeros((n, 0), dtype=np.int64)
        return Encoded(dense, numeric, codes)

    def cardinalities(self) -> list[int]:
        """Embedding table sizes, one per categorical column (code 0 included)."""
        if self.codes is None:
            return []
        # An upper bound (rare categories share one code): a few unused rows are harmless.
        encoder = self.codes.named_transformers_["codes"]
        return [len(categories) + 1 for categories in encoder.categories_]
