"""The backbone registry: named pretrained models with a frozen spec each.

``list_backbones()`` names what is registered; ``create_backbone(name)`` builds one. Names
that are not registered are tried as a local folder and then as a Hugging Face id, so any
sentence-transformers / BERT-style encoder works when its files can be had.
"""

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from graft.exceptions import BackboneUnavailableError


@dataclass(frozen=True)
class BackboneSpec:
    """What a backbone is, where its weights come from, and how it takes input."""

    name: str
    modality: str
    output_dim: int
    licence: str
    weights_from: str
    description: str
    max_length: int = 128
    pretrained: bool = True
    input_size: int | None = None
    """Image side in pixels the backbone was trained at (image backbones)."""
    mean: tuple[float, ...] = ()
    """Per-channel mean subtracted from [0, 1] pixels (image backbones)."""
    std: tuple[float, ...] = ()
    """Per-channel standard deviation dividing [0, 1] pixels (image backbones)."""
    sample_rate: int | None = None
    """Audio sampling rate in Hz the backbone expects (audio backbones)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_REGISTRY: dict[str, tuple[BackboneSpec, Callable[[], Any]]] = {}


def register_backbone(spec: BackboneSpec, factory: Callable[[], Any]) -> None:
    """Add a backbone to the registry; ``factory()`` must return the built backbone."""
    _REGISTRY[spec.name] = (spec, factory)


def _ensure_builtins() -> None:
    # Importing the modality modules registers their backbones; done lazily so that
    # `import graft` does not import torch.
    import graft.backbones.audio
    import graft.backbones.image
    import graft.backbones.text  # noqa: F401


def weight_hash(name: str, module) -> str:
    """SHA-256 over a backbone's name and its parameters and buffers, in key order.

    Identifies the exact weights, so a bundle or an embedding cache entry can tell when
    the backbone under it has changed.
    """
    digest = hashlib.sha256(name.encode())
    for key, tensor in sorted(module.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def list_backbones(modality: str | None = None) -> list[BackboneSpec]:
    """Specs of every registered backbone, optionally only those of one modality.

    Examples
    --------
    >>> import graft
    >>> [s.name for s in graft.list_backbones("text")][:1]
    ['minilm-l6']
    """
    _ensure_builtins()
    specs = [spec for spec, _ in _REGISTRY.values()]
    return [s for s in specs if modality is None or s.modality == modality]


def get_spec(name: str) -> BackboneSpec | None:
    """The registered spec called ``name``, or None for hub ids and local folders."""
    _ensure_builtins()
    entry = _REGISTRY.get(name)
    return entry[0] if entry else None


def create_backbone(name: str):
    """Build the backbone called ``name``.

    ``name`` is a registered name (see :func:`list_backbones`), a local folder holding a
    Hugging Face / sentence-transformers model, or a Hugging Face hub id.

    Raises
    ------
    BackboneUnavailableError
        If the name is unknown or the weights cannot be found (offline and not cached).

    Examples
    --------
    >>> import graft
    >>> bb = graft.create_backbone("tiny-bert")
    >>> bb.encode(["good", "bad"]).shape
    (2, 32)
    """
    _ensure_builtins()
    if not isinstance(name, str) or not name.strip():
        raise BackboneUnavailableError(
            f"Backbone name {name!r} is empty; pass one of {sorted(_REGISTRY)} "
            "or a Hugging Face id / local model folder."
        )
    if name in _REGISTRY:
        return _REGISTRY[name][1]()
    from graft.backbones.text import load_text_backbone

    return load_text_backbone(name)
