"""Tests for graft.compare and TransferReport on tiny-bert and on scripted fake estimators."""

import json
import math
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

import graft
from graft import TransferClassifier, TransferRegressor
from graft.data import io as io_module
from graft.evaluate.report import VERDICTS, CandidateResult, TransferReport
from graft.evaluate.report import mean_ci as _ci
from graft.exceptions import DataError

POSITIVE = ["good", "great", "lovely", "excellent", "superb", "nice", "fine", "pleasant"]
NEGATIVE = ["bad", "awful", "terrible", "poor", "horrible", "dreadful", "nasty", "boring"]
SUBJECTS = ["the film", "this phone", "the food", "our hotel", "the service", "the book"]
FAST = {"backbone": "tiny-bert", "epochs": 2, "batch_size": 8, "random_state": 0}


def _texts(n_per_class: int, offset: int = 0) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for i in range(offset, offset + n_per_class):
        subject = SUBJECTS[i % len(SUBJECTS)]
        texts += [f"{subject} was {POSITIVE[i % 8]}", f"{subject} was {NEGATIVE[i % 8]}"]
        labels += [1, 0]
    return texts, np.array(labels)


@pytest.fixture(scope="module")
def data() -> tuple[list[str], np.ndarray]:
    """32 rows, alternating positive (1) / negative (0)."""
    return _texts(16)


@pytest.fixture(scope="module")
def held_out() -> tuple[list[str], np.ndarray]:
    return _texts(6, offset=16)


@pytest.fixture(scope="module")
def fe_report(data):
    """One real comparison shared by the read-only report tests."""
    return graft.compare(["feature_extraction"], *data, n_splits=2, backbone="tiny-bert")


def _names(report: TransferReport) -> list[str]:
    return [c.name for c in report.candidates]


# ----------------------------------------------------------------- candidate forms


def test_strategy_list_gives_baseline_first(fe_report, data):
    assert _names(fe_report) == ["baseline", "feature_extraction"]
    assert fe_report.task == "classification"
    assert fe_report.metric == "accuracy"
    assert fe_report.n_rows == len(data[0])
    assert fe_report.n_splits == 2
    assert fe_report.evaluation == "random stratified splits"
    for candidate in fe_report.candidates:
        assert len(candidate.scores) == 2
        assert all(0.0 <= s <= 1.0 for s in candidate.scores)
        assert candidate.mean == pytest.approx(np.mean(candidate.scores))
        assert 0.0 <= candidate.ci_low <= candidate.mean <= candidate.ci_high <= 1.0
        assert candidate.fit_seconds >= 0 and candidate.predict_seconds >= 0


def test_baseline_row_has_no_verdict_and_candidates_have_one(fe_report):
    baseline, candidate = fe_report.candidates
    assert baseline.verdict is None and baseline.gain is None
    assert candidate.verdict in VERDICTS
    diff = np.subtract(candidate.scores, baseline.scores)
    assert candidate.gain == pytest.approx(diff.mean())
    assert candidate.gain_ci_low <= candidate.gain <= candidate.gain_ci_high


def test_single_strategy_name(data):
    report = graft.compare("feature_extraction", *data, n_splits=2, backbone="tiny-bert")

    assert _names(report) == ["baseline", "feature_extraction"]


def test_estimator_candidate_is_cloned_not_fitted(data):
    estimator = TransferClassifier(strategy="feature_extraction", **FAST)

    report = graft.compare(estimator, *data, n_splits=2)

    assert _names(report) == ["baseline", "feature_extraction"]
    assert not hasattr(estimator, "model_")


def test_dict_names_candidates_and_a_baseline_entry_is_not_doubled(data):
    candidates = {
        "frozen": TransferClassifier(strategy="feature_extraction", **FAST),
        "baseline": TransferClassifier(strategy="baseline", **FAST),
    }

    report = graft.compare(candidates, *data, n_splits=2)

    assert _names(report) == ["baseline", "frozen"]


def test_list_mixing_names_and_estimators(data):
    candidates = ["baseline", TransferClassifier(strategy="feature_extraction", **FAST)]

    report = graft.compare(candidates, *data, n_splits=2, backbone="tiny-bert")

    assert _names(report) == ["baseline", "feature_extraction"]


