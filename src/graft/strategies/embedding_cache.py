"""Disk cache of frozen-encoder embeddings, keyed by backbone weights and text content.

Embedding is the expensive, deterministic part of feature extraction; a second fit (or an
inner-validation fold, or a benchmark seed) on texts already seen reads them back instead.
Entries live in one SQLite file per backbone weight hash, so a changed backbone can never
return stale vectors.
"""

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np

from graft.config import cache_dir


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
        keys = list({_text_key(t) for t in texts})
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
        rows = [(_text_key(t), v.astype(np.float32).tobytes()) for t, v in zip(texts, vectors)]
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
    if not cache:
        return backbone.encode(texts, progress=progress)
    key = weight_hash or backbone.weight_hash()
    store = EmbeddingCache(f"{key}-{backbone.spec.max_length}")
    found = store.get(texts)
    missing = list(dict.fromkeys(t for t in texts if _text_key(t) not in found))
    if missing:
        vectors = backbone.encode(missing, progress=progress)
        store.put(missing, vectors)
        found.update({_text_key(t): v for t, v in zip(missing, vectors)})
    return np.stack([found[_text_key(t)] for t in texts]).astype(np.float32)
