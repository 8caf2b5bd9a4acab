"""Tests for the ``graft`` command line (fit, predict, evaluate, backbones) via CliRunner."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import graft
from graft.cli.main import app

POSITIVE = ["good", "great", "lovely", "excellent", "superb", "nice", "fine", "pleasant"]
NEGATIVE = ["bad", "awful", "terrible", "poor", "horrible", "dreadful", "nasty", "boring"]
SUBJECTS = ["the film", "this phone", "the food", "our hotel", "the service", "the book"]
FIT = ("--backbone", "tiny-bert", "--no-progress")

runner = CliRunner()


def _frame(n_per_class: int = 12, offset: int = 0, text: str = "review") -> pd.DataFrame:
    """Reviews with a text column, a ``sentiment`` label, a numeric ``score`` and ``stars``."""
    rows = []
    for i in range(offset, offset + n_per_class):
        subject = SUBJECTS[i % len(SUBJECTS)]
        rows.append({text: f"{subject} was {POSITIVE[i % 8]}", "sentiment": "pos"})
        rows.append({text: f"{subject} was {NEGATIVE[i % 8]}", "sentiment": "neg"})
    frame = pd.DataFrame(rows)
    frame["score"] = np.where(frame["sentiment"] == "pos", 2.0, -2.0) + 0.1 * (frame.index % 3)
    frame["stars"] = np.where(frame["sentiment"] == "pos", 5, 1)
    return frame


def _write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True)
    return path


def invoke(*args, env: dict | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def _stderr(result) -> str:
    try:
        return result.stderr
    except ValueError:  # stderr mixed into output
        return result.output


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def _files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


def assert_user_error(result, *fragments: str) -> str:
    """Exit 2, no traceback, and exactly one line on stderr starting with ``error:``."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in _stderr(result).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


@pytest.fixture
def train_csv(tmp_path) -> Path:
    return _write(_frame(), tmp_path / "train.csv")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """A feature_extraction bundle fitted once through the CLI; tests copy it to change it."""
    folder = tmp_path_factory.mktemp("bundle")
    data = _write(_frame(), folder / "train.csv")
    out = folder / "model.graft"
    _ok(
        invoke(
            "fit",
            data,
            "--label",
            "sentiment",
            "--out",
            out,
            *FIT,
            "--strategy",
            "feature_extraction",
        )
    )
    return out


@pytest.fixture
def new_rows(tmp_path) -> Path:
    """Rows to predict: only the text column, as a user would have them."""
    return _write(_frame(3, offset=12)[["review"]], tmp_path / "new.csv")


# --------------------------------------------------------------------- backbones


def test_backbones_lists_the_registry():
    output = _ok(invoke("backbones"))

    for spec in graft.list_backbones():
        assert spec.name in output
    assert "tiny-bert" in output and "minilm-l6" in output


# --------------------------------------------------------------------------- fit


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_fit_feature_extraction_writes_a_bundle(tmp_path, suffix):
    data = _write(_frame(), tmp_path / f"train{suffix}")
    out = tmp_path / "model.graft"

    output = _ok(
        invoke(
            "fit",
            data,
            "--label",
            "sentiment",
            "--out",
            out,
            *FIT,
            "--strategy",
            "feature_extraction",
        )
    )

    assert "strategy: feature_extraction" in output
    assert f"saved bundle to {out}" in output
    assert (out / "manifest.json").is_file()
    model = graft.load(out)
    assert model.strategy_ == "feature_extraction"
    assert model.text_column_ == "review"
    assert sorted(model.classes_.tolist()) == ["neg", "pos"]
    # Saving is atomic: no staging folder is left next to the bundle.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([data.name, out.name])


def test_fit_baseline_with_explicit_text_column(train_csv, tmp_path):
    out = tmp_path / "base.graft"

    output = _ok(
        invoke(
            "fit", train_csv, "--label", "sentiment", "--text-column", "review",
            "--out", out, *FIT, "--strategy", "baseline",
        )
    )  # fmt: skip

    assert "strategy: baseline" in output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["fitted"]["strategy_"] == "baseline"
    assert manifest["input_schema"]["text_column"] == "review"


