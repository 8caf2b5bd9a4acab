"""Pooling a labelled source domain with the target: the weight is chosen on target rows."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

from graft.strategies.feature_extraction import SOURCE_RATIOS, choose_source_ratio, fit_head

HEAD = LogisticRegression(C=1.0, max_iter=2000)


def _blobs(n: int, seed: int, dim: int = 20, shift: float = 0.6):
    """Two overlapping Gaussian classes in ``dim`` dimensions: few rows are not enough."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    direction = np.ones(dim) / np.sqrt(dim)
    x = rng.normal(size=(n, dim)) + np.outer(2 * y - 1, direction) * shift * np.sqrt(dim) / 2
    return x, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_helpful_source_gets_weight(seed):
    x, y = _blobs(12, seed)
    source = _blobs(300, seed + 100)

    ratio, losses = choose_source_ratio(HEAD, x, y, source, task="classification", seed=seed)

    assert ratio > 0
    assert set(losses) == set(SOURCE_RATIOS)
    assert losses[ratio] < losses[0.0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_label_flipped_source_gets_no_weight(seed):
    x, y = _blobs(12, seed)
    source_x, source_y = _blobs(300, seed + 100)

    ratio, losses = choose_source_ratio(
        HEAD, x, y, (source_x, 1 - source_y), task="classification", seed=seed
    )

    assert ratio == 0.0
    assert losses[0.0] == min(losses.values())


def test_a_helpful_source_gets_weight_for_regression():
    rng = np.random.default_rng(0)
    coef = rng.normal(size=15)
    x = rng.normal(size=(10, 15))
    source_x = rng.normal(size=(200, 15))
    noise = 0.1

    ratio, _ = choose_source_ratio(
        Ridge(alpha=1.0),
        x,
        x @ coef + noise * rng.normal(size=10),
        (source_x, source_x @ coef),
        task="regression",
        seed=0,
    )

    assert ratio > 0


def test_too_few_target_rows_count_source_and_target_equally():
    x, y = _blobs(3, 0)  # the smallest class has one row: no two folds

    ratio, losses = choose_source_ratio(HEAD, x, y, _blobs(50, 1), task="classification", seed=0)

    assert (ratio, losses) == (1.0, {})


def test_ratio_zero_ignores_the_source():
    x, y = _blobs(12, 0)
    source_x, source_y = _blobs(100, 1)

    pooled = fit_head(HEAD, x, y, (source_x, 1 - source_y), source_ratio=0.0)
    alone = fit_head(HEAD, x, y)

    np.testing.assert_array_equal(pooled.coef_, alone.coef_)
    assert pooled is not HEAD


class WeightSpy(LogisticRegression):
    """Records the sample weights it is fitted with."""

    def fit(self, X, y, sample_weight=None):
        type(self).seen = sample_weight
        return super().fit(X, y, sample_weight=sample_weight)


def test_source_rows_share_ratio_times_the_target_weight():
    x, y = _blobs(12, 0)
    source = _blobs(48, 1)

    fit_head(WeightSpy(), x, y, source, source_ratio=3.0)

    weights = WeightSpy.seen
    assert weights[:12].tolist() == [1.0] * 12
    assert weights[12:].sum() == pytest.approx(3.0 * 12)
    assert len(set(weights[12:])) == 1


def test_a_pipeline_head_gets_the_weights_on_its_last_step():
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import Normalizer

    x, y = _blobs(12, 0)
    source = _blobs(48, 1)
    head = Pipeline([("normalize", Normalizer()), ("model", WeightSpy())])

    fit_head(head, x, y, source, source_ratio=3.0)

    assert WeightSpy.seen[12:].sum() == pytest.approx(3.0 * 12)


# ------------------------------------------------------------------ baseline blend


def _blend_problem(seed: int, informative_features: bool):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), 12)
    signal = np.eye(3)[y] * 3
    noise = lambda width: rng.normal(size=(len(y), width))  # noqa: E731
    features = noise(8) + (
        np.hstack([signal, np.zeros((len(y), 5))]) if informative_features else 0
    )
    matrix = noise(6) + (0 if informative_features else np.hstack([signal, np.zeros((len(y), 3))]))
    blocks = [features, features + 0.1 * noise(8)]
    return blocks, matrix, y


def test_an_informative_baseline_gets_the_largest_blend_weight():
    from graft.strategies.feature_extraction import BLEND_WEIGHTS, choose_blend_weight

    blocks, matrix, y = _blend_problem(0, informative_features=False)
    weight, losses = choose_blend_weight(
        LogisticRegression(),
        blocks,
        LogisticRegression(),
        matrix,
        y,
        task="classification",
        seed=0,
    )

    assert weight == max(BLEND_WEIGHTS) and set(losses) == set(BLEND_WEIGHTS)


def test_a_useless_baseline_gets_little_weight():
    from graft.strategies.feature_extraction import choose_blend_weight

    blocks, matrix, y = _blend_problem(1, informative_features=True)
    weight, _ = choose_blend_weight(
        LogisticRegression(),
        blocks,
        LogisticRegression(),
        matrix,
        y,
        task="classification",
        seed=0,
    )

    assert weight <= 0.1


def test_blend_weight_for_regression_and_too_few_rows():
    from graft.strategies.feature_extraction import choose_blend_weight

    rng = np.random.default_rng(2)
    target = rng.normal(size=30)
    matrix = np.column_stack([target, rng.normal(size=30)])
    blocks = [rng.normal(size=(30, 4))]

    weight, _ = choose_blend_weight(
        Ridge(), blocks, Ridge(), matrix, target, task="regression", seed=0
    )
    assert weight > 0

    single = choose_blend_weight(
        Ridge(), [blocks[0][:1]], Ridge(), matrix[:1], target[:1], task="regression", seed=0
    )
    assert single == (0.0, {})
