"""Every tabular strategy on small synthetic shifted tables: fits, predicts, and helps."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from graft import TransferClassifier, TransferRegressor
from graft.estimators import TABULAR_STRATEGIES
from graft.exceptions import DataError
from graft.strategies.tabular.model import TabularModel

NAMED = [s for s in TABULAR_STRATEGIES if s != "auto"]


@pytest.fixture(scope="module")
def fitted_tabular(shifted_tables):
    Xs, ys, Xt, yt, _, _ = shifted_tables
    models = {}

    def get(strategy):
        if strategy not in models:
            model = TransferClassifier(strategy=strategy, backbone=None, random_state=0)
            models[strategy] = model.fit(Xt, yt, source=(Xs, ys))
        return models[strategy]

    return get


@pytest.mark.parametrize("strategy", [*NAMED, "auto"])
def test_strategy_fits_and_predicts_probabilities(fitted_tabular, shifted_tables, strategy):
    *_, X_test, y_test = shifted_tables
    model = fitted_tabular(strategy)

    proba = model.predict_proba(X_test)

    assert model.modality_ == "tabular"
    assert isinstance(model.model_, TabularModel)
    assert model.classes_.tolist() == ["churn", "stay"]
    assert proba.shape == (len(X_test), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(X_test).tolist() == model.classes_[proba.argmax(axis=1)].tolist()
    assert model.feature_names_in_.tolist()[:4] == ["usage", "calls", "plan", "promo"]
    # The signal is strong and shared by both domains: every strategy should find it.
    assert roc_auc_score(y_test == "stay", proba[:, 1]) > 0.8
    assert model.lineage_["source"]["n_rows"] == 400


def test_auto_names_its_choice_and_scores(fitted_tabular):
    model = fitted_tabular("auto")

    weights = model.auto_scores_["ensemble"]["weights"]
    assert abs(sum(weights.values()) - 1.0) < 1e-9
    assert {"baseline_linear", "baseline_lightgbm", "source_only"} <= set(model.auto_scores_)
    assert "inner-validation ROC AUC" in model.choice_reason_ or "guard" in model.choice_reason_
    assert model.strategy_ in model.choice_reason_ or "baseline" in model.choice_reason_


def test_same_seed_same_model(shifted_tables, fitted_tabular):
    Xs, ys, Xt, yt, X_test, _ = shifted_tables
    again = TransferClassifier(strategy="pooled", backbone=None, random_state=0)
    again.fit(Xt, yt, source=(Xs, ys))

    np.testing.assert_array_equal(
        again.predict_proba(X_test), fitted_tabular("pooled").predict_proba(X_test)
    )


def test_transfer_beats_target_only_on_few_rows(make_domain):
    source = make_domain(400, seed=1)
    target = make_domain(20, shift=0.7, seed=4)
    X_test, y_test = make_domain(400, shift=0.7, seed=5)
    scores = {}
    for strategy in ("baseline", "source_only", "auto"):
        model = TransferClassifier(strategy=strategy, backbone=None, random_state=0)
        model.fit(*target, source=source)
        scores[strategy] = roc_auc_score(y_test == "stay", model.predict_proba(X_test)[:, 1])

    assert scores["source_only"] > scores["baseline"]
    assert scores["auto"] >= scores["baseline"]


def test_guard_keeps_target_only_when_the_source_misleads(make_domain):
    source = make_domain(400, seed=1, misleading=True)  # knows nothing about the target
    target = make_domain(60, shift=0.3, seed=6)

    model = TransferClassifier(strategy="auto", backbone=None, random_state=0)
    model.fit(*target, source=source)

    assert model.strategy_.startswith("baseline")
    assert "guard" in model.choice_reason_
    assert set(model.auto_scores_["ensemble"]["weights"]) <= {
        "baseline_linear",
        "baseline_lightgbm",
    }


def test_without_a_source_auto_is_target_only(make_domain):
    model = TransferClassifier(strategy="auto", backbone=None, random_state=0)
    model.fit(*make_domain(40, seed=7))

    assert model.strategy_.startswith("baseline")
    assert model.auto_scores_["source_only"] == {"skipped": "needs a source (rows or a model)"}


@pytest.mark.parametrize("strategy", ["auto", "pooled", "warm_start", "fine_tune", "stacking"])
def test_regressor(make_domain, strategy):
    source = make_domain(300, seed=1, task="regression")
    target = make_domain(40, shift=0.5, seed=2, task="regression")
    X_test, y_test = make_domain(200, shift=0.5, seed=3, task="regression")

    model = TransferRegressor(strategy=strategy, backbone=None, random_state=0)
    model.fit(*target, source=source)

    predicted = model.predict(X_test)
    assert predicted.shape == (200,)
    assert model.score(X_test, y_test) > 0.3


def test_multiclass_and_a_class_the_source_never_saw(make_domain):
    X, _ = make_domain(300, seed=1)
    Xs, _ = make_domain(300, seed=2)
    usage = X["usage"].to_numpy()
    labels = np.where(usage > 1.0, "high", np.where(usage < -0.5, "low", "mid"))
    source_labels = np.where(Xs["usage"] > -0.5, "mid", "low")  # no "high" in the source

    model = TransferClassifier(strategy="auto", backbone=None, random_state=0)
    model.fit(X.iloc[:90], labels[:90], source=(Xs, source_labels))

    assert model.classes_.tolist() == ["high", "low", "mid"]
    assert model.lineage_["source"]["classes_not_in_source"] == ["high"]
    assert model.predict_proba(X.iloc[90:]).shape == (210, 3)
    assert (model.predict(X.iloc[90:]) == labels[90:]).mean() > 0.7


def test_numpy_table_input(make_domain):
    X, y = make_domain(50, seed=1)
    array = X[["usage", "calls"]].to_numpy()

    model = TransferClassifier(strategy="baseline", backbone=None, random_state=0).fit(array, y)

    assert model.feature_names_in_.tolist() == ["x0", "x1"]
    assert model.predict(array).shape == (50,)


def test_predict_handles_unseen_categories_and_missing_values(fitted_tabular, shifted_tables):
    *_, X_test, _ = shifted_tables
    odd = X_test.head(4).copy()
    odd["plan"] = ["enterprise", None, "basic", "pro"]
    odd.loc[odd.index[0], "usage"] = np.nan
    odd["promo"] = ["maybe", "yes", None, "no"]

    proba = fitted_tabular("auto").predict_proba(odd[list(odd.columns[::-1])])

    assert np.isfinite(proba).all()


def test_constant_and_empty_columns_are_ignored(make_domain):
    X, y = make_domain(60, seed=1)
    X = X.assign(country="NL", notes=np.nan)

    model = TransferClassifier(strategy="baseline", backbone=None, random_state=0).fit(X, y)

    assert model.predict(X.drop(columns=["country", "notes"])).shape == (60,)


def test_sklearn_clone_and_cross_val_score(make_domain):
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    X, y = make_domain(60, seed=1)
    model = TransferClassifier(strategy="baseline", backbone=None, random_state=0)

    scores = cross_val_score(clone(model), X, y, cv=3)

    assert scores.mean() > 0.7


def test_pickle_round_trip(fitted_tabular, shifted_tables):
    import pickle

    *_, X_test, _ = shifted_tables
    model = fitted_tabular("warm_start")

    again = pickle.loads(pickle.dumps(model))

    np.testing.assert_array_equal(again.predict_proba(X_test), model.predict_proba(X_test))


def test_fixed_source_weight_is_used(shifted_tables):
    Xs, ys, Xt, yt, _, _ = shifted_tables
    model = TransferClassifier(strategy="pooled", source_weight=2.0, backbone=None)

    model.fit(Xt, yt, source=(Xs, ys))

    assert model.model_.members[0].info["share"] == 2.0
    assert "source_weight=2.0" in model.choice_reason_


def test_frames_with_other_index_and_column_order(fitted_tabular, shifted_tables):
    *_, X_test, _ = shifted_tables
    shuffled = X_test.iloc[::-1][list(X_test.columns[::-1])]
    shuffled.index = pd.RangeIndex(1000, 1000 + len(shuffled))

    model = fitted_tabular("stacking")

    np.testing.assert_allclose(
        model.predict_proba(shuffled), model.predict_proba(X_test)[::-1], rtol=1e-10
    )


@pytest.mark.parametrize(("strategy", "runs_source"), [("pooled", False), ("stacking", True)])
def test_source_model_runs_at_predict_only_when_a_member_reads_it(
    fitted_tabular, shifted_tables, monkeypatch, strategy, runs_source
):
    *_, X_test, _ = shifted_tables
    model = fitted_tabular(strategy)
    calls = []
    original = TabularModel.source_margin

    def counting(self, frame, encoded):
        calls.append(len(frame))
        return original(self, frame, encoded)

    monkeypatch.setattr(TabularModel, "source_margin", counting)
    model.predict_proba(X_test)

    assert bool(calls) is runs_source


def test_code_column_predicts_the_same_when_a_blank_makes_it_floats():
    rng = np.random.default_rng(0)
    code = rng.choice([1, 2, 3, 4], 150)
    x = rng.normal(size=150)
    y = np.where((code == 1) | (x > 1.2), "yes", "no")
    for train_codes in (pd.Series(code).astype("category"), pd.Series(code.astype(str))):
        model = TransferClassifier(strategy="baseline", backbone=None, random_state=0)
        model.fit(pd.DataFrame({"code": train_codes, "x": x}), y)
        full = model.predict_proba(pd.DataFrame({"code": [1, 1, 2], "x": 0.0}))
        blank = model.predict_proba(pd.DataFrame({"code": [1.0, 1.0, np.nan], "x": 0.0}))
        np.testing.assert_allclose(blank[:2], full[:2])
        assert model.predict(pd.DataFrame({"code": [1.0], "x": 0.0}))[0] == "yes"


def test_start_margin_gives_unseen_classes_their_target_share():
    from graft.strategies.tabular.boosting import class_shares, start_margin, to_proba

    shares = class_shares(np.array([0, 0, 1, 2, 2, 2]), 3)
    np.testing.assert_allclose(shares, [3 / 9, 2 / 9, 4 / 9])
    source = np.log(np.array([[1e-9, 0.2, 0.8], [1e-9, 0.5, 0.5]]))
    info = {"missing_classes": [0], "missing_shares": [0.25]}

    p = to_proba(start_margin(source, info), "classification")

    np.testing.assert_allclose(p, [[0.25, 0.15, 0.6], [0.25, 0.375, 0.375]])
    assert start_margin(source, {"extra": 10}) is source


@pytest.mark.parametrize("strategy", ["warm_start", "baseline"])
def test_a_single_target_row_for_boosting_is_a_one_line_error_stating_the_minimum(
    make_domain, strategy
):
    # LightGBM bags 80% of one row, i.e. none, and failed with a raw LightGBMError.
    Xs, ys = make_domain(200, seed=1, task="regression")
    Xt, yt = make_domain(1, seed=2, task="regression")
    model = TransferRegressor(strategy=strategy, backbone=None, random_state=0)
    with pytest.raises(DataError, match="needs at least 2 training rows but got 1") as info:
        model.fit(Xt, yt, source=(Xs, ys))
    assert "\n" not in str(info.value)
