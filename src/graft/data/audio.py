"""Audio as model input: reading WAV/FLAC files, mono, resampling to 16 kHz, spectrograms.

Files are read with ``soundfile``; resampling, volume normalisation and the trimming of
long silences are resemblyzer's own preprocessing (the voice encoder was trained on audio
prepared that way). Clips are decoded once into an :class:`AudioSet`.
"""

import hashlib
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graft.exceptions import DataError

SAMPLE_RATE = 16000
MIN_SECONDS = 0.1


def _resemblyzer_audio():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # webrtcvad's pkg_resources deprecation notice
            from resemblyzer import audio
    except ImportError as exc:
        raise DataError(
            "Audio input needs resemblyzer and soundfile, which are not installed; run "
            "`pip install graft[audio]`."
        ) from exc
    return audio


@dataclass
class AudioSet:
    """Preprocessed mono clips at 16 kHz (float32) and the file each came from."""

    clips: list[np.ndarray]
    names: list[str]
    _keys: list[str] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.clips)

    def subset(self, rows: Sequence[int]) -> "AudioSet":
        keys = None if self._keys is None else [self._keys[i] for i in rows]
        return AudioSet([self.clips[i] for i in rows], [self.names[i] for i in rows], keys)

    def content_keys(self) -> list[str]:
        """SHA-256 of each preprocessed waveform: the embedding cache's content key."""
        if self._keys is None:
            self._keys = [hashlib.sha256(c.tobytes()).hexdigest() for c in self.clips]
        return self._keys

    def fingerprint(self) -> str:
        return hashlib.sha256("".join(self.content_keys()).encode()).hexdigest()


def prepare_waveform(wav: np.ndarray, sample_rate: int, name: str) -> np.ndarray:
    """Mono float32 at 16 kHz, volume-normalised, long silences shortened."""
    wav = np.asarray(wav, dtype=np.float32)
    if wav.ndim == 2:
        wav = wav.mean(axis=1)
    if wav.ndim != 1 or len(wav) < MIN_SECONDS * sample_rate:
        raise DataError(
            f"Audio {name} is shorter than {MIN_SECONDS} s or not a waveform; give clips of "
            "speech or sound at least that long."
        )
    if not np.isfinite(wav).all():
        raise DataError(f"Audio {name} contains NaN or infinite samples; re-export the file.")
    if not np.abs(wav).max() > 0:
        raise DataError(f"Audio {name} is silent (all samples are zero); check the recording.")
    processed = _resemblyzer_audio().preprocess_wav(wav, source_sr=sample_rate)
    if len(processed) < MIN_SECONDS * SAMPLE_RATE:
        raise DataError(
            f"Audio {name} is (almost) silent: nothing is left after trimming silence; "
            "check the recording."
        )
    return np.ascontiguousarray(processed, dtype=np.float32)


def read_audio_file(path: str | os.PathLike) -> np.ndarray:
    """Decode a WAV/FLAC/OGG file and prepare it (see :func:`prepare_waveform`)."""
    try:
        import soundfile
    except ImportError as exc:
        raise DataError(
            "Audio input needs soundfile, which is not installed; run `pip install graft[audio]`."
        ) from exc
    path = Path(path)
    if not path.is_file():
        raise DataError(f"Audio file {path} does not exist; check the path (or the path column).")
    try:
        wav, rate = soundfile.read(str(path), dtype="float32", always_2d=False)
    except Exception as exc:
        raise DataError(
            f"Audio file {path} is unreadable ({type(exc).__name__}); use WAV, FLAC or OGG."
        ) from exc
    return prepare_waveform(wav, rate, str(path))


def read_audio_files(paths: Sequence[str | os.PathLike]) -> AudioSet:
    """Decode and prepare every file in ``paths``."""
    return AudioSet([read_audio_file(p) for p in paths], [str(p) for p in paths])


def log_mel_statistics(clips: AudioSet) -> np.ndarray:
    """Mean and standard deviation of each of 40 log-mel bands: the audio baseline's input."""
    audio = _resemblyzer_audio()
    rows = []
    for clip in clips.clips:
        mel = np.log(audio.wav_to_mel_spectrogram(clip) + 1e-6)
        rows.append(np.concatenate([mel.mean(axis=0), mel.std(axis=0)]))
    return np.asarray(rows, dtype=np.float64)
