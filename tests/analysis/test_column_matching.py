"""Matching the columns of a source table to those of a target table."""

import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from graft.analysis.column_matching import (
    ColumnMatch,
    ColumnMatching,
    column_kind,
    humanise,
    match_columns,
)
from graft.exceptions import BackboneUnavailableError, DataError, SchemaError


def _frame(columns: dict[str, str], n: int = 6) -> pd.DataFrame:
    """A frame with one column per name, of the kind given: numeric, boolean or categorical."""
    values = {
        "numeric": np.linspace(1.5, 99.5, n),
        "boolean": np.arange(n) % 2,
        "categorical": [f"level{i % 3}" for i in range(n)],
    }
    return pd.DataFrame({name: values[kind] for name, kind in columns.items()})


def _pairs(matching: ColumnMatching) -> dict[str, tuple[str, str]]:
    return {m.target: (m.source, m.method) for m in matching.matches}


TELCO = _frame(
    {
        "tenure": "numeric",
        "monthly_charges": "numeric",
        "total_charges": "numeric",
        "contract": "categorical",
        "internet_service": "categorical",
        "senior_citizen": "boolean",
    }
)


def test_same_columns_match_exactly():
    matching = match_columns(TELCO, TELCO, backbone=None)
    assert _pairs(matching) == {name: (name, "exact") for name in TELCO.columns}
    assert all(m.score == 1.0 and m.kind_compatible for m in matching.matches)
    assert matching.unmatched_target == matching.unmatched_source == []


def test_reordered_columns_follow_the_target_order():
    target = TELCO[["contract", "tenure", "senior_citizen"]]
    matching = match_columns(TELCO, target, backbone=None)
    assert [m.target for m in matching.matches] == ["contract", "tenure", "senior_citizen"]
    assert matching.unmatched_source == [
        "monthly_charges",
        "total_charges",
        "internet_service",
    ]
    assert list(matching.apply(TELCO).columns) == ["contract", "tenure", "senior_citizen"]


@pytest.mark.parametrize(
    ("source_name", "target_name"),
    [
        ("MonthlyCharges", "monthly_charges"),
        ("Total-Charges", "total charges"),
        ("customerID", "customer_id"),
        ("TENURE", "tenure"),
        ("charges_monthly", "MonthlyCharges"),  # word order
        ("TotalCharge", "total_charges"),  # plural
        ("num_cust_service_calls", "NumberCustomerServiceCalls"),  # abbreviations
        ("amt_due", "amount due"),
        ("qty", "Quantity"),
        ("address2", "address_2"),
    ],
)
def test_normalised_names_match(source_name, target_name):
    source = pd.DataFrame({source_name: [1.0, 2.0], "other": ["a", "b"]})
    target = pd.DataFrame({target_name: [3.0]})
    matching = match_columns(source, target, backbone=None)
    assert _pairs(matching) == {target_name: (source_name, "normalised")}
    assert matching.unmatched_source == ["other"]


def test_humanise_splits_and_expands_names():
    assert humanise("monthly_charges") == "monthly charges"
    assert humanise("numCustServiceCalls") == "number customer service calls"
    assert humanise("__") == "__"


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([1.5, 2.0, None], "numeric"),
        ([3, 7, 12], "numeric"),
        ([0, 1, 1], "boolean"),
        ([True, False], "boolean"),
        (["Yes", "no", None], "boolean"),
        (["DSL", "Fiber optic", "No"], "categorical"),
        (pd.to_datetime(["2024-01-01", "2024-02-01"]), "datetime"),
        ([None, None], "categorical"),
    ],
)
def test_column_kind(values, kind):
    assert column_kind(pd.Series(values)) == kind


def test_string_dtype_flags_are_boolean():
    assert column_kind(pd.Series(["yes", "no"], dtype="string")) == "boolean"
    assert column_kind(pd.Series(["a", "b", "c"], dtype="category")) == "categorical"


def test_user_mapping_wins_over_names():
    source = _frame({"a": "numeric", "b": "numeric", "c": "numeric"})
    target = _frame({"a": "numeric", "c": "numeric", "z": "numeric"})
    matching = match_columns(source, target, mapping={"a": "b", "c": None}, backbone=None)
    # "a" is fed by "b" as the user said; "c" stays unmatched although its name matches.
    assert _pairs(matching) == {"a": ("b", "user")}
    assert matching.unmatched_target == ["c", "z"]
    assert matching.unmatched_source == ["a", "c"]


