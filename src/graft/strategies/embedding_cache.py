"""Disk cache of frozen-encoder embeddings, keyed by backbone weights and input content.

Embedding is the expensive, deterministic part of feature extraction; a second fit (or an
inner-validation fold, or a benchmark seed) on inputs already seen reads them back instead.
Entries live in one SQLite file per backbone weight hash (plus the settings that change the
vectors, such as a text backbone's maximum length or an image backbone's input size), so a
changed backbone can never return stale vectors. Inputs are keyed by the SHA-256 of their
content: the text, or an image's decoded pixels.
"""

import hashlib
import sqlite3
import warnings
from contextlib import closing
from pathlib import Path

import numpy as np

from graft.config import cache_dir, cache_root
from graft.data.rows import take_rows
from graft.exceptions import GraftError

# What makes the cache unusable (unwritable folder, corrupt file); the cache only saves
# time, so these fall back to embedding without it.
_UNUSABLE = (OSError, sqlite3.Error, GraftError)
_WARNED: set[str] = set()


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors for one backbone (identified by ``backbone_key``) in ``root``."""

    def __init__(self, backbone_key: str, root: Path | None = None) -> None:
        folder = (root or cache_dir()) / "embeddings"
        folder.mkdir(parents=True, exist_ok=True)
        # Hash the whole key: it ends with settings (max length) that change the vectors.
        name = hashlib.sha256(backbone_key.encode()).hexdigest()[:32]
        self.path = folder / f"{name}.sqlite"
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Cached vectors of ``texts``, keyed by text hash (missing texts are absent)."""
        return self.get_keys([_text_key(t) for t in texts])

    def get_keys(self, keys: list[str]) -> dict[str, np.ndarray]:
        """Cached vectors of the content ``keys`` (missing keys are absent)."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, np.ndarray] = {}
        with closing(self._connect()) as db:
            for start in range(0, len(keys), 900):  # SQLite's bound-parameter limit
                chunk = keys[start : start + 900]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, vec FROM emb WHERE key IN ({marks})"
                for key, blob in db.execute(query, chunk):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        self.put_keys([_text_key(t) for t in texts], vectors)

    def put_keys(self, keys: list[str], vectors: np.ndarray) -> None:
        rows = [(k, v.astype(np.float32).tobytes()) for k, v in zip(keys, vectors)]
        with closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", rows)


def embed_texts(
    backbone,
    texts: list[str],
    *,
    cache: bool = True,
    weight_hash: str | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Embed ``texts`` with ``backbone``, reading and filling the disk cache when ``cache``.

    Only texts missing from the cache are run through the encoder. ``weight_hash`` saves
    rehashing the backbone when the caller already knows it.
    """
    return _embed(
        backbone,
        texts,
        keys=[_text_key(t) for t in texts],
        tag=str(backbone.spec.max_length),
        take=lambda rows: [texts[i] for i in rows],
        cache=cache,
        weight_hash=weight_hash,
        progress=progress,
    )


def embed_inputs(
    backbone,
    inputs,
    *,
    cache: bool = True,
    weight_hash: str | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Embed any backbone's inputs (texts, an ``ImageSet``, audio clips) with the cache.

    The backbone names its inputs' content keys (``content_keys``) and what besides its
    weights changes the vectors (``cache_tag``); text backbones key exactly as
    :func:`embed_texts`.
    """
    if not hasattr(backbone, "content_keys"):
        return embed_texts(
            backbone, inputs, cache=cache, weight_hash=weight_hash, progress=progress
        )
    return _embed(
        backbone,
        inputs,
        keys=backbone.content_keys(inputs),
        tag=backbone.cache_tag,
        take=lambda rows: take_rows(inputs, rows),
        cache=cache,
        weight_hash=weight_hash,
        progress=progress,
    )


def _embed(backbone, inputs, *, keys, tag, take, cache, weight_hash, progress) -> np.ndarray:
    if not cache:
        return backbone.encode(inputs, progress=progress)
    key = weight_hash or backbone.weight_hash()
    try:
        store = EmbeddingCache(f"{key}-{tag}")
        found = store.get_keys(keys)
    except _UNUSABLE as exc:
        _unusable(exc)
        return backbone.encode(inputs, progress=progress)
    first_row: dict[str, int] = {}
    for row, k in enumerate(keys):
        if k not in found:
            first_row.setdefault(k, row)
    if first_row:
        missing = list(first_row)
        vectors = backbone.encode(take(list(first_row.values())), progress=progress)
        try:
            store.put_keys(missing, vectors)
        except _UNUSABLE as exc:
            _unusable(exc)
        found.update(zip(missing, vectors))
    return np.stack([found[k] for k in keys]).astype(np.float32)


def _unusable(exc: Exception) -> None:
    """Warn, once per cache folder and process, that the cache cannot be used.

    The cache only saves time, so an unwritable folder (read-only home or container) or a
    file left corrupt by a killed process must not stop a fit or a prediction.
    """
    where = str(cache_root() / "embeddings")
    if where in _WARNED:
        return
    _WARNED.add(where)
    if isinstance(exc, GraftError) and exc.__cause__ is not None:
        exc = exc.__cause__  # cache_dir's OSError, without its advice (repeated below)
    reason = getattr(exc, "strerror", None) or " ".join(str(exc).split()) or type(exc).__name__
    warnings.warn(
        f"graft's embedding cache {where} cannot be used ({reason}); embedding without it, "
        "which is slower. Set GRAFT_CACHE_DIR to a writable folder, or delete the corrupt "
        "file there.",
        RuntimeWarning,
        stacklevel=4,
    )
