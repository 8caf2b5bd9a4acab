"""Match the columns of a source table to those of a target table.

Two companies rarely store the same facts under the same column names: one churn table has
``tenure`` and ``monthly_charges``, another ``account_length`` and ``total_day_charge``.
:func:`match_columns` pairs them one to one, in four steps, each step only seeing the
columns the earlier steps left over:

1. ``user``: the user's own mapping (a dict, or a JSON / CSV file), which always wins;
2. ``exact``: identical names;
3. ``normalised``: names equal once case, punctuation, camelCase, word order, plurals and
   common abbreviations are ignored (``MonthlyCharges`` = ``monthly_charges``,
   ``num_cust`` = ``customer_number``);
4. ``semantic``: the cosine similarity of the names' text-backbone embeddings, for columns
   of compatible kinds only (a number never feeds a category), above ``min_similarity``.

The resulting :class:`ColumnMatching` is what a report shows, and its
:meth:`~ColumnMatching.apply` turns source rows into target-shaped rows.
"""

import functools
import json
import math
import numbers
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from graft.exceptions import BackboneUnavailableError, DataError, SchemaError

__all__ = [
    "ABBREVIATIONS",
    "ColumnMatch",
    "ColumnMatching",
    "column_kind",
    "humanise",
    "kinds_compatible",
    "match_columns",
]

MatchMethod = Literal["user", "exact", "normalised", "semantic"]
ColumnKind = Literal["numeric", "boolean", "categorical", "datetime"]

ABBREVIATIONS: Mapping[str, str] = {
    "acct": "account",
    "addr": "address",
    "amt": "amount",
    "avg": "average",
    "cnt": "count",
    "cust": "customer",
    "desc": "description",
    "dob": "date of birth",
    "intl": "international",
    "mins": "minutes",
    "nb": "number",
    "nbr": "number",
    "num": "number",
    "pct": "percent",
    "qty": "quantity",
    "svc": "service",
    "tel": "telephone",
    "vmail": "voice mail",
    "yrs": "years",
}
"""Name tokens expanded before names are compared (``num_calls`` -> ``number calls``).

Only unambiguous ones: ``no`` (number or negation) and ``min`` (minutes or minimum) are left out.
"""

# Booleans and two-level flags may be written as categories ("yes"/"no") in one table and as
# 0/1 in another, so both kinds share a group; numbers and dates only match their own kind.
_KIND_GROUP = {
    "numeric": "numeric",
    "datetime": "datetime",
    "boolean": "label",
    "categorical": "label",
}
_CASE_OR_DIGIT_BOUNDARY = re.compile(
    r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)
_WORD = re.compile(r"[^\W_]+")


@dataclass
class ColumnMatch:
    """One target column and the source column that feeds it.

    ``score`` is 1.0 for the name-based methods and the cosine similarity of the names'
    embeddings for ``"semantic"``. ``kind_compatible`` is False when a user or name match
    pairs, say, a numeric column with a categorical one: the match stands, but the values
    will need converting.
    """

    target: str
    source: str
    method: MatchMethod
    score: float
    kind_compatible: bool
    target_kind: str = ""
    source_kind: str = ""


