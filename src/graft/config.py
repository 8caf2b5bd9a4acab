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


def cache_root() -> Path:
    """Where graft's cache lives: ``$GRAFT_CACHE_DIR`` or ~/.cache/graft (not created)."""
    root = os.environ.get("GRAFT_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "graft"


def cache_dir() -> Path:
    """Root of graft's cache (embeddings, datasets), created if needed.

    Raises :class:`GraftError` naming ``GRAFT_CACHE_DIR`` when the folder cannot be made.
    """
    path = cache_root()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GraftError(
            f"graft's cache folder {path} cannot be created ({exc.strerror or exc}); set "
            "GRAFT_CACHE_DIR to a writable folder."
        ) from exc
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
    """Set torch's intra-op threads and the BLAS threads under NumPy / scikit-learn to ``n``
    (or the configured default).

    BLAS matters as much as torch: on the busy 2-core machine a logistic regression on
    100 images' pixels took 40-70 s with OpenBLAS's default 2 threads and 0.5 s with one.
    """
    import torch
    from threadpoolctl import threadpool_limits

    count = n or num_threads()
    torch.set_num_threads(count)
    threadpool_limits(count)


IMAGE_RUNTIMES = ("auto", "torch", "onnx")


def image_runtime() -> str:
    """How frozen image backbones run: ``$GRAFT_IMAGE_RUNTIME`` (auto, torch or onnx).

    ``auto`` uses ONNX Runtime for pretrained backbones when it is installed, else torch.
    """
    value = os.environ.get("GRAFT_IMAGE_RUNTIME", "auto").strip().lower() or "auto"
    if value not in IMAGE_RUNTIMES:
        raise GraftError(
            f"GRAFT_IMAGE_RUNTIME={value!r} is unknown; set it to auto, torch or onnx."
        )
    return value
