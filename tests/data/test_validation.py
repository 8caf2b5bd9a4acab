"""Label checks of graft.data.validation."""

import numpy as np
import pandas as pd
import pytest

from graft.data.validation import check_labels
from graft.exceptions import DataError


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (pd.Series([1, "a", 1, "b"], dtype=object), ["1", "a", "1", "b"]),
        ([2.0, "x", 2, True], ["2", "x", "2", "True"]),
        (np.array([1.5, "1"], dtype=object), ["1.5", "1"]),
    ],
)
def test_class_labels_mixing_text_and_numbers_are_read_as_text(labels, expected):
    checked = check_labels(labels, len(expected), task="classification")

    assert checked.tolist() == expected
    assert np.unique(checked).tolist() == sorted(set(expected))


@pytest.mark.parametrize(
    "labels",
    [np.array([0, 1, 1]), np.array(["a", "b", "a"]), pd.Series([0, 1.5, 1], dtype=object)],
)
def test_labels_of_one_kind_are_kept(labels):
    checked = check_labels(labels, 3, task="classification")

    assert checked.tolist() == list(labels)
    assert checked.dtype == np.asarray(labels).dtype


def test_mixed_labels_stay_one_class_per_text():
    with pytest.raises(DataError, match=r"single class \('1'\)"):
        check_labels(pd.Series([1, "1", 1.0], dtype=object), 3, task="classification")


def test_mixed_regression_targets_are_refused():
    with pytest.raises(DataError, match="non-numeric"):
        check_labels(pd.Series([1.0, "a", 2.0], dtype=object), 3, task="regression")


@pytest.mark.parametrize(
    ("labels", "classes", "expected"),
    [
        (["0", "1", "1"], [0, 1], [0, 1, 1]),  # JSON text against CSV numbers
        ([" 1", "1.0", 0.0], [0, 1], [1, 1, 0]),
        ([0, 1, 1.0], ["0", "1"], ["0", "1", "1"]),  # numbers against text classes
        (["2", 7], [0, 1], [2.0, 7.0]),  # unknown classes keep their value, as numbers
        ([2, "no"], ["no", "yes"], ["2", "no"]),  # ... or as text
        ([True, False], [False, True], [True, False]),
    ],
)
def test_labels_like_reads_labels_as_the_training_classes_whatever_their_types(
    labels, classes, expected
):
    # Only text classes used to be matched, so "0"/"1" against 0/1 were absent classes
    # (ROC AUC) or crashed scikit-learn ("Mix of label input types").
    from graft.data.validation import labels_like

    out = labels_like(
        labels, np.array(classes, dtype=object if isinstance(classes[0], str) else None)
    )
    assert out.tolist() == expected
    assert [type(v) for v in out.tolist()] == [type(v) for v in expected]


def test_labels_like_refuses_text_that_numeric_classes_cannot_be_compared_with():
    from graft.data.validation import labels_like

    with pytest.raises(DataError, match=r"^test y holds 'cat' at row 1, which is no training"):
        labels_like(["1", "cat"], np.array([0, 1]), "test y")