@dataclass
class ColumnMatching:
    """How the columns of a source table map onto those of a target table.

    Parameters
    ----------
    matches : list of ColumnMatch
        The matched pairs, in target column order; each column appears at most once.
    unmatched_target : list of str
        Target columns no source column feeds; the target-side model still uses them.
    unmatched_source : list of str
        Source columns left unused.
    target_columns : list of str
        Every target column, in the target table's order (the columns :meth:`apply` returns).
    backbone : str or None
        The text backbone of the semantic step, None when it was skipped.
    min_similarity : float
        The semantic step's threshold.

    Examples
    --------
    >>> import pandas as pd
    >>> source = pd.DataFrame({"MonthlyCharges": [20.5, 70.0], "Contract": ["a", "b"]})
    >>> target = pd.DataFrame({"contract": ["c"], "monthly_charges": [30.0], "zip": ["x"]})
    >>> matching = match_columns(source, target, backbone=None)
    >>> matching.source_to_target()
    {'Contract': 'contract', 'MonthlyCharges': 'monthly_charges'}
    >>> list(matching.apply(source).columns)
    ['contract', 'monthly_charges', 'zip']
    """

    matches: list[ColumnMatch]
    unmatched_target: list[str]
    unmatched_source: list[str]
    target_columns: list[str] = field(default_factory=list)
    backbone: str | None = None
    min_similarity: float = 0.6

    def __post_init__(self) -> None:
        if not self.target_columns:
            self.target_columns = [m.target for m in self.matches] + list(self.unmatched_target)

    def to_dict(self) -> dict:
        """The matching as plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ColumnMatching":
        """The matching that :meth:`to_dict` described."""
        matches = [ColumnMatch(**m) for m in data["matches"]]
        return cls(matches=matches, **{k: v for k, v in data.items() if k != "matches"})

    def source_to_target(self) -> dict[str, str]:
        """``{source column: target column}`` for every match, ready for ``DataFrame.rename``."""
        return {m.source: m.target for m in self.matches}

    def apply(self, source_frame: pd.DataFrame) -> pd.DataFrame:
        """Source rows with the target's column names and order.

        Matched source columns are renamed to their target column, unused source columns
        are dropped, and target columns no source column feeds are added as all-NaN
        (float) columns. The index is kept. Values are not converted.

        Raises
        ------
        SchemaError
            If ``source_frame`` lacks a matched source column.

        Examples
        --------
        >>> import pandas as pd
        >>> source = pd.DataFrame({"b": [1, 2], "a": [3, 4]})
        >>> target = pd.DataFrame({"a": [0], "c": [0]})
        >>> match_columns(source, target, backbone=None).apply(source)
           a   c
        0  3 NaN
        1  4 NaN
        """
        _check_frame(source_frame, "source_frame")
        rename = self.source_to_target()
        missing = [name for name in rename if name not in source_frame.columns]
        if missing:
            raise SchemaError(
                f"source_frame lacks the matched source column(s) {missing}; apply the "
                "matching to a table with the columns it was built from."
            )
        # Select before renaming: an unused source column may carry a target column's name.
        selected = source_frame.loc[:, list(rename)].set_axis(list(rename.values()), axis=1)
        return selected.reindex(columns=self.target_columns)

    def as_table(self):
        """The matching as a Rich table: one row per target column, then the unused sources.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"tenure": [1, 2]})
        >>> match_columns(frame, frame, backbone=None).as_table().row_count
        1
        """
        from rich.markup import escape
        from rich.table import Table

        # A match of another kind is shown but feeds nothing: count only the used ones.
        left_out = sum(not m.kind_compatible for m in self.matches)
        table = Table(
            title=(
                f"Column matching: {len(self.matches) - left_out} of "
                f"{len(self.target_columns)} target columns fed by the source"
                + (f" ({left_out} matched but left out: another kind)" if left_out else "")
            ),
            caption=(
                f"semantic step: {escape(str(self.backbone))}, "
                f"min similarity {self.min_similarity:g}"
                if self.backbone
                else "semantic step skipped (no backbone)"
            ),
        )
        for column in ("target column", "source column", "method", "score", "kinds"):
            table.add_column(column, justify="right" if column == "score" else "left")
        # Column names are the user's text: "chol [mg/dl]" must print, not be read as markup.
        by_target = {m.target: m for m in self.matches}
        for name in self.target_columns:
            match = by_target.get(name)
            if match is None:
                table.add_row(escape(str(name)), "—", "unmatched", "—", "—")
                continue
            kinds = match.target_kind
            if match.source_kind != match.target_kind:
                kinds = f"{match.target_kind} ← {match.source_kind}"
            if not match.kind_compatible:
                kinds = f"[red]{kinds} (incompatible: left out, source values not used)[/red]"
            table.add_row(
                escape(str(name)),
                escape(str(match.source)),
                match.method,
                f"{match.score:.2f}",
                kinds,
            )
        for name in self.unmatched_source:
            table.add_row("—", escape(str(name)), "unused", "—", "—")
        return table


def column_kind(values: pd.Series) -> ColumnKind:
    """The kind of a column's values: ``"numeric"``, ``"boolean"``, ``"categorical"`` or
    ``"datetime"``.

    The same rules as the tabular schema (:func:`graft.data.tabular.infer_schema`), so a
    column is matched as the kind the model will encode it as: booleans are bool columns,
    and numeric or text columns whose two values are 0/1 or yes/no/true/false (the same
    flag is often stored either way). Dates, which the schema refuses, are ``"datetime"``;
    a constant or empty column is numeric when its dtype is, categorical otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> [column_kind(pd.Series(v)) for v in ([1.5, 2.0], [0, 1, 1], ["yes", "no"], ["a", "b"])]
    ['numeric', 'boolean', 'boolean', 'categorical']
    """
    from graft.data.tabular import ColumnKind as SchemaKind
    from graft.data.tabular import infer_schema

    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "datetime"
    try:
        kind = infer_schema(values.to_frame(name="column")).columns[0].kind
    except DataError:  # mostly numbers with some text: a user mapping may still pair it
        return "categorical"
    if kind in (SchemaKind.NUMERIC, SchemaKind.BOOLEAN, SchemaKind.CATEGORICAL):
        return kind.value
    return "numeric" if pd.api.types.is_numeric_dtype(values.dtype) else "categorical"


def kinds_compatible(target_kind: str, source_kind: str) -> bool:
    """Whether a source column of ``source_kind`` can feed a target column of ``target_kind``."""
    return _KIND_GROUP[target_kind] == _KIND_GROUP[source_kind]


def match_columns(
    source: pd.DataFrame,
    target: pd.DataFrame,
    *,
    mapping: Mapping[str, str | None] | str | Path | None = None,
    backbone: str | None = "minilm-l6",
    min_similarity: float = 0.6,
) -> ColumnMatching:
    """Pair each target column with at most one source column, and each source column with
    at most one target column.

    Parameters
    ----------
    source, target : pandas.DataFrame
        The tables; only their column names and value kinds are used (label and id columns
        should be dropped first).
    mapping : dict, str or Path, optional
        Pairs that override the automatic steps: ``{target column: source column}``, or a
        JSON file (that object, or a list of ``{"target": ..., "source": ...}`` records), or
        a CSV file with columns ``target,source``. A missing source (None, JSON null, an
        empty CSV cell) keeps that target column unmatched.
    backbone : str or None, default "minilm-l6"
        Text backbone whose embeddings of the column names drive the semantic step; None
        skips that step.
    min_similarity : float, default 0.6
        Lowest cosine similarity a semantic match may have.

    Returns
    -------
    ColumnMatching

    Raises
    ------
    SchemaError
        If the mapping names columns the tables lack or uses a source column twice, or if no
        column can be matched at all.
    DataError
        If an input is not a DataFrame or the mapping file cannot be read.
    BackboneUnavailableError
        If the semantic step is needed and the backbone cannot be loaded.

    Examples
    --------
    >>> import pandas as pd
    >>> source = pd.DataFrame({"num_cust": [3, 4], "Tenure": [1, 2], "plan": ["a", "b"]})
    >>> target = pd.DataFrame({"tenure": [5], "customer_number": [1], "region": ["x"]})
    >>> matching = match_columns(source, target, mapping={"region": "plan"}, backbone=None)
    >>> [(m.source, m.method) for m in matching.matches]
    [('Tenure', 'normalised'), ('num_cust', 'normalised'), ('plan', 'user')]
    """
    _check_frame(source, "source")
    _check_frame(target, "target")
    if isinstance(min_similarity, bool) or not isinstance(min_similarity, numbers.Real):
        raise DataError(f"min_similarity={min_similarity!r} must be a number, e.g. 0.6.")
    if math.isnan(min_similarity):
        raise DataError("min_similarity is NaN; pass a number such as 0.6.")
    target_kinds = {name: column_kind(target[name]) for name in target.columns}
    source_kinds = {name: column_kind(source[name]) for name in source.columns}
    free_targets = list(target.columns)
    free_sources = list(source.columns)
    pairs: list[tuple[Hashable, Hashable, MatchMethod, float]] = []

    def take(
        target_name: Hashable, source_name: Hashable, method: MatchMethod, score: float
    ) -> None:
        free_targets.remove(target_name)
        free_sources.remove(source_name)
        pairs.append((target_name, source_name, method, score))

    if mapping is not None:
        user = _validated_mapping(_read_mapping(mapping), target, source)
        for target_name, source_name in user.items():
            if source_name is None:
                free_targets.remove(target_name)
            else:
                take(target_name, source_name, "user", 1.0)
    for name in [t for t in free_targets if t in free_sources]:
        take(name, name, "exact", 1.0)
    by_key: dict[tuple[str, ...], list[Hashable]] = {}
    for name in free_sources:
        by_key.setdefault(_name_key(name), []).append(name)
    for name in list(free_targets):
        candidates = by_key.get(_name_key(name))
        if candidates:
            take(name, candidates.pop(0), "normalised", 1.0)
    if backbone is not None and free_targets and free_sources:
        for t, s, score in _semantic_pairs(
            free_targets, free_sources, target_kinds, source_kinds, backbone, min_similarity
        ):
            take(t, s, "semantic", score)

    if not pairs:
        raise SchemaError(
            f"No column of the source table matches the target table (target columns "
            f"{_preview(target.columns)}, source columns {_preview(source.columns)}); pass a "
            "mapping {target column: source column} or a mapping file"
            + (", or lower min_similarity." if backbone is not None else ", or set a backbone.")
        )
    order = {name: i for i, name in enumerate(target.columns)}
    matches = [
        ColumnMatch(
            target=t,
            source=s,
            method=method,
            score=float(score),
            kind_compatible=kinds_compatible(target_kinds[t], source_kinds[s]),
            target_kind=target_kinds[t],
            source_kind=source_kinds[s],
        )
        for t, s, method, score in sorted(pairs, key=lambda pair: order[pair[0]])
    ]
    matched_sources = {m.source for m in matches}
    matched_targets = {m.target for m in matches}
    return ColumnMatching(
        matches=matches,
        unmatched_target=[name for name in target.columns if name not in matched_targets],
        unmatched_source=[name for name in source.columns if name not in matched_sources],
        target_columns=list(target.columns),
        backbone=backbone,
        min_similarity=float(min_similarity),
    )


def _check_frame(frame: object, where: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(
            f"{where} is a {type(frame).__name__}, not a pandas DataFrame; pass the table as "
            "a DataFrame."
        )
    if frame.shape[1] == 0:
        raise SchemaError(f"{where} has no columns; pass a table with at least one column.")
    duplicated = list(dict.fromkeys(frame.columns[frame.columns.duplicated()]))
    if duplicated:
        raise SchemaError(
            f"{where} has duplicate column names {duplicated}; rename them so that each "
            "column name appears once."
        )


def _preview(names: Iterable[Hashable], limit: int = 8) -> str:
    names = [str(name) for name in names]
    shown = ", ".join(names[:limit])
    return f"{shown}, … ({len(names)} in all)" if len(names) > limit else shown


def _name_tokens(name: Hashable) -> list[str]:
    """Lower-case words of a column name, camelCase split and abbreviations expanded."""
    words = _WORD.findall(_CASE_OR_DIGIT_BOUNDARY.sub(" ", str(name)).lower())
    return [token for word in words for token in ABBREVIATIONS.get(word, word).split()]


def _singular(token: str) -> str:
    # Crude on purpose: the same rule runs on both names, so it only has to be consistent.
    return (
        token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token
    )


def _name_key(name: Hashable) -> tuple[str, ...]:
    """What two names must share to match in the normalised step (word order ignored)."""
    key = tuple(sorted(_singular(token) for token in _name_tokens(name)))
    # A name made only of punctuation has no words; fall back to itself so such names
    # never all collide on the empty key.
    return key or (str(name),)


def humanise(name: Hashable) -> str:
    """A column name as words for the text backbone: ``monthly_charges`` -> ``monthly charges``.

    Examples
    --------
    >>> humanise("numCustServiceCalls")
    'number customer service calls'
    """
    return " ".join(_name_tokens(name)) or str(name)


@functools.lru_cache(maxsize=2)
def _name_encoder(name: str):
    """The text backbone ``name``, loaded once per process, frozen, in eval mode."""
    from graft.backbones.registry import create_backbone

    try:
        backbone = create_backbone(name)
    except BackboneUnavailableError as exc:
        raise BackboneUnavailableError(
            f"Semantic column matching cannot load backbone {name!r} "
            f"({str(exc).rstrip('.')}); install it, or pass backbone=None to match by name only."
        ) from exc
    for param in backbone.parameters():
        param.requires_grad_(False)
    return backbone.eval()


def _semantic_pairs(
    targets: list[Hashable],
    sources: list[Hashable],
    target_kinds: Mapping[Hashable, str],
    source_kinds: Mapping[Hashable, str],
    backbone: str,
    min_similarity: float,
) -> list[tuple[Hashable, Hashable, float]]:
    """Greedy one-to-one pairs by descending name similarity, compatible kinds only.

    Greedy rather than an optimal assignment: every accepted pair is then the most similar
    pair still open, which a user can check from the report, while an optimal assignment
    may trade one clear match for two doubtful ones.
    """
    from graft.config import apply_num_threads

    apply_num_threads()
    encoder = _name_encoder(backbone)
    # TextBackbone.encode returns L2-normalised rows, so the dot product is the cosine.
    embeddings = encoder.encode([humanise(name) for name in [*targets, *sources]])
    similarity = embeddings[: len(targets)] @ embeddings[len(targets) :].T
    compatible = np.array(
        [[kinds_compatible(target_kinds[t], source_kinds[s]) for s in sources] for t in targets]
    )
    # Distribution hints are left out: the same quantity is often on another scale in
    # another company's table (days vs months), so they would mislead as often as help.
    candidates = np.argwhere(compatible & (similarity >= min_similarity))
    ranked = sorted(candidates.tolist(), key=lambda ij: (-similarity[ij[0], ij[1]], ij[0], ij[1]))
    used_t: set[int] = set()
    used_s: set[int] = set()
    pairs = []
    for i, j in ranked:
        if i not in used_t and j not in used_s:
            used_t.add(i)
            used_s.add(j)
            pairs.append((targets[i], sources[j], float(similarity[i, j])))
    return pairs


def _read_mapping(mapping: Mapping | str | Path) -> dict:
    """The user's ``{target: source or None}`` from a dict or a JSON / CSV file."""
    if isinstance(mapping, Mapping):
        return dict(mapping)
    if not isinstance(mapping, str | Path):
        raise DataError(
            f"mapping is a {type(mapping).__name__}; pass a dict {{target column: source "
            "column} or the path of a JSON or CSV mapping file."
        )
    path = Path(mapping)
    if not path.is_file():
        raise DataError(
            f"Column mapping file {path} does not exist; pass an existing JSON or CSV file "
            "with columns target,source."
        )
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise DataError(
                f"Column mapping file {path} is not valid JSON ({exc}); write an object "
                '{"target column": "source column"} or a list of {"target", "source"} records.'
            ) from exc
        if isinstance(data, dict):
            return data
        if isinstance(data, list) and all(
            isinstance(row, dict) and {"target", "source"} <= row.keys() for row in data
        ):
            return _records_to_mapping([(row["target"], row["source"]) for row in data], path)
        raise SchemaError(
            f"Column mapping file {path} holds neither an object nor a list of "
            '{"target", "source"} records; write {"target column": "source column"}.'
        )
    if suffix == ".csv":
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise DataError(
                f"Column mapping file {path} cannot be read as CSV ({exc}); write a header "
                "line target,source and one pair per line."
            ) from exc
        table.columns = table.columns.str.strip()
        if not {"target", "source"} <= set(table.columns):
            raise SchemaError(
                f"Column mapping file {path} has columns {list(table.columns)}; it needs the "
                "columns target and source."
            )
        rows = [(t.strip(), s.strip() or None) for t, s in zip(table["target"], table["source"])]
        return _records_to_mapping(rows, path)
    raise DataError(
        f"Column mapping file {path} has suffix {path.suffix!r}; use a .json or .csv file."
    )


