"""The shared training loop: early stopping, gradual unfreezing, L2-SP, callbacks."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from graft.strategies.training import Callback, Epoch, TrainConfig, train


class Toy(nn.Module):
    """A three-group "backbone" of square linear layers and a linear head."""

    def __init__(self, width: int = 4, n_groups: int = 3) -> None:
        super().__init__()
        self.body = nn.ModuleList(nn.Linear(width, width) for _ in range(n_groups))
        self.head = nn.Linear(width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.body:
            x = torch.tanh(layer(x))
        return self.head(x)

    def groups(self) -> list[list[nn.Parameter]]:
        return [list(layer.parameters()) for layer in self.body]


class Recorder(Callback):
    """Keeps each epoch, the network's weights after it, and which groups could train."""

    def __init__(self, network: nn.Module, groups) -> None:
        self.network, self.groups = network, groups
        self.epochs: list[Epoch] = []
        self.states: list[dict] = []
        self.trainable: list[list[bool]] = []
        self.ended_with: list[Epoch] | None = None

    def on_epoch_end(self, epoch: Epoch) -> None:
        self.epochs.append(epoch)
        self.states.append(copy.deepcopy(self.network.state_dict()))
        self.trainable.append([all(p.requires_grad for p in g) for g in self.groups])

    def on_train_end(self, history: list[Epoch]) -> None:
        self.ended_with = history


def _run(network, x, y, train_idx, val_idx, *, groups=None, callbacks=(), **config):
    groups = network.groups() if groups is None else groups
    return train(
        network=network,
        head=network.head,
        groups=groups,
        loss_fn=nn.functional.mse_loss,
        forward=lambda rows: network(x[rows]),
        targets=y,
        train_idx=np.asarray(train_idx),
        val_idx=np.asarray(val_idx),
        config=TrainConfig(**config),
        seed=0,
        callbacks=callbacks,
    )


def _data(n: int = 40, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=generator)
    y = x[:, :1] * 2.0 - x[:, 1:2]
    return x, y


def _equal_states(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class Scale(nn.Module):
    """y = a * x with a single weight ``a`` starting at 0 (the head), and a frozen body."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Linear(1, 1, bias=False)
        self.head = nn.Linear(1, 1, bias=False)
        with torch.no_grad():
            self.body.weight.fill_(1.0)
            self.head.weight.fill_(0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    def groups(self) -> list[list[nn.Parameter]]:
        return [[self.body.weight]]


def test_early_stopping_restores_the_best_epoch():
    # Training pulls a from 0 toward 2; validation is best at a = 1, which training passes
    # on the way, so the best epoch is neither the start nor the end.
    x = torch.linspace(-1, 1, 20).reshape(-1, 1)
    y = torch.cat([2 * x[:10], 1 * x[10:]])
    net = Scale()
    recorder = Recorder(net, net.groups())

    history = _run(
        net,
        x,
        y,
        range(10),
        range(10, 20),
        callbacks=[recorder],
        epochs=30,
        batch_size=10,
        head_learning_rate=0.2,
        weight_decay=0.0,
        unfreeze_schedule=[0],
        patience=3,
    )

    val_losses = [e.val_loss for e in history]
    best = int(np.argmin(val_losses))
    assert 0 < best < len(history) - 1
    assert _equal_states(net.state_dict(), recorder.states[best - 1])
    # Stopped `patience` epochs after the best one instead of running all 30.
    assert len(history) - 1 == best + 3
    assert recorder.ended_with == history
    assert not net.training


def test_a_run_that_never_beats_the_start_restores_the_start():
    # Training pulls a from 0 toward 2, validation wants a = -2: every step makes it worse.
    x = torch.linspace(-1, 1, 20).reshape(-1, 1)
    y = torch.cat([2 * x[:10], -2 * x[10:]])
    net = Scale()
    start = copy.deepcopy(net.state_dict())

    history = _run(
        net,
        x,
        y,
        range(10),
        range(10, 20),
        epochs=10,
        batch_size=10,
        head_learning_rate=0.2,
        unfreeze_schedule=[0],
        patience=2,
    )

    assert history[0].index == 0 and history[0].trainable_groups == 0
    assert all(e.val_loss > history[0].val_loss for e in history[1:])
    assert len(history) == 3
    assert _equal_states(net.state_dict(), start)


def test_without_validation_rows_all_epochs_run_and_the_last_weights_stay():
    x, y = _data()
    net = Toy()
    recorder = Recorder(net, net.groups())

    history = _run(net, x, y, range(40), [], callbacks=[recorder], epochs=4, patience=1)

    assert len(history) == 5
    assert all(np.isnan(e.val_loss) for e in history)
    assert _equal_states(net.state_dict(), recorder.states[-1])


def test_a_callback_can_stop_training():
    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch: Epoch) -> None:
            epoch.stop = epoch.index >= 2

    x, y = _data()
    history = _run(Toy(), x, y, range(30), range(30, 40), callbacks=[StopAfterTwo()], epochs=10)

    assert [e.index for e in history] == [0, 1, 2]


def test_gradual_unfreezing_trains_only_the_top_groups():
    x, y = _data()
    net = Toy()
    bottom = copy.deepcopy(net.body[0].state_dict())
    middle = copy.deepcopy(net.body[1].state_dict())
    recorder = Recorder(net, net.groups())

    history = _run(
        net, x, y, range(40), [], callbacks=[recorder], epochs=3, unfreeze_schedule=[1, 2]
    )

    # Groups are bottom to top; the last schedule value repeats.
    assert recorder.trainable == [[False, False, True], [False, True, True], [False, True, True]]
    assert [e.trainable_groups for e in history[1:]] == [1, 2, 2]
    assert _equal_states(net.body[0].state_dict(), bottom)
    assert not _equal_states(net.body[1].state_dict(), middle)


def test_schedule_zero_trains_the_head_only():
    x, y = _data()
    net = Toy()
    body = copy.deepcopy(net.body.state_dict())
    head = copy.deepcopy(net.head.state_dict())

    _run(net, x, y, range(40), [], epochs=2, unfreeze_schedule=[0])

    assert _equal_states(net.body.state_dict(), body)
    assert not _equal_states(net.head.state_dict(), head)


def _drift(l2sp: float) -> float:
    x, y = _data()
    net = Toy()
    start = [p.detach().clone() for g in net.groups() for p in g]
    _run(
        net,
        x,
        y,
        range(40),
        [],
        epochs=20,
        batch_size=8,
        learning_rate=0.05,
        unfreeze_schedule=[3],
        weight_decay=0.0,
        l2sp=l2sp,
    )
    now = [p.detach() for g in net.groups() for p in g]
    return float(sum(((a - b) ** 2).sum() for a, b in zip(now, start)))


def test_l2sp_keeps_the_backbone_closer_to_its_starting_weights():
    free, anchored = _drift(0.0), _drift(10.0)

    assert free > 0
    assert anchored < 0.5 * free


def test_same_seed_same_result():
    x, y = _data()
    nets = [Toy(), None]
    nets[1] = copy.deepcopy(nets[0])

    for net in nets:
        _run(net, x, y, range(30), range(30, 40), epochs=3, learning_rate=0.01)

    assert _equal_states(nets[0].state_dict(), nets[1].state_dict())


@pytest.mark.parametrize("epochs", [1, 3])
def test_history_has_the_start_and_one_entry_per_epoch(epochs):
    x, y = _data()

    history = _run(Toy(), x, y, range(30), range(30, 40), epochs=epochs, patience=10)

    assert [e.index for e in history] == list(range(epochs + 1))
    assert all(np.isfinite(e.train_loss) for e in history[1:])
