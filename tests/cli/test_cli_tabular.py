"""The ``graft`` command line on tables: fit with source rows or a source bundle, column
mappings, predict, evaluate, and every bad input ending in one line and exit code 2."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import graft
from graft.cli.main import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def _fails(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory, make_domain):
    root = tmp_path_factory.mktemp("tabular-cli")
    Xs, ys = make_domain(300, seed=1)
    Xt, yt = make_domain(40, shift=0.5, seed=2)
    Xn, yn = make_domain(30, shift=0.5, seed=3)
    paths = {
        "source": root / "source.csv",
        "target": root / "target.csv",
        "new": root / "new.csv",
        "renamed": root / "renamed_source.csv",
    }
    Xs.assign(label=ys).to_csv(paths["source"], index=False)
    Xt.assign(label=yt).to_csv(paths["target"], index=False)
    Xn.assign(label=yn).to_csv(paths["new"], index=False)
    renamed = Xs.rename(columns={"usage": "USAGE", "plan": "tariff", "promo": "Promo"})
    renamed.drop(columns=["noise5"]).assign(churned=ys).to_csv(paths["renamed"], index=False)
    return root, paths


def test_fit_with_source_rows_then_predict(files):
    root, paths = files
    out = root / "pooled.graft"

    text = _ok(
        invoke(
            "fit",
            paths["target"],
            "--label",
            "label",
            "--out",
            out,
            "--source-data",
            paths["source"],
            "--strategy",
            "pooled",
            "--backbone",
            "none",
            "--no-progress",
        )
    )
    predictions = root / "predictions.csv"
    _ok(invoke("predict", out, paths["new"], "--out", predictions))

    assert "strategy: pooled" in text
    assert "Column matching" in text
    frame = pd.read_csv(predictions)
    assert {"prediction", "proba_churn", "proba_stay"} <= set(frame.columns)
    assert len(frame) == 30
    model = graft.load(out)
    assert model.modality_ == "tabular"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["input_schema"]["kind"] == "tabular"
    assert manifest["model"]["members"][0]["file"] == "member_0.txt"


def test_fit_with_other_column_names_and_a_mapping_file(files):
    root, paths = files
    mapping = root / "mapping.json"
    mapping.write_text(json.dumps({"plan": "tariff"}))
    out = root / "mapped.graft"

    text = _ok(
        invoke(
            "fit",
            paths["target"],
            "--label",
            "label",
            "--out",
            out,
            "--source-data",
            paths["renamed"],
            "--source-label",
            "churned",
            "--column-mapping",
            mapping,
            "--strategy",
            "stacking",
            "--backbone",
            "none",
            "--no-progress",
        )
    )

    model = graft.load(out)
    methods = {m.target: (m.source, m.method) for m in model.column_matching_.matches}
    assert methods["plan"] == ("tariff", "user")
    assert methods["usage"] == ("USAGE", "normalised")
    assert "noise5" in model.column_matching_.unmatched_target
    assert "tariff" in text


def test_fit_with_a_source_bundle(files):
    root, paths = files
    source_bundle = root / "source-model.graft"
    _ok(
        invoke(
            "fit",
            paths["source"],
            "--label",
            "label",
            "--out",
            source_bundle,
            "--strategy",
            "baseline",
            "--backbone",
            "none",
            "--no-progress",
        )
    )
    out = root / "from-bundle.graft"

    _ok(
        invoke(
            "fit",
            paths["target"],
            "--label",
            "label",
            "--out",
            out,
            "--source",
            source_bundle,
            "--strategy",
            "warm_start",
            "--backbone",
            "none",
            "--no-progress",
        )
    )
    predictions = root / "from-bundle.csv"
    _ok(invoke("predict", out, paths["new"], "--out", predictions))

    assert (out / "source.graft" / "manifest.json").is_file()
    assert graft.load(out).lineage_["source"]["kind"] == "model"
    assert len(pd.read_csv(predictions)) == 30


def test_evaluate_tables(files):
    root, paths = files
    report = root / "report.json"

    text = _ok(
        invoke(
            "evaluate",
            paths["target"],
            "--label",
            "label",
            "--source-data",
            paths["source"],
            "--strategies",
            "source_only,pooled",
            "--splits",
            "2",
            "--backbone",
            "none",
            "--json",
            report,
        )
    )

    saved = json.loads(report.read_text())
    assert [c["name"] for c in saved["candidates"]] == ["baseline", "source_only", "pooled"]
    assert saved["metric"] == "ROC AUC"  # what auto optimises on a two-class table
    assert "LightGBM or linear model" in text
    assert "Column matching" in text
    assert len(saved["column_matching"]["matches"]) == 10


# ------------------------------------------------------------------ bad input
def test_label_missing_in_source(files):
    root, paths = files
    result = invoke(
        "fit",
        paths["target"],
        "--label",
        "label",
        "--out",
        root / "x.graft",
        "--source-data",
        paths["renamed"],
        "--backbone",
        "none",
    )
    _fails(result, "'label'", "--source-label")
    assert not (root / "x.graft").exists()


def test_no_matchable_columns(files, tmp_path):
    _, paths = files
    other = tmp_path / "other.csv"
    pd.DataFrame({"alpha": np.arange(20.0), "label": ["churn", "stay"] * 10}).to_csv(
        other, index=False
    )
    result = invoke(
        "fit",
        paths["target"],
        "--label",
        "label",
        "--out",
        tmp_path / "x.graft",
        "--source-data",
        other,
        "--backbone",
        "none",
    )
    _fails(result, "No column of the source table matches")
    assert not (tmp_path / "x.graft").exists()


def test_source_bundle_of_another_task(files, tmp_path):
    _, paths = files
    source = pd.read_csv(paths["source"]).assign(value=np.arange(300.0))
    source_csv = tmp_path / "regression.csv"
    source.drop(columns=["label"]).to_csv(source_csv, index=False)
    bundle = tmp_path / "regressor.graft"
    _ok(
        invoke(
            "fit",
            source_csv,
            "--label",
            "value",
            "--task",
            "regression",
            "--out",
            bundle,
            "--strategy",
            "baseline",
            "--backbone",
            "none",
            "--no-progress",
        )
    )

    result = invoke(
        "fit",
        paths["target"],
        "--label",
        "label",
        "--out",
        tmp_path / "x.graft",
        "--source",
        bundle,
        "--backbone",
        "none",
    )

    _fails(result, "regression model", "classification")


def test_too_few_rows_for_auto(tmp_path, make_domain):
    X, y = make_domain(12, seed=4)
    y = pd.Series(["stay"] * 11 + ["churn"])
    data = tmp_path / "few.csv"
    X.assign(label=y).to_csv(data, index=False)

    result = invoke(
        "fit", data, "--label", "label", "--out", tmp_path / "x.graft", "--backbone", "none"
    )

    _fails(result, "at least 2 labelled target rows of every class")


def test_mixed_type_garbage_column(files, tmp_path):
    _, paths = files
    frame = pd.read_csv(paths["target"])
    frame["usage"] = frame["usage"].astype(object)
    frame.loc[3, "usage"] = "n/a?"
    data = tmp_path / "garbage.csv"
    frame.to_csv(data, index=False)

    result = invoke(
        "fit",
        data,
        "--label",
        "label",
        "--out",
        tmp_path / "x.graft",
        "--strategy",
        "baseline",
        "--backbone",
        "none",
    )

    _fails(result, "'usage'", "mostly numbers")


def test_both_source_options(files, tmp_path):
    _, paths = files
    result = invoke(
        "fit",
        paths["target"],
        "--label",
        "label",
        "--out",
        tmp_path / "x.graft",
        "--source-data",
        paths["source"],
        "--source",
        tmp_path / "m.graft",
    )
    _fails(result, "either --source-data or --source")


def test_text_strategy_on_a_table(files, tmp_path):
    _, paths = files
    result = invoke(
        "fit",
        paths["target"],
        "--label",
        "label",
        "--out",
        tmp_path / "x.graft",
        "--strategy",
        "pooled",
        "--backbone",
        "none",
    )
    _fails(result, "no source was given")


def test_evaluate_tables_without_strategies_uses_the_table_defaults(files):
    root, paths = files
    report = root / "default-strategies.json"

    _ok(
        invoke(
            "evaluate", paths["target"], "--label", "label", "--source-data", paths["source"],
            "--splits", "2", "--backbone", "none", "--json", report,
        )
    )  # fmt: skip

    names = {c["name"] for c in json.loads(report.read_text())["candidates"]}
    assert {"warm_start", "pooled", "stacking", "auto"} <= names


@pytest.mark.slow
def test_fit_tables_without_backbone_matches_columns_by_meaning(files):
    """As in Python, `graft fit` matches renamed source columns with MiniLM by default;
    `--backbone none` matches by name only."""
    root, paths = files
    common = ("fit", paths["target"], "--label", "label", "--strategy", "pooled",
              "--source-data", paths["renamed"], "--source-label", "churned",
              "--no-progress")  # fmt: skip

    default = _ok(invoke(*common, "--out", root / "semantic.graft"))
    by_name = _ok(invoke(*common, "--out", root / "by-name.graft", "--backbone", "none"))

    assert "minilm-l6" in default and "skipped" not in default
    assert "skipped" in by_name


@pytest.mark.parametrize("change", ["drop", "rename"])
def test_evaluate_test_data_lacking_a_training_column(files, tmp_path, change):
    _, paths = files
    test = pd.read_csv(paths["new"])
    test = (
        test.drop(columns=["usage"])
        if change == "drop"
        else test.rename(columns={"usage": "Usage"})
    )
    test.to_csv(tmp_path / "test.csv", index=False)

    result = invoke(
        "evaluate", paths["target"], "--label", "label", "--strategies", "baseline",
        "--splits", "2", "--backbone", "none", "--test-data", tmp_path / "test.csv",
        "--json", tmp_path / "r.json",
    )  # fmt: skip

    _fails(result, "test.csv lacks 1 column(s)", "'usage'")
    assert not (tmp_path / "r.json").exists()


def test_evaluate_test_data_with_a_class_unseen_in_training(files, tmp_path):
    _, paths = files
    test = pd.read_csv(paths["new"])
    test.loc[:4, "label"] = "paused"
    test.to_csv(tmp_path / "test.csv", index=False)
    options = (
        "evaluate", paths["target"], "--label", "label", "--strategies", "baseline",
        "--splits", "2", "--backbone", "none", "--test-data", tmp_path / "test.csv",
    )  # fmt: skip

    # The default metric for two classes, ROC AUC, cannot score a third class.
    _fails(invoke(*options), "5 row(s)", "'paused'", "'roc_auc'")
    text = _ok(invoke(*options, "--metric", "accuracy"))
    assert "accuracy" in text


def test_predict_file_with_a_blank_in_a_code_column(tmp_path):
    # "1" in training, and 1.0 once a blank cell makes pandas read the column as floats.
    rng = np.random.default_rng(0)
    grade = rng.choice(["1", "2", "A", "B", "C"], 120)
    x = rng.normal(size=120)
    label = np.where((grade == "1") | (x > 1), "yes", "no")
    pd.DataFrame({"grade": grade, "x": x, "y": label}).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "full.csv").write_text("grade,x\n1,0\n1,0\n2,0\n")
    (tmp_path / "blank.csv").write_text("grade,x\n1,0\n1,0\n,0\n")
    model = tmp_path / "m.graft"
    _ok(invoke("fit", tmp_path / "t.csv", "--label", "y", "--strategy", "baseline", "--out", model))
    for name in ("full", "blank"):
        _ok(invoke("predict", model, tmp_path / f"{name}.csv", "--out", tmp_path / f"{name}.p.csv"))
    full = pd.read_csv(tmp_path / "full.p.csv")
    blank = pd.read_csv(tmp_path / "blank.p.csv")
    assert blank["prediction"].tolist()[:2] == full["prediction"].tolist()[:2] == ["yes", "yes"]
    np.testing.assert_allclose(blank["proba_yes"][:2], full["proba_yes"][:2])


def test_table_with_a_free_text_column_asks_which_to_learn_from(files, tmp_path):
    _, paths = files
    frame = pd.read_csv(paths["target"])
    frame["notes"] = [f"customer {i} called about the bill, was told to wait" for i in frame.index]
    data = tmp_path / "notes.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "m.graft"

    _fails(
        invoke("fit", data, "--label", "label", "--strategy", "baseline", "--out", out),
        "Column 'notes'",
        "beside 10 other column(s)",
        "--text-column notes",
    )
    assert not out.exists()
    text = _ok(
        invoke(
            "fit", data, "--label", "label", "--strategy", "baseline", "--text-column", "notes",
            "--out", out,
        )
    )  # fmt: skip
    assert "saved bundle" in text
    assert json.loads((out / "manifest.json").read_text())["input_schema"]["kind"] == "text"
    # Without the free text the same file is a table again.
    frame.drop(columns=["notes"]).to_csv(data, index=False)
    _ok(invoke("fit", data, "--label", "label", "--strategy", "baseline", "--out", out))
    assert json.loads((out / "manifest.json").read_text())["input_schema"]["kind"] == "tabular"


def test_source_bundle_without_the_target_classes(files, tmp_path):
    _, paths = files
    source_bundle = tmp_path / "churn.graft"
    fit = ("--strategy", "baseline", "--backbone", "none", "--no-progress")
    _ok(invoke("fit", paths["target"], "--label", "label", "--out", source_bundle, *fit))
    frame = pd.read_csv(paths["target"])
    frame["label"] = frame["label"].map({"churn": "yes", "stay": "no"})
    frame.to_csv(tmp_path / "yes_no.csv", index=False)
    out = tmp_path / "yn.graft"

    _fails(
        invoke(
            "fit", tmp_path / "yes_no.csv", "--label", "label", "--source", source_bundle,
            "--strategy", "source_only", "--out", out, "--backbone", "none",
        ),
        "The source model",
        "churn.graft shares fewer than two classes with y",
    )  # fmt: skip
    assert not out.exists()


def test_jsonl_labels_mixing_numbers_and_text(tmp_path, make_domain):
    # read_json gives 1 (int) and "a" (str) in one column: both are read as text.
    X, y = make_domain(40, seed=2)
    frame = X.assign(label=[1 if v == "churn" else "a" for v in y])
    frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    out = tmp_path / "m.graft"

    _ok(
        invoke(
            "fit", tmp_path / "t.jsonl", "--label", "label", "--strategy", "baseline", "--out", out
        )
    )
    _ok(invoke("predict", out, tmp_path / "t.jsonl", "--out", tmp_path / "p.csv"))

    predictions = pd.read_csv(tmp_path / "p.csv", dtype={"prediction": str})
    assert set(predictions["prediction"]) == {"1", "a"}
    assert {"proba_1", "proba_a"} <= set(predictions.columns)


def test_evaluate_defaults_follow_the_source_given(files):
    root, paths = files
    text = _ok(invoke("evaluate", paths["target"], "--label", "label", "--splits", "2"))
    assert "auto" in text and "warm_start" not in text
    source_model = root / "source_model.graft"
    _ok(invoke("fit", paths["source"], "--label", "label", "--strategy", "baseline",
               "--backbone", "none", "--out", source_model))  # fmt: skip
    text = _ok(
        invoke("evaluate", paths["target"], "--label", "label", "--source", source_model,
               "--splits", "2", "--backbone", "none")
    )  # fmt: skip
    assert "warm_start" in text and "pooled" not in text


def test_evaluate_takes_a_column_mapping(files):
    root, paths = files
    mapping = root / "evaluate-mapping.json"
    mapping.write_text(json.dumps({"plan": "tariff"}))
    text = _ok(
        invoke("evaluate", paths["target"], "--label", "label", "--source-data", paths["renamed"],
               "--source-label", "churned", "--column-mapping", mapping, "--strategies",
               "stacking", "--splits", "2", "--backbone", "none")
    )  # fmt: skip
    assert "tariff" in text and "user" in text


def test_predict_rows_lacking_a_column_name_the_file(files, tmp_path):
    root, paths = files
    model = root / "baseline_for_missing.graft"
    _ok(invoke("fit", paths["target"], "--label", "label", "--strategy", "baseline",
               "--out", model))  # fmt: skip
    rows = pd.read_csv(paths["new"]).drop(columns=["label", "usage"])
    rows.to_csv(tmp_path / "rows.csv", index=False)

    result = invoke("predict", model, tmp_path / "rows.csv", "--out", tmp_path / "p.csv")

    _fails(result, "rows.csv lacks 1 column(s)", "'usage'")
    assert not (tmp_path / "p.csv").exists()


def test_a_non_numeric_regression_label_is_named_with_its_row(tmp_path):
    frame = pd.DataFrame({"x": np.arange(30.0), "y": np.arange(30.0).astype(str)})
    frame.loc[4, "y"] = "n.a."
    frame.to_csv(tmp_path / "t.csv", index=False)

    result = invoke("fit", tmp_path / "t.csv", "--label", "y", "--task", "regression",
                    "--strategy", "baseline", "--out", tmp_path / "m.graft")  # fmt: skip

    _fails(result, "label column 'y' of", "t.csv", "'n.a.' at row 4")