def test_user_mapping_is_combined_with_automatic_steps():
    source = _frame({"contract": "categorical", "months_active": "numeric"})
    target = _frame({"contract": "categorical", "tenure": "numeric"})
    matching = match_columns(source, target, mapping={"tenure": "months_active"}, backbone=None)
    assert _pairs(matching) == {
        "contract": ("contract", "exact"),
        "tenure": ("months_active", "user"),
    }


@pytest.mark.parametrize(
    "content",
    [
        {"tenure": "months_active", "zip": None},
        [{"target": "tenure", "source": "months_active"}, {"target": "zip", "source": None}],
    ],
)
def test_mapping_from_json_file(tmp_path, content):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(content))
    source = _frame({"months_active": "numeric", "zip": "categorical"})
    target = _frame({"tenure": "numeric", "zip": "categorical"})
    matching = match_columns(source, target, mapping=path, backbone=None)
    assert _pairs(matching) == {"tenure": ("months_active", "user")}
    assert matching.unmatched_target == ["zip"]


def test_mapping_from_csv_file(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("target, source\ntenure,months_active\nzip,\n")
    source = _frame({"months_active": "numeric", "zip": "categorical"})
    target = _frame({"tenure": "numeric", "zip": "categorical"})
    matching = match_columns(source, target, mapping=str(path), backbone=None)
    assert _pairs(matching) == {"tenure": ("months_active", "user")}
    assert matching.unmatched_target == ["zip"]


def test_mapping_with_unknown_names_is_refused():
    with pytest.raises(SchemaError, match=r"\['nope'\].*\['missing'\]"):
        match_columns(TELCO, TELCO, mapping={"nope": "tenure", "tenure": "missing"}, backbone=None)


def test_mapping_that_uses_a_source_twice_is_refused():
    with pytest.raises(SchemaError, match="'tenure' to both 'tenure' and 'contract'"):
        match_columns(
            TELCO, TELCO, mapping={"tenure": "tenure", "contract": "tenure"}, backbone=None
        )


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("m.json", "{not json", DataError),
        ("m.json", '["tenure"]', SchemaError),
        ("m.csv", "from,to\ntenure,tenure\n", SchemaError),
        ("m.csv", "target,source\ntenure,tenure\ntenure,contract\n", SchemaError),
        ("m.yaml", "tenure: tenure\n", DataError),
    ],
)
def test_bad_mapping_files_are_refused(tmp_path, name, text, error):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(error, match=re.escape(str(path))):
        match_columns(TELCO, TELCO, mapping=path, backbone=None)


