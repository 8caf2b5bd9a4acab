"""VADER sentiment ground truth: four domains of human-rated text snippets.

The data are the ground-truth files of Hutto & Gilbert, "VADER: A Parsimonious Rule-based
Model for Sentiment Analysis of Social Media Text" (ICWSM 2014), MIT licence. Each snippet
carries the mean of about 20 human ratings on a scale from -4 (most negative) to +4 (most
positive). The four domains differ in vocabulary and length, which makes them a small,
real benchmark for transfer between related text domains.

The files ship inside the source distribution of ``vaderSentiment==3.3.2`` on PyPI (the
wheel leaves them out), so the first call downloads that sdist with pip and keeps only the
four ground-truth files in ``graft.config.cache_dir() / "datasets" / "vader"``. Set
``GRAFT_VADER_SDIST`` to an already downloaded ``vaderSentiment-3.3.2.tar.gz`` to skip the
download, for instance on a machine without network access.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from graft.config import cache_dir
from graft.exceptions import DataError, DatasetUnavailableError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SENTIMENT_DOMAINS", "load_sentiment"]

SENTIMENT_DOMAINS: tuple[str, ...] = ("movie", "amazon", "tweets", "nyt")
"""Names accepted by :func:`load_sentiment`, one per VADER ground-truth file."""

_FILES: dict[str, str] = {
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}

_SDIST_ENV = "GRAFT_VADER_SDIST"
_REQUIREMENT = "vaderSentiment==3.3.2"
_SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
# pip checks the index's hash, but pip may be configured with extra or mirror indexes; pinning
# the hash of the PyPI file means a different file under the same name is never cached.
_SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
_INNER_ARCHIVE = "additional_resources/hutto_ICWSM_2014.tar.gz"
_PIP_TIMEOUT_S = 120
_FIX = f"allow network access to PyPI, or set {_SDIST_ENV} to a downloaded {_SDIST_NAME}"
_FIX_OVERRIDE = f"point {_SDIST_ENV} to an intact {_SDIST_NAME}, or unset it to fetch from PyPI"


def load_sentiment(domain: str) -> pd.DataFrame:
    """Load one VADER sentiment domain, fetching it into graft's cache on first use.

    Parameters
    ----------
    domain : str
        One of :data:`SENTIMENT_DOMAINS`: ``"movie"`` (10,605 movie-review snippets),
        ``"amazon"`` (3,708 product-review snippets), ``"tweets"`` (4,200 tweets) or
        ``"nyt"`` (5,190 New York Times editorial snippets).

    Returns
    -------
    pandas.DataFrame
        One row per snippet, in file order, with columns ``id`` (str), ``text`` (str),
        ``rating`` (float, mean human rating in [-4, 4]) and ``label`` (int, 1 if
        ``rating > 0`` else 0). Neutral snippets (``rating == 0``) are labelled 0.

    Raises
    ------
    graft.exceptions.DataError
        If ``domain`` is not one of :data:`SENTIMENT_DOMAINS`.
    graft.exceptions.DatasetUnavailableError
        If the data are not cached and cannot be fetched (no network access to PyPI, or
        ``GRAFT_VADER_SDIST`` points to a missing or broken archive), or the cache is corrupt.

    Examples
    --------
    >>> from graft.datasets import load_sentiment
    >>> tweets = load_sentiment("tweets")  # doctest: +SKIP
    >>> tweets.columns.tolist()  # doctest: +SKIP
    ['id', 'text', 'rating', 'label']
    >>> len(tweets)  # doctest: +SKIP
    4200
    """
    if domain not in SENTIMENT_DOMAINS:
        raise DataError(
            f"Unknown sentiment domain {domain!r}; "
            f"choose one of {', '.join(repr(d) for d in SENTIMENT_DOMAINS)}."
        )
    return _parse(_ensure_cached() / _FILES[domain])


def _ensure_cached() -> Path:
    """Return the cache folder holding all four ground-truth files, fetching them if needed."""
    target = cache_dir() / "datasets" / "vader"
    if _is_complete(target):
        return target
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # Staging next to the target keeps the final rename on one file system, hence atomic:
        # the cache folder either holds all four files or does not exist.
        staging = Path(tempfile.mkdtemp(prefix=".vader-staging-", dir=parent))
    except OSError as exc:
        raise DatasetUnavailableError(
            f"Could not create the dataset cache in {parent} ({exc}); make it writable "
            "or point GRAFT_CACHE_DIR at a writable folder."
        ) from exc
    try:
        with tempfile.TemporaryDirectory(prefix=".vader-download-", dir=parent) as download:
            _extract_ground_truth(_locate_sdist(Path(download)), staging)
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _FILES.values())


def _publish(staging: Path, target: Path) -> None:
    """Move the staged files into place, tolerating a concurrent fetch that finished first."""
    try:
        if target.exists() and not _is_complete(target):
            # Only a hand-edited cache can be incomplete, since graft writes it atomically.
            shutil.rmtree(target)
        os.replace(staging, target)
    except OSError as exc:
        if _is_complete(target):
            return
        raise DatasetUnavailableError(
            f"Could not write the VADER dataset cache to {target} ({exc}); make it writable "
            "or point GRAFT_CACHE_DIR at a writable folder."
        ) from exc


def _locate_sdist(download_dir: Path) -> Path:
    """Return the sdist named by ``GRAFT_VADER_SDIST``, or download it from PyPI with pip."""
    override = os.environ.get(_SDIST_ENV)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise DatasetUnavailableError(
                f"{_SDIST_ENV}={override!r} is not a file, so the VADER sentiment data cannot be "
                f"read from it; {_FIX_OVERRIDE}."
            )
        return path

    # The wheel lacks additional_resources/, hence --no-binary; --no-deps because only the
    # archive is wanted, not an installable environment.
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        _REQUIREMENT,
        "-d",
        str(download_dir),
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=_PIP_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise DatasetUnavailableError(
            f"Downloading {_REQUIREMENT} from PyPI with pip took longer than {_PIP_TIMEOUT_S} s, "
            f"so the VADER sentiment data could not be fetched; {_FIX}."
        ) from None
    except OSError as exc:
        raise DatasetUnavailableError(
            f"Could not run pip to download {_REQUIREMENT} from PyPI ({exc}); {_FIX}."
        ) from exc
    if result.returncode != 0:
        lines = (result.stderr or result.stdout or "").strip().splitlines()
        reason = lines[-1] if lines else f"exit status {result.returncode}"
        raise DatasetUnavailableError(
            f"pip could not download {_REQUIREMENT} from PyPI ({reason}), so the VADER "
            f"sentiment data could not be fetched; {_FIX}."
        )
    path = download_dir / _SDIST_NAME
    if not path.is_file():
        raise DatasetUnavailableError(
            f"pip reported success but left no {_SDIST_NAME} in {download_dir}, so the VADER "
            f"sentiment data could not be fetched; {_FIX}."
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != _SDIST_SHA256:
        raise DatasetUnavailableError(
            f"The {_SDIST_NAME} that pip downloaded has SHA-256 {digest}, not the PyPI release's "
            f"{_SDIST_SHA256}; check your pip index settings, or set {_SDIST_ENV} to the file "
            "from https://pypi.org/project/vaderSentiment/3.3.2/."
        )
    return path


def _extract_ground_truth(sdist: Path, dest: Path) -> None:
    """Copy the four ground-truth files out of the sdist's nested archive into ``dest``."""
    try:
        with tarfile.open(sdist, "r:gz") as outer:
            inner_bytes = _read_member(outer, _INNER_ARCHIVE, sdist)
        # Only named members are read and written under fixed names, so a hostile archive
        # cannot place files outside ``dest`` (no extractall, no member paths on disk).
        with tarfile.open(fileobj=io.BytesIO(inner_bytes), mode="r:gz") as inner:
            for name in _FILES.values():
                (dest / name).write_bytes(_read_member(inner, name, sdist))
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise DatasetUnavailableError(
            f"Could not read the VADER ground-truth files from {sdist} ({exc}); {_fix_hint()}."
        ) from exc


