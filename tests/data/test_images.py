"""Reading and preparing images: files, arrays, folders, conversion, augmentation."""

import numpy as np
import pytest
from PIL import Image

from graft.data.images import (
    Augmentation,
    ImageSet,
    images_from_array,
    pixel_matrix,
    read_image,
    read_images,
    resize_batch,
    scan_folder,
)
from graft.exceptions import DataError


def _save(path, array, mode=None):
    Image.fromarray(array, mode=mode).save(path)
    return path


def test_greyscale_file_becomes_rgb(tmp_path):
    path = _save(tmp_path / "g.png", np.full((5, 7), 200, dtype=np.uint8))

    array = read_image(path)

    assert array.shape == (5, 7, 3) and array.dtype == np.uint8
    assert (array == 200).all()


def test_transparent_pixels_are_laid_on_white(tmp_path):
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[:2, :, 3] = 255  # top half opaque black, bottom half transparent
    path = _save(tmp_path / "a.png", rgba)

    array = read_image(path)

    assert (array[:2] == 0).all() and (array[2:] == 255).all()


def test_16_bit_greyscale_is_stretched_to_8_bit(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.array([[0, 1000], [2000, 4000]], dtype=np.uint16)).save(path)

    array = read_image(path)

    assert array[0, 0, 0] == 0 and array[1, 1, 0] == 255


def test_large_images_are_downscaled_on_loading(tmp_path):
    path = _save(tmp_path / "big.png", np.zeros((1200, 600, 3), dtype=np.uint8))

    assert read_image(path).shape == (1024, 512, 3)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match=r"nope\.png does not exist"):
        read_image(tmp_path / "nope.png")


def test_corrupt_file_is_named(tmp_path):
    path = tmp_path / "bad.jpg"
    path.write_bytes(b"this is not a jpeg")

    with pytest.raises(DataError, match=r"bad\.jpg is unreadable or truncated"):
        read_image(path)


def test_truncated_file_is_named(tmp_path):
    good = _save(
        tmp_path / "full.png",
        np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8),
    )
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[:400])

    with pytest.raises(DataError, match=r"cut\.png is unreadable or truncated"):
        read_image(cut)


def test_no_paths_is_an_error():
    with pytest.raises(DataError, match="No image paths"):
        read_images([])


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.full((2, 3, 3), 255, dtype=np.uint8), 255),
        (np.ones((2, 3, 3), dtype=np.float32), 255),  # floats in [0, 1]
        (np.full((2, 3, 3), 128.0), 128),  # floats in [0, 255]
        (np.full((2, 3, 3, 1), 7, dtype=np.int64), 7),
    ],
)
def test_arrays_become_rgb_uint8(array, expected):
    images = images_from_array(array)

    assert len(images) == 2
    assert images.images[0].shape == (3, 3, 3)
    assert (images.images[0] == expected).all()


def test_channels_first_arrays_are_transposed():
    images = images_from_array(np.full((2, 3, 5, 6), 9, dtype=np.uint8))

    assert images.images[0].shape == (5, 6, 3)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((2, 3)), "image arrays must be"),
        (np.zeros((2, 5, 5, 5)), "image arrays must be"),
        (np.array([[["a"]]]), "must be numeric"),
        (np.full((1, 2, 2), np.nan), "NaN"),
        (np.zeros((0, 4, 4)), "no images"),
    ],
)
def test_bad_arrays_are_refused(array, message):
    with pytest.raises(DataError, match=message):
        images_from_array(array)


def test_folder_scan_reads_one_subfolder_per_class(tmp_path):
    for name in ("cat", "dog"):
        (tmp_path / name).mkdir()
        _save(tmp_path / name / "1.png", np.zeros((4, 4), dtype=np.uint8))
    (tmp_path / "notes.txt").write_text("ignored")

    paths, labels = scan_folder(tmp_path)

    assert [p.name for p in paths] == ["1.png", "1.png"]
    assert labels.tolist() == ["cat", "dog"]


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "cat").mkdir()
    with pytest.raises(DataError, match="holds no images in class subfolders"):
        scan_folder(tmp_path)


def test_content_keys_follow_pixels_not_names():
    same = np.zeros((1, 4, 4), dtype=np.uint8)
    a, b = images_from_array(same), images_from_array(same.copy(), where="other")
    c = images_from_array(same + 1)

    assert a.content_keys() == b.content_keys() != c.content_keys()
    assert a.subset([0]).content_keys() == a.content_keys()


def test_resize_batch_shape_and_augmentation_reproducible():
    rng = np.random.default_rng(0)
    images = ImageSet([rng.integers(0, 255, (20, 30, 3), dtype=np.uint8)], ["x"])

    plain = resize_batch(images, 16)
    first = resize_batch(images, 16, Augmentation(), np.random.default_rng(1))
    again = resize_batch(images, 16, Augmentation(), np.random.default_rng(1))

    assert plain.shape == (1, 16, 16, 3) and plain.dtype == np.uint8
    assert (first == again).all()
    assert not (first == plain).all()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, Augmentation()),
        (False, None),
        (None, None),
        ({"flip": False}, Augmentation(flip=False)),
    ],
)
def test_augmentation_settings_resolve(value, expected):
    assert Augmentation.resolve(value) == expected


@pytest.mark.parametrize("value", [{"spin": 3}, {"crop_scale": (0.9, 0.1)}, "yes"])
def test_bad_augmentation_settings_are_refused(value):
    with pytest.raises(DataError, match="augment="):
        Augmentation.resolve(value)


def test_pixel_matrix_is_flat_and_scaled():
    images = images_from_array(np.full((3, 10, 10), 255, dtype=np.uint8))

    matrix = pixel_matrix(images, size=4)

    assert matrix.shape == (3, 48)
    assert np.allclose(matrix, 1.0)


# ------------------------------------------------------------ test-time augmentation


def test_tta_views_mirror_and_shift_each_image():
    from graft.data.images import ImageSet, tta_views

    image = np.zeros((28, 28, 3), dtype=np.uint8)
    image[10, 3] = 200  # one bright pixel left of centre
    images = ImageSet([image], ["row 0"])

    flip = tta_views(images, "flip")
    views = tta_views(images, "flip_shift")

    assert len(flip) == 1 and flip[0].images[0][10, 24, 0] == 200
    assert len(views) == 5 and all(v.images[0].shape == image.shape for v in views)
    bright = sorted(tuple(np.argwhere(v.images[0][..., 0] == 200)[0]) for v in views[1:])
    assert bright == [(8, 3), (10, 1), (10, 5), (12, 3)]  # 2 px (1/14 of 28) each way
    assert flip[0].content_keys() != images.content_keys()
    assert tta_views(images, "none") == []


@pytest.mark.parametrize("value", ["rotate", True, 3])
def test_unknown_tta_is_refused(value):
    from graft.data.images import check_tta

    with pytest.raises(DataError, match="tta="):
        check_tta(value)
