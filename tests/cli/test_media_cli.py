"""``graft fit`` / ``graft predict`` with image folders, image path tables and audio tables."""

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from graft.cli.main import app

runner = CliRunner()
FIT = ("--backbone", "tiny-cnn", "--strategy", "feature_extraction", "--no-progress")


@pytest.fixture(scope="module")
def image_tree(tmp_path_factory):
    """train/<class>/*.png, a flat new/ folder, and images.csv with relative paths."""
    root = tmp_path_factory.mktemp("cli-images")
    rng = np.random.default_rng(0)
    rows = []
    for i in range(16):
        label = ["bar", "box"][i % 2]
        image = rng.integers(0, 60, (20, 20), dtype=np.uint8)
        if label == "bar":
            image[:, 8:12] = 250
        else:
            image[6:14, 6:14] = 250
        (root / "train" / label).mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(root / "train" / label / f"{i}.png")
        rows.append({"file": f"train/{label}/{i}.png", "kind": label})
    (root / "new").mkdir()
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (24, 24, 3), dtype=np.uint8)).save(
            root / "new" / f"n{i}.jpg"
        )
    pd.DataFrame(rows).to_csv(root / "images.csv", index=False)
    return root


def test_fit_on_a_class_folder_then_predict_a_folder(image_tree, tmp_path):
    bundle, out = tmp_path / "m.graft", tmp_path / "pred.csv"

    fitted = runner.invoke(app, ["fit", str(image_tree / "train"), "--out", str(bundle), *FIT])
    predicted = runner.invoke(
        app, ["predict", str(bundle), str(image_tree / "new"), "--out", str(out)]
    )

    assert fitted.exit_code == 0, fitted.output
    assert predicted.exit_code == 0, predicted.output
    result = pd.read_csv(out)
    assert [p.split("/")[-1] for p in result["path"]] == ["n0.jpg", "n1.jpg", "n2.jpg"]
    assert set(result["prediction"]) <= {"bar", "box"}
    assert {"proba_bar", "proba_box"} <= set(result.columns)
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["input_schema"]["kind"] == "image"


def test_fit_on_a_path_table_with_relative_paths(image_tree, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths are taken from the CSV's folder
    bundle, out = tmp_path / "t.graft", tmp_path / "pred.csv"
    args = ["--label", "kind", "--image-column", "file", "--out", str(bundle), *FIT]

    fitted = runner.invoke(app, ["fit", str(image_tree / "images.csv"), *args])
    predicted = runner.invoke(
        app, ["predict", str(bundle), str(image_tree / "images.csv"), "--out", str(out)]
    )

    assert fitted.exit_code == 0, fitted.output
    assert predicted.exit_code == 0, predicted.output
    result = pd.read_csv(out)
    assert len(result) == 16 and (result["prediction"] == result["kind"]).mean() > 0.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--label", "kind"], "drop --label"),
        (["--audio-column", "file"], "audio input is a table"),
        (["--column-mapping", "map.json"], "--column-mapping apply to text and tables"),
        (["--source-label", "y"], "--source-label apply to text and tables"),
    ],
)
def test_bad_folder_options_exit_2(image_tree, tmp_path, args, message):
    result = runner.invoke(
        app, ["fit", str(image_tree / "train"), "--out", str(tmp_path / "x.graft"), *args, *FIT]
    )

    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.graft").exists()


def test_missing_image_column_exits_2(image_tree, tmp_path):
    result = runner.invoke(
        app,
        [
            "fit",
            str(image_tree / "images.csv"),
            "--label",
            "kind",
            "--image-column",
            "nope",
            "--out",
            str(tmp_path / "x.graft"),
            *FIT,
        ],
    )

    assert result.exit_code == 2
    assert "Image column 'nope' is not in" in result.output


def test_corrupt_image_is_named_and_nothing_is_written(image_tree, tmp_path):
    table = tmp_path / "broken.csv"
    (tmp_path / "broken.png").write_bytes(b"not a png")
    frame = pd.read_csv(image_tree / "images.csv")
    frame["file"] = [str(image_tree / f) for f in frame["file"]]
    frame.loc[3, "file"] = str(tmp_path / "broken.png")
    frame.to_csv(table, index=False)

    result = runner.invoke(
        app,
        [
            "fit",
            str(table),
            "--label",
            "kind",
            "--image-column",
            "file",
            "--out",
            str(tmp_path / "x.graft"),
            *FIT,
        ],
    )

    assert result.exit_code == 2
    assert "broken.png is unreadable or truncated" in result.output
    assert not (tmp_path / "x.graft").exists()


def test_table_without_label_exits_2(image_tree, tmp_path):
    result = runner.invoke(
        app,
        [
            "fit",
            str(image_tree / "images.csv"),
            "--image-column",
            "file",
            "--out",
            str(tmp_path / "x.graft"),
            *FIT,
        ],
    )

    assert result.exit_code == 2 and "needs --label" in result.output


def test_evaluate_an_image_folder(image_tree, tmp_path):
    report = tmp_path / "report.json"

    result = runner.invoke(
        app,
        ["evaluate", str(image_tree / "train"), "--backbone", "tiny-cnn", "--strategies",
         "feature_extraction", "--splits", "2", "--json", str(report)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    saved = json.loads(report.read_text())
    assert [c["name"] for c in saved["candidates"]] == ["baseline", "feature_extraction"]
    assert "pixels" in saved["baseline"]


def test_evaluate_an_image_table_with_text_only_options_exits_2(image_tree, tmp_path):
    result = runner.invoke(
        app,
        ["evaluate", str(image_tree / "images.csv"), "--label", "kind", "--image-column",
         "file", "--source-text-column", "x", "--json", str(tmp_path / "r.json")],
    )  # fmt: skip

    assert result.exit_code == 2
    assert "apply to text and tables" in result.output
    assert not (tmp_path / "r.json").exists()


def test_tta_and_baseline_blend_options_reach_the_bundle(image_tree, tmp_path):
    bundle = tmp_path / "b.graft"
    args = ["--tta", "flip_shift", "--baseline-blend", "0.25", *FIT]

    fitted = runner.invoke(app, ["fit", str(image_tree / "train"), "--out", str(bundle), *args])

    assert fitted.exit_code == 0, fitted.output
    model = json.loads((bundle / "manifest.json").read_text())["model"]
    assert model["tta"] == "flip_shift" and model["baseline_weight"] == 0.25


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tta", "rotate"], "tta='rotate' is unknown"),
        (["--baseline-blend", "lots"], "--baseline-blend 'lots' is not a number"),
        (["--baseline-blend", "2"], "baseline_blend=2.0 must be"),
    ],
)
def test_bad_tta_and_blend_options_exit_2(image_tree, tmp_path, args, message):
    result = runner.invoke(
        app, ["fit", str(image_tree / "train"), "--out", str(tmp_path / "x.graft"), *args, *FIT]
    )

    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.graft").exists()
