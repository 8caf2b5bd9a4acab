"""Build a :class:`Problem` from user frames: match columns, encode, train the source model."""

import numpy as np
import pandas as pd

from graft.analysis.column_matching import ColumnMatching, match_columns
from graft.data.tabular import infer_schema, respell_flags
from graft.exceptions import DataError, SchemaError
from graft.strategies.tabular.encoding import TabularEncoder
from graft.strategies.tabular.problem import Problem

__all__ = ["align_source", "build_problem", "mark_unjoinable", "refuse_unusable"]


def align_source(
    source: pd.DataFrame, target: pd.DataFrame, *, mapping, backbone: str | None
) -> tuple[pd.DataFrame, ColumnMatching]:
    """Source rows renamed into the target's columns, and the matching that did it.

    A matched pair whose kinds cannot meet (a number feeding a category) is not used: the
    target column is left empty in the source rows, and the matching records why. A flag
    spelt differently in the two tables ("Yes"/"No" against "yes"/"no" or 0/1) is rewritten
    in the target's spelling, so that the joined column is still one flag.
    """
    matching = match_columns(source, target, mapping=mapping, backbone=backbone)
    for match in matching.matches:
        # A source column the schema refuses (mostly numbers with a stray "?", dates, lists)
        # is refused as the same column of X would be, naming its row in the source, rather
        # than silently turning into another kind and being left out.
        infer_schema(source.loc[:, [match.source]], where="source X")
    aligned = matching.apply(source)
    for match in matching.matches:
        if match.kind_compatible:
            aligned[match.target] = _joinable(match, target[match.target], aligned[match.target])
    for match in matching.matches:
        if not match.kind_compatible:
            aligned[match.target] = np.nan
    refuse_unusable(matching)
    return aligned, matching


def refuse_unusable(matching: ColumnMatching) -> None:
    """Raise :class:`SchemaError` when no matched column can be used (all incompatible)."""
    dropped = [m for m in matching.matches if not m.kind_compatible]
    if len(dropped) == len(matching.matches):
        raise SchemaError(
            "Every matched source column has another kind than its target column ("
            + ", ".join(
                f"{m.source!r} ({m.source_kind}) -> {m.target!r} ({m.target_kind})"
                for m in dropped[:5]
            )
            + "); pass a column mapping that pairs columns holding the same kind of values."
        )


def mark_unjoinable(matching: ColumnMatching, source: pd.DataFrame, target: pd.DataFrame):
    """Mark compatible matches whose values cannot meet (see :func:`_joinable`) incompatible;
    for a source given as a model, whose rows are never joined to the target's."""
    for match in matching.matches:
        if match.kind_compatible:
            _joinable(match, target[match.target], source[match.source])


def _joinable(match, target: pd.Series, source: pd.Series) -> pd.Series:
    """The source column in a form that joins ``target`` without changing its kind.

    Flags and categories share a kind group (the same fact is stored either way), so a
    flag spelt differently ("Yes"/"No", "yes"/"no", 0/1) is rewritten in the target's
    spelling. Numbers and text that are not one flag cannot share a column (the joined
    column would read as mostly numbers with garbage): the match is marked incompatible
    and left out, as a number feeding a category is.
    """
    respelt = respell_flags(target, source)
    if respelt is not None:
        return respelt
    if _all_numbers(target) != _all_numbers(source):
        match.kind_compatible = False
    return source


def _all_numbers(values: pd.Series) -> bool:
    present = values.dropna()
    if pd.api.types.is_bool_dtype(present):
        return False  # True/False are flags, not numbers
    if pd.api.types.is_numeric_dtype(present):
        return True
    if any(isinstance(v, bool | np.bool_) for v in present):
        return False
    return bool(pd.to_numeric(present, errors="coerce").notna().all())


def build_problem(
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    task: str,
    n_outputs: int,
    source_frame: pd.DataFrame | None = None,
    y_source: np.ndarray | None = None,
    source_scorer=None,
    missing_classes=(),
    settings: dict | None = None,
    seed: int = 0,
) -> Problem:
    """Encode target (and aligned source) rows in one feature space; fit the source model.

    ``source_frame`` must already be aligned to ``X``'s columns (see :func:`align_source`);
    ``missing_classes`` are the encoded target classes the source (rows or model) lacks.
    """
    frames = [X] if source_frame is None else [X, source_frame]
    try:
        joined = pd.concat(frames, axis=0, ignore_index=True)
    except (TypeError, ValueError) as exc:
        raise DataError(f"Source and target rows cannot be put in one table ({exc}).") from exc
    encoder = TabularEncoder.fit(joined, where="X" if source_frame is None else "X + source X")
    problem = Problem(
        task=task,
        n_outputs=n_outputs,
        encoder=encoder,
        target=encoder.encode(X, where="X"),
        y=y,
        settings=dict(settings or {}),
        seed=seed,
        missing_classes=tuple(int(k) for k in missing_classes),
    )
    if source_frame is not None:
        problem.source = encoder.encode(source_frame, where="source X")
        problem.y_source = y_source
        problem.fit_source_booster()
    elif source_scorer is not None:
        problem.source_scorer = source_scorer
        problem.source_margin = source_scorer.margin(X)
    return problem