def test_dataframe_input_with_text_column(data):
    texts, labels = data
    frame = pd.DataFrame({"review": texts, "stars": np.arange(len(texts))})

    report = graft.compare(
        ["feature_extraction"],
        frame,
        labels,
        n_splits=2,
        backbone="tiny-bert",
        text_column="review",
    )

    assert _names(report) == ["baseline", "feature_extraction"]
    assert report.n_rows == len(texts)


# ------------------------------------------------------------ source and test modes


def test_source_adds_a_source_only_row(data, held_out):
    report = graft.compare(
        ["feature_extraction"], *data, source=held_out, n_splits=2, backbone="tiny-bert"
    )

    assert _names(report) == ["baseline", "feature_extraction", "source_only"]
    source_only = report.candidates[-1]
    assert len(source_only.scores) == 2
    assert source_only.verdict in VERDICTS


def test_fixed_test_set_repeats_seeds(data, held_out):
    report = graft.compare(
        ["feature_extraction"], *data, test=held_out, n_splits=3, backbone="tiny-bert"
    )

    assert report.evaluation.startswith("seeds on a fixed test set (95% CIs: 1000 bootstrap")
    assert report.n_splits == 3
    assert report.n_rows == len(data[0])
    assert all(len(c.scores) == 3 for c in report.candidates)
    # TF-IDF + logistic regression on the same rows does not depend on the seed, so its
    # interval comes from resampling the test rows, not from the seeds.
    baseline, candidate = report.candidates[:2]
    assert len(set(baseline.scores)) == 1
    assert baseline.ci_low <= baseline.mean <= baseline.ci_high
    assert candidate.mean < 1 and candidate.ci_low < candidate.ci_high
    assert candidate.gain_ci_low < candidate.gain_ci_high


def test_r2_on_one_held_out_row_per_split_is_refused(data):
    texts, _ = data
    with pytest.raises(DataError, match="holds out 1 row per split, and R² needs at least 2"):
        graft.compare(
            ["baseline"], texts[:4], [1.0, 0.0, 0.7, 0.2], task="regression", n_splits=2,
            backbone="tiny-bert",
        )  # fmt: skip
    with pytest.raises(DataError, match=r"test has 1 row\(s\) and R² is undefined"):
        graft.compare(
            ["baseline"], texts[:4], [1.0, 0.0, 0.7, 0.2], task="regression", n_splits=2,
            test=(texts[4:5], [0.5]), backbone="tiny-bert",
        )  # fmt: skip
    with pytest.raises(DataError, match="all with one target value"):
        graft.compare(
            ["baseline"], texts[:4], [1.0, 0.0, 0.7, 0.2], task="regression", n_splits=2,
            test=(texts[4:7], [0.5, 0.5, 0.5]), backbone="tiny-bert",
        )  # fmt: skip


def test_a_fixed_test_set_verdict_reflects_its_size(data):
    texts, labels = data
    # Two test rows: whatever the gain, resampling them cannot make it clear.
    report = graft.compare(
        ["feature_extraction"], texts, labels, test=(texts[:2], labels[:2]), n_splits=2,
        backbone="tiny-bert",
    )  # fmt: skip
    assert report.candidates[1].verdict == "no clear difference"


def test_regression_reports_r2(data):
    texts, labels = data
    values = np.where(labels == 1, 2.0, -2.0) + 0.1 * (np.arange(len(labels)) % 3)

    report = graft.compare(
        [TransferRegressor(strategy="feature_extraction", **FAST)],
        texts,
        values,
        task="regression",
        n_splits=2,
    )

    assert _names(report) == ["baseline", "feature_extraction"]
    assert report.task == "regression"
    assert report.metric == "R²"
    assert report.evaluation == "random splits"
    assert all(math.isfinite(s) for c in report.candidates for s in c.scores)
    assert report.candidates[1].verdict in VERDICTS


# ------------------------------------------------------------ report output


def test_to_dict_is_json_serialisable(fe_report):
    payload = json.loads(json.dumps(fe_report.to_dict()))

    assert payload["metric"] == "accuracy"
    assert [c["name"] for c in payload["candidates"]] == ["baseline", "feature_extraction"]
    assert payload["candidates"][1]["verdict"] in VERDICTS
    assert payload["candidates"][0]["scores"] == fe_report.candidates[0].scores


