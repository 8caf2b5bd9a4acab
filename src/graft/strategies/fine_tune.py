"""Fine-tuning a backbone with a new output layer (used by ``fine_tune`` and ``hybrid``).

Works for any backbone that turns a batch of its inputs into tensors (``prepare``) and
those into pooled features (``forward``): texts are tokenised, images resized (and
augmented while training), audio turned into spectrogram frames.
"""

import copy
from collections.abc import Sequence

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

from graft.data.rows import take_rows
from graft.strategies.training import Callback, ProgressBar, TrainConfig, train


class TransferNet(nn.Module):
    """A backbone, dropout, and a linear output layer (the resettable head)."""

    def __init__(self, backbone: nn.Module, n_outputs: int, dropout: float) -> None:
        super().__init__()
        self.backbone = backbone
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(backbone.output_dim, n_outputs)

    def reset_head(self) -> None:
        self.head.reset_parameters()

    def forward_inputs(self, inputs) -> torch.Tensor:
        """Outputs for a batch of backbone inputs (a list of texts, an ImageSet, ...)."""
        features = self.backbone(**self.backbone.prepare(inputs))
        return self.head(self.dropout(features))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """Outputs for prepared tensor input (what an ONNX export of the network traces)."""
        return self.head(self.dropout(self.backbone(pixels)))

    @torch.inference_mode()
    def predict_outputs(self, inputs, batch_size: int = 64) -> np.ndarray:
        """Raw outputs (logits or standardised values) for ``inputs``, in inference mode.

        Image networks run through ONNX Runtime when the backbone offers it (exported once
        per weight state); everything else through torch.
        """
        self.eval()
        predictor = getattr(self.backbone, "predictor", None)
        run = predictor(self) if predictor is not None else None
        order = self.backbone.inference_order(inputs)
        out = np.empty((len(inputs), self.head.out_features), dtype=np.float32)
        for start in range(0, len(inputs), batch_size):
            idx = order[start : start + batch_size]
            batch = take_rows(inputs, idx)
            if run is not None:
                out[idx] = run(self.backbone.prepare(batch)["pixels"])
            else:
                out[idx] = self.forward_inputs(batch).float().numpy()
        return out


def validation_split(
    n_rows: int, labels: np.ndarray | None, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the train and internal-validation rows (stratified for classifiers).

    When a class has a single row, or the split would hold fewer rows than there are
    classes (or fraction is 0), all rows train and early stopping is off.
    """
    rows = np.arange(n_rows)
    n_val = round(fraction * n_rows)
    if labels is not None:
        _, counts = np.unique(labels, return_counts=True)
        if counts.min() < 2 or n_val < len(counts):
            return rows, rows[:0]
    elif n_val < 2:
        return rows, rows[:0]
    train_rows, val_rows = train_test_split(
        rows, test_size=n_val, random_state=seed, stratify=labels
    )
    return np.sort(train_rows), np.sort(val_rows)


def fine_tune_backbone(
    backbone: nn.Module,
    inputs,
    targets: np.ndarray,
    *,
    task: str,
    n_outputs: int,
    config: TrainConfig,
    dropout: float,
    validation_fraction: float,
    seed: int,
    init_head: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = False,
    callbacks: Sequence[Callback] = (),
) -> tuple[TransferNet, list]:
    """Fine-tune a copy of ``backbone`` on ``inputs``; returns the network and its history.

    ``targets`` are class indices (classification) or standardised values (regression).
    ``init_head`` (weight, bias) starts the output layer from a head fitted on frozen
    features, as the ``hybrid`` strategy does; otherwise it starts at random.
    """
    torch.manual_seed(seed)
    net = TransferNet(copy.deepcopy(backbone), n_outputs, dropout)
    if init_head is not None:
        weight, bias = init_head
        with torch.no_grad():
            net.head.weight.copy_(torch.as_tensor(weight, dtype=torch.float32))
            net.head.bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    if task == "classification":
        target_tensor = torch.as_tensor(targets, dtype=torch.long)
        loss_fn = nn.functional.cross_entropy
        stratify = targets
    else:
        target_tensor = torch.as_tensor(targets, dtype=torch.float32).reshape(-1, 1)
        loss_fn = nn.functional.mse_loss
        stratify = None
    train_rows, val_rows = validation_split(len(inputs), stratify, validation_fraction, seed)
    bars = [ProgressBar(config.epochs, "fine-tuning")] if progress else []
    history = train(
        network=net,
        head=net.head,
        groups=net.backbone.layer_groups(),
        loss_fn=loss_fn,
        forward=lambda rows: net.forward_inputs(take_rows(inputs, rows)),
        targets=target_tensor,
        train_idx=train_rows,
        val_idx=val_rows,
        config=config,
        seed=seed,
        callbacks=[*bars, *callbacks],
    )
    for param in net.parameters():
        param.requires_grad_(False)
    return net, history
