"""Tests for graft.datasets.sentiment, against a tiny fake sdist; pip is never run."""

import hashlib
import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from graft.datasets import SENTIMENT_DOMAINS, load_sentiment, sentiment
from graft.exceptions import DataError, DatasetUnavailableError

# Read before the autouse fixture clears it: the slow test uses a real sdist named here.
_REAL_SDIST = os.environ.get("GRAFT_VADER_SDIST", "")

_FILES = {
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}

# CRLF endings, a blank line, padding around the text, a tab inside a text, a neutral rating,
# non-ASCII text and no newline after the last row, as in the real files.
_CONTENT = {
    "movie": "1\t2.5\tA  gripping film .  \r\n2\t-3.1\tDull , with a tab\tinside\r\n"
    "\r\n3\t0\tIt is a film\r\n4\t0.25\tCafé society\u2019s best",
    "amazon": "1_1\t-0.9\ttroubleshooting ad-2500\r\n1_2\t1.75\tworks great\r\n",
    "tweets": "1\t2.7\tsomehow I was blessed\r\n2\t-1.5\tugh mondays\r\n3\t0.1\tok\r\n",
    "nyt": "1_1\t0.4\tOn Dec. 19, around noon\r\n",
}


def _tar_gz(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _make_sdist(path: Path, domains: tuple[str, ...] = SENTIMENT_DOMAINS) -> Path:
    """Write a fake vaderSentiment sdist with the real nested layout, holding ``domains``."""
    inner = _tar_gz(
        {f"hutto_ICWSM_2014/{_FILES[d]}": _CONTENT[d].encode("utf-8") for d in domains}
        | {"hutto_ICWSM_2014/_README_.txt": b"not ground truth\r\n"}
    )
    outer = _tar_gz(
        {
            "vaderSentiment-3.3.2/setup.py": b"",
            "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz": inner,
        }
    )
    path.write_bytes(outer)
    return path


def _cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "datasets" / "vader"


def _assert_nothing_cached(tmp_path: Path) -> None:
    datasets = tmp_path / "cache" / "datasets"
    assert not _cache(tmp_path).exists()
    # No staging or download folders may survive a failed fetch either.
    assert not datasets.exists() or list(datasets.iterdir()) == []


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Cache in tmp_path, no sdist override, and a pip that fails the test if ever run."""
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GRAFT_VADER_SDIST", raising=False)

    def no_pip(*args, **kwargs):
        raise AssertionError("the tests must never run pip download")

    monkeypatch.setattr(sentiment.subprocess, "run", no_pip)


@pytest.fixture
def fake_sdist(tmp_path, monkeypatch) -> Path:
    path = _make_sdist(tmp_path / "vaderSentiment-3.3.2.tar.gz")
    monkeypatch.setenv("GRAFT_VADER_SDIST", str(path))
    return path


def test_frame_has_typed_columns_and_binary_labels(fake_sdist):
    frame = load_sentiment("movie")

    assert frame.columns.tolist() == ["id", "text", "rating", "label"]
    assert frame["rating"].dtype == "float64"
    assert frame["label"].dtype == "int64"
    assert all(isinstance(v, str) for v in frame["id"])
    assert all(isinstance(v, str) for v in frame["text"])
    assert frame["id"].tolist() == ["1", "2", "3", "4"]
    assert frame["rating"].tolist() == [2.5, -3.1, 0.0, 0.25]
    # A neutral rating of exactly 0 is not positive.
    assert frame["label"].tolist() == [1, 0, 0, 1]


def test_text_is_stripped_and_blank_lines_skipped(fake_sdist):
    texts = load_sentiment("movie")["text"].tolist()

    assert texts == [
        "A  gripping film .",
        "Dull , with a tab\tinside",
        "It is a film",
        "Café society\u2019s best",
    ]
    assert not any("\r" in t for t in texts)


@pytest.mark.parametrize("domain", SENTIMENT_DOMAINS)
def test_each_domain_reads_its_own_file(fake_sdist, domain):
    frame = load_sentiment(domain)

    expected_ids = [line.split("\t")[0] for line in _CONTENT[domain].split("\r\n") if line]
    assert frame["id"].tolist() == expected_ids


def test_cache_holds_only_the_four_files(fake_sdist, tmp_path):
    load_sentiment("tweets")

    assert sorted(p.name for p in _cache(tmp_path).iterdir()) == sorted(_FILES.values())
    assert list((tmp_path / "cache" / "datasets").iterdir()) == [_cache(tmp_path)]


def test_second_call_reads_the_cache(fake_sdist):
    first = load_sentiment("amazon")
    fake_sdist.unlink()

    second = load_sentiment("amazon")

    assert second.equals(first)


def test_incomplete_cache_is_fetched_again(fake_sdist, tmp_path):
    _cache(tmp_path).mkdir(parents=True)
    (_cache(tmp_path) / _FILES["nyt"]).write_text("stale\t0\tleftover\n")

    frame = load_sentiment("nyt")

    assert frame["text"].tolist() == ["On Dec. 19, around noon"]


def test_unknown_domain_is_a_data_error_listing_the_names(fake_sdist, tmp_path):
    with pytest.raises(DataError, match="'imdb'") as info:
        load_sentiment("imdb")

    assert all(repr(d) in str(info.value) for d in SENTIMENT_DOMAINS)
    assert not isinstance(info.value, DatasetUnavailableError)
    _assert_nothing_cached(tmp_path)


def test_missing_sdist_is_unavailable_and_caches_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAFT_VADER_SDIST", str(tmp_path / "absent.tar.gz"))

    with pytest.raises(DatasetUnavailableError, match="GRAFT_VADER_SDIST"):
        load_sentiment("movie")

    _assert_nothing_cached(tmp_path)


def test_corrupt_sdist_is_unavailable_and_caches_nothing(tmp_path, monkeypatch):
    corrupt = tmp_path / "vaderSentiment-3.3.2.tar.gz"
    corrupt.write_bytes(b"\x1f\x8b not really gzip")
    monkeypatch.setenv("GRAFT_VADER_SDIST", str(corrupt))

    with pytest.raises(DatasetUnavailableError, match="GRAFT_VADER_SDIST"):
        load_sentiment("movie")

    _assert_nothing_cached(tmp_path)


def test_sdist_lacking_a_file_caches_nothing(tmp_path, monkeypatch):
    # nyt is extracted last, so three files are already staged when the fetch fails.
    partial = _make_sdist(tmp_path / "partial.tar.gz", domains=("movie", "amazon", "tweets"))
    monkeypatch.setenv("GRAFT_VADER_SDIST", str(partial))

    with pytest.raises(DatasetUnavailableError, match="nytEditorialSnippets_GroundTruth"):
        load_sentiment("movie")

    _assert_nothing_cached(tmp_path)


def test_failed_pip_download_is_unavailable(tmp_path, monkeypatch):
    calls = []

    def failing_pip(command, **kwargs):
        calls.append((command, kwargs))
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution\n")

    monkeypatch.setattr(sentiment.subprocess, "run", failing_pip)

    with pytest.raises(DatasetUnavailableError, match="No matching distribution") as info:
        load_sentiment("tweets")

    assert "GRAFT_VADER_SDIST" in str(info.value)
    command, kwargs = calls[0]
    assert command[1:6] == ["-m", "pip", "download", "--no-deps", "--no-binary"]
    assert "vaderSentiment==3.3.2" in command
    assert kwargs["timeout"] > 0
    _assert_nothing_cached(tmp_path)


def test_pip_timeout_is_unavailable(tmp_path, monkeypatch):
    def slow_pip(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(sentiment.subprocess, "run", slow_pip)

    with pytest.raises(DatasetUnavailableError, match="longer than"):
        load_sentiment("tweets")

    _assert_nothing_cached(tmp_path)


def _pip_that_saves(sdist_bytes: bytes):
    def pip(command, **kwargs):
        target = Path(command[command.index("-d") + 1]) / "vaderSentiment-3.3.2.tar.gz"
        target.write_bytes(sdist_bytes)
        return subprocess.CompletedProcess(command, 0, "Saved\n", "")

    return pip


def test_downloaded_sdist_is_cached(tmp_path, monkeypatch):
    data = _make_sdist(tmp_path / "made.tar.gz").read_bytes()
    monkeypatch.setattr(sentiment, "_SDIST_SHA256", hashlib.sha256(data).hexdigest())
    monkeypatch.setattr(sentiment.subprocess, "run", _pip_that_saves(data))

    assert len(load_sentiment("tweets")) == 3
    assert sorted(p.name for p in _cache(tmp_path).iterdir()) == sorted(_FILES.values())
    assert list((tmp_path / "cache" / "datasets").iterdir()) == [_cache(tmp_path)]


def test_downloaded_sdist_with_wrong_hash_is_rejected(tmp_path, monkeypatch):
    data = _make_sdist(tmp_path / "made.tar.gz").read_bytes()
    monkeypatch.setattr(sentiment.subprocess, "run", _pip_that_saves(data))

    with pytest.raises(DatasetUnavailableError, match="SHA-256"):
        load_sentiment("tweets")

    _assert_nothing_cached(tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(
    not Path(_REAL_SDIST).is_file() if _REAL_SDIST else True,
    reason="set GRAFT_VADER_SDIST to a downloaded vaderSentiment-3.3.2.tar.gz",
)
def test_real_vader_data(monkeypatch):
    monkeypatch.setenv("GRAFT_VADER_SDIST", _REAL_SDIST)
    expected_rows = {"movie": 10605, "amazon": 3708, "tweets": 4200, "nyt": 5190}

    for domain, rows in expected_rows.items():
        frame = load_sentiment(domain)
        assert len(frame) == rows
        assert frame["id"].is_unique
        assert frame["rating"].between(-4, 4).all()
        assert frame["text"].str.len().gt(0).all()
        assert not frame["text"].str.contains("\r").any()
        assert 0.2 < frame["label"].mean() < 0.8
