"""Fit one named strategy on encoded targets; the fitted models the estimators wrap.

Inputs are whatever the backbone reads: a list of texts, an :class:`ImageSet`, or an
:class:`AudioSet`. Each fitted model answers ``outputs(inputs)``: class probabilities
(columns = encoded classes 0..K-1) for classification, values for regression.
"""

import copy
import functools
from dataclasses import dataclass, field

import numpy as np
import torch

from graft.config import apply_num_threads
from graft.data.rows import take_rows
from graft.exceptions import DataError
from graft.strategies.embedding_cache import embed_inputs
from graft.strategies.feature_extraction import (
    blend,
    choose_blend_weight,
    choose_source_ratio,
    fit_head,
    predict_outputs,
)
from graft.strategies.fine_tune import TransferNet, fine_tune_backbone, validation_split
from graft.strategies.heads import (
    baseline_matrix,
    fit_baseline,
    linear_head_weights,
    make_baseline,
    make_head,
)
from graft.strategies.training import TrainConfig

SCRATCH_CNN = "small-cnn"
"""Backbone of the ``baseline_cnn`` strategy: a small CNN trained from random weights."""


def pretrained_backbone(name: str, input_size: int | None = None):
    """The pretrained backbone ``name``, loaded once per process and never modified.

    Fine-tuning works on a deep copy, so sharing this instance is safe. ``input_size``
    (image backbones) gives a separate instance reading images at that size.
    """
    # Both arguments always positional: lru_cache would otherwise keep ``f(name)`` and
    # ``f(name, None)`` as two entries and load the weights twice.
    return _load_backbone(name, input_size)


@functools.lru_cache(maxsize=8)
def _load_backbone(name: str, input_size: int | None):
    from graft.backbones.registry import create_backbone

    backbone = create_backbone(name)
    for param in backbone.parameters():
        param.requires_grad_(False)
    if input_size is not None and hasattr(backbone, "image_size"):
        backbone.image_size = int(input_size)
    return backbone.eval()


@functools.lru_cache(maxsize=4)
def pretrained_hash(name: str) -> str:
    return pretrained_backbone(name).weight_hash()


def _one_hot(index: np.ndarray, n: int) -> np.ndarray:
    return np.eye(n, dtype=np.float64)[index]


@dataclass
class BaselineModel:
    """A from-scratch model on the target rows only, no transfer: TF-IDF + linear model
    for texts, pixels + linear model for images, spectrogram statistics + linear model
    for audio."""

    pipeline: object
    task: str
    n_outputs: int
    modality: str = "text"

    def outputs(self, inputs) -> np.ndarray:
        apply_num_threads()
        matrix = baseline_matrix(inputs, self.modality)
        if self.task == "regression":
            return self.pipeline.predict(matrix)
        return self.pipeline.predict_proba(matrix)


@dataclass
class FeatureModel:
    """A scikit-learn head on frozen backbone embeddings.

    Images may add two things (see ``TransferClassifier``'s ``tta`` and ``baseline_blend``):
    the head's outputs averaged over fixed views of each image (``tta``), and a blend with
    the from-scratch baseline's outputs (``baseline`` with weight ``baseline_weight``).
    """

    backbone_name: str
    head: object
    task: str
    n_outputs: int
    source_ratio: float
    source_losses: dict = field(default_factory=dict)
    cache: bool = True
    input_size: int | None = None
    tta: str = "none"
    baseline: object = None
    baseline_weight: float = 0.0
    blend_losses: dict = field(default_factory=dict)
    modality: str = "text"

    def features(self, inputs, progress: bool = False) -> np.ndarray:
        apply_num_threads()
        name = self.backbone_name
        return embed_inputs(
            pretrained_backbone(name, self.input_size),
            inputs,
            cache=self.cache,
            weight_hash=pretrained_hash(name),
            progress=progress,
        )

    def head_outputs(self, features: np.ndarray) -> np.ndarray:
        # Heads answer in the dtype of their input: float64 features make every strategy
        # answer in float64 (float32 probabilities miss log_loss's sum-to-one tolerance).
        features = features.astype(np.float64)
        if self.task == "regression":
            return self.head.predict(features)
        if hasattr(self.head, "predict_proba"):
            return self.head.predict_proba(features)
        return _one_hot(self.head.predict(features), self.n_outputs)

    def outputs(self, inputs) -> np.ndarray:
        views = [inputs]
        if self.tta != "none":
            from graft.data.images import tta_views

            views += tta_views(inputs, self.tta)
        out = np.mean([self.head_outputs(self.features(view)) for view in views], axis=0)
        if self.baseline is not None and self.baseline_weight > 0:
            matrix = baseline_matrix(inputs, self.modality)
            base = predict_outputs(self.baseline, matrix, self.task)
            out = blend(out, base, self.baseline_weight)
        return out


