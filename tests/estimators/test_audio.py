"""Audio end to end: speech clips synthesised by espeak-ng, the resemblyzer voice encoder.

Two synthetic "speakers" (a male and a female espeak-ng voice variant) say different
sentences; the model must tell the voices apart on sentences it has not heard. espeak-ng
writes 22,050 Hz WAV files, so resampling to 16 kHz is exercised too.
"""

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("resemblyzer")
pytest.importorskip("soundfile")

import graft
from graft import TransferClassifier
from graft.exceptions import DataError

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Please call Stella and ask her to bring these things.",
    "A rainbow is a division of white light into many beautiful colors.",
    "We will meet at the station at half past nine tomorrow.",
    "Transfer learning reuses what a model has already learned.",
    "The weather was cold and windy all through the weekend.",
    "She sells sea shells by the sea shore every summer.",
    "Numbers from one to ten are easy to remember.",
]
VOICES = {"low": "en+m3", "high": "en+f4"}


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    root = tmp_path_factory.mktemp("speech")
    rows = []
    for speaker, voice in VOICES.items():
        for i, sentence in enumerate(SENTENCES):
            path = root / f"{speaker}-{i}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), sentence], check=True)
            rows.append({"path": path.name, "speaker": speaker, "i": i})
    frame = pd.DataFrame(rows)
    frame["path"] = [str(root / p) for p in frame["path"]]
    return root, frame


@pytest.mark.slow
def test_voice_features_tell_the_speakers_apart_and_survive_a_bundle(clips, tmp_path):
    _, frame = clips
    train, test = frame[frame["i"] < 5], frame[frame["i"] >= 5]

    model = TransferClassifier(strategy="feature_extraction", audio_column="path", random_state=0)
    model.fit(train, train["speaker"])

    assert model.modality_ == "audio" and model.backbone_ == "resemblyzer-voice"
    assert model.score(test, test["speaker"]) == 1.0
    loaded = graft.load(model.save(tmp_path / "voice.graft"))
    assert loaded.manifest_["input_schema"] == {
        "kind": "audio",
        "audio_column": "path",
        "dtype": "mono float32 at 16 kHz (resampled)",
    }
    assert np.allclose(loaded.predict_proba(test), model.predict_proba(test))


@pytest.mark.slow
def test_auto_on_audio_scores_the_spectrogram_baseline(clips):
    _, frame = clips

    model = TransferClassifier(audio_column="path", random_state=0).fit(frame, frame["speaker"])

    assert set(model.auto_scores_) == {"baseline", "feature_extraction"}
    assert model.strategy_ in {"baseline", "feature_extraction"}


def test_fine_tuning_audio_is_refused_with_the_alternatives(clips):
    _, frame = clips
    model = TransferClassifier(strategy="fine_tune", audio_column="path")

    with pytest.raises(DataError, match="not available for audio"):
        model.fit(frame, frame["speaker"])


def test_unreadable_audio_file_is_named(tmp_path):
    bad = tmp_path / "noise.wav"
    bad.write_bytes(b"RIFF....WAVEfmt nonsense")
    frame = pd.DataFrame({"path": [str(bad), str(bad)], "y": [0, 1]})

    with pytest.raises(DataError, match=r"noise\.wav is unreadable"):
        TransferClassifier(audio_column="path").fit(frame, frame["y"])


def test_silent_clip_is_refused(tmp_path):
    import soundfile

    path = tmp_path / "silence.wav"
    soundfile.write(path, np.zeros(16000, dtype=np.float32), 16000)
    frame = pd.DataFrame({"path": [str(path)] * 2, "y": [0, 1]})

    with pytest.raises(DataError, match="silent"):
        TransferClassifier(audio_column="path").fit(frame, frame["y"])


def test_image_and_audio_columns_together_are_refused():
    frame = pd.DataFrame({"a": ["x"], "b": ["y"]})
    with pytest.raises(DataError, match="Both image_column and audio_column"):
        TransferClassifier(image_column="a", audio_column="b").fit(frame, [0])


@pytest.mark.slow
def test_cli_fits_and_predicts_an_audio_table(clips, tmp_path):
    from typer.testing import CliRunner

    from graft.cli.main import app

    root, frame = clips
    table = root / "clips.csv"
    frame.assign(path=[p.split("/")[-1] for p in frame["path"]]).to_csv(table, index=False)
    bundle, out = tmp_path / "a.graft", tmp_path / "pred.csv"
    runner = CliRunner()

    fitted = runner.invoke(
        app,
        [
            "fit",
            str(table),
            "--label",
            "speaker",
            "--audio-column",
            "path",
            "--strategy",
            "feature_extraction",
            "--out",
            str(bundle),
            "--no-progress",
        ],
    )
    predicted = runner.invoke(app, ["predict", str(bundle), str(table), "--out", str(out)])

    assert fitted.exit_code == 0, fitted.output
    assert predicted.exit_code == 0, predicted.output
    result = pd.read_csv(out)
    assert (result["prediction"] == result["speaker"]).all()


def test_cli_evaluates_an_audio_table_with_its_own_default_strategies(clips, tmp_path):
    import json

    from typer.testing import CliRunner

    from graft.cli.main import app

    root, frame = clips
    table = root / "clips.csv"
    frame.assign(path=[p.split("/")[-1] for p in frame["path"]]).to_csv(table, index=False)
    report = tmp_path / "report.json"

    result = CliRunner().invoke(
        app,
        ["evaluate", str(table), "--label", "speaker", "--audio-column", "path", "--splits",
         "2", "--json", str(report)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    saved = json.loads(report.read_text())
    assert [c["name"] for c in saved["candidates"]] == ["baseline", "feature_extraction", "auto"]
    assert "log-mel" in saved["baseline"]
