"""The training loop shared by every fine-tuning strategy (fastai-style ``fine_tune``).

One loop, used by ``fine_tune`` and ``hybrid`` for any backbone modality: it trains a
network on mini-batches with per-group learning rates, optional L2-SP toward the starting
weights, early stopping on an internal validation split, and callbacks.
"""

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn


@dataclass
class Epoch:
    """What one epoch did; callbacks receive it and may set ``stop``."""

    index: int
    train_loss: float
    val_loss: float
    trainable_groups: int
    stop: bool = False


class Callback:
    """Hook into the loop; override what you need."""

    def on_epoch_end(self, epoch: Epoch) -> None:  # pragma: no cover - default no-op
        pass

    def on_train_end(self, history: list[Epoch]) -> None:  # pragma: no cover - default no-op
        pass


class ProgressBar(Callback):
    """A tqdm bar over epochs showing the losses."""

    def __init__(self, total: int, desc: str) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=desc, unit="epoch")

    def on_epoch_end(self, epoch: Epoch) -> None:
        self.bar.update(1)
        self.bar.set_postfix(train=f"{epoch.train_loss:.3f}", val=f"{epoch.val_loss:.3f}")

    def on_train_end(self, history: list[Epoch]) -> None:
        self.bar.close()


@dataclass
class TrainConfig:
    """Hyperparameters of one training run."""

    epochs: int = 10
    batch_size: int = 16
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    layer_lr_decay: float = 0.8
    weight_decay: float = 0.01
    l2sp: float = 0.0
    patience: int = 3
    unfreeze_schedule: Sequence[int] = field(default_factory=lambda: [2])
    """Number of top backbone groups trainable at each epoch; the last value repeats.
    ``[2]`` fine-tunes the top two groups from the start; ``[0, 1, 2]`` unfreezes one more
    group per epoch (gradual unfreezing)."""


def _set_trainable(groups: list[list[nn.Parameter]], n_top: int) -> None:
    for depth, group in enumerate(reversed(groups)):
        for param in group:
            param.requires_grad_(depth < n_top)


def _optimizer(
    groups: list[list[nn.Parameter]], head: nn.Module, config: TrainConfig
) -> torch.optim.Optimizer:
    # Discriminative learning rates: the top group trains at learning_rate, each group
    # below at layer_lr_decay times the one above. With L2-SP the pull toward the
    # pretrained weights replaces plain weight decay on the backbone.
    backbone_decay = 0.0 if config.l2sp > 0 else config.weight_decay
    param_groups = [
        {
            "params": list(head.parameters()),
            "lr": config.head_learning_rate,
            "weight_decay": config.weight_decay,
        }
    ]
    for depth, group in enumerate(reversed(groups)):
        lr = config.learning_rate * config.layer_lr_decay**depth
        param_groups.append({"params": group, "lr": lr, "weight_decay": backbone_decay})
    return torch.optim.AdamW(param_groups)


def train(
    *,
    network: nn.Module,
    head: nn.Module,
    groups: list[list[nn.Parameter]],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    forward: Callable[[Sequence[int]], torch.Tensor],
    targets: torch.Tensor,
    train_idx: np.ndarray,
    val_idx: np.ndarray,
    config: TrainConfig,
    seed: int,
    callbacks: Sequence[Callback] = (),
) -> list[Epoch]:
    """Train ``network`` and leave it at the epoch with the lowest validation loss.

    ``forward(rows)`` returns the network's outputs for those row indices (the caller owns
    tokenisation or image loading); ``targets[rows]`` are what ``loss_fn`` compares them
    with. ``groups`` are the backbone's layer groups, bottom to top; ``head`` is the new
    output layer, always trained. Epoch 0 in the history is the starting point, so a run
    that never beats it restores the starting weights.
    """
    generator = torch.Generator().manual_seed(seed)
    anchors = {id(p): p.detach().clone() for g in groups for p in g} if config.l2sp else {}
    optimizer = _optimizer(groups, head, config)

    def val_loss() -> float:
        if len(val_idx) == 0:
            return math.nan
        network.eval()
        with torch.no_grad():
            loss = loss_fn(forward(val_idx), targets[val_idx]).item()
        network.train()
        return loss

    best_loss, best_state, stale = val_loss(), copy.deepcopy(network.state_dict()), 0
    history = [Epoch(0, math.nan, best_loss, 0)]
    network.train()
    for index in range(1, config.epochs + 1):
        schedule = list(config.unfreeze_schedule) or [0]
        n_top = schedule[min(index - 1, len(schedule) - 1)]
        _set_trainable(groups, n_top)
        order = train_idx[torch.randperm(len(train_idx), generator=generator).numpy()]
        losses = []
        for start in range(0, len(order), config.batch_size):
            rows = order[start : start + config.batch_size]
            loss = loss_fn(forward(rows), targets[rows])
            if anchors:
                drift = sum(
                    ((p - anchors[id(p)]) ** 2).sum() for g in groups for p in g if p.requires_grad
                )
                loss = loss + 0.5 * config.l2sp * drift
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        epoch = Epoch(index, float(np.mean(losses)), val_loss(), n_top)
        if epoch.val_loss < best_loss - 1e-4 or math.isnan(best_loss):
            best_loss, best_state, stale = epoch.val_loss, copy.deepcopy(network.state_dict()), 0
        else:
            stale += 1
        history.append(epoch)
        for callback in callbacks:
            callback.on_epoch_end(epoch)
        if epoch.stop or (len(val_idx) and stale >= config.patience):
            break
    if len(val_idx):  # without a validation split there is nothing to select on
        network.load_state_dict(best_state)
    network.eval()
    for callback in callbacks:
        callback.on_train_end(history)
    return history