@dataclass
class NetModel:
    """A fine-tuned backbone with its output layer (``fine_tune`` and ``hybrid``)."""

    net: TransferNet
    backbone_name: str
    task: str
    n_outputs: int
    target_mean: float = 0.0
    target_scale: float = 1.0
    history: list = field(default_factory=list)
    source_ratio: float = 0.0

    def outputs(self, inputs) -> np.ndarray:
        apply_num_threads()
        raw = self.net.predict_outputs(inputs)
        if self.task == "regression":
            return raw[:, 0].astype(np.float64) * self.target_scale + self.target_mean
        return torch.softmax(torch.as_tensor(raw, dtype=torch.float64), dim=1).numpy()


def _train_config(settings: dict, n_groups: int, gradual: bool) -> TrainConfig:
    n_top = n_groups if settings["unfreeze_layers"] == "all" else settings["unfreeze_layers"]
    n_top = min(n_top, n_groups)
    # Gradual unfreezing (hybrid): one more group each epoch up to n_top. The head starts
    # from a fitted one, so it trains at the backbone's rate rather than a fresh head's.
    schedule = list(range(1, n_top + 1)) if gradual else [n_top]
    head_lr = settings["learning_rate"] * 10 if gradual else settings["head_learning_rate"]
    return TrainConfig(
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        learning_rate=settings["learning_rate"],
        head_learning_rate=head_lr,
        layer_lr_decay=settings["layer_lr_decay"],
        weight_decay=settings["weight_decay"],
        l2sp=settings["l2sp"],
        patience=settings["patience"],
        unfreeze_schedule=schedule or [0],
    )


def _fit_feature_head(inputs, targets, *, task, source, settings, seed):
    """Embed, choose the source weight and the baseline blend, and fit the head."""
    modality = settings.get("modality", "text")
    # "is None", not truthiness: an ensemble head (RandomForestClassifier) has len(), which
    # fails before it is fitted.
    given = settings["head"]
    head = make_head(default_head(task, modality) if given is None else given, task)
    model = FeatureModel(
        settings["backbone"],
        None,
        task,
        0,
        0.0,
        cache=settings["cache"],
        input_size=settings.get("image_size"),
        tta=resolve_tta(settings.get("tta"), modality, settings.get("augment", True)),
        modality=modality,
    )
    features = model.features(inputs, progress=settings["progress"])
    source_pair = None
    if source is not None:
        source_pair = (model.features(source[0], progress=settings["progress"]), source[1])
    ratio, losses = 0.0, {}
    if source_pair is not None:
        if settings["source_weight"] == "auto":
            ratio, losses = choose_source_ratio(
                head, features, targets, source_pair, task=task, seed=seed
            )
        else:
            ratio = float(settings["source_weight"])
    blocks = _view_blocks(model, inputs, features, settings)
    _fit_blend(model, head, blocks, inputs, targets, settings, seed, source_pair, ratio)
    model.head = fit_head(
        head, np.vstack(blocks), np.tile(targets, len(blocks)), source_pair, ratio
    )
    model.source_ratio, model.source_losses = ratio, losses
    return model


def default_head(task: str, modality: str) -> str:
    """The head a frozen-feature model gets when ``head`` is None.

    Images: logistic regression on L2-normalised features (``"normalized_logistic"``),
    chosen on Fashion-MNIST development holdouts from the training split (see
    benchmarks/RESULTS.md); text and audio: plain logistic regression. Regression: ridge.
    """
    if task != "classification":
        return "ridge"
    return "normalized_logistic" if modality == "image" else "logistic"


