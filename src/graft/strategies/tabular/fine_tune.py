"""``fine_tune``: an MLP with categorical embeddings, pretrained on the source rows and
fine-tuned on the target rows with its lower layers frozen.

The network: one embedding table per categorical column (code 0 = missing or unseen),
concatenated with the numeric columns, then two hidden layers and an output layer. Its
layer groups, bottom to top, are the embeddings, hidden layer 1 and hidden layer 2, so
``unfreeze_layers=2`` fine-tunes both hidden layers and keeps the embeddings learned on
the source. Both stages run through graft's shared training loop
(:func:`graft.strategies.training.train`): discriminative learning rates, optional L2-SP
toward the pretrained weights, early stopping on an internal validation split.
"""

import copy

import numpy as np
import torch
from torch import nn

from graft.config import apply_num_threads
from graft.strategies.tabular.encoding import Encoded
from graft.strategies.tabular.model import Member
from graft.strategies.tabular.problem import Problem
from graft.strategies.training import TrainConfig, train

__all__ = ["TabularMLP", "fit_fine_tune", "pretrain"]

HIDDEN = (64, 32)
# Large batches: the source may hold thousands of rows, and pretraining runs once per fit.
PRETRAIN = {"epochs": 30, "batch_size": 256, "learning_rate": 3e-3, "patience": 4}
FINE_TUNE = {"epochs": 40, "batch_size": 16, "learning_rate": 1e-3}


class TabularMLP(nn.Module):
    """Embeddings for categorical codes + numeric inputs -> two hidden layers -> output."""

    def __init__(self, n_numeric: int, cardinalities, n_outputs: int, dropout: float = 0.1):
        super().__init__()
        self.config = {
            "n_numeric": int(n_numeric),
            "cardinalities": [int(c) for c in cardinalities],
            "n_outputs": int(n_outputs),
            "dropout": float(dropout),
            "target_mean": 0.0,
            "target_scale": 1.0,
        }
        self.embeddings = nn.ModuleList(
            nn.Embedding(c, min(8, (c + 1) // 2 + 1)) for c in self.config["cardinalities"]
        )
        width = n_numeric + sum(e.embedding_dim for e in self.embeddings)
        self.hidden1 = nn.Sequential(nn.Linear(width, HIDDEN[0]), nn.ReLU(), nn.Dropout(dropout))
        self.hidden2 = nn.Sequential(
            nn.Linear(HIDDEN[0], HIDDEN[1]), nn.ReLU(), nn.Dropout(dropout)
        )
        self.head = nn.Linear(HIDDEN[1], n_outputs)

    def layer_groups(self) -> list[list[nn.Parameter]]:
        groups = [list(self.embeddings.parameters()), list(self.hidden1.parameters())]
        return [*[g for g in groups if g], list(self.hidden2.parameters())]

    def forward(self, numeric: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        parts = [numeric] + [emb(codes[:, i]) for i, emb in enumerate(self.embeddings)]
        return self.head(self.hidden2(self.hidden1(torch.cat(parts, dim=1))))

    def outputs(self, encoded: Encoded, task: str) -> np.ndarray:
        apply_num_threads()
        self.eval()
        with torch.no_grad():
            raw = self(torch.as_tensor(encoded.numeric), torch.as_tensor(encoded.codes))
        raw = raw.double()
        if task == "regression":
            return raw[:, 0].numpy() * self.config["target_scale"] + self.config["target_mean"]
        return torch.softmax(raw, dim=1).numpy()


def _run(net, encoded: Encoded, y, train_idx, val_idx, task, config, seed):
    numeric, codes = torch.from_numpy(encoded.numeric), torch.from_numpy(encoded.codes)
    if task == "regression":
        targets = torch.as_tensor(
            (y - net.config["target_mean"]) / net.config["target_scale"], dtype=torch.float32
        )

        def loss_fn(out, t):
            return nn.functional.mse_loss(out[:, 0], t)
    else:
        targets = torch.as_tensor(np.array(y), dtype=torch.long)
        loss_fn = nn.functional.cross_entropy
    return train(
        network=net,
        head=net.head,
        groups=net.layer_groups(),
        loss_fn=loss_fn,
        forward=lambda rows: net(numeric[rows], codes[rows]),
        targets=targets,
        train_idx=np.asarray(train_idx),
        val_idx=np.asarray(val_idx),
        config=config,
        seed=seed,
    )


def _split(n: int, y, task: str, fraction: float, seed: int):
    from graft.strategies.fine_tune import validation_split

    return validation_split(n, y if task == "classification" else None, fraction, seed)


def pretrain(problem: Problem) -> TabularMLP:
    """The MLP trained on all source rows (cached on the problem: no target label used)."""
    if "mlp" in problem.cache:
        return problem.cache["mlp"]
    apply_num_threads()
    torch.manual_seed(problem.seed)
    net = TabularMLP(
        problem.source.numeric.shape[1],
        problem.encoder.cardinalities(),
        problem.n_outputs if problem.task == "classification" else 1,
        problem.settings.get("dropout", 0.1),
    )
    if problem.task == "regression":
        net.config["target_mean"] = float(np.mean(problem.y_source))
        net.config["target_scale"] = float(np.std(problem.y_source) or 1.0)
    train_idx, val_idx = _split(len(problem.y_source), problem.y_source, problem.task, 0.1, 0)
    config = TrainConfig(
        epochs=PRETRAIN["epochs"],
        batch_size=PRETRAIN["batch_size"],
        learning_rate=PRETRAIN["learning_rate"],
        head_learning_rate=PRETRAIN["learning_rate"],
        layer_lr_decay=1.0,
        weight_decay=problem.settings.get("weight_decay", 0.01),
        patience=PRETRAIN["patience"],
        unfreeze_schedule=[len(net.layer_groups())],
    )
    _run(net, problem.source, problem.y_source, train_idx, val_idx, problem.task, config, 0)
    problem.cache["mlp"] = net
    return net


def fit_fine_tune(problem: Problem, rows: np.ndarray) -> dict[str, Member]:
    settings = problem.settings
    net = copy.deepcopy(pretrain(problem))
    groups = len(net.layer_groups())
    unfreeze = settings.get("unfreeze_layers", 2)
    n_top = groups if unfreeze == "all" else min(int(unfreeze), groups)
    rows = np.asarray(rows)
    fraction = settings.get("validation_fraction", 0.2)
    local_train, local_val = _split(
        len(rows), problem.y[rows], problem.task, fraction, problem.seed
    )
    config = TrainConfig(
        epochs=FINE_TUNE["epochs"],
        batch_size=FINE_TUNE["batch_size"],
        learning_rate=FINE_TUNE["learning_rate"],
        head_learning_rate=FINE_TUNE["learning_rate"],
        layer_lr_decay=settings.get("layer_lr_decay", 0.8),
        weight_decay=settings.get("weight_decay", 0.01),
        l2sp=settings.get("l2sp", 0.0),
        patience=settings.get("patience", 3),
        unfreeze_schedule=[n_top],
    )
    for param in net.parameters():
        param.requires_grad_(True)
    _run(
        net,
        problem.target,
        problem.y,
        rows[local_train],
        rows[local_val],
        problem.task,
        config,
        problem.seed,
    )
    for param in net.parameters():
        param.requires_grad_(False)
    return {"fine_tune": Member("fine_tune", "mlp", net, "codes")}
