"""Fracast-0, the pretrained zero-shot forecaster of the ``fracast`` package: used as is
(``zero_shot``) or with its forecast head fine-tuned on the target history (``fine_tune``).

Fracast-0 is a causal dilated-convolution encoder (``core``, 25 k parameters, one block
shared across ten dilations, so it has no layer stack to unfreeze gradually) and a
quantile head (``head``, 59 k parameters) that maps the encoded context to 48 steps x 9
quantiles. Fine-tuning keeps the encoder frozen — the "lower layers" — and trains the
head with graft's shared training loop (discriminative learning rates, optional L2-SP
toward the pretrained head, early stopping on the last window of each series). Because
the encoder is frozen, its states are computed once per training window and reused in
every epoch, which makes fine-tuning cheap on a CPU.
"""

import copy
import functools
import hashlib
import importlib
import json
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch

from graft.config import apply_num_threads
from graft.data.timeseries import Series
from graft.exceptions import BackboneUnavailableError
from graft.strategies.forecasting.base import Context, Forecast, ForecastMethod, check_context
from graft.strategies.forecasting.metrics import QUANTILES
from graft.strategies.training import TrainConfig, train

MIN_CONTEXT = 8  # Fracast-0 refuses contexts with fewer finite values


def _package():
    try:
        return importlib.import_module("fracast")
    except ImportError as exc:
        raise BackboneUnavailableError(
            "The Fracast-0 forecaster ships in the 'fracast' package, which is not installed; "
            'install the forecast extra: pip install "graft[forecast]".'
        ) from exc


def weights_dir() -> Path:
    return Path(_package().__file__).resolve().parent / "weights"


@functools.cache
def pretrained_hash() -> str:
    """SHA-256 of the shipped fp32 weights, so a bundle can check it gets the same model."""
    return hashlib.sha256((weights_dir() / "model.safetensors").read_bytes()).hexdigest()


@functools.cache
def _pretrained():
    model = _package().FracastModel.from_pretrained(weights="fp32")
    for param in [*model.core.parameters(), *model.head.parameters()]:
        param.requires_grad_(False)
    return model


def config() -> dict:
    return json.loads((weights_dir() / "config.json").read_text())


def model_with_head(head: torch.nn.Module | None):
    """A FracastModel with the pretrained encoder and ``head`` (pretrained when None)."""
    base = _pretrained()
    if head is None:
        return base
    return type(base)(base.core, head, config())


def fresh_head() -> torch.nn.Module:
    """A trainable copy of the pretrained head."""
    head = copy.deepcopy(_pretrained().head)
    for param in head.parameters():
        param.requires_grad_(True)
    return head


def _normalise(contexts: list[np.ndarray], width: int):
    """Fracast's own input normalisation: min-max scaling of the last ``width`` values,
    left-padded with masked zeros (as in ``FracastModel._predict_rows``)."""
    values = np.zeros((len(contexts), width), dtype=np.float32)
    valid = np.zeros((len(contexts), width), dtype=bool)
    loc = np.zeros(len(contexts))
    span = np.ones(len(contexts))
    for row, context in enumerate(contexts):
        tail = np.asarray(context[-width:], dtype=np.float64)
        loc[row] = tail.min()
        span[row] = max(tail.max() - loc[row], 1e-5)
        values[row, width - len(tail) :] = (tail - loc[row]) / span[row]
        valid[row, width - len(tail) :] = True
    return torch.from_numpy(values[:, None, :]), torch.from_numpy(valid[:, None, :]), loc, span


_STATES: "OrderedDict[bytes, torch.Tensor]" = OrderedDict()
_STATES_MAX = 256  # x 512 KB: the encoder states of 256 windows


