"""Bad input to the estimators: a graft error with one sentence saying what and where."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from graft.estimators import TransferClassifier, TransferRegressor
from graft.exceptions import BackboneUnavailableError, DataError, GraftError, SchemaError

TEXTS = ["good film", "bad film", "great food", "awful food"]
LABELS = ["pos", "neg", "pos", "neg"]
FAST = {"backbone": "tiny-bert", "epochs": 1, "random_state": 0}


def _fails(error, fit, match=None):
    """Run ``fit()``; it must raise ``error`` with a one-line message matching ``match``."""
    with pytest.raises(error, match=match) as info:
        fit()
    message = str(info.value)
    assert isinstance(info.value, GraftError)
    assert message and "\n" not in message
    return message


def _clf(**params):
    return TransferClassifier(**{"strategy": "feature_extraction", **FAST, **params})


@pytest.fixture(scope="module")
def fitted_on_frame():
    frame = pd.DataFrame({"review": TEXTS, "stars": [5, 1, 4, 2]})
    return _clf(strategy="baseline", text_column="review").fit(frame, LABELS)


# ------------------------------------------------------------------ texts
@pytest.mark.parametrize("X", [[], np.array([], dtype=object), pd.Series([], dtype=object)])
def test_empty_x(X):
    _fails(DataError, lambda: _clf().fit(X, []), match="empty")


@pytest.mark.parametrize(
    ("value", "shown"), [(None, "None"), (float("nan"), "nan"), (3, "3"), (b"bytes", "b'bytes'")]
)
def test_non_text_value_names_the_row(value, shown):
    X = [*TEXTS[:2], value, TEXTS[3]]

    message = _fails(DataError, lambda: _clf().fit(X, LABELS), match="Row 2")

    assert shown in message


def test_missing_value_in_a_text_column_names_the_column_and_row():
    frame = pd.DataFrame({"review": [*TEXTS[:3], None], "stars": [1, 2, 3, 4]})

    message = _fails(
        DataError, lambda: _clf(text_column="review").fit(frame, LABELS), match="Row 3"
    )

    assert "'review'" in message


@pytest.mark.parametrize("X", ["one string", 42, np.array([TEXTS, TEXTS])])
def test_x_that_is_not_a_collection_of_texts(X):
    _fails(DataError, lambda: _clf().fit(X, LABELS))


# ------------------------------------------------------------------ labels
def test_single_class():
    _fails(DataError, lambda: _clf().fit(TEXTS, ["pos"] * 4), match="single class")


@pytest.mark.parametrize("y", [None, ["pos", None, "pos", "neg"], [1.0, np.nan, 0.0, 1.0]])
def test_missing_labels(y):
    _fails(DataError, lambda: _clf().fit(TEXTS, y), match="missing")


def test_missing_label_names_the_row():
    message = _fails(DataError, lambda: _clf().fit(TEXTS, ["pos", "neg", None, "neg"]))

    assert "row 2" in message


@pytest.mark.parametrize("y", [LABELS[:3], [*LABELS, "pos"]])
def test_length_mismatch(y):
    message = _fails(DataError, lambda: _clf().fit(TEXTS, y), match="labels for 4 rows")

    assert str(len(y)) in message


def test_two_dimensional_labels():
    _fails(DataError, lambda: _clf().fit(TEXTS, np.ones((4, 2))), match="1-D")


def test_regressor_needs_numbers():
    reg = TransferRegressor(strategy="baseline", **FAST)

    _fails(DataError, lambda: reg.fit(TEXTS, LABELS), match="numeric")


# ------------------------------------------------------------------ parameters
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"strategy": "magic"}, "strategy='magic'"),
        ({"strategy": None}, "strategy=None"),
        ({"source_weight": -1.0}, "source_weight=-1.0"),
        ({"source_weight": "lots"}, "source_weight='lots'"),
        ({"source_weight": True}, "source_weight=True"),
        ({"unfreeze_layers": -1}, "unfreeze_layers=-1"),
        ({"unfreeze_layers": "top"}, "unfreeze_layers='top'"),
        ({"unfreeze_layers": 1.5}, "unfreeze_layers=1.5"),
        ({"epochs": 0}, "epochs=0"),
        ({"batch_size": "8"}, "batch_size='8'"),
        ({"patience": 0}, "patience=0"),
        ({"validation_fraction": 0.5}, "validation_fraction=0.5"),
        ({"validation_fraction": -0.1}, "validation_fraction=-0.1"),
        ({"time_budget": 0}, "time_budget=0"),
        ({"head": "forest"}, "head='forest'"),
    ],
)
def test_bad_parameter(params, match):
    _fails(DataError, lambda: _clf(**params).fit(TEXTS, LABELS), match=match)


def test_regression_head_must_suit_regression():
    reg = TransferRegressor(strategy="feature_extraction", head="logistic", **FAST)

    _fails(DataError, lambda: reg.fit(TEXTS, [1.0, 0.0, 1.0, 0.0]), match="'ridge'")


def test_unknown_backbone():
    clf = _clf(backbone="graft-tests/no-such-model")

    message = _fails(BackboneUnavailableError, lambda: clf.fit(TEXTS, LABELS))

    assert "graft-tests/no-such-model" in message


# ------------------------------------------------------------------ DataFrames
def test_missing_text_column():
    frame = pd.DataFrame({"body": TEXTS})

    message = _fails(
        SchemaError, lambda: _clf(text_column="review").fit(frame, LABELS), match="'review'"
    )

    assert "body" in message


@pytest.mark.parametrize(
    "frame",
    [pd.DataFrame({"title": TEXTS, "body": TEXTS}), pd.DataFrame({"stars": [1, 2, 3, 4]})],
)
def test_frame_without_a_single_text_column_needs_a_name(frame):
    _fails(SchemaError, lambda: _clf().fit(frame, LABELS), match="text_column")


def test_predict_with_a_frame_missing_the_training_text_column(fitted_on_frame):
    frame = pd.DataFrame({"body": TEXTS, "stars": [5, 1, 4, 2]})

    _fails(SchemaError, lambda: fitted_on_frame.predict(frame), match="'review'")


def test_predict_with_bad_texts_names_the_row(fitted_on_frame):
    frame = pd.DataFrame({"review": ["fine", np.nan]})

    _fails(DataError, lambda: fitted_on_frame.predict(frame), match="Row 1")


# ------------------------------------------------------------------ fitting state
@pytest.mark.parametrize(
    ("model", "method"),
    [
        (_clf(), "predict"),
        (_clf(), "predict_proba"),
        (_clf(), "score"),
        (_clf(), "save"),
        (TransferRegressor(**FAST), "predict"),
    ],
)
def test_use_before_fit(model, method, tmp_path):
    args = {"save": (tmp_path / "m.graft",), "score": (TEXTS, LABELS)}.get(method, (TEXTS,))

    with pytest.raises(NotFittedError):
        getattr(model, method)(*args)
    assert not (tmp_path / "m.graft").exists()


# ------------------------------------------------------------------ source domain
def test_source_with_no_shared_class():
    source = (["fine album", "dull album"], ["good", "bad"])

    message = _fails(
        DataError, lambda: _clf().fit(TEXTS, LABELS, source=source), match="shares no class"
    )

    assert "'bad'" in message


@pytest.mark.parametrize(
    "source",
    [
        ["fine album", "dull album"],
        (["fine album", "dull album"],),
        (["fine album", "dull album"], ["pos", "neg"], ["extra"]),
    ],
)
def test_source_that_is_not_a_pair(source):
    _fails(DataError, lambda: _clf().fit(TEXTS, LABELS, source=source), match="tuple")


def test_source_with_bad_rows_says_it_is_the_source():
    source = (["fine album", None], ["pos", "neg"])

    _fails(DataError, lambda: _clf().fit(TEXTS, LABELS, source=source), match="source X")


def test_source_labels_length_mismatch():
    source = (["fine album", "dull album"], ["pos"])

    _fails(DataError, lambda: _clf().fit(TEXTS, LABELS, source=source), match="source y")


# ------------------------------------------------------------------ auto
def test_auto_needs_two_rows_per_class():
    X, y = [*TEXTS, "so so"], [*LABELS, "mixed"]

    _fails(DataError, lambda: _clf(strategy="auto").fit(X, y), match="at least 2")


def test_auto_regressor_needs_six_rows():
    reg = TransferRegressor(**FAST)

    _fails(DataError, lambda: reg.fit(TEXTS, [1.0, 0.0, 1.0, 0.0]), match="at least 6")


def test_a_column_mapping_on_text_is_refused():
    with pytest.raises(DataError, match=r"column_mapping .* does not apply to text input"):
        TransferClassifier(
            backbone="tiny-bert", strategy="baseline", column_mapping={"a": "b"}
        ).fit(["good", "bad", "fine", "poor"], [1, 0, 1, 0])
