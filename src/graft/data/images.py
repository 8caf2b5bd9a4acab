"""Images as model input: reading (folder, paths, arrays), conversion, resizing, augmentation.

Everything here uses Pillow and NumPy only. Images are decoded once into an
:class:`ImageSet` of RGB ``uint8`` arrays; every later step (feature extraction, fine-tuning
epochs, cross-validation folds) reads from it instead of decoding files again.
"""

import hashlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graft.exceptions import DataError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
MAX_SIDE = 512
"""Decoded images whose shorter side is longer than this are downscaled on loading: every
backbone here reads at most 224-260 px, and the set stays small in memory."""


def _pil():
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - Pillow is a dependency of the extra
        raise DataError(
            "Image input needs Pillow, which is not installed; run `pip install graft[image]`."
        ) from exc
    return Image


@dataclass
class ImageSet:
    """Decoded RGB images (``uint8``, height x width x 3) and where each came from.

    Parameters
    ----------
    images : list of numpy.ndarray
        One ``(h, w, 3)`` ``uint8`` array per image (sizes may differ).
    names : list of str
        File path or ``"row i"`` per image, used in error messages.
    """

    images: list[np.ndarray]
    names: list[str]
    _keys: list[str] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.images)

    def subset(self, rows: Sequence[int]) -> "ImageSet":
        """The images at ``rows``, in that order."""
        keys = None if self._keys is None else [self._keys[i] for i in rows]
        return ImageSet([self.images[i] for i in rows], [self.names[i] for i in rows], keys)

    def content_keys(self) -> list[str]:
        """SHA-256 of each image's pixels and shape: the embedding cache's content key."""
        if self._keys is None:
            self._keys = [
                hashlib.sha256(str(a.shape).encode() + a.tobytes()).hexdigest() for a in self.images
            ]
        return self._keys

    def fingerprint(self) -> str:
        """One SHA-256 over every image, in order."""
        return hashlib.sha256("".join(self.content_keys()).encode()).hexdigest()


def _shrink(array: np.ndarray) -> np.ndarray:
    height, width = array.shape[:2]
    short = min(height, width)
    if short <= MAX_SIDE:
        return array
    scale = MAX_SIDE / short
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(_pil().fromarray(array).resize(size, _pil().Resampling.BILINEAR))


def _to_rgb(image) -> np.ndarray:
    """RGB uint8 array of a PIL image of any mode; transparency is laid on white."""
    Image = _pil()
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    elif image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # 16-bit / float greyscale: stretch the actual range onto 0..255.
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) / (high - low or 1.0) * 255.0
        image = Image.fromarray(scaled.round().astype(np.uint8))
    return _shrink(np.asarray(image.convert("RGB"), dtype=np.uint8))


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Decode one image file into an RGB ``uint8`` array.

    Raises :class:`DataError` naming the file when it is missing, unreadable or truncated.
    """
    Image = _pil()
    path = Path(path)
    if not path.is_file():
        raise DataError(f"Image {path} does not exist; check the path (or the path column).")
    try:
        with Image.open(path) as image:
            image.load()  # decodes fully, so a truncated file fails here rather than later
            return _to_rgb(image)
    except DataError:
        raise
    except Exception as exc:
        raise DataError(
            f"Image {path} is unreadable or truncated ({type(exc).__name__}); replace or "
            "remove the file."
        ) from exc


def read_images(paths: Sequence[str | os.PathLike]) -> ImageSet:
    """Decode every file in ``paths`` (see :func:`read_image`)."""
    if len(paths) == 0:
        raise DataError("No image paths were given; pass at least one image.")
    return ImageSet([read_image(p) for p in paths], [str(p) for p in paths])


def images_from_array(X, where: str = "X") -> ImageSet:
    """Images from a numeric array: ``(n, h, w)`` greyscale or ``(n, h, w, c)`` with c 1/3/4.

    Integer arrays are read as 0..255; float arrays as 0..1 when their maximum is at most 1,
    else as 0..255. Channels-first arrays ``(n, c, h, w)`` are accepted when c is 1, 3 or 4
    and the last axis is not.
    """
    array = np.asarray(X)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise DataError(f"{where} holds {array.dtype} values; image arrays must be numeric.")
    if array.ndim == 4 and array.shape[-1] not in (1, 3, 4) and array.shape[1] in (1, 3, 4):
        array = np.moveaxis(array, 1, -1)
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4 or array.shape[-1] not in (1, 3, 4):
        raise DataError(
            f"{where} has shape {np.shape(X)}; image arrays must be (n, height, width) or "
            "(n, height, width, channels) with 1, 3 or 4 channels."
        )
    if len(array) == 0:
        raise DataError(f"{where} holds no images; give at least one.")
    if not np.isfinite(array).all():
        raise DataError(f"{where} contains NaN or infinite pixel values; fix or drop them.")
    if np.issubdtype(array.dtype, np.floating) and array.max() <= 1.0:
        array = array * 255.0
    array = np.clip(np.rint(array), 0, 255).astype(np.uint8)
    if array.shape[-1] == 1:
        array = np.repeat(array, 3, axis=-1)
    elif array.shape[-1] == 4:
        # Alpha on a white background, as for files.
        alpha = array[..., 3:4].astype(np.float32) / 255.0
        array = (array[..., :3] * alpha + 255.0 * (1 - alpha)).round().astype(np.uint8)
    images = [_shrink(np.ascontiguousarray(a)) for a in array]
    return ImageSet(images, [f"row {i} of {where}" for i in range(len(images))])


def scan_folder(folder: str | os.PathLike) -> tuple[list[Path], np.ndarray]:
    """Image paths and labels of a folder with one subfolder per class."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder; pass a folder with one subfolder per class.")
    paths, labels = [], []
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    for class_dir in classes:
        for file in sorted(class_dir.rglob("*")):
            if file.is_file() and file.suffix.lower() in IMAGE_EXTENSIONS:
                paths.append(file)
                labels.append(class_dir.name)
    if not paths:
        raise DataError(
            f"{folder} holds no images in class subfolders (looked for "
            f"{', '.join(IMAGE_EXTENSIONS)} under {folder}/<class>/); put each class's "
            "images in its own subfolder."
        )
    return paths, np.asarray(labels, dtype=object)