def test_fit_with_source_data_records_lineage(train_csv, tmp_path):
    source = _write(_frame(6, offset=20, text="snippet"), tmp_path / "source.jsonl")
    out = tmp_path / "model.graft"

    _ok(
        invoke(
            "fit", train_csv, "--label", "sentiment", "--out", out, *FIT,
            "--strategy", "feature_extraction",
            "--source-data", source, "--source-text-column", "snippet",
        )
    )  # fmt: skip

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["lineage"]["source"]["n_rows"] == 12


def test_fit_and_predict_regression(train_csv, new_rows, tmp_path):
    out = tmp_path / "reg.graft"
    frame = _frame().drop(columns=["sentiment"])
    data = _write(frame, tmp_path / "ratings.parquet")

    _ok(
        invoke(
            "fit", data, "--label", "score", "--task", "regression", "--out", out, *FIT,
            "--strategy", "feature_extraction",
        )
    )  # fmt: skip
    predictions = tmp_path / "pred.csv"
    _ok(invoke("predict", out, new_rows, "--out", predictions))

    assert json.loads((out / "manifest.json").read_text())["task"] == "regression"
    result = pd.read_csv(predictions)
    assert result.columns.tolist() == ["review", "prediction"]
    assert len(result) == 6
    assert result["prediction"].dtype == np.float64


# ----------------------------------------------------------------------- predict


