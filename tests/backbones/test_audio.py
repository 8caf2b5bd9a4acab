"""The audio backbone contract: resemblyzer's voice encoder on espeak-ng speech (slow)."""

import shutil
import subprocess

import numpy as np
import pytest

pytest.importorskip("resemblyzer")
soundfile = pytest.importorskip("soundfile")

from graft.backbones.registry import create_backbone, get_spec, list_backbones  # noqa: E402
from graft.data.audio import SAMPLE_RATE, read_audio_files  # noqa: E402


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    root = tmp_path_factory.mktemp("voice")
    paths = []
    for i, (voice, text) in enumerate(
        [("en+m3", "Good morning to you all."), ("en+f4", "See you later.")]
    ):
        paths.append(root / f"{i}.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(paths[-1]), text], check=True)
    return paths


def test_files_are_resampled_to_16_khz(speech):
    raw, rate = soundfile.read(speech[0])
    clips = read_audio_files(speech)

    assert rate != SAMPLE_RATE
    # Silence trimming may shorten a clip, never lengthen it.
    assert (
        0.3 * len(raw) * SAMPLE_RATE / rate
        < len(clips.clips[0])
        <= len(raw) * SAMPLE_RATE / rate + 1
    )


@pytest.mark.slow
def test_voice_encoder_contract(speech):
    assert [s.name for s in list_backbones("audio")] == ["resemblyzer-voice"]
    backbone = create_backbone("resemblyzer-voice")
    clips = read_audio_files(speech)

    vectors = backbone.encode(clips)

    assert backbone.spec == get_spec("resemblyzer-voice")
    assert backbone.spec.sample_rate == SAMPLE_RATE
    assert vectors.shape == (2, 256) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    np.testing.assert_array_equal(backbone.encode(clips), vectors)
    assert len(backbone.layer_groups()) == 2
    assert backbone.weight_hash() == create_backbone("resemblyzer-voice").weight_hash()