def resolve_paths(values: Sequence, base: Path | None, where: str) -> list[Path]:
    """File paths from a path column; relative paths are taken relative to ``base``."""
    paths = []
    for row, value in enumerate(values):
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            raise DataError(
                f"Row {row} of {where} is {value!r}, not an image path; fill or drop it."
            )
        path = Path(value).expanduser()
        paths.append(path if path.is_absolute() or base is None else base / path)
    return paths


# ----------------------------------------------------------------------- to tensors


@dataclass(frozen=True)
class Augmentation:
    """Random changes applied to training images while fine-tuning (never at predict time).

    Parameters
    ----------
    crop_scale : (float, float)
        Range of the area fraction kept by the random resized crop.
    flip : bool
        Mirror left-right with probability 0.5.
    jitter : float
        Brightness, contrast and saturation each scaled by a factor in [1 - j, 1 + j].
    """

    crop_scale: tuple[float, float] = (0.7, 1.0)
    flip: bool = True
    jitter: float = 0.2

    @classmethod
    def resolve(cls, value) -> "Augmentation | None":
        """``True`` → defaults, ``False``/``None`` → off, a dict → those settings."""
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            try:
                aug = cls(**value)
            except TypeError as exc:
                raise DataError(
                    f"augment={value!r} has unknown keys; use crop_scale, flip and jitter."
                ) from exc
            low, high = aug.crop_scale
            if not (0 < low <= high <= 1) or not (0 <= aug.jitter < 1):
                raise DataError(
                    f"augment={value!r} is out of range; crop_scale needs 0 < low <= high <= 1 "
                    "and jitter must be in [0, 1)."
                )
            return aug
        raise DataError(f"augment={value!r} must be True, False, or a dict of settings.")


def _center_crop(image, size: int):
    Image = _pil()
    width, height = image.size
    scale = size / min(width, height)
    resized = image.resize(
        (max(size, round(width * scale)), max(size, round(height * scale))),
        Image.Resampling.BILINEAR,
    )
    left = (resized.width - size) // 2
    top = (resized.height - size) // 2
    return resized.crop((left, top, left + size, top + size))


def _random_crop(image, size: int, aug: Augmentation, rng: np.random.Generator):
    Image = _pil()
    width, height = image.size
    area = width * height
    for _ in range(10):
        target = area * rng.uniform(*aug.crop_scale)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        w = round(math.sqrt(target * ratio))
        h = round(math.sqrt(target / ratio))
        if 0 < w <= width and 0 < h <= height:
            left = int(rng.integers(0, width - w + 1))
            top = int(rng.integers(0, height - h + 1))
            box = (left, top, left + w, top + h)
            return image.resize((size, size), Image.Resampling.BILINEAR, box=box)
    return _center_crop(image, size)


