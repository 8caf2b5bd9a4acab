"""Process-wide settings read from the environment: cache location and thread count."""

import os
from pathlib import Path

from graft.exceptions import GraftError

DEFAULT_NUM_THREADS = 1
"""torch intra-op threads used by graft unless ``GRAFT_NUM_THREADS`` says otherwise.

Measured on the 2-core reference machine (benchmarks/RESULTS.md, thread section): MiniLM
embedding is faster with one thread than with two there, because the second core is busy
with the tokenizer and the Python side of the loop.
"""


def cache_dir() -> Path:
    """Root of graft's cache (embeddings, datasets): ``$GRAFT_CACHE_DIR`` or ~/.cache/graft."""
    root = os.environ.get("GRAFT_CACHE_DIR")
    path = Path(root) if root else Path.home() / ".cache" / "graft"
    path.mkdir(parents=True, exist_ok=True)
    return path


def num_threads() -> int:
    """Number of torch threads to use, from ``$GRAFT_NUM_THREADS`` (default 1)."""
    raw = os.environ.get("GRAFT_NUM_THREADS", "")
    if not raw:
        return DEFAULT_NUM_THREADS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise GraftError(
            f"GRAFT_NUM_THREADS={raw!r} is not a positive integer; set it to e.g. 1 or 2."
        )
    return value


def apply_num_threads(n: int | None = None) -> None:
    """Set torch's intra-op thread count to ``n`` (or the configured default)."""
    import torch

    torch.set_num_threads(n or num_threads())
