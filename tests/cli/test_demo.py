"""Tests for ``graft demo`` against a small fake VADER sdist (no download, tiny-bert)."""

import io
import json
import tarfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import graft
from graft.cli.main import app

FILES = {
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}
# The demo holds out 500 Amazon rows and samples k per class from the rest.
ROWS = {"movie": 60, "amazon": 540, "tweets": 4, "nyt": 4}
POSITIVE = ["good", "great", "lovely", "excellent", "superb", "nice"]
NEGATIVE = ["bad", "awful", "terrible", "poor", "horrible", "boring"]
SUBJECTS = {"movie": "the film", "amazon": "this product", "tweets": "today", "nyt": "the city"}

runner = CliRunner()


def _ground_truth(domain: str) -> bytes:
    lines = []
    for i in range(ROWS[domain]):
        words, sign = (POSITIVE, 1) if i % 2 == 0 else (NEGATIVE, -1)
        rating = sign * (1.0 + (i % 3) * 0.5)
        lines.append(f"{i + 1}\t{rating}\t{SUBJECTS[domain]} is {words[(i // 2) % 6]}")
    return "\r\n".join(lines).encode("utf-8")


def _tar_gz(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def fake_vader(tmp_path, monkeypatch) -> Path:
    """A fake vaderSentiment sdist in GRAFT_VADER_SDIST and a private cache for this test."""
    inner = _tar_gz({f"hutto_ICWSM_2014/{FILES[d]}": _ground_truth(d) for d in FILES})
    sdist = tmp_path / "vaderSentiment-3.3.2.tar.gz"
    sdist.write_bytes(
        _tar_gz({"vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz": inner})
    )
    monkeypatch.setenv("GRAFT_VADER_SDIST", str(sdist))
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    return sdist


def _demo(out: Path, *options: str):
    args = ["demo", "--backbone", "tiny-bert", "--out", str(out), *options]
    return runner.invoke(app, args)


def _error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    try:
        stderr = result.stderr
    except ValueError:  # stderr mixed into output
        stderr = result.output
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    return lines[0]


def test_demo_compares_saves_and_predicts(tmp_path):
    out = tmp_path / "demo_out"

    result = _demo(out, "--k", "4", "--repeats", "2")

    assert result.exit_code == 0, result.output
    assert "auto chose" in result.output
    assert "8 labelled Amazon snippets (4 per class)" in result.output
    assert "60 labelled movie snippets" in result.output

    report = json.loads((out / "report.json").read_text())
    assert [c["name"] for c in report["candidates"]] == [
        "baseline",
        "feature_extraction",
        "fine_tune",
        "hybrid",
        "auto",
        "source_only",
    ]
    assert report["n_rows"] == 8
    assert report["n_splits"] == 2
    assert report["evaluation"].startswith("seeds on a fixed test set")
    assert all(len(c["scores"]) == 2 for c in report["candidates"])

    manifest = json.loads((out / "amazon_reviews.graft" / "manifest.json").read_text())
    assert manifest["params"]["strategy"] == "auto"
    assert manifest["lineage"]["source"]["n_rows"] == 60
    model = graft.load(out / "amazon_reviews.graft")
    assert f"auto chose {model.strategy_}" in result.output

    predictions = pd.read_csv(out / "predictions.csv")
    assert len(predictions) == len(pd.read_csv(out / "new_reviews.csv")) == 8
    assert {"text", "prediction", "proba_0", "proba_1"} <= set(predictions.columns)
    assert set(predictions["prediction"]) <= {0, 1}
    assert predictions["text"].str.startswith("this product is").all()


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--k", "1"], "--k 1 is too small"),
        (["--repeats", "1"], "--repeats 1"),
        # 40 Amazon rows are left outside the 500 test rows, about 20 per class.
        (["--k", "100"], "--k 100 is too large"),
    ],
)
def test_demo_bad_options_write_nothing(tmp_path, options, fragment):
    out = tmp_path / "demo_out"

    result = _demo(out, *options)

    assert fragment in _error_line(result)
    assert not out.exists()


def test_demo_without_the_data_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAFT_VADER_SDIST", str(tmp_path / "absent.tar.gz"))
    out = tmp_path / "demo_out"

    result = _demo(out, "--k", "4", "--repeats", "2")

    assert "GRAFT_VADER_SDIST" in _error_line(result)
    assert not out.exists()


def test_demo_out_must_not_be_a_file(tmp_path):
    out = tmp_path / "demo_out"
    out.write_text("keep me")

    result = _demo(out, "--k", "4", "--repeats", "2")

    assert "is a file" in _error_line(result)
    assert out.read_text() == "keep me"