def _jitter(image, amount: float, rng: np.random.Generator):
    from PIL import ImageEnhance

    for enhancer in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        image = enhancer(image).enhance(rng.uniform(1 - amount, 1 + amount))
    return image


def resize_batch(
    images: ImageSet,
    size: int,
    augmentation: Augmentation | None = None,
    rng: np.random.Generator | Sequence[np.random.Generator] | None = None,
) -> np.ndarray:
    """``(n, size, size, 3)`` uint8 pixels of ``images``, ready for a network.

    Without augmentation each image is resized (shorter side to ``size``) and centre-cropped,
    which keeps the whole of a square image. With it: random resized crop, flip, jitter,
    drawn from ``rng`` (one generator, or one per image for reproducible views).
    Normalisation happens inside the network (:meth:`ImageBackbone.forward`), where it is
    one vectorised step and needs no channel transpose.
    """
    Image = _pil()
    out = np.empty((len(images), size, size, 3), dtype=np.uint8)
    for i, array in enumerate(images.images):
        image = Image.fromarray(array)
        if augmentation is None:
            image = _center_crop(image, size)
        else:
            if rng is None:
                rng = np.random.default_rng()
            gen = rng[i] if isinstance(rng, Sequence) else rng
            image = _random_crop(image, size, augmentation, gen)
            if augmentation.flip and gen.random() < 0.5:
                image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            if augmentation.jitter > 0:
                image = _jitter(image, augmentation.jitter, gen)
        out[i] = np.asarray(image, dtype=np.uint8)
    return out


TEST_TIME_AUGMENTATIONS = ("none", "flip", "flip_shift")
"""``tta`` settings of the image estimators: which fixed views of each image are averaged."""

SHIFT_FRACTION = 1 / 14
"""Shift of the ``flip_shift`` views as a fraction of the image side (2 px on 28 px)."""


def check_tta(value) -> str:
    """The ``tta`` setting as one of :data:`TEST_TIME_AUGMENTATIONS` (None / False = "none")."""
    if value is None or value is False:
        return "none"
    if isinstance(value, str) and value in TEST_TIME_AUGMENTATIONS:
        return value
    raise DataError(
        f"tta={value!r} is unknown; use one of {', '.join(map(repr, TEST_TIME_AUGMENTATIONS))}."
    )


def _flipped(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array[:, ::-1])


def _shifted(array: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """``array`` moved by (dx, dy) pixels; the uncovered border repeats the edge pixels."""
    pad = max(abs(dx), abs(dy))
    padded = np.pad(array, ((pad, pad), (pad, pad), (0, 0)), mode="edge")
    height, width = array.shape[:2]
    top, left = pad - dy, pad - dx
    return np.ascontiguousarray(padded[top : top + height, left : left + width])


def tta_views(images: ImageSet, tta: str) -> list[ImageSet]:
    """The extra fixed views of ``images`` that ``tta`` averages over (the originals excluded).

    ``"flip"``: the left-right mirror. ``"flip_shift"``: the mirror and the image shifted
    left, right, up and down by :data:`SHIFT_FRACTION` of its side. The views are ordinary
    images, so the embedding cache keys them by their own pixels.
    """
    tta = check_tta(tta)
    if tta == "none":
        return []
    views = [[_flipped(a) for a in images.images]]
    if tta == "flip_shift":
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            views.append(
                [_shifted(a, dx * _step(a.shape[1]), dy * _step(a.shape[0])) for a in images.images]
            )
    return [ImageSet(view, list(images.names)) for view in views]


def _step(side: int) -> int:
    return max(1, round(side * SHIFT_FRACTION))


def pixel_matrix(images: ImageSet, size: int = 28) -> np.ndarray:
    """Flattened ``size`` x ``size`` RGB pixels in [0, 1]: the input of the pixels baseline."""
    Image = _pil()
    rows = np.empty((len(images), size * size * 3), dtype=np.float32)
    for i, array in enumerate(images.images):
        image = Image.fromarray(array).resize((size, size), Image.Resampling.BILINEAR)
        rows[i] = np.asarray(image, dtype=np.float32).reshape(-1) / 255.0
    return rows