def test_missing_mapping_file_is_refused(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        match_columns(TELCO, TELCO, mapping=tmp_path / "absent.json", backbone=None)


def test_name_match_of_incompatible_kinds_is_kept_but_flagged():
    source = pd.DataFrame({"area_code": ["area_code_415", "area_code_510"]})
    target = pd.DataFrame({"area_code": [415.0, 510.0]})
    (match,) = match_columns(source, target, backbone=None).matches
    assert (match.method, match.kind_compatible) == ("exact", False)
    assert (match.target_kind, match.source_kind) == ("numeric", "categorical")


def _rendered(table, width=200) -> str:
    from rich.console import Console

    console = Console(width=width, file=io.StringIO())
    console.print(table)
    return console.file.getvalue()


def test_report_counts_only_matches_that_feed_the_target_and_says_why_one_is_left_out():
    source = pd.DataFrame({"area_code": ["area_code_415", "area_code_510"], "age": [1.0, 2.0]})
    target = pd.DataFrame({"area_code": [415.0, 510.0], "age": [3.0, 4.0], "zip": ["a", "b"]})
    table = match_columns(source, target, backbone=None).as_table()
    assert table.title == (
        "Column matching: 1 of 3 target columns fed by the source "
        "(1 matched but left out: another kind)"
    )
    text = _rendered(table)
    assert "numeric ← categorical (incompatible: left out, source values not used)" in text


def test_report_prints_column_names_that_look_like_markup():
    source = pd.DataFrame({"chol [mg/dl]": [1.0, 2.0], "[bold]x": [1.0, 2.0], "[red]": [1, 3]})
    target = pd.DataFrame({"chol [mg/dl]": [3.0, 4.0], "age [years]": [3.0, 4.0]})
    matching = match_columns(source, target, mapping={"age [years]": "[bold]x"}, backbone=None)
    text = _rendered(matching.as_table())
    for name in ("chol [mg/dl]", "age [years]", "[bold]x", "[red]"):
        assert name in text


def test_semantic_step_never_pairs_incompatible_kinds():
    source = _frame({"plan": "categorical", "flag": "boolean"})
    target = _frame({"amount": "numeric", "price": "numeric"})
    with pytest.raises(SchemaError, match="No column of the source table matches"):
        match_columns(source, target, backbone="tiny-bert", min_similarity=-1.0)


def test_semantic_threshold_bounds_the_matches():
    source = _frame({"s_num": "numeric", "s_cat": "categorical", "s_flag": "boolean"})
    target = _frame({"t_num": "numeric", "t_cat": "categorical", "t_num2": "numeric"})
    everything = match_columns(source, target, backbone="tiny-bert", min_similarity=-1.0)
    # One numeric source for two numeric targets, so one of those stays unmatched; either
    # the categorical or the boolean source feeds the categorical target.
    assert all(m.method == "semantic" and m.kind_compatible for m in everything.matches)
    assert all(-1.0 <= m.score <= 1.0 + 1e-6 for m in everything.matches)
    targets = {m.target for m in everything.matches}
    assert "t_cat" in targets and len(targets & {"t_num", "t_num2"}) == 1
    assert "s_num" in {m.source for m in everything.matches}
    assert len(everything.unmatched_target) == len(everything.unmatched_source) == 1
    with pytest.raises(SchemaError, match="lower min_similarity"):
        match_columns(source, target, backbone="tiny-bert", min_similarity=1.01)


def test_semantic_step_only_sees_leftover_columns():
    source = _frame({"tenure": "numeric", "x1": "numeric"})
    target = _frame({"tenure": "numeric", "y1": "numeric"})
    matching = match_columns(source, target, backbone="tiny-bert", min_similarity=1.01)
    assert _pairs(matching) == {"tenure": ("tenure", "exact")}
    matching = match_columns(source, target, backbone="tiny-bert", min_similarity=-1.0)
    assert _pairs(matching) == {"tenure": ("tenure", "exact"), "y1": ("x1", "semantic")}


def test_backbone_is_not_loaded_when_names_match_everything():
    match_columns(TELCO, TELCO, backbone="no-such/backbone")


def test_unavailable_backbone_says_how_to_skip_it():
    source = _frame({"a": "numeric"})
    target = _frame({"b": "numeric"})
    with pytest.raises(BackboneUnavailableError, match="backbone=None"):
        match_columns(source, target, backbone="no-such/backbone")


def test_matching_is_one_to_one():
    source = _frame({"monthly_charges": "numeric", "MonthlyCharges": "numeric"})
    target = _frame({"Monthly Charges": "numeric", "monthly_charges": "numeric", "x": "numeric"})
    matching = match_columns(source, target, backbone="tiny-bert", min_similarity=-1.0)
    assert _pairs(matching) == {
        "Monthly Charges": ("MonthlyCharges", "normalised"),
        "monthly_charges": ("monthly_charges", "exact"),
    }
    assert matching.unmatched_target == ["x"]
    sources = [m.source for m in matching.matches]
    assert len(sources) == len(set(sources))


def test_apply_renames_reorders_and_fills_missing_columns():
    source = pd.DataFrame(
        {"Contract": ["a", "b"], "unused": [0, 0], "MonthlyCharges": [20.0, 30.0]},
        index=[10, 11],
    )
    target = pd.DataFrame({"monthly_charges": [1.0], "zip": ["x"], "contract": ["c"]})
    matching = match_columns(source, target, backbone=None)
    assert matching.source_to_target() == {
        "MonthlyCharges": "monthly_charges",
        "Contract": "contract",
    }
    out = matching.apply(source)
    assert list(out.columns) == ["monthly_charges", "zip", "contract"]
    assert list(out.index) == [10, 11]
    assert out["monthly_charges"].tolist() == [20.0, 30.0]
    assert out["contract"].tolist() == ["a", "b"]
    assert out["zip"].isna().all() and out["zip"].dtype == np.float64


def test_apply_keeps_an_unused_source_column_out_of_the_way():
    source = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    target = pd.DataFrame({"a": [0]})
    out = match_columns(source, target, mapping={"a": "b"}, backbone=None).apply(source)
    assert out.to_dict("list") == {"a": [3, 4]}


def test_apply_needs_the_matched_columns():
    matching = match_columns(TELCO, TELCO, backbone=None)
    with pytest.raises(SchemaError, match=r"\['tenure'\]"):
        matching.apply(TELCO.drop(columns="tenure"))


def test_no_match_at_all_is_an_error():
    source = _frame({"alpha": "numeric"})
    target = _frame({"omega": "categorical"})
    with pytest.raises(SchemaError, match=r"omega.*alpha.*pass a mapping"):
        match_columns(source, target, backbone=None)


def test_report_forms():
    source = _frame({"MonthlyCharges": "numeric", "extra": "numeric"})
    target = _frame({"monthly_charges": "numeric", "zip": "categorical"})
    matching = match_columns(source, target, backbone=None)
    data = json.loads(json.dumps(matching.to_dict()))
    assert data["matches"][0] == {
        "target": "monthly_charges",
        "source": "MonthlyCharges",
        "method": "normalised",
        "score": 1.0,
        "kind_compatible": True,
        "target_kind": "numeric",
        "source_kind": "numeric",
    }
    assert data["unmatched_target"] == ["zip"] and data["unmatched_source"] == ["extra"]
    assert ColumnMatching.from_dict(data) == matching
    # One row per target column, then one per unused source column.
    assert matching.as_table().row_count == 3


def test_matching_built_by_hand_knows_its_target_columns():
    match = ColumnMatch("t", "s", "user", 1.0, True)
    matching = ColumnMatching(matches=[match], unmatched_target=["u"], unmatched_source=[])
    assert matching.target_columns == ["t", "u"]
    assert list(matching.apply(pd.DataFrame({"s": [1]})).columns) == ["t", "u"]


@pytest.mark.parametrize(
    ("source", "target", "kwargs", "error", "message"),
    [
        ([1, 2], TELCO, {}, DataError, "source is a list"),
        (TELCO, pd.DataFrame(), {}, SchemaError, "target has no columns"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), TELCO, {}, SchemaError, "duplicate"),
        (TELCO, TELCO, {"min_similarity": float("nan")}, DataError, "NaN"),
        (TELCO, TELCO, {"min_similarity": "high"}, DataError, "must be a number"),
        (TELCO, TELCO, {"mapping": 3}, DataError, "mapping is a int"),
    ],
)
def test_bad_input_is_refused(source, target, kwargs, error, message):
    with pytest.raises(error, match=message):
        match_columns(source, target, backbone=None, **kwargs)


@pytest.mark.slow
def test_real_minilm_matches_names_by_meaning():
    source = pd.DataFrame(
        {
            "tenure": [1, 30, 72],
            "monthly_charges": [29.9, 56.1, 99.0],
            "total_charges": [29.9, 1889.5, 7000.0],
            "contract": ["Month-to-month", "One year", "Two year"],
            "payment_method": ["Electronic check", "Mailed check", "Credit card"],
        }
    )
    target = pd.DataFrame(
        {
            "tenure_months": [4, 12],
            "monthly_bill": [40.0, 80.5],
            "contract_type": ["annual", "monthly"],
            "zip_code": ["10001", "94105"],
        }
    )
    matching = match_columns(source, target)
    assert _pairs(matching) == {
        "tenure_months": ("tenure", "semantic"),
        "monthly_bill": ("monthly_charges", "semantic"),
        "contract_type": ("contract", "semantic"),
    }
    assert all(0.6 <= m.score <= 1.0 for m in matching.matches)
    assert matching.unmatched_target == ["zip_code"]
    assert matching.unmatched_source == ["total_charges", "payment_method"]
