"""Process-wide settings read from the environment: cache location and thread count."""

import os
from pathlib import Path

from graft.exceptions import GraftError

DEFAULT_NUM_THREADS = os.cpu_count() or 1
"""torch intra-op threads used by graft unless ``GRAFT_NUM_THREADS`` says otherwise.

Measured on the 2-core reference machine (benchmarks/RESULTS.md, thread section): when
graft is the only busy process, MiniLM embeds ~180 sentences/s with two threads and ~105
with one, so the default uses every core. Set ``GRAFT_NUM_THREADS=1`` when several graft
processes share the machine (the benchmark runs three, one thread each).
"""


def cache_dir() -> Path:
    """Root of graft's cache (embeddings, datasets): ``$GRAFT_CACHE_DIR`` or ~/.cache/graft."""
    root = os.environ.get("GRAFT_CACHE_DIR")
    path = Path(root) if root else Path.home() / ".cache" / "graft"
    path.mkdir(parents=True, exist_ok=True)
    return path


def num_threads() -> int:
    """Number of torch threads to use, from ``$GRAFT_NUM_THREADS`` (default: all cores)."""
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