def _encode(core, values: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Frozen-encoder states of normalised windows, with an in-process LRU cache.

    The encoder never changes, so a window seen before (the same normalised context, as
    when a backtest refits at the next origin) reuses its states instead of running the
    2048-step encoder again.
    """
    keys = [
        hashlib.sha1(values[i].numpy().tobytes() + valid[i].numpy().tobytes()).digest()
        for i in range(len(values))
    ]
    found: dict[int, torch.Tensor] = {}
    for i, key in enumerate(keys):
        if key in _STATES:
            _STATES.move_to_end(key)
            found[i] = _STATES[key]
    missing = [i for i in range(len(keys)) if i not in found]
    with torch.no_grad():
        for start in range(0, len(missing), 16):
            rows = missing[start : start + 16]
            states = core(values[rows], valid[rows], valid[rows].float())
            for row, state in zip(rows, states):
                found[row] = _STATES[keys[row]] = state
                if len(_STATES) > _STATES_MAX:
                    _STATES.popitem(last=False)
    return torch.stack([found[i] for i in range(len(keys))])


def _predict(model, values: np.ndarray, horizon: int) -> Forecast:
    quantiles = model.forecast(np.asarray(values, dtype=np.float32), horizon=horizon)
    quantiles = np.asarray(quantiles, dtype=float)
    return Forecast(quantiles[:, list(QUANTILES).index(0.5)], quantiles)


class FracastZeroShot(ForecastMethod):
    """Fracast-0 with its pretrained weights; nothing is learned from the target."""

    name = "fracast_zero_shot"

    def min_length(self) -> int:
        return MIN_CONTEXT

    def forecast(self, context: Context) -> Forecast:
        check_context(self, context)
        apply_num_threads()
        return _predict(model_with_head(None), context.series.values, len(context.future_index))


class FracastFineTuned(ForecastMethod):
    """Fracast-0 with its head fine-tuned on windows of the target histories."""

    name = "fracast_fine_tuned"

    def __init__(
        self,
        seasons,
        horizon,
        *,
        epochs: int = 6,
        learning_rate: float = 3e-4,
        head_learning_rate: float = 1e-3,
        layer_lr_decay: float = 0.8,
        weight_decay: float = 0.0,
        l2sp: float = 0.0,
        patience: int = 3,
        max_windows: int = 64,
        batch_size: int = 16,
        seed: int = 0,
    ):
        super().__init__(seasons, horizon)
        self.settings = dict(
            epochs=epochs,
            learning_rate=learning_rate,
            head_learning_rate=head_learning_rate,
            layer_lr_decay=layer_lr_decay,
            weight_decay=weight_decay,
            l2sp=l2sp,
            patience=patience,
        )
        self.max_windows = max_windows
        self.batch_size = batch_size
        self.seed = seed
        self.head = None
        self.history: list = []

    def min_length(self) -> int:
        return MIN_CONTEXT

    def _windows(self, histories: list[Series]):
        """Training and validation cut-offs: the last full window of each series validates,
        earlier windows whose targets end before it train."""
        native = _pretrained().horizon
        steps = min(self.horizon, native)
        first = max(MIN_CONTEXT, min(2 * self.season, 64))
        train_cuts, val_cuts = [], []
        for i, s in enumerate(histories):
            n = len(s.values)
            if n - steps < first:
                continue
            val_cuts.append((i, n - steps))
            last_train = n - 2 * steps
            if last_train >= first:
                train_cuts += [(i, t) for t in range(last_train, first - 1, -1)]
        if len(train_cuts) > self.max_windows:
            # Evenly spaced over time, newest included: recent behaviour matters most.
            keep = np.linspace(0, len(train_cuts) - 1, self.max_windows).round().astype(int)
            by_series = sorted(train_cuts, key=lambda c: (-c[1], c[0]))
            train_cuts = [by_series[k] for k in np.unique(keep)]
        return train_cuts, val_cuts, steps

    def fit(self, histories: list[Series], freq: str) -> "FracastFineTuned":
        apply_num_threads()
        base = _pretrained()
        train_cuts, val_cuts, steps = self._windows(histories)
        self.head = fresh_head()
        if not train_cuts:  # too short to learn anything: keep the pretrained head
            self.history = []
            self.head.eval()
            return self
        cuts = train_cuts + val_cuts
        contexts = [histories[i].values[:t] for i, t in cuts]
        targets = np.stack([histories[i].values[t : t + steps] for i, t in cuts])
        values, valid, loc, span = _normalise(contexts, base.context_length)
        scaled = torch.tensor((targets - loc[:, None]) / span[:, None], dtype=torch.float32)
        states = _encode(base.core, values, valid)
        head = self.head
        levels = torch.tensor(QUANTILES, dtype=torch.float32)

        def forward(rows):
            rows = torch.as_tensor(rows)
            out = head.forward_horizon(
                states[rows],
                last_obs=values[rows, 0, -1:],
                ctx=values[rows, 0],
                ctx_mask=valid[rows, 0],
            )
            return out[:, :steps]

        def pinball(pred, target):
            diff = target.unsqueeze(-1) - pred
            return torch.maximum(levels * diff, (levels - 1) * diff).mean()

        # The head's output layer is the always-trained "head" of the loop; the rest of
        # the forecast head is the one unfrozen group; the encoder stays frozen.
        out_layer = head.out_proj
        body = [p for n, p in head.named_parameters() if not n.startswith("out_proj.")]
        config = TrainConfig(batch_size=self.batch_size, unfreeze_schedule=[1], **self.settings)
        self.history = train(
            network=head,
            head=out_layer,
            groups=[body],
            loss_fn=pinball,
            forward=forward,
            targets=scaled,
            train_idx=np.arange(len(train_cuts)),
            val_idx=np.arange(len(train_cuts), len(cuts)),
            config=config,
            seed=self.seed,
        )
        for param in head.parameters():
            param.requires_grad_(False)
        return self

    def forecast(self, context: Context) -> Forecast:
        check_context(self, context)
        apply_num_threads()
        model = model_with_head(self.head)
        return _predict(model, context.series.values, len(context.future_index))

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().contiguous() for k, v in self.head.state_dict().items()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.head = fresh_head()
        self.head.load_state_dict(state, strict=True)
        for param in self.head.parameters():
            param.requires_grad_(False)
        self.head.eval()
