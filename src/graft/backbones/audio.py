"""Audio backbone: resemblyzer's GE2E voice encoder (256-d utterance embeddings).

Registered as ``resemblyzer-voice``: a 3-layer LSTM over 40-band mel frames trained for
speaker verification, weights shipped in the PyPI package ``resemblyzer``. An utterance is
cut into 1.6 s partial windows whose embeddings are averaged (resemblyzer's own method).
It is used frozen (feature extraction).
"""

import warnings

import numpy as np
import torch
from torch import nn

from graft.backbones.registry import BackboneSpec, register_backbone, weight_hash
from graft.data.audio import SAMPLE_RATE, AudioSet
from graft.exceptions import BackboneUnavailableError

VOICE_SPEC = BackboneSpec(
    name="resemblyzer-voice",
    modality="audio",
    output_dim=256,
    licence="Apache-2.0",
    weights_from="PyPI package resemblyzer (GE2E speaker encoder)",
    description="3-layer LSTM voice encoder, 40 mel bands, 1.6 s windows averaged; 16 kHz",
    sample_rate=SAMPLE_RATE,
)


class AudioBackbone(nn.Module):
    """The voice encoder, returning one L2-normalised 256-d vector per clip."""

    def __init__(self, spec: BackboneSpec, encoder: nn.Module) -> None:
        super().__init__()
        self.spec = spec
        self.encoder = encoder

    @property
    def output_dim(self) -> int:
        return self.spec.output_dim

    @property
    def cache_tag(self) -> str:
        return "audio"

    def content_keys(self, clips: AudioSet) -> list[str]:
        return clips.content_keys()

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """The LSTM (bottom) and the projection (top)."""
        return [list(self.encoder.lstm.parameters()), list(self.encoder.linear.parameters())]

    @torch.inference_mode()
    def encode(self, clips: AudioSet, batch_size: int = 0, progress: bool = False) -> np.ndarray:
        """Utterance embeddings of ``clips``: ``(n, 256)`` float32."""
        from tqdm.auto import tqdm

        self.eval()
        out = np.empty((len(clips), self.output_dim), dtype=np.float32)
        bar = tqdm(clips.clips, desc="embedding (voice)", unit="clip", disable=not progress)
        for i, clip in enumerate(bar):
            out[i] = self.encoder.embed_utterance(clip)
        return out

    def weight_hash(self) -> str:
        return weight_hash(self.spec.name, self.encoder)


def _create_voice() -> AudioBackbone:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from resemblyzer import VoiceEncoder
    except ImportError as exc:
        raise BackboneUnavailableError(
            "Backbone 'resemblyzer-voice' needs resemblyzer; run `pip install graft[audio]`."
        ) from exc
    return AudioBackbone(VOICE_SPEC, VoiceEncoder(device="cpu", verbose=False).eval())


register_backbone(VOICE_SPEC, _create_voice)