def test_predict_writes_predictions_and_probabilities(bundle, new_rows, tmp_path):
    out = tmp_path / "predictions.csv"

    output = _ok(invoke("predict", bundle, new_rows, "--out", out))

    assert f"wrote 6 predictions to {out}" in output
    result = pd.read_csv(out)
    assert result.columns.tolist() == ["review", "prediction", "proba_neg", "proba_pos"]
    assert result["review"].tolist() == pd.read_csv(new_rows)["review"].tolist()
    assert set(result["prediction"]) <= {"neg", "pos"}
    proba = result[["proba_neg", "proba_pos"]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    expected = np.where(proba[:, 1] > proba[:, 0], "pos", "neg")
    assert result["prediction"].tolist() == expected.tolist()


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_predict_writes_other_formats_keeping_extra_columns(bundle, tmp_path, suffix):
    data = _write(_frame(2, offset=30), tmp_path / "new.csv")
    out = tmp_path / f"predictions{suffix}"

    _ok(invoke("predict", bundle, data, "--out", out))

    result = pd.read_parquet(out) if suffix == ".parquet" else pd.read_json(out, lines=True)
    assert len(result) == 4
    assert {"review", "sentiment", "stars", "prediction", "proba_pos"} <= set(result.columns)


def test_predict_matches_the_python_api(bundle, new_rows, tmp_path):
    out = tmp_path / "predictions.csv"
    _ok(invoke("predict", bundle, new_rows, "--out", out))

    model = graft.load(bundle)
    expected = model.predict(pd.read_csv(new_rows))
    assert pd.read_csv(out)["prediction"].tolist() == expected.tolist()


# ---------------------------------------------------------------------- evaluate


def test_evaluate_prints_a_table_and_writes_json(train_csv, tmp_path):
    report = tmp_path / "r.json"

    output = _ok(
        invoke(
            "evaluate", train_csv, "--label", "sentiment", "--backbone", "tiny-bert",
            "--strategies", "feature_extraction,baseline", "--splits", "2", "--json", report,
        )
    )  # fmt: skip

    for text in ("baseline", "feature_extraction", "verdict", "accuracy", "report saved to"):
        assert text in output
    payload = json.loads(report.read_text())
    assert [c["name"] for c in payload["candidates"]] == ["baseline", "feature_extraction"]
    assert payload["n_splits"] == 2
    assert payload["n_rows"] == 24
    assert payload["evaluation"] == "random stratified splits"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_evaluate_with_source_and_test_data(train_csv, tmp_path):
    source = _write(_frame(6, offset=20, text="snippet"), tmp_path / "source.csv")
    test = _write(_frame(4, offset=40), tmp_path / "test.parquet")
    report = tmp_path / "r.json"

    output = _ok(
        invoke(
            "evaluate", train_csv, "--label", "sentiment", "--backbone", "tiny-bert",
            "--strategies", "feature_extraction", "--splits", "2", "--json", report,
            "--source-data", source, "--source-text-column", "snippet", "--test-data", test,
        )
    )  # fmt: skip

    assert "source_only" in output
    payload = json.loads(report.read_text())
    names = [c["name"] for c in payload["candidates"]]
    assert names == ["baseline", "feature_extraction", "source_only"]
    assert payload["evaluation"].startswith("seeds on a fixed test set")


def test_evaluate_regression_without_json(tmp_path):
    data = _write(_frame().drop(columns=["sentiment"]), tmp_path / "ratings.jsonl")

    output = _ok(
        invoke(
            "evaluate", data, "--label", "score", "--task", "regression",
            "--backbone", "tiny-bert", "--strategies", "feature_extraction", "--splits", "2",
        )
    )  # fmt: skip

    assert "regression: R²" in output
    assert "feature_extraction" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ratings.jsonl"]


# ------------------------------------------------------------------ user errors


def _garbage_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "train.parquet"
    path.write_bytes(b"PAR1 this is not a parquet file \x00\xff\x13")
    return path


def _csv_text(tmp_path: Path, text: str, name: str = "train.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _train(tmp_path: Path, frame: pd.DataFrame | None = None, name: str = "t.csv") -> Path:
    return _write(_frame() if frame is None else frame, tmp_path / name)


def _unshared_source(tmp_path: Path) -> Path:
    frame = _frame().replace({"sentiment": {"pos": "yes", "neg": "no"}})
    return _write(frame, tmp_path / "source.csv")


# Each case: make(tmp_path) -> (data file, extra options), and a fragment of the message.
FIT_ERRORS = {
    "missing file": (lambda d: (d / "absent.csv", []), "does not exist"),
    "unknown label column": (lambda d: (_train(d), ["--label", "rating"]), "Label column 'rating'"),
    "unknown text column": (
        lambda d: (_train(d), ["--text-column", "body"]),
        "Text column 'body'",
    ),
    "empty file": (lambda d: (_csv_text(d, ""), []), "is empty"),
    "header only": (lambda d: (_csv_text(d, "review,sentiment\n"), []), "no data rows"),
    "garbage parquet": (lambda d: (_garbage_parquet(d), []), "not readable as Parquet"),
    "bad jsonl": (lambda d: (_csv_text(d, "{not json\n", "t.jsonl"), []), "not readable as JSON"),
    "unsupported extension": (
        lambda d: (_csv_text(d, "review,sentiment\ngood,pos\n", "t.txt"), []),
        "'.txt'",
    ),
    "single class": (lambda d: (_train(d, _frame().assign(sentiment="pos")), []), "single class"),
    "missing labels": (
        lambda d: (_csv_text(d, "review,sentiment\ngood,pos\nbad,\nfine,pos\nawful,neg\n"), []),
        "train.csv has 1 missing labels (first at row 1, counting from 0)",
    ),
    "NaN text": (
        lambda d: (_csv_text(d, "review,sentiment\ngood,pos\n,neg\nfine,pos\nawful,neg\n"), []),
        "Row 1 (counting from 0) of column 'review' of",
    ),
    "number in jsonl text": (
        lambda d: (
            _csv_text(
                d,
                '{"review": "good", "sentiment": "pos"}\n{"review": 42, "sentiment": "neg"}\n',
                "t.jsonl",
            ),
            [],
        ),
        "is 42 (int), not text",
    ),
    "numeric text column": (
        lambda d: (_train(d, name="t.parquet"), ["--text-column", "stars"]),
        "not text",
    ),
    "two text columns": (lambda d: (_train(d, _frame().assign(title="a")), []), "Cannot tell"),
    "unknown backbone": (
        lambda d: (_train(d), ["--backbone", "no-such-org/no-such-model"]),
        "'no-such-org/no-such-model'",
    ),
    "unknown strategy": (
        lambda d: (_train(d), ["--strategy", "magic", "--text-column", "review"]),
        "strategy='magic'",
    ),
    "unknown task": (lambda d: (_train(d), ["--task", "ranking"]), "'ranking'"),
    "text labels for regression": (
        lambda d: (_train(d), ["--task", "regression"]),
        "non-numeric",
    ),
    "source without shared classes": (
        lambda d: (_train(d), ["--source-data", _unshared_source(d)]),
        "shares no class",
    ),
    "source lacking the text column": (
        lambda d: (_train(d), ["--source-data", _write(_frame(text="snippet"), d / "s.csv")]),
        "pass the right --source-text-column",
    ),
    "missing source file": (
        lambda d: (_train(d), ["--source-data", d / "absent.jsonl"]),
        "does not exist",
    ),
}


@pytest.mark.parametrize("case", FIT_ERRORS)
def test_fit_user_errors(case, tmp_path):
    make, fragment = FIT_ERRORS[case]
    data, extra = make(tmp_path)
    extra = [str(a) for a in extra]
    for flag, value in {
        "--label": "sentiment",
        "--backbone": "tiny-bert",
        "--strategy": "feature_extraction",
    }.items():
        if flag not in extra:
            extra += [flag, value]
    before = _files(tmp_path)

    result = invoke(
        "fit", data, "--out", tmp_path / "model.graft", "--no-progress", *extra,
        env={"HF_HUB_OFFLINE": "1"},
    )  # fmt: skip

    assert_user_error(result, fragment)
    assert _files(tmp_path) == before


def test_fit_into_a_missing_folder(train_csv, tmp_path):
    before = _files(tmp_path)

    result = invoke(
        "fit", train_csv, "--label", "sentiment", "--out", tmp_path / "nope" / "m.graft", *FIT,
        "--strategy", "baseline", "--text-column", "review",
    )  # fmt: skip

    assert_user_error(result, "does not exist")
    assert _files(tmp_path) == before


def test_fit_never_overwrites_a_file_that_is_not_a_bundle(train_csv, tmp_path):
    out = tmp_path / "notes.graft"
    out.write_text("my notes")

    result = invoke(
        "fit", train_csv, "--label", "sentiment", "--out", out, *FIT, "--strategy", "baseline",
        "--text-column", "review",
    )  # fmt: skip

    assert_user_error(result, "is not a graft bundle")
    assert out.read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.graft", "train.csv"]


# ------------------------------------------------------------ predict errors


def _copy(bundle: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(bundle, tmp_path / "copy.graft"))


def _flip_byte(bundle: Path, tmp_path: Path) -> Path:
    copy = _copy(bundle, tmp_path)
    target = copy / "head.skops"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    return copy


def _garbled_manifest(bundle: Path, tmp_path: Path) -> Path:
    copy = _copy(bundle, tmp_path)
    (copy / "manifest.json").write_text("{ not json")
    return copy


def _extra_file(bundle: Path, tmp_path: Path) -> Path:
    copy = _copy(bundle, tmp_path)
    (copy / "payload.pkl").write_bytes(b"\x80\x04")
    return copy


@pytest.mark.parametrize(
    ("corrupt", "fragment"),
    [
        (_flip_byte, "does not match the hash"),
        (_garbled_manifest, "corrupt (not JSON)"),
        (_extra_file, "payload.pkl"),
        (lambda bundle, tmp_path: tmp_path / "absent.graft", "not a graft bundle"),
    ],
)
def test_predict_refuses_a_bad_bundle(bundle, new_rows, tmp_path, corrupt, fragment):
    bad = corrupt(bundle, tmp_path)
    before = _files(tmp_path)

    result = invoke("predict", bad, new_rows, "--out", tmp_path / "p.csv")

    assert_user_error(result, fragment)
    assert _files(tmp_path) == before


def test_predict_input_lacking_the_text_column(bundle, tmp_path):
    data = _write(_frame().rename(columns={"review": "body"}), tmp_path / "new.csv")
    before = _files(tmp_path)

    result = invoke("predict", bundle, data, "--out", tmp_path / "p.csv")

    message = assert_user_error(result, "lacks the text column 'review'")
    assert "body" in message
    assert _files(tmp_path) == before


@pytest.mark.parametrize(
    ("out", "fragment"),
    [("nope/p.csv", "does not exist"), ("p.txt", "unsupported extension")],
)
def test_predict_bad_output_path(bundle, new_rows, tmp_path, out, fragment):
    before = _files(tmp_path)

    result = invoke("predict", bundle, new_rows, "--out", tmp_path / out)

    assert_user_error(result, fragment)
    assert _files(tmp_path) == before


def test_predict_non_text_rows(bundle, tmp_path):
    data = _csv_text(tmp_path, '{"review": "good"}\n{"review": null}\n', "new.jsonl")
    before = _files(tmp_path)

    result = invoke("predict", bundle, data, "--out", tmp_path / "p.csv")

    assert_user_error(result, "Row 1 (counting from 0) of column 'review' of", "new.jsonl")
    assert _files(tmp_path) == before


# ----------------------------------------------------------- evaluate errors


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--strategies", "feature_extraction,magic"], "['magic']"),
        (["--strategies", " , "], "unknown names"),
        (["--splits", "1"], "n_splits=1"),
        (["--json", "{tmp}/nope/r.json"], "does not exist"),
        (["--task", "ranking"], "'ranking'"),
        (["--test-data", "{tmp}/absent.csv"], "does not exist"),
        (["--metric", "auc"], "metric='auc'"),
        (["--strategies", "baseline_cnn"], "['baseline_cnn']"),
    ],
)
def test_evaluate_user_errors(train_csv, tmp_path, options, fragment):
    options = [o.replace("{tmp}", str(tmp_path)) for o in options]
    if "--strategies" not in options:
        options += ["--strategies", "baseline"]
    before = _files(tmp_path)

    result = invoke(
        "evaluate", train_csv, "--label", "sentiment", "--backbone", "tiny-bert",
        "--text-column", "review", "--json", tmp_path / "r.json", *options,
    )  # fmt: skip

    assert_user_error(result, fragment)
    assert _files(tmp_path) == before


