"""Shared test setup: offline, one thread, a private cache, and small fitted estimators.

``HF_HUB_OFFLINE`` is set at import time because huggingface_hub reads it once, when it is
first imported.
"""

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np
import pandas as pd
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


# ------------------------------------------------------------------ tables


def _make_domain(
    n: int,
    *,
    shift: float = 0.0,
    seed: int = 0,
    misleading: bool = False,
    task: str = "classification",
):
    """A churn-like table: numbers, a category, a yes/no flag, some missing values.

    The label depends on ``usage``, ``calls`` and ``plan`` the same way in every domain;
    ``misleading`` makes it depend on two noise columns instead (a source whose knowledge
    is useless to the target); ``shift`` moves the target's inputs.
    """
    rng = np.random.default_rng(seed)
    usage = rng.normal(shift, 1.0, n)
    calls = rng.poisson(2 + shift, n).astype(float)
    plan = rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])
    promo = rng.choice(["yes", "no"], n)
    noise = rng.normal(0, 1, n)
    logit = 1.8 * usage - 0.9 * (calls - 2) + 1.2 * (plan == "pro") - 0.2 + 0.5 * noise
    frame = pd.DataFrame({"usage": usage, "calls": calls, "plan": plan, "promo": promo})
    # Columns unrelated to the label: a few target rows cannot tell them apart from signal.
    for i in range(6):
        frame[f"noise{i}"] = rng.normal(0, 1, n)
    if misleading:
        logit = 2.0 * frame["noise0"].to_numpy() - 2.0 * frame["noise1"].to_numpy()
    frame.loc[rng.random(n) < 0.1, "calls"] = np.nan
    if task == "regression":
        return frame, pd.Series(logit, name="value")
    label = np.where(logit > 0, "churn", "stay")
    return frame, pd.Series(label, name="label")


@pytest.fixture(scope="session")
def make_domain():
    """``make_domain(n, shift=, seed=, misleading=, task=)``: a synthetic table and labels."""
    return _make_domain


@pytest.fixture(scope="session")
def shifted_tables():
    """(source X, source y, target X, target y, test X, test y): 400 source rows, 60 target
    rows and 300 test rows from a shifted target domain."""
    source = _make_domain(400, seed=1)
    target = _make_domain(60, shift=0.7, seed=2)
    test = _make_domain(300, shift=0.7, seed=3)
    return (*source, *target, *test)


def _hourly_panel(ids=("a",), days=14, seed=0, covariate=False, start="2024-01-01"):
    """Hourly series with a daily cycle, a weekday effect and noise; long format."""
    rng = np.random.default_rng(seed)
    t = pd.date_range(start, periods=24 * days, freq="h")
    frames = []
    for k, sid in enumerate(ids):
        phase = np.arange(len(t)) * 2 * np.pi / 24
        temp = 15 + 5 * np.sin(phase + 1.0)
        y = 20 + 5 * k + 4 * np.sin(phase) + (t.dayofweek >= 5) * 2.0 + rng.normal(0, 0.3, len(t))
        if covariate:
            y = y + 0.5 * temp
        frame = pd.DataFrame({"id": sid, "timestamp": t, "value": y})
        if covariate:
            frame["temp"] = temp
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def hourly_panel():
    """``hourly_panel(ids, days, seed, covariate, start)``: synthetic hourly series (long
    format) with a daily cycle, a weekend effect and noise, for the forecasting tests."""
    return _hourly_panel


@pytest.fixture
def umask():
    """``umask(mask)``: set the process umask for this test; the old one comes back after."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)
