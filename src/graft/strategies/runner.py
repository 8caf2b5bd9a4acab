"""Fit one named strategy on encoded targets; the fitted models the estimators wrap.

Each fitted model answers ``outputs(texts)``: class probabilities (columns = encoded
classes 0..K-1) for classification, values for regression.
"""

import functools
from dataclasses import dataclass, field

import numpy as np
import torch

from graft.config import apply_num_threads
from graft.strategies.embedding_cache import embed_texts
from graft.strategies.feature_extraction import choose_source_ratio, fit_head
from graft.strategies.fine_tune import TransferNet, fine_tune_texts, validation_split
from graft.strategies.heads import linear_head_weights, make_head, make_text_baseline
from graft.strategies.training import TrainConfig


@functools.lru_cache(maxsize=4)
def pretrained_backbone(name: str):
    """The pretrained backbone ``name``, loaded once per process and never modified.

    Fine-tuning works on a deep copy, so sharing this instance is safe.
    """
    from graft.backbones.registry import create_backbone

    backbone = create_backbone(name)
    for param in backbone.parameters():
        param.requires_grad_(False)
    return backbone.eval()


@functools.lru_cache(maxsize=4)
def pretrained_hash(name: str) -> str:
    return pretrained_backbone(name).weight_hash()


def _one_hot(index: np.ndarray, n: int) -> np.ndarray:
    return np.eye(n, dtype=np.float64)[index]


@dataclass
class BaselineModel:
    """TF-IDF + linear model on the target rows only: no transfer."""

    pipeline: object
    task: str
    n_outputs: int

    def outputs(self, texts: list[str]) -> np.ndarray:
        if self.task == "regression":
            return self.pipeline.predict(texts)
        return self.pipeline.predict_proba(texts)


@dataclass
class FeatureModel:
    """A scikit-learn head on frozen backbone embeddings."""

    backbone_name: str
    head: object
    task: str
    n_outputs: int
    source_ratio: float
    source_losses: dict = field(default_factory=dict)
    cache: bool = True

    def features(self, texts: list[str], progress: bool = False) -> np.ndarray:
        apply_num_threads()
        name = self.backbone_name
        return embed_texts(
            pretrained_backbone(name),
            texts,
            cache=self.cache,
            weight_hash=pretrained_hash(name),
            progress=progress,
        )

    def outputs(self, texts: list[str]) -> np.ndarray:
        # Heads answer in the dtype of their input: float64 features make every strategy
        # answer in float64 (float32 probabilities miss log_loss's sum-to-one tolerance).
        features = self.features(texts).astype(np.float64)
        if self.task == "regression":
            return self.head.predict(features)
        if hasattr(self.head, "predict_proba"):
            return self.head.predict_proba(features)
        return _one_hot(self.head.predict(features), self.n_outputs)


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

    def outputs(self, texts: list[str]) -> np.ndarray:
        apply_num_threads()
        raw = self.net.predict_outputs(texts)
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


def _fit_feature_head(texts, targets, *, task, source, settings, seed):
    """Embed, choose the source weight, and fit the head on frozen features."""
    default_head = "logistic" if task == "classification" else "ridge"
    head = make_head(settings["head"] or default_head, task)
    model = FeatureModel(settings["backbone"], None, task, 0, 0.0, cache=settings["cache"])
    features = model.features(texts, progress=settings["progress"])
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
    model.head = fit_head(head, features, targets, source_pair, ratio)
    model.source_ratio, model.source_losses = ratio, losses
    return model


def fit_strategy(strategy, texts, targets, *, task, n_outputs, source, settings, seed):
    """Fit ``strategy`` ("baseline", "feature_extraction", "fine_tune", "hybrid")."""
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))
    if strategy == "baseline":
        pipeline = make_text_baseline(task).fit(texts, targets)
        return BaselineModel(pipeline, task, n_outputs)
    if strategy == "feature_extraction":
        model = _fit_feature_head(
            texts, targets, task=task, source=source, settings=settings, seed=seed
        )
        model.n_outputs = n_outputs
        return model
    apply_num_threads()
    backbone = pretrained_backbone(settings["backbone"])
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
            len(texts), stratify, settings["validation_fraction"], seed
        )
        stage_one = _fit_feature_head(
            [texts[i] for i in train_rows],
            model_targets[train_rows],
            task=task,
            source=None if source is None else (source[0], _scaled(source[1], task, mean, scale)),
            settings={**settings, "head": "logistic" if task == "classification" else "ridge"},
            seed=seed,
        )
        init_head, ratio = linear_head_weights(stage_one.head, n_outputs), stage_one.source_ratio
    net, history = fine_tune_texts(
        backbone,
        texts,
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