def test_evaluate_too_few_rows(tmp_path):
    data = _write(_frame(2), tmp_path / "small.csv")
    before = _files(tmp_path)

    result = invoke(
        "evaluate", data, "--label", "sentiment", "--strategies", "baseline",
        "--text-column", "review", "--splits", "2", "--json", tmp_path / "r.json",
    )  # fmt: skip

    assert_user_error(result, "Cannot make 2 splits")
    assert _files(tmp_path) == before


# ------------------------------------------------------------- output errors
UNWRITABLE = Path("/proc")  # writing fails there even for root, unlike a chmod-ed folder
needs_proc = pytest.mark.skipif(not UNWRITABLE.is_dir(), reason="needs Linux's /proc")


def test_predict_into_an_existing_folder(bundle, new_rows, tmp_path):
    (tmp_path / "p.csv").mkdir()
    before = _files(tmp_path)

    result = invoke("predict", bundle, new_rows, "--out", tmp_path / "p.csv")

    assert_user_error(result, "p.csv is a folder")
    assert _files(tmp_path) == before


def test_evaluate_json_into_an_existing_folder(train_csv, tmp_path):
    (tmp_path / "r.json").mkdir()
    before = _files(tmp_path)

    result = invoke(
        "evaluate", train_csv, "--label", "sentiment", "--strategies", "baseline",
        "--text-column", "review", "--splits", "2", "--json", tmp_path / "r.json",
    )  # fmt: skip

    assert_user_error(result, "r.json is a folder")
    assert "baseline" not in result.output  # refused before comparing
    assert _files(tmp_path) == before


