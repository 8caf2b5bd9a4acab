"""Source rows put into the target's columns (graft.strategies.tabular.prepare)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from graft import TransferClassifier
from graft.data.tabular import ColumnKind, infer_schema, respell_flags
from graft.exceptions import DataError
from graft.strategies.tabular.prepare import align_source

FLAGS = {
    "yes/no": ("yes", "no"),
    "Yes/No": ("Yes", "No"),
    "Y/N": ("Y", "N"),
    "TRUE/FALSE": ("TRUE", "FALSE"),
    "t/f": ("t", "f"),
    "1/0": (1, 0),
    "1.0/0.0": (1.0, 0.0),
    "bool": (True, False),
}


def _flag_table(n, spelling, seed):
    """A table whose label follows the flag 'plan' (90% of rows) and a noise column."""
    rng = np.random.RandomState(seed)
    flag = rng.rand(n) < 0.5
    yes, no = FLAGS[spelling]
    X = pd.DataFrame({"plan": np.where(flag, yes, no), "x": rng.normal(size=n)})
    if spelling == "bool":
        X["plan"] = X["plan"].astype(bool)
    return X, (flag ^ (rng.rand(n) < 0.1)).astype(int)


@pytest.mark.parametrize("target", ["yes/no", "1/0", "bool", "Y/N"])
@pytest.mark.parametrize("source", list(FLAGS))
def test_a_flag_spelt_another_way_in_the_source_stays_one_flag(source, target):
    X, _ = _flag_table(40, target, seed=0)
    X_source, _ = _flag_table(200, source, seed=1)

    aligned, _ = align_source(X_source, X, mapping=None, backbone=None)
    joined = pd.concat([X, aligned], ignore_index=True)
    spec = infer_schema(joined).columns[0]

    assert spec.kind == ColumnKind.BOOLEAN
    yes, no = FLAGS[target]
    assert spec.categories == (no, yes) or (target == "bool" and spec.categories == (False, True))
    # The source's truth values are kept: a source "yes" reads as the target's "yes".
    truth = X_source["plan"].map(lambda v: str(v).lower() in ("yes", "y", "true", "t", "1", "1.0"))
    assert (aligned["plan"].map(lambda v: v == yes).to_numpy() == truth.to_numpy()).all()


def test_source_knowledge_of_a_flag_spelt_yes_no_reaches_a_target_spelt_other_ways():
    # The reviewer's case (wa_churn "Yes"/"No" -> mlc_churn "yes"/"no"): before the fix the
    # joined column held four categories and source_only scored AUC 0.45; 0/1 crashed.
    X, y = _flag_table(60, "yes/no", seed=0)
    X_test, y_test = _flag_table(400, "yes/no", seed=2)
    for source in ("Yes/No", "1/0"):
        X_source, y_source = _flag_table(300, source, seed=1)
        model = TransferClassifier(strategy="source_only", backbone=None, random_state=0)
        model.fit(X, y, source=(X_source, y_source))
        assert model.model_.encoder.schema.columns[0].categories == ("no", "yes")
        assert roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]) > 0.85


def test_respelt_source_flags_keep_missing_values_and_the_target_style():
    assert respell_flags(pd.Series(["No", "No"]), pd.Series([1, None, 0])).tolist() == [
        "Yes",
        None,
        "No",
    ]
    assert respell_flags(pd.Series([0.0, np.nan]), pd.Series(["y", "n"])).tolist() == [1.0, 0.0]
    # Not flags, or already the same spelling: nothing to do.
    assert respell_flags(pd.Series(["a", "b"]), pd.Series(["yes", "no"])) is None
    assert respell_flags(pd.Series(["yes", "no"]), pd.Series(["yes", "no", "maybe"])) is None
    assert respell_flags(pd.Series(["yes", "no"]), pd.Series(["no", "yes"])) is None


def test_numbers_feeding_a_text_column_are_left_out_not_a_crash():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"plan": rng.choice(["a", "b", "c"], 60), "x": rng.normal(size=60)})
    X_source = pd.DataFrame({"plan": rng.choice([0, 1], 300), "x": rng.normal(size=300)})

    aligned, matching = align_source(X_source, X, mapping=None, backbone=None)

    plan = next(m for m in matching.matches if m.target == "plan")
    assert not plan.kind_compatible
    assert aligned["plan"].isna().all() and aligned["x"].notna().all()


@pytest.mark.parametrize("cell", ["?", [1, 2]])
def test_garbage_in_a_matched_source_column_is_a_one_line_error_naming_the_source_row(cell):
    # One "?" used to turn the whole source column into categories, which were then left
    # out without a word (and the report still counted the column as fed by the source).
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"chol": rng.normal(200, 30, 60), "x": rng.normal(size=60)})
    X_source = pd.DataFrame({"chol": rng.normal(200, 30, 300), "x": rng.normal(size=300)})
    X_source["chol"] = X_source["chol"].astype(object)
    X_source.at[5, "chol"] = cell

    with pytest.raises(DataError, match=r"Column 'chol' of source X .*row 5") as info:
        align_source(X_source, X, mapping=None, backbone=None)
    assert "\n" not in str(info.value)
