"""Shared test setup: offline, one thread, a private cache, and small fitted estimators.

``HF_HUB_OFFLINE`` is set at import time because huggingface_hub reads it once, when it is
first imported.
"""

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import pytest

POSITIVE = ["good", "great", "lovely", "excellent", "superb", "nice", "fine", "pleasant"]
NEGATIVE = ["bad", "awful", "terrible", "poor", "horrible", "dreadful", "nasty", "boring"]
SUBJECTS = ["the film", "this phone", "the food", "our hotel", "the service", "the book"]

FAST = {"backbone": "tiny-bert", "epochs": 2, "batch_size": 8, "random_state": 0}
"""Settings that keep a tiny-bert fit well under two seconds."""


@pytest.fixture(scope="session", autouse=True)
def graft_env(tmp_path_factory):
    """Point graft's cache at a session folder and use one torch thread; restore after."""
    cache = tmp_path_factory.mktemp("graft-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRAFT_CACHE_DIR", str(cache))
        patch.setenv("GRAFT_NUM_THREADS", "1")
        yield cache


def _reviews(n_per_class: int, offset: int = 0) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for i in range(offset, offset + n_per_class):
        subject = SUBJECTS[i % len(SUBJECTS)]
        texts.append(f"{subject} was {POSITIVE[i % len(POSITIVE)]}")
        labels.append("pos")
        texts.append(f"{subject} was {NEGATIVE[i % len(NEGATIVE)]}")
        labels.append("neg")
    return texts, labels


@pytest.fixture(scope="session")
def reviews() -> tuple[list[str], list[str]]:
    """16 short reviews, alternating positive / negative, with string labels."""
    return _reviews(8)


@pytest.fixture(scope="session")
def new_reviews() -> list[str]:
    """Reviews the fitted estimators have not seen."""
    return _reviews(3, offset=8)[0] + ["an unusual sentence", "x"]


@pytest.fixture(scope="session")
def ratings(reviews) -> tuple[list[str], list[float]]:
    """The reviews with a numeric score: positive around +1, negative around -1."""
    texts, labels = reviews
    values = [(1.0 if label == "pos" else -1.0) + 0.1 * (i % 3) for i, label in enumerate(labels)]
    return texts, values


@pytest.fixture(scope="session")
def fitted(reviews, ratings, graft_env):
    """``fitted(task, strategy)``: a tiny-bert estimator fitted once per session.

    Shared between tests, so tests must only read from it (predict, save), never refit.
    """
    from graft import TransferClassifier, TransferRegressor

    models = {}

    def get(task: str, strategy: str):
        if (task, strategy) not in models:
            if task == "classification":
                model = TransferClassifier(strategy=strategy, **FAST).fit(*reviews)
            else:
                model = TransferRegressor(strategy=strategy, **FAST).fit(*ratings)
            models[task, strategy] = model
        return models[task, strategy]

    return get