def _read_member(archive: tarfile.TarFile, suffix: str, sdist: Path) -> bytes:
    # Match on the path's tail: the sdist's top folder is named after the version.
    for member in archive.getmembers():
        if member.isfile() and (member.name == suffix or member.name.endswith("/" + suffix)):
            handle = archive.extractfile(member)
            if handle is not None:
                return handle.read()
    raise DatasetUnavailableError(
        f"{sdist} holds no {suffix}, so it is not the {_SDIST_NAME} that carries the VADER "
        f"ground truth; {_fix_hint()}."
    )


def _fix_hint() -> str:
    # A broken archive named by the user needs a different fix than a failed download.
    return _FIX_OVERRIDE if os.environ.get(_SDIST_ENV) else _FIX


def _parse(path: Path) -> pd.DataFrame:
    """Read one ``id<TAB>rating<TAB>text`` ground-truth file into a typed DataFrame."""
    import numpy as np
    import pandas as pd

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetUnavailableError(
            f"Could not read the cached VADER file {path} ({exc}); delete {path.parent} "
            "to fetch it again."
        ) from exc

    ids: list[str] = []
    texts: list[str] = []
    ratings: list[float] = []
    # Split on "\n" rather than universal newlines: the files end lines with CRLF, and a
    # stray "\r" inside a snippet must not split it in two.
    for number, line in enumerate(raw.decode("utf-8", errors="replace").split("\n"), start=1):
        if not line.strip():
            continue
        # maxsplit=2 keeps any tab inside the snippet text as part of the text.
        fields = line.split("\t", 2)
        try:
            if len(fields) != 3:
                raise ValueError("expected id, rating and text separated by tabs")
            rating = float(fields[1])
        except ValueError as exc:
            raise DatasetUnavailableError(
                f"Line {number} of the cached VADER file {path} is malformed ({exc}); delete "
                f"{path.parent} to fetch the data again."
            ) from exc
        ids.append(fields[0].strip())
        ratings.append(rating)
        texts.append(fields[2].strip())

    if not ids:
        raise DatasetUnavailableError(
            f"The cached VADER file {path} holds no rows; delete {path.parent} to fetch the "
            "data again."
        )
    rating_array = np.asarray(ratings, dtype=np.float64)
    return pd.DataFrame(
        {
            "id": pd.Series(ids, dtype=object),
            "text": pd.Series(texts, dtype=object),
            "rating": rating_array,
            "label": (rating_array > 0).astype(np.int64),
        }
    )