def _records_to_mapping(rows: list[tuple], path: Path) -> dict:
    mapping: dict = {}
    for target_name, source_name in rows:
        if target_name in mapping:
            raise SchemaError(
                f"Column mapping file {path} lists target column {target_name!r} more than "
                "once; keep one line per target column."
            )
        mapping[target_name] = source_name
    return mapping


def _validated_mapping(
    mapping: dict, target: pd.DataFrame, source: pd.DataFrame
) -> dict[Hashable, Hashable | None]:
    """The mapping after checking that it names real columns and is one to one."""
    unknown_targets = [name for name in mapping if not _has_column(target, name)]
    unknown_sources = [
        name for name in mapping.values() if name is not None and not _has_column(source, name)
    ]
    if unknown_targets or unknown_sources:
        parts = []
        if unknown_targets:
            parts.append(f"target column(s) {unknown_targets} that the target table lacks")
        if unknown_sources:
            parts.append(f"source column(s) {unknown_sources} that the source table lacks")
        raise SchemaError(
            f"The column mapping names {' and '.join(parts)}; fix the names (target columns: "
            f"{_preview(target.columns)}; source columns: {_preview(source.columns)})."
        )
    seen: dict = {}
    for target_name, source_name in mapping.items():
        if source_name is None:
            continue
        if source_name in seen:
            raise SchemaError(
                f"The column mapping feeds source column {source_name!r} to both "
                f"{seen[source_name]!r} and {target_name!r}; map each source column to one "
                "target column."
            )
        seen[source_name] = target_name
    return mapping


def _has_column(frame: pd.DataFrame, name: object) -> bool:
    # A JSON mapping may hold lists or objects where names belong; those name no column.
    return isinstance(name, Hashable) and name in frame.columns