def resolve_tta(value, modality: str, augment=True) -> str:
    """The test-time augmentation a frozen-feature model uses (see ``TransferClassifier``'s
    ``tta``).

    None means :data:`DEFAULT_IMAGE_TTA` for images whose training augmentation mirrors
    them (``augment``), and ``"none"`` otherwise: a model told that mirrored images are not
    the same class (digits, text) must not average over mirrors either.
    """
    from graft.data.images import Augmentation, check_tta

    if value is None:
        if modality != "image":
            return "none"
        augmentation = Augmentation.resolve(augment)
        return DEFAULT_IMAGE_TTA if augmentation is not None and augmentation.flip else "none"
    tta = check_tta(value)
    if tta != "none" and modality != "image":
        raise DataError(
            f"tta={value!r} averages over flipped and shifted images, but X holds {modality}; "
            "leave tta at None for this input."
        )
    return tta


DEFAULT_IMAGE_TTA = "flip"
"""Images' default ``tta``: on Fashion-MNIST development holdouts (training split) the
mirror added 0.2 points at 10 and at 50 labels per class, for twice the embedding work;
``"flip_shift"`` added 0.4 for six times the work, which takes EfficientNet-Lite0 well
under 50 images/s (benchmarks/RESULTS.md)."""


def resolve_blend(value, modality: str, task: str = "classification"):
    """The baseline blend to use: None means :data:`DEFAULT_IMAGE_BLEND` for image
    classification and 0 otherwise (not studied); else ``"auto"`` or the number given."""
    if value is None:
        return DEFAULT_IMAGE_BLEND if modality == "image" and task == "classification" else 0.0
    return value


DEFAULT_IMAGE_BLEND = 0.3
"""Images' default weight of the pixels baseline in the blend, chosen on Fashion-MNIST
development holdouts from the training split: a first exploration over 0-0.6 found 0.3-0.4
best at 10 and 50 labels per class, and the table in benchmarks/RESULTS.md compares 0.3
with no blend and with ``"auto"``. A fixed weight rather than ``"auto"``: inner
cross-validation picked 0-0.1 on half the development draws, where 0.3 was better on the
holdout, because the pixels model gains more than the frozen-feature head from the rows
the inner folds hold out."""


def _fit_blend(model, head, blocks, inputs, targets, settings, seed, source_pair, ratio):
    """Choose the from-scratch baseline's weight in the blend and fit the baseline (if > 0).

    Classification needs a head with probabilities: blending votes would not be a blend.
    """
    setting = resolve_blend(settings.get("baseline_blend"), model.modality, model.task)
    if setting == 0 or (model.task == "classification" and not hasattr(head, "predict_proba")):
        return
    baseline = make_baseline(model.task, model.modality)
    matrix = baseline_matrix(inputs, model.modality)
    if setting == "auto":
        weight, model.blend_losses = choose_blend_weight(
            head,
            blocks,
            baseline,
            matrix,
            targets,
            task=model.task,
            seed=seed,
            source=source_pair,
            source_ratio=ratio,
        )
    else:
        weight = float(setting)
    if weight > 0:
        model.baseline, model.baseline_weight = fit_baseline(baseline, matrix, targets), weight


FEATURE_VIEWS = 4
"""Augmented views per training image added to a frozen-feature head's training rows."""


def _view_blocks(model, inputs, features, settings) -> list[np.ndarray]:
    """``features`` plus one block per augmented view of each image (images only).

    With a few labelled images per class, crops, flips and colour changes teach the head
    which feature differences do not matter; each view is embedded once and cached. The
    source weight is chosen before, on original images only, so no view of a held-out
    image leaks into the folds. Row ``i`` of every block is image ``i``.
    """
    from graft.data.images import Augmentation

    if settings.get("modality") != "image":
        return [features]
    augmentation = Augmentation.resolve(settings.get("augment", True))
    if augmentation is None:
        return [features]
    backbone = pretrained_backbone(model.backbone_name, model.input_size)
    blocks = [features]
    for index in range(FEATURE_VIEWS):
        view = backbone.views(augmentation, index)
        blocks.append(
            embed_inputs(
                view,
                inputs,
                cache=settings["cache"],
                weight_hash=pretrained_hash(model.backbone_name),
                progress=settings["progress"],
            )
        )
    return blocks