def test_predict_to_parquet_with_a_column_mixing_types(bundle, tmp_path):
    data = _csv_text(
        tmp_path, '{"review": "good", "note": 1}\n{"review": "bad", "note": "x"}\n', "new.jsonl"
    )
    before = _files(tmp_path)

    result = invoke("predict", bundle, data, "--out", tmp_path / "p.parquet")

    assert_user_error(result, "'note' mix value types", "p.csv")
    assert _files(tmp_path) == before


@needs_proc
def test_predict_into_an_unwritable_folder(bundle, new_rows):
    result = invoke("predict", bundle, new_rows, "--out", UNWRITABLE / "p.csv")

    assert_user_error(result, "Output folder /proc is not writable")


@needs_proc
def test_fit_into_an_unwritable_folder_fails_before_fitting(train_csv):
    result = invoke(
        "fit", train_csv, "--label", "sentiment", "--out", UNWRITABLE / "m.graft", *FIT,
        "--strategy", "baseline", "--text-column", "review",
    )  # fmt: skip

    assert_user_error(result, "Output folder /proc is not writable")
    assert "strategy:" not in result.output


def test_fit_over_a_folder_that_is_not_a_bundle_fails_before_fitting(train_csv, tmp_path):
    (tmp_path / "m.graft").mkdir()

    result = invoke(
        "fit", train_csv, "--label", "sentiment", "--out", tmp_path / "m.graft", *FIT,
        "--strategy", "baseline", "--text-column", "review",
    )  # fmt: skip

    assert_user_error(result, "is not a graft bundle")
    assert "strategy:" not in result.output
    assert list((tmp_path / "m.graft").iterdir()) == []