def test_save_json_writes_the_report(fe_report, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old contents")

    returned = fe_report.save_json(target)

    assert returned == target
    assert json.loads(target.read_text()) == fe_report.to_dict()
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_save_json_failure_keeps_the_old_file_and_leaves_no_temp(fe_report, tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text('{"old": true}')

    def broken_dump(obj, handle, **kwargs):
        handle.write('{"half": ')
        raise OSError("disk full")

    monkeypatch.setattr(io_module.json, "dump", broken_dump)

    with pytest.raises(DataError, match="disk full"):
        fe_report.save_json(target)

    assert json.loads(target.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_str_and_table_name_every_candidate(fe_report):
    text = str(fe_report)

    for name in ("baseline", "feature_extraction", "accuracy", "verdict"):
        assert name in text
    assert fe_report.candidates[1].verdict in text
    assert fe_report.table().row_count == 2


def test_best_is_the_highest_mean():
    rows = [
        CandidateResult("baseline", 0.6, 0.5, 0.7, [0.6], 0.1, 0.1),
        CandidateResult("fine_tune", 0.8, 0.7, 0.9, [0.8], 0.1, 0.1),
        CandidateResult("hybrid", 0.7, 0.6, 0.8, [0.7], 0.1, 0.1),
    ]
    report = TransferReport("classification", "accuracy", 10, 2, "x", "baseline", rows)

    assert report.best().name == "fine_tune"


# ------------------------------------------------------------ intervals and verdicts


def test_ci_of_constant_or_single_values_is_a_point():
    assert _ci([0.7, 0.7, 0.7]) == (pytest.approx(0.7), pytest.approx(0.7))
    assert _ci([0.4]) == (pytest.approx(0.4), pytest.approx(0.4))


def test_ci_is_the_t_interval_of_the_mean():
    values = [0.5, 0.7, 0.6, 0.8]
    low, high = _ci(values)

    half = 3.182446305284263 * np.std(values, ddof=1) / 2  # t(0.975, df=3) * s / sqrt(4)
    assert low == pytest.approx(0.65 - half)
    assert high == pytest.approx(0.65 + half)


def test_a_gain_within_floating_point_noise_is_no_difference():
    # Two forecasts of a constant series that differ by 1e-9 in every split.
    row = CandidateResult.from_scores(
        "zero_shot", [7.7e-9] * 4, fit_seconds=0, predict_seconds=0, bounded=False
    )
    row.judge([0.0] * 4, lower_is_better=True)
    assert row.verdict == "no clear difference"

    clear = CandidateResult.from_scores(
        "zero_shot", [0.5] * 4, fit_seconds=0, predict_seconds=0, bounded=False
    )
    clear.judge([0.4] * 4, lower_is_better=True)
    assert clear.verdict == "hurts"


class Scripted(BaseEstimator):
    """Scores come from ``table[strategy][random_state]``; fits are logged in ``FITS``."""

    FITS: ClassVar[list] = []

    def __init__(self, strategy="feature_extraction", table=None, random_state=None):
        self.strategy = strategy
        self.table = table
        self.random_state = random_state

    def fit(self, X, y, source=None):
        Scripted.FITS.append((self.strategy, self.random_state, tuple(X)))
        return self

    def score(self, X, y):
        return self.table[self.strategy][self.random_state]


def _scripted(baseline, candidate, task="classification", **kwargs):
    table = {"baseline": baseline, "feature_extraction": candidate}
    X = [f"row {i}" for i in range(12)]
    y = [0, 1] * 6 if task == "classification" else list(range(12))
    return graft.compare(
        {"cand": Scripted(table=table)},
        X,
        y,
        task=task,
        test=(["a", "b"], [0, 1]),
        n_splits=len(baseline),
        **kwargs,
    ).candidates[1]


@pytest.mark.parametrize(
    ("baseline", "candidate", "verdict"),
    [
        ([0.5, 0.5, 0.5], [0.70, 0.72, 0.71], "helps"),
        ([0.5, 0.5, 0.5], [0.30, 0.31, 0.29], "hurts"),
        ([0.5, 0.5, 0.5], [0.60, 0.40, 0.50], "no clear difference"),
        # Identical scores: a zero-width interval at 0 is not a gain.
        ([0.5, 0.6, 0.7], [0.5, 0.6, 0.7], "no clear difference"),
        # A constant gain is certain, however small.
        ([0.5, 0.6, 0.7], [0.51, 0.61, 0.71], "helps"),
        ([0.5, 0.6, 0.7], [0.49, 0.59, 0.69], "hurts"),
    ],
)
def test_verdict_thresholds(baseline, candidate, verdict):
    row = _scripted(baseline, candidate)

    diff = np.subtract(candidate, baseline)
    assert row.verdict == verdict
    assert row.gain == pytest.approx(diff.mean())
    assert (row.gain_ci_low, row.gain_ci_high) == pytest.approx(_ci(diff))


def test_verdict_is_paired_not_overlap_of_intervals():
    baseline = [0.40, 0.60, 0.80, 0.50]
    candidate = [0.43, 0.62, 0.84, 0.52]  # the intervals of the two means overlap widely

    row = _scripted(baseline, candidate)

    assert _ci(candidate)[0] < _ci(baseline)[1]
    assert row.verdict == "helps"


def test_accuracy_interval_is_clipped_to_0_1_but_r2_is_not():
    baseline, candidate = [0.05, 0.0, 0.1], [0.9, 1.0, 1.0]
    assert _ci(candidate)[1] > 1.0 and _ci(baseline)[0] < 0.0

    row = _scripted(baseline, candidate)
    assert row.ci_high == 1.0

    row = _scripted(baseline, candidate, task="regression")
    assert row.ci_high == pytest.approx(_ci(candidate)[1])


def test_every_candidate_is_fitted_on_the_same_splits():
    Scripted.FITS.clear()
    table = {"baseline": [0.5] * 3, "feature_extraction": [0.6] * 3}
    X = [f"row {i}" for i in range(12)]

    graft.compare({"cand": Scripted(table=table)}, X, [0, 1] * 6, n_splits=3, random_state=0)

    by_seed: dict = {}
    for strategy, seed, rows in Scripted.FITS:
        by_seed.setdefault(seed, {})[strategy] = rows
    assert sorted(by_seed) == [0, 1, 2]
    for fits in by_seed.values():
        assert fits["baseline"] == fits["feature_extraction"]
        assert len(fits["baseline"]) == 9  # 25% of 12 rows held out
    assert len({fits["baseline"] for fits in by_seed.values()}) == 3


def test_fixed_test_set_fits_on_all_rows_with_seeds():
    Scripted.FITS.clear()
    table = {"baseline": [0.5] * 2, "feature_extraction": [0.6] * 2}
    X = [f"row {i}" for i in range(6)]

    graft.compare(
        {"cand": Scripted(table=table)}, X, [0, 1] * 3, test=(["a", "b"], [0, 1]), n_splits=2
    )

    assert sorted((s, seed) for s, seed, _ in Scripted.FITS) == [
        ("baseline", 0),
        ("baseline", 1),
        ("feature_extraction", 0),
        ("feature_extraction", 1),
    ]
    assert {rows for *_, rows in Scripted.FITS} == {tuple(X)}


# ------------------------------------------------------------ bad input


def _one_line(info) -> str:
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("n_splits", [1, 0, -3, 2.0, "5"])
def test_n_splits_must_be_an_integer_of_at_least_2(data, n_splits):
    with pytest.raises(DataError, match="n_splits") as info:
        graft.compare(["baseline"], *data, n_splits=n_splits)
    _one_line(info)


def test_unknown_task(data):
    with pytest.raises(DataError, match="'ranking'") as info:
        graft.compare(["baseline"], *data, task="ranking")
    _one_line(info)


@pytest.mark.parametrize("candidates", [[], {}, ()])
def test_no_candidates(data, candidates):
    with pytest.raises(DataError, match="no candidates") as info:
        graft.compare(candidates, *data)
    _one_line(info)


def test_too_few_rows_for_the_split():
    with pytest.raises(DataError, match="Cannot make 2 splits") as info:
        graft.compare(["baseline"], ["good", "bad", "fine", "poor"], [1, 0, 1, 0], n_splits=2)
    assert "test=(X_test, y_test)" in _one_line(info)


def test_labels_of_the_wrong_length(data):
    texts, labels = data
    with pytest.raises(DataError, match="labels for") as info:
        graft.compare(["baseline"], texts, labels[:-1], n_splits=2)
    _one_line(info)


def test_single_class_test_set_labels_are_checked(data):
    with pytest.raises(DataError, match="test y") as info:
        graft.compare(["baseline"], *data, test=(["good", "fine"], [1, 1]), n_splits=2)
    _one_line(info)


def test_non_text_rows_are_refused(data):
    texts, labels = data
    with pytest.raises(DataError, match="not text") as info:
        graft.compare(["baseline"], [*texts[:-1], None], labels, n_splits=2)
    _one_line(info)


# ----------------------------------------------------------------- metric


def test_metric_option_scores_with_that_scorer(data):
    report = graft.compare(
        ["feature_extraction"], *data, n_splits=2, backbone="tiny-bert", metric="neg_log_loss"
    )

    assert report.metric == "neg_log_loss"
    assert all(s < 0 for c in report.candidates for s in c.scores)


def test_roc_auc_is_shown_by_name_and_bounded(data):
    report = graft.compare(["feature_extraction"], *data, n_splits=2, backbone="tiny-bert",
                           metric="roc_auc")  # fmt: skip

    assert report.metric == "ROC AUC"
    assert all(0.0 <= c.ci_low <= c.ci_high <= 1.0 for c in report.candidates)


@pytest.mark.parametrize(
    ("metric", "task", "fragment"),
    [
        ("auc", "classification", "metric='auc' is not available for classification"),
        ("accuracy", "regression", "metric='accuracy' is not available for regression"),
        ("r2", "classification", "roc_auc, neg_log_loss"),
    ],
)
def test_unknown_metric_for_the_task(data, metric, task, fragment):
    X, y = data
    labels = np.arange(len(y), dtype=float) if task == "regression" else y
    with pytest.raises(DataError, match=fragment.replace("(", r"\(")):
        graft.compare(["baseline"], X, labels, task=task, metric=metric)


def test_roc_auc_needs_two_classes():
    X = [f"row {i}" for i in range(12)]
    with pytest.raises(DataError, match="exactly two classes"):
        graft.compare(["baseline"], X, [0, 1, 2] * 4, metric="roc_auc")


def test_neg_log_loss_scores_a_split_that_misses_a_rare_class():
    X = [f"good thing {i}" for i in range(10)] + [f"bad thing {i}" for i in range(10)]
    X += ["meh a", "meh b"]
    y = ["pos"] * 10 + ["neg"] * 10 + ["mid"] * 2

    report = graft.compare(["baseline"], X, y, n_splits=2, metric="neg_log_loss")

    assert all(np.isfinite(c.scores).all() for c in report.candidates)


def test_a_strategy_the_modality_lacks_is_refused_before_fitting(data):
    with pytest.raises(DataError, match="'baseline_cnn' is not available for text input"):
        graft.compare(["baseline_cnn"], *data, n_splits=2, backbone="tiny-bert")


# A fixed test set holding a class the training labels lack ("mid").
UNSEEN_TEST = (["good thing", "bad thing", "meh one", "meh two"], ["pos", "neg", "mid", "mid"])


def _two_classes() -> tuple[list[str], list[str]]:
    X = [f"good thing {i}" for i in range(8)] + [f"bad thing {i}" for i in range(8)]
    return X, ["pos"] * 8 + ["neg"] * 8


@pytest.mark.parametrize("metric", ["roc_auc", "neg_log_loss"])
def test_a_test_class_unseen_in_training_is_refused_by_probability_metrics(metric):
    with pytest.raises(DataError, match="2 row\\(s\\) of class\\(es\\) absent") as info:
        graft.compare(["baseline"], *_two_classes(), test=UNSEEN_TEST, n_splits=2, metric=metric)

    message = _one_line(info)
    assert "'mid'" in message and repr(metric) in message and "accuracy" in message


@pytest.mark.parametrize(
    ("metric", "best"),
    # The unseen class is half the rows (accuracy) and one class of three, with recall and
    # F1 of 0 (balanced accuracy, F1): no model can do better than these.
    [("accuracy", 0.5), ("balanced_accuracy", 2 / 3), ("f1_macro", 2 / 3)],
)
def test_label_metrics_score_a_test_class_unseen_in_training_as_errors(metric, best):
    report = graft.compare(
        ["baseline"], *_two_classes(), test=UNSEEN_TEST, n_splits=2, metric=metric
    )

    assert all(0.0 <= s <= best + 1e-9 for c in report.candidates for s in c.scores)


@pytest.mark.parametrize("metric", ["roc_auc", "accuracy"])
def test_test_labels_typed_otherwise_than_training_labels_are_the_same_classes(metric):
    # Test labels "0" / "1" (JSON text) against training 0 / 1 (CSV numbers) were absent
    # classes for ROC AUC, and crashed scikit-learn ("Mix of label input types") for
    # accuracy; a table, so that the text baseline's tokeniser plays no part.
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    y = (X.a > 0).astype(int)
    scores = [
        graft.compare(
            ["baseline"], X.iloc[:40], y.iloc[:40], test=(X.iloc[40:], labels), metric=metric,
            n_splits=2,
        ).candidates[0].scores
        for labels in (y.iloc[40:].astype(str), y.iloc[40:])
    ]  # fmt: skip
    assert scores[0] == pytest.approx(scores[1])
    assert min(scores[0]) > 0.8


def test_a_forecaster_is_pointed_to_backtest():
    with pytest.raises(DataError, match=r"graft\.backtest"):
        graft.compare(graft.TransferForecaster(horizon=3), ["a", "b"] * 4, [0, 1] * 4)


def test_report_table_prints_names_and_nan_intervals_as_written():
    from graft.evaluate.report import CandidateResult, TransferReport

    row = CandidateResult.from_scores(
        "lr [C=0.5]", [float("nan")] * 2, fit_seconds=0, predict_seconds=0, bounded=False
    )
    report = TransferReport(
        task="t", metric="r2", n_rows=3, n_splits=2, evaluation="splits", baseline="b",
        candidates=[row],
    )  # fmt: skip
    assert "lr [C=0.5]" in str(report) and "[nan, nan]" in str(report)


def test_candidates_sharing_a_strategy_are_all_scored(data):
    # Keyed by strategy, the second used to replace the first silently.
    from sklearn.linear_model import LogisticRegression

    candidates = [
        TransferClassifier(strategy="feature_extraction", **FAST),
        TransferClassifier(strategy="feature_extraction", head=LogisticRegression(C=0.01), **FAST),
    ]

    report = graft.compare(candidates, *data, n_splits=2)

    assert _names(report) == ["baseline", "feature_extraction", "feature_extraction#2"]


def test_a_candidate_named_baseline_is_never_replaced_by_the_default(data):
    candidates = {
        "frozen": TransferClassifier(strategy="feature_extraction", **FAST),
        "baseline": TransferClassifier(strategy="feature_extraction", head="ridge", **FAST),
    }

    report = graft.compare(candidates, *data, n_splits=2)

    assert _names(report) == ["baseline", "frozen", "baseline#2"]
    rows = {row.name: row for row in report.candidates}
    assert rows["baseline#2"].verdict is not None


def test_a_second_baseline_candidate_is_scored_too(data):
    candidates = [
        TransferClassifier(strategy="baseline", **FAST),
        TransferClassifier(strategy="baseline", **FAST),
    ]

    report = graft.compare(candidates, *data, n_splits=2)

    assert _names(report) == ["baseline", "baseline#2"]


def test_the_bootstrap_gives_a_constant_predictor_an_interval_too():
    from graft.evaluate.compare import _bootstrap, _FrozenClassifier, _scorer

    y = np.array([0] * 70 + [1] * 30)
    always_zero = _FrozenClassifier(np.array([0, 1]), np.tile([0.9, 0.1], (100, 1)))
    resampled = _bootstrap({"constant": [always_zero] * 3}, _scorer("accuracy", y), y,
                           "classification", 0)  # fmt: skip
    low, high = np.percentile(resampled["constant"], [2.5, 97.5])
    assert low < 0.7 < high


def test_a_plain_scikit_learn_estimator_is_a_one_line_error():
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(DataError, match="not a TransferClassifier"):
        graft.compare(LogisticRegression(), ["a", "b"] * 4, [0, 1] * 4)


def test_a_table_candidate_named_source_only_of_another_strategy_is_numbered(make_domain):
    Xs, ys = make_domain(200, seed=1)
    Xt, yt = make_domain(40, shift=0.5, seed=2)
    report = graft.compare(
        {"source_only": TransferClassifier(strategy="pooled", backbone=None)},
        Xt, yt, source=(Xs, ys), n_splits=2, backbone=None,
    )  # fmt: skip
    assert _names(report) == ["baseline", "source_only", "source_only#2"]


def test_compare_seeds_leave_room_for_every_split():
    with pytest.raises(DataError, match="random_state"):
        graft.compare(["baseline"], ["a", "b"] * 8, [0, 1] * 8, n_splits=3,
                      random_state=2**31 - 2)  # fmt: skip