def _configured_copy(backbone, settings: dict, seed: int):
    """A trainable copy of an image backbone set to the run's input size, augmentation and
    BatchNorm policy (other backbones are returned as they are: fine-tuning copies them)."""
    if not hasattr(backbone, "configure"):
        return backbone
    from graft.data.images import Augmentation

    return copy.deepcopy(backbone).configure(
        image_size=settings.get("image_size"),
        augmentation=Augmentation.resolve(settings.get("augment", True)),
        freeze_bn=settings.get("freeze_batchnorm", True),
        seed=seed,
    )


def _scratch_settings(settings: dict) -> dict:
    # A network trained from random weights needs every layer trainable, a larger learning
    # rate and more epochs than one adapted from pretrained weights.
    return {
        **settings,
        "backbone": SCRATCH_CNN,
        "image_size": None,
        "unfreeze_layers": "all",
        "learning_rate": 3e-3,
        "head_learning_rate": 3e-3,
        "layer_lr_decay": 1.0,
        "epochs": max(settings["epochs"], 30),
        "batch_size": max(settings["batch_size"], 16),
        "patience": max(settings["patience"], 5),
        "l2sp": 0.0,
        "freeze_batchnorm": False,
    }


def fit_strategy(strategy, inputs, targets, *, task, n_outputs, source, settings, seed):
    """Fit ``strategy`` ("baseline", "baseline_cnn", "feature_extraction", "fine_tune",
    "hybrid") on ``inputs`` of ``settings["modality"]``."""
    apply_num_threads()
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))
    modality = settings.get("modality", "text")
    if strategy == "baseline":
        pipeline = fit_baseline(
            make_baseline(task, modality), baseline_matrix(inputs, modality), targets
        )
        return BaselineModel(pipeline, task, n_outputs, modality)
    if strategy == "feature_extraction":
        model = _fit_feature_head(
            inputs, targets, task=task, source=source, settings=settings, seed=seed
        )
        model.n_outputs = n_outputs
        return model
    if strategy == "baseline_cnn":
        if modality != "image":
            raise DataError(
                f"strategy='baseline_cnn' trains a CNN from scratch on images, but X holds "
                f"{modality}; use 'baseline' for {modality} input."
            )
        settings, strategy = _scratch_settings(settings), "fine_tune"
    if modality == "audio":
        raise DataError(
            f"strategy={strategy!r} is not available for audio: the voice encoder is used "
            "frozen; use 'feature_extraction', 'baseline' or 'auto'."
        )
    apply_num_threads()
    backbone = _configured_copy(pretrained_backbone(settings["backbone"]), settings, seed)
    mean, scale = 0.0, 1.0
    model_targets = targets
    if task == "regression":
        mean, scale = float(np.mean(targets)), float(np.std(targets) or 1.0)
        model_targets = (targets - mean) / scale
    init_head, ratio = None, 0.0
    if strategy == "hybrid":
        # Stage 1 fits the head on frozen features of the rows fine-tuning will train on,
        # so the internal validation rows stay unseen and early stopping stays honest.
        stratify = targets if task == "classification" else None
        train_rows, _ = validation_split(
            len(inputs), stratify, settings["validation_fraction"], seed
        )
        stage_one = _fit_feature_head(
            take_rows(inputs, train_rows),
            model_targets[train_rows],
            task=task,
            source=None if source is None else (source[0], _scaled(source[1], task, mean, scale)),
            # A linear head on raw features: its weights become the network's output layer.
            settings={
                **settings,
                "head": "logistic" if task == "classification" else "ridge",
                "baseline_blend": 0.0,
                "tta": None,
            },
            seed=seed,
        )
        init_head, ratio = linear_head_weights(stage_one.head, n_outputs), stage_one.source_ratio
    net, history = fine_tune_backbone(
        backbone,
        inputs,
        model_targets,
        task=task,
        n_outputs=n_outputs,
        config=_train_config(settings, len(backbone.layer_groups()), strategy == "hybrid"),
        dropout=settings["dropout"],
        validation_fraction=settings["validation_fraction"],
        seed=seed,
        init_head=init_head,
        progress=settings["progress"],
    )
    return NetModel(net, settings["backbone"], task, n_outputs, mean, scale, history, ratio)


def _scaled(values: np.ndarray, task: str, mean: float, scale: float) -> np.ndarray:
    return values if task == "classification" else (values - mean) / scale