def test_predict_with_a_manifest_that_is_a_folder(bundle, new_rows, tmp_path):
    bad = _copy(bundle, tmp_path)
    (bad / "manifest.json").unlink()
    (bad / "manifest.json").mkdir()
    before = _files(tmp_path)

    result = invoke("predict", bad, new_rows, "--out", tmp_path / "p.csv")

    assert_user_error(result, "manifest.json cannot be read")
    assert _files(tmp_path) == before


# ------------------------------------------------------------ review fixes (session 11)


def test_predict_names_the_text_column_of_a_list_trained_bundle(tmp_path, reviews):
    texts, labels = reviews
    model = graft.TransferClassifier(backbone="tiny-bert", strategy="baseline").fit(texts, labels)
    model.save(tmp_path / "list.graft")
    rows = _write(pd.DataFrame({"title": texts[2:4], "body": texts[:2]}), tmp_path / "new.csv")
    out = tmp_path / "p.csv"
    assert_user_error(invoke("predict", tmp_path / "list.graft", rows, "--out", out), "text")
    _ok(invoke("predict", tmp_path / "list.graft", rows, "--out", out, "--text-column", "body"))
    assert pd.read_csv(out)["prediction"].tolist() == list(model.predict(texts[:2]))


def test_predict_refuses_an_unwritable_extension_before_any_work(bundle, new_rows, tmp_path):
    out = tmp_path / "preds.txt"
    assert_user_error(invoke("predict", bundle, new_rows, "--out", out), "'.txt'")
    assert not out.exists()


def test_texts_that_read_none_or_na_stay_text(tmp_path):
    frame = _frame()
    frame.loc[0, "review"], frame.loc[1, "review"] = "None", "NA"
    data = _write(frame[["review", "sentiment"]], tmp_path / "t.csv")
    out = tmp_path / "m.graft"
    fit = ("fit", data, "--label", "sentiment", "--text-column", "review", *FIT)
    _ok(invoke(*fit, "--strategy", "baseline", "--out", out))


def test_paths_and_reasons_are_printed_as_written(train_csv, tmp_path):
    out = tmp_path / "[v2] model.graft"
    text = _ok(invoke("fit", train_csv, "--label", "sentiment", *FIT, "--strategy", "baseline",
                      "--out", out))  # fmt: skip
    assert "[v2] model.graft" in " ".join(text.split())


@pytest.mark.parametrize("seed", ["-1", "99999999999"])
def test_out_of_range_seeds_are_one_line_errors(train_csv, tmp_path, seed):
    out = tmp_path / "m.graft"
    result = invoke("fit", train_csv, "--label", "sentiment", *FIT, "--strategy", "baseline",
                    "--seed", seed, "--out", out)  # fmt: skip
    assert_user_error(result, "random_state")
    assert not out.exists()


def test_infinite_regression_targets_are_refused(tmp_path):
    frame = _frame()
    frame.loc[3, "score"] = np.inf
    data = _write(frame[["review", "score"]], tmp_path / "t.csv")
    result = invoke("fit", data, "--label", "score", "--task", "regression", *FIT,
                    "--strategy", "baseline", "--out", tmp_path / "m.graft")  # fmt: skip
    assert_user_error(result, "infinite")


def test_a_text_source_without_the_label_points_to_source_label(train_csv, tmp_path):
    source = _write(_frame().rename(columns={"sentiment": "polarity"}), tmp_path / "s.csv")
    result = invoke("fit", train_csv, "--label", "sentiment", "--text-column", "review", *FIT,
                    "--source-data", source, "--out", tmp_path / "m.graft")  # fmt: skip
    assert_user_error(result, "--source-label")


@pytest.mark.parametrize(
    "option, value",
    [("--source-label", "polarity"), ("--source-text-column", "body"), ("--column-mapping", "m")],
)
def test_source_options_without_a_source_exit_2(train_csv, tmp_path, option, value):
    out = tmp_path / "m.graft"
    result = invoke("fit", train_csv, "--label", "sentiment", "--text-column", "review", *FIT,
                    "--strategy", "baseline", option, tmp_path / value if option ==
                    "--column-mapping" else value, "--out", out)  # fmt: skip
    assert_user_error(result, option, "--source-data")
    assert not out.exists()
