"""Schema inference, frame checks and the preprocessor of graft.data.tabular."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from graft.data.tabular import (
    ColumnKind,
    TabularSchema,
    check_frame,
    infer_schema,
    make_preprocessor,
)
from graft.exceptions import DataError, SchemaError


def _kinds(frame: pd.DataFrame) -> dict[str, str]:
    return {spec.name: spec.kind.value for spec in infer_schema(frame).columns}


@pytest.fixture
def customers() -> pd.DataFrame:
    """Eight customers with every kind of column and a missing value in each used one."""
    return pd.DataFrame(
        {
            "age": [31, 45, None, 52, 38, 29, 61, 40],
            "plan": ["basic", "pro", None, "basic", "pro", "basic", "pro", "team"],
            "senior": ["no", "yes", "no", None, "yes", "no", "yes", "no"],
            "paperless": [True, False, None, True, True, False, True, False],
            "country": ["fr"] * 8,
            "notes": [None] * 8,
        }
    )


@pytest.fixture
def churned() -> np.ndarray:
    return np.array([0, 1, 0, 1, 1, 0, 1, 0])


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([1.5, 2.0, None, 4.0], "numeric"),
        ([3, 1, 4, 1], "numeric"),
        (pd.array([1, 2, pd.NA, 7], dtype="Int64"), "numeric"),
        (pd.Series([1, 2.5, None, 3], dtype=object), "numeric"),
        (["12", "13", "14", None], "numeric"),
        (["red", "blue", None, "red"], "categorical"),
        (pd.array(["red", pd.NA, "blue", "red"], dtype="string"), "categorical"),
        (pd.Categorical([1, 2, 1, 3]), "categorical"),
        (["male", "female", "female", "male"], "categorical"),
        ([True, False, True, True], "boolean"),
        (pd.array([True, pd.NA, False, True], dtype="boolean"), "boolean"),
        ([True, None, False, True], "boolean"),
        (["yes", "no", None, "yes"], "boolean"),
        (["True", "False", "False", "True"], "boolean"),
        ([0, 1, 1, 0], "boolean"),
        ([0.0, 1.0, np.nan, 1.0], "boolean"),
        ([7, 7, 7, 7], "constant"),
        (["x", None, "x", pd.NA], "constant"),
        ([None, None, None, None], "empty"),
        ([np.nan, pd.NA, None, np.nan], "empty"),
    ],
)
def test_infer_schema_gives_each_kind(values, kind):
    assert _kinds(pd.DataFrame({"column": values})) == {"column": kind}


def test_infer_schema_records_names_dtypes_categories_and_missing():
    frame = pd.DataFrame({0: ["b", "a", "b"], "flag": ["Yes", "No", None], "n": [1, 2, 3]})
    columns = infer_schema(frame).columns
    assert [spec.name for spec in columns] == ["0", "flag", "n"]
    assert columns[0].categories == ("a", "b")
    assert columns[1].categories == ("No", "Yes")
    assert (columns[1].missing, columns[2].missing) == (True, False)
    assert columns[2].dtype == "int64"


def test_high_cardinality_column_stays_categorical_without_categories():
    frame = pd.DataFrame({"customer_id": [f"id-{i}" for i in range(60)]})
    (spec,) = infer_schema(frame, max_categories=50).columns
    assert spec.kind == ColumnKind.CATEGORICAL
    assert spec.categories is None


def test_mostly_numeric_column_with_garbage_names_column_value_and_row():
    frame = pd.DataFrame({"ca": ["12", "13", "abc", "14"]}, index=list("pqrs"))
    with pytest.raises(DataError, match=r"Column 'ca' of train .*row 2 \(index 'r'\).*'abc'"):
        infer_schema(frame, where="train")


def test_mixed_python_types_with_a_question_mark_are_garbage():
    frame = pd.DataFrame({"thal": [3, 6, None, "?", 7]})
    with pytest.raises(DataError, match=r"'thal' of X .*row 3 holds '\?'.*na_values"):
        infer_schema(frame)


@pytest.mark.parametrize("columns", [["a", "a"], [1, "1"]])
def test_duplicate_column_names_are_refused(columns):
    with pytest.raises(DataError, match="duplicate column names"):
        infer_schema(pd.DataFrame([[1, 2], [3, 4]], columns=columns))


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((3, 2)), "is a ndarray; pass a pandas DataFrame"),
        (pd.DataFrame(), "has no columns"),
        (pd.DataFrame({"a": []}), "has no rows"),
        (pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-02-01"])}), "dates"),
        (pd.DataFrame({"l": [[1], [2]]}), "holds a list at row 0"),
    ],
)
def test_infer_schema_refuses_bad_input(frame, message):
    with pytest.raises(DataError, match=message):
        infer_schema(frame)


def test_schema_round_trips_through_json(customers):
    schema = infer_schema(customers.assign(zero_one=[0, 1] * 4, flag=[True, False] * 4))
    text = json.dumps(schema.to_dict())
    assert TabularSchema.from_dict(json.loads(text)) == schema


def test_malformed_schema_dict_is_a_schema_error():
    with pytest.raises(SchemaError, match="malformed"):
        TabularSchema.from_dict({"columns": [{"name": "a", "kind": "weird"}]})


def test_check_frame_drops_extra_columns_and_restores_order(customers):
    schema = infer_schema(customers)
    shuffled = customers[["senior", "plan", "age", "paperless", "country", "notes"]]
    checked = check_frame(shuffled.assign(extra=1), schema)
    assert list(checked.columns) == list(schema.names)
    assert checked["senior"].tolist()[:3] == [0.0, 1.0, 0.0]
    assert checked["plan"].dtype == object


def test_check_frame_lists_missing_columns_but_not_unused_ones(customers):
    schema = infer_schema(customers)
    with pytest.raises(SchemaError, match=r"lacks 2 column\(s\).*'age', 'senior'"):
        check_frame(customers.drop(columns=["age", "senior"]), schema, where="new data")
    # Constant and empty columns carry nothing the model uses, so they may be absent.
    checked = check_frame(customers.drop(columns=["country", "notes"]), schema)
    assert checked["notes"].isna().all()


def test_check_frame_names_row_of_non_numeric_value_in_numeric_column(customers):
    schema = infer_schema(customers)
    new = customers.astype({"age": object})
    new.loc[5, "age"] = "forty"
    with pytest.raises(DataError, match=r"Column 'age' of new .*row 5 holds 'forty'"):
        check_frame(new, schema, where="new")


def test_check_frame_refuses_infinite_numbers(customers):
    schema = infer_schema(customers)
    with pytest.raises(DataError, match="infinite value at row 1"):
        check_frame(customers.assign(age=[1, np.inf, 3, 4, 5, 6, 7, 8]), schema)


@pytest.mark.parametrize("column", ["age", "plan", "senior"])
def test_check_frame_refuses_dates_where_training_held_none(customers, column):
    # pd.to_numeric read a datetime column as nanoseconds since 1970, so predictions
    # silently changed where fit would have refused the same column.
    schema = infer_schema(customers)
    dated = customers.assign(**{column: pd.to_datetime(1_650_000_000 + np.arange(8), unit="s")})
    with pytest.raises(DataError, match=rf"Column '{column}' of new holds dates .* in training"):
        check_frame(dated, schema, where="new")


def test_whole_number_codes_are_one_category_however_pandas_read_them():
    # A CSV code column with a blank cell loads as floats (1.0): it must still be "1".
    grades = ["1", "2", "A", "B", "C", "1"]
    schema = infer_schema(pd.DataFrame({"grade": grades, "x": range(6)}))
    assert schema.columns[0].categories == ("1", "2", "A", "B", "C")
    for codes in ([1.0, 2.0, np.nan], [1, 2, None], np.array([1, 2, 3], dtype=np.int64)):
        checked = check_frame(pd.DataFrame({"grade": codes, "x": 0.0}), schema)
        assert checked["grade"].tolist()[:2] == ["1", "2"]
    # Category dtype of ints, predicted from floats; fractions, text and booleans keep str.
    codes = pd.Series([1, 2, 3, 1]).astype("category")
    schema = infer_schema(pd.DataFrame({"code": codes, "x": [0, 1, 2, 3]}))
    assert schema.columns[0].categories == ("1", "2", "3")
    mixed = pd.Series([1.0, np.nan, 2.5, "a", True, np.int64(7)], dtype=object)
    checked = check_frame(pd.DataFrame({"code": mixed, "x": 0.0}), schema)["code"].tolist()
    assert checked[0] == "1" and checked[2:] == ["2.5", "a", "True", "7"]
    assert np.isnan(checked[1])


def test_schema_saved_before_the_whole_number_rule_keeps_str():
    # Older bundles' encoders learnt str(value) ("1.0"); their schema lacks the key, and
    # reading it back must give them the same text as when they were trained.
    frame = pd.DataFrame({"code": [1.0, 2.0, 1.0, 3.0], "plan": ["a", "b", "a", "b"]})
    schema = infer_schema(frame.astype({"code": "category"}))
    old = schema.to_dict()
    del old["whole_numbers_as_int"]
    legacy = TabularSchema.from_dict(old)
    assert not legacy.whole_numbers_as_int and schema.whole_numbers_as_int
    assert check_frame(frame, legacy)["code"].tolist() == ["1.0", "2.0", "1.0", "3.0"]
    assert check_frame(frame, schema)["code"].tolist() == ["1", "2", "1", "3"]
    # Text and integer codes read the same under both rules.
    new = pd.DataFrame({"code": [1, 2], "plan": ["a", "b"]})
    assert check_frame(new, legacy).equals(check_frame(new, schema))


def test_check_frame_maps_boolean_spellings_and_unknowns_to_missing(customers):
    schema = infer_schema(customers)
    new = customers.assign(senior=["Yes", "N", "maybe", None, "yes", "no", "y", "no"])
    flags = check_frame(new, schema)["senior"].to_numpy()
    np.testing.assert_array_equal(flags, [1.0, 0.0, np.nan, np.nan, 1.0, 0.0, 1.0, 0.0])


def test_other_values_in_a_0_1_column_are_read_as_missing_with_a_warning():
    # Kept a flag (models and benchmarks depend on the kind), but a count such as 2 or 20
    # used to become missing without a word.
    schema = infer_schema(pd.DataFrame({"visits": [0, 1, 1, 0], "age": [30, 40, 50, 60]}))
    new = pd.DataFrame({"visits": [0, 1, 2, 20, None], "age": [50] * 5})
    with pytest.warns(UserWarning) as caught:
        flags = check_frame(new, schema, where="new")["visits"].to_numpy()
    np.testing.assert_array_equal(flags, [0.0, 1.0, np.nan, np.nan, np.nan])
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "'visits' of new" in message and "2 row(s)" in message
    assert "e.g. 2 at row 2" in message and "read as missing" in message


def test_unknown_text_in_a_yes_no_column_stays_silent(customers, recwarn):
    schema = infer_schema(customers)
    check_frame(customers.assign(senior=["maybe"] * 8), schema)
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("cell", [[1], {"a": 1}])
def test_a_list_or_dict_in_a_boolean_column_is_a_one_line_data_error(customers, cell):
    schema = infer_schema(customers)
    new = customers.astype({"paperless": object})
    new.at[3, "paperless"] = cell
    with pytest.raises(DataError, match=r"Column 'paperless' of X holds a \w+ at row 3") as info:
        check_frame(new, schema)
    assert "\n" not in str(info.value)


def test_preprocessor_shapes_and_feature_names(customers):
    schema = infer_schema(customers)
    checked = check_frame(customers, schema)
    preprocessor = make_preprocessor(schema).fit(checked)
    out = preprocessor.transform(checked)
    names = list(preprocessor.get_feature_names_out())
    assert out.shape == (8, len(names))
    assert out.dtype == np.float64 and not np.isnan(out).any()
    # "team" is seen once, so it is grouped as infrequent; missing plan is its own category.
    assert names == [
        "numeric__age",
        "numeric__missingindicator_age",
        "categorical__plan_basic",
        "categorical__plan_pro",
        "categorical__plan_infrequent_sklearn",
        "boolean__senior",
        "boolean__paperless",
        "boolean__missingindicator_senior",
        "boolean__missingindicator_paperless",
    ]
    assert not any("country" in name or "notes" in name for name in names)


def test_preprocessor_survives_unseen_categories_and_new_missing_values(customers):
    schema = infer_schema(customers)
    preprocessor = make_preprocessor(schema).fit(check_frame(customers, schema))
    new = pd.DataFrame(
        {
            "age": [None],
            "plan": ["enterprise"],
            "senior": [None],
            "paperless": ["maybe"],
            "country": ["de"],
            "notes": ["vip"],
        }
    )
    out = preprocessor.transform(check_frame(new, schema))
    assert out.shape == (1, 9) and not np.isnan(out).any()
    names = list(preprocessor.get_feature_names_out())
    assert out[0, names.index("categorical__plan_infrequent_sklearn")] == 1.0
    assert out[0, names.index("boolean__missingindicator_paperless")] == 1.0


def test_constant_column_with_gaps_keeps_its_missing_indicator():
    frame = pd.DataFrame({"n": [1.0, 2.0, 3.0, 4.0], "complaint": ["yes", None, "yes", None]})
    schema = infer_schema(frame)
    preprocessor = make_preprocessor(schema).fit(check_frame(frame, schema))
    assert list(preprocessor.get_feature_names_out())[-1] == "present__missingindicator_complaint"
    assert preprocessor.transform(check_frame(frame, schema))[:, -1].tolist() == [0, 1, 0, 1]


def test_no_usable_columns_is_a_data_error():
    schema = infer_schema(pd.DataFrame({"k": [1, 1, 1], "e": [None, None, None]}))
    with pytest.raises(DataError, match=r"No usable columns.*'k', 'e'"):
        make_preprocessor(schema)


def test_pipeline_with_logistic_regression_clones_and_pickles(customers, churned):
    schema = infer_schema(customers)
    checked = check_frame(customers, schema)
    pipeline = make_pipeline(make_preprocessor(schema), LogisticRegression())
    fitted = clone(pipeline).fit(checked, churned)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(checked), fitted.predict_proba(checked))
    again = clone(pipeline).fit(checked, churned)
    np.testing.assert_array_equal(again.predict_proba(checked), fitted.predict_proba(checked))


def test_fitted_preprocessor_saves_through_skops_with_trusted_types_only(customers):
    import skops.io as sio

    schema = infer_schema(customers)
    checked = check_frame(customers, schema)
    preprocessor = make_preprocessor(schema).fit(checked)
    data = sio.dumps(preprocessor)
    untrusted = sio.get_untrusted_types(data=data)
    assert all(name.startswith(("sklearn.", "numpy.")) for name in untrusted)
    loaded = sio.loads(data, trusted=untrusted)
    np.testing.assert_array_equal(loaded.transform(checked), preprocessor.transform(checked))
