"""The internal validation split used for early stopping (and hybrid's first stage)."""

import numpy as np
import pytest

from graft.strategies.fine_tune import validation_split


def _check_partition(train, val, n):
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(n))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(val) > 0)


def test_classification_split_is_stratified_and_sized():
    labels = np.array([0] * 12 + [1] * 6 + [2] * 6)

    train, val = validation_split(len(labels), labels, 1 / 3, seed=0)

    _check_partition(train, val, 24)
    assert np.bincount(labels[val]).tolist() == [4, 2, 2]
    assert set(labels[train]) == {0, 1, 2}


def test_regression_split_is_sized():
    train, val = validation_split(10, None, 0.3, seed=0)

    _check_partition(train, val, 10)
    assert len(val) == 3


def test_same_seed_same_split_and_seeds_differ():
    labels = np.arange(40) % 2

    first = validation_split(40, labels, 0.25, seed=1)
    again = validation_split(40, labels, 0.25, seed=1)
    other = validation_split(40, labels, 0.25, seed=2)

    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], other[1])


@pytest.mark.parametrize(
    ("labels", "fraction", "why"),
    [
        (np.array([0, 0, 0, 0, 1, 1, 1, 1]), 0.0, "fraction 0"),
        (np.array([0, 0, 0, 0, 0, 0, 0, 1]), 0.25, "a class with one row"),
        (np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]), 0.2, "fewer validation rows than classes"),
        (None, 0.1, "a single regression validation row"),
    ],
)
def test_too_few_rows_train_on_everything(labels, fraction, why):
    n = 8 if labels is None else len(labels)

    train, val = validation_split(n, labels, fraction, seed=0)

    assert np.array_equal(train, np.arange(n)), why
    assert len(val) == 0, why
