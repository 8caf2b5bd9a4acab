"""Sources of a table's estimator (graft.estimators.tabular): which classes they share with
the target, and what the target does with classes a source never saw."""

import numpy as np
import pandas as pd
import pytest

import graft
from graft.exceptions import DataError


def _three_classes(X: pd.DataFrame) -> np.ndarray:
    usage = X["usage"].to_numpy()
    return np.where(usage > 0.8, "high", np.where(usage < -0.3, "low", "mid"))


@pytest.fixture(scope="module")
def churn_model(make_domain):
    """A source model of churn / stay."""
    return graft.TransferClassifier(strategy="baseline", backbone=None, random_state=0).fit(
        *make_domain(150, seed=1)
    )


@pytest.mark.parametrize("given_as", ["estimator", "bundle"])
def test_source_model_sharing_fewer_than_two_classes_is_refused(
    churn_model, make_domain, tmp_path, given_as
):
    X, y = make_domain(40, seed=2)
    yes_no = np.where(y == "churn", "yes", "no")
    source = churn_model if given_as == "estimator" else str(churn_model.save(tmp_path / "s.graft"))
    for strategy in ("source_only", "stacking", "warm_start", "auto"):
        model = graft.TransferClassifier(strategy=strategy, backbone=None, random_state=0)
        with pytest.raises(DataError, match="shares fewer than two classes with y") as info:
            model.fit(X, yes_no, source=source)
        message = str(info.value)
        assert "\n" not in message and "['churn', 'stay']" in message and "['no', 'yes']" in message
        assert (given_as == "bundle") == ("s.graft" in message)


def test_source_model_classes_are_matched_as_text(make_domain):
    # A source trained on labels 0 / 1 serves a target labelled "0" / "1" (another file).
    X_source, y_source = make_domain(150, seed=1)
    source = graft.TransferClassifier(strategy="baseline", backbone=None, random_state=0)
    source.fit(X_source, (y_source == "churn").astype(int))
    X, y = make_domain(40, seed=2)

    model = graft.TransferClassifier(strategy="source_only", backbone=None, random_state=0)
    model.fit(X, np.where(y == "churn", "1", "0"), source=source)

    np.testing.assert_allclose(model.predict_proba(X), source.predict_proba(X), atol=1e-5)
    assert "classes_not_in_source" not in model.lineage_["source"]


@pytest.mark.parametrize("source_kind", ["rows", "model"])
def test_warm_start_learns_a_class_the_source_never_saw(make_domain, source_kind):
    X_source, _ = make_domain(300, seed=1)
    X, _ = make_domain(90, seed=2)
    X_test, _ = make_domain(200, seed=3)
    y, y_test = _three_classes(X), _three_classes(X_test)
    y_source = np.where(X_source["usage"] > -0.3, "mid", "low")  # no "high"
    source = (X_source, y_source)
    if source_kind == "model":
        source = graft.TransferClassifier(strategy="baseline", backbone=None, random_state=0)
        source = source.fit(X_source, y_source)

    model = graft.TransferClassifier(strategy="warm_start", backbone=None, random_state=0)
    model.fit(X, y, source=source)

    assert model.lineage_["source"]["classes_not_in_source"] == ["high"]
    assert "warm_start started 'high'" in model.choice_reason_
    predicted = model.predict(X_test)
    assert (predicted[y_test == "high"] == "high").mean() > 0.6
    assert (predicted == y_test).mean() > 0.75


def test_source_only_says_which_classes_it_never_predicts(make_domain):
    X_source, _ = make_domain(200, seed=1)
    X, _ = make_domain(60, seed=2)
    y_source = np.where(X_source["usage"] > -0.3, "mid", "low")

    model = graft.TransferClassifier(strategy="source_only", backbone=None, random_state=0)
    model.fit(X, _three_classes(X), source=(X_source, y_source))

    assert "source_only never predicts 'high'" in model.choice_reason_
    assert "high" not in set(model.predict(X))


def test_labels_after_mixed_training_labels_are_read_as_text(make_domain):
    """Training labels mixing numbers and text are read as text; later labels (score, a
    compare test set) are read the same way, so a test label 1 is the class "1"."""
    X, _ = make_domain(60, seed=4)
    usage = X["usage"].to_numpy()
    y = [1 if u > 0.3 else (2 if u > -0.3 else "other") for u in usage]
    model = graft.TransferClassifier(strategy="baseline", backbone=None, random_state=0)
    model.fit(X, y)
    as_ints = [1 if u > 0.3 else 2 for u in usage]

    assert model.classes_.tolist() == ["1", "2", "other"]
    assert 0.5 < model.score(X, as_ints) <= 1.0

    report = graft.compare(
        ["baseline"], X, y, test=(X, as_ints), n_splits=2, metric="accuracy",
        backbone="none", random_state=0,
    )  # fmt: skip
    assert 0.5 < report.candidates[0].mean <= 1.0


@pytest.mark.parametrize("given_as", ["estimator", "bundle"])
def test_a_source_model_column_of_another_kind_is_left_unmatched(make_domain, tmp_path, given_as):
    # The source model learnt 'plan' as numeric codes; the target writes it as text. Fed to
    # the source model, the text used to fail fit with an error blaming the user's X.
    X_source, y_source = make_domain(150, seed=1)
    X_source["plan"] = X_source["plan"].map({"basic": 0, "plus": 1, "pro": 2})
    source = graft.TransferClassifier(strategy="baseline", backbone=None, random_state=0)
    source.fit(X_source, y_source)
    if given_as == "bundle":
        source = str(source.save(tmp_path / "s.graft"))
    X, y = make_domain(60, seed=2)

    for strategy in ("warm_start", "stacking", "source_only"):
        model = graft.TransferClassifier(strategy=strategy, backbone=None, random_state=0)
        model.fit(X, y, source=source)
        plan = next(m for m in model.column_matching_.matches if m.target == "plan")
        assert not plan.kind_compatible
        assert model.predict_proba(X).shape == (60, 2)


def test_a_source_model_flag_spelt_otherwise_still_reads_the_target(make_domain):
    X_source, y_source = make_domain(150, seed=1)
    source = graft.TransferClassifier(strategy="baseline", backbone=None, random_state=0)
    source.fit(X_source.assign(promo=(X_source["promo"] == "yes").astype(int)), y_source)
    X, y = make_domain(60, seed=2)

    model = graft.TransferClassifier(strategy="source_only", backbone=None, random_state=0)
    model.fit(X, y, source=source)

    assert all(m.kind_compatible for m in model.column_matching_.matches)


@pytest.mark.parametrize("spelling", [("No", "Yes"), (False, True), (0, 1)])
@pytest.mark.parametrize("given_as", ["rows", "model"])
def test_source_labels_spelt_otherwise_are_the_target_classes(make_domain, spelling, given_as):
    Xs, ys = make_domain(300, seed=1)
    Xt, yt = make_domain(60, shift=0.5, seed=2)
    Xp, yp = make_domain(200, shift=0.5, seed=3)
    first = np.unique(ys)[1]

    def bits(y):
        return (np.asarray(y) == first).astype(int)

    word = np.array(["no", "yes"])
    source = (Xs, np.array(spelling, dtype=object)[bits(ys)])
    if given_as == "model":
        source = graft.TransferClassifier(strategy="baseline", backbone=None).fit(*source)
    model = graft.TransferClassifier(strategy="source_only", backbone=None)
    model.fit(Xt, word[bits(yt)], source=source)
    assert list(model.classes_) == ["no", "yes"]
    assert (model.predict(Xp) == word[bits(yp)]).mean() > 0.7
