"""Bundles: save and load every strategy, the manifest, and every way a bundle can be bad."""

import hashlib
import json
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
import safetensors.torch
import skops.io

import graft
from graft import bundle
from graft.exceptions import BundleError
from graft.strategies.runner import pretrained_hash

STRATEGIES = ["baseline", "feature_extraction", "fine_tune", "hybrid"]
WEIGHTS = {
    "baseline": "baseline.skops",
    "feature_extraction": "head.skops",
    "fine_tune": "network.safetensors",
    "hybrid": "network.safetensors",
}


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    """``saved(strategy)``: a bundle of the shared classifier, written once per module.

    Tests that modify a bundle copy it first (see ``bundle_copy``).
    """
    root = tmp_path_factory.mktemp("bundles")
    paths = {}

    def get(strategy: str, task: str = "classification"):
        if (task, strategy) not in paths:
            paths[task, strategy] = graft.save(
                fitted(task, strategy), root / f"{task}-{strategy}.graft"
            )
        return paths[task, strategy]

    return get


@pytest.fixture
def bundle_copy(saved, tmp_path):
    """``bundle_copy(strategy)``: a private copy of a saved bundle, safe to modify."""

    def get(strategy: str):
        target = tmp_path / f"{strategy}.graft"
        shutil.copytree(saved(strategy), target)
        return target

    return get


def _edit_manifest(path, **changes):
    """Edit the manifest and re-seal its digest, as a crafted bundle would, so the checks
    behind the digest are tested too."""
    manifest = json.loads((path / "manifest.json").read_text())
    manifest.update(changes)
    bundle.write_manifest(path, manifest)


def _flip_a_byte(file):
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    file.write_bytes(bytes(data))


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_save_load_gives_identical_probabilities(fitted, saved, new_reviews, strategy):
    model = fitted("classification", strategy)

    loaded = graft.load(saved(strategy))

    np.testing.assert_array_equal(
        loaded.predict_proba(new_reviews), model.predict_proba(new_reviews)
    )
    assert loaded.predict(new_reviews).tolist() == model.predict(new_reviews).tolist()
    assert loaded.classes_.tolist() == model.classes_.tolist()
    assert loaded.strategy_ == strategy
    assert loaded.get_params() == model.get_params()


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_regressor_round_trip(fitted, saved, new_reviews, strategy):
    model = fitted("regression", strategy)

    loaded = graft.load(saved(strategy, task="regression"))

    np.testing.assert_array_equal(loaded.predict(new_reviews), model.predict(new_reviews))
    assert type(loaded).__name__ == "TransferRegressor"


def test_estimator_save_method(fitted, tmp_path, new_reviews):
    model = fitted("classification", "baseline")

    path = model.save(tmp_path / "model.graft")

    loaded = graft.load(str(path))
    assert loaded.predict(new_reviews).tolist() == model.predict(new_reviews).tolist()


def test_round_trip_keeps_the_text_column_and_lineage(reviews, tmp_path):
    import pandas as pd

    texts, labels = reviews
    source = (["the album was good", "the album was bad"], ["pos", "neg"])
    model = graft.TransferClassifier(
        backbone="tiny-bert", strategy="feature_extraction", text_column="review", random_state=0
    ).fit(pd.DataFrame({"review": texts, "n": range(len(texts))}), labels, source=source)

    loaded = graft.load(graft.save(model, tmp_path / "m.graft"))

    frame = pd.DataFrame({"review": texts[:4]})
    assert loaded.text_column_ == "review"
    np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))
    assert loaded.lineage_ == model.lineage_
    assert loaded.model_.source_ratio == model.model_.source_ratio


def test_int_classes_round_trip(reviews, tmp_path):
    texts, labels = reviews
    y = np.array([1 if label == "pos" else 0 for label in labels])
    model = graft.TransferClassifier(backbone="tiny-bert", strategy="baseline").fit(texts, y)

    loaded = graft.load(graft.save(model, tmp_path / "m.graft"))

    assert loaded.classes_.dtype == model.classes_.dtype
    assert loaded.predict(texts).tolist() == model.predict(texts).tolist()


@pytest.mark.parametrize("head", ["logistic_c", "linear_svc", "pipeline"])
def test_a_custom_scikit_learn_head_round_trips(reviews, new_reviews, tmp_path, head):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    head = {
        "logistic_c": LogisticRegression(C=0.5),
        "linear_svc": LinearSVC(),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()),
    }[head]
    model = graft.TransferClassifier(
        backbone="tiny-bert", strategy="feature_extraction", head=head, random_state=0
    ).fit(*reviews)

    path = graft.save(model, tmp_path / "m.graft")
    loaded = graft.load(path)

    # The manifest keeps the estimator's own parameters, never the head's (head__C, ...).
    manifest = json.loads((path / "manifest.json").read_text())
    assert not any("__" in key for key in manifest["params"])
    np.testing.assert_array_equal(loaded.predict(new_reviews), model.predict(new_reviews))
    assert repr(loaded.get_params()["head"]) == repr(head)


def test_a_head_a_bundle_cannot_load_is_refused_at_save(reviews, tmp_path):
    from sklearn.linear_model import LogisticRegression

    class OwnHead(LogisticRegression):
        """Not a scikit-learn class, so a bundle would refuse to load it."""

    model = graft.TransferClassifier(
        backbone="tiny-bert", strategy="feature_extraction", head=OwnHead(), random_state=0
    ).fit(*reviews)

    with pytest.raises(BundleError, match=r"Cannot save OwnHead.*scikit-learn head") as info:
        graft.save(model, tmp_path / "m.graft")
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_auto_round_trip_keeps_the_choice(reviews, tmp_path):
    model = graft.TransferClassifier(backbone="tiny-bert", epochs=1, random_state=0)
    model.fit(*reviews)

    loaded = graft.load(graft.save(model, tmp_path / "m.graft"))

    assert loaded.strategy_ == model.strategy_
    assert loaded.choice_reason_ == model.choice_reason_
    assert loaded.auto_scores_ == model.auto_scores_


# ------------------------------------------------------------------ manifest
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_manifest_describes_the_model(fitted, saved, strategy):
    model = fitted("classification", strategy)
    path = saved(strategy)

    manifest = json.loads((path / "manifest.json").read_text())

    assert manifest["format_version"] == bundle.FORMAT_VERSION
    assert manifest["graft_version"] == graft.__version__
    assert manifest["task"] == "classification"
    assert manifest["estimator"] == "TransferClassifier"
    assert manifest["classes"]["values"] == ["neg", "pos"]
    assert manifest["fitted"]["strategy_"] == strategy
    assert manifest["fitted"]["training_fingerprint_"] == model.training_fingerprint_
    assert manifest["fitted"]["n_training_rows_"] == model.n_training_rows_
    assert manifest["input_schema"]["kind"] == "text"
    assert manifest["params"]["strategy"] == strategy
    assert "lineage" in manifest and "metrics" in manifest
    if strategy == "baseline":
        assert manifest["backbone"] is None
    else:
        assert manifest["backbone"] == {
            "name": "tiny-bert",
            "weight_sha256": pretrained_hash("tiny-bert"),
        }


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_manifest_hashes_every_other_file(saved, strategy):
    path = saved(strategy)

    files = json.loads((path / "manifest.json").read_text())["files"]

    assert set(files) == {WEIGHTS[strategy]}
    assert {p.name for p in path.iterdir()} == {"manifest.json", "manifest.sha256", *files}
    for name, digest in files.items():
        assert hashlib.sha256((path / name).read_bytes()).hexdigest() == digest


def test_network_bundle_records_its_training_history(fitted, saved):
    manifest = json.loads((saved("fine_tune") / "manifest.json").read_text())

    history = manifest["model"]["history"]
    expected = fitted("classification", "fine_tune").model_.history
    assert manifest["model"]["kind"] == "NetModel"
    assert [epoch["index"] for epoch in history] == [epoch.index for epoch in expected]


def test_loaded_bundle_exposes_its_manifest(saved):
    loaded = graft.load(saved("feature_extraction"))

    assert loaded.manifest_["backbone"]["name"] == "tiny-bert"


# ------------------------------------------------------------------ tampering and corruption
@pytest.mark.parametrize("strategy", ["feature_extraction", "fine_tune", "baseline"])
def test_a_flipped_byte_is_refused(bundle_copy, strategy):
    path = bundle_copy(strategy)
    _flip_a_byte(path / WEIGHTS[strategy])

    with pytest.raises(BundleError, match="hash"):
        graft.load(path)


def test_a_missing_file_is_refused(bundle_copy):
    path = bundle_copy("feature_extraction")
    (path / "head.skops").unlink()

    with pytest.raises(BundleError, match=r"missing head\.skops"):
        graft.load(path)


@pytest.mark.parametrize("name", ["notes.txt", "evil.pkl"])
def test_an_extra_file_is_refused(bundle_copy, name):
    path = bundle_copy("feature_extraction")
    (path / name).write_text("extra")

    with pytest.raises(BundleError, match=name):
        graft.load(path)


@pytest.mark.parametrize("name", [".DS_Store", "._head.skops", ".hidden_folder"])
def test_hidden_files_the_loader_never_reads_are_ignored(bundle_copy, fitted, new_reviews, name):
    # Finder, editors and sync tools drop these into any folder; they are not tampering.
    path = bundle_copy("feature_extraction")
    if name == ".hidden_folder":
        (path / name).mkdir()
    else:
        (path / name).write_bytes(b"\x00Bud1")

    loaded = graft.load(path)

    expected = fitted("classification", "feature_extraction").predict(new_reviews)
    assert loaded.predict(new_reviews).tolist() == expected.tolist()


def test_a_manifest_naming_a_hidden_file_is_refused(bundle_copy):
    path = bundle_copy("feature_extraction")
    (path / ".head.skops").write_bytes((path / "head.skops").read_bytes())
    manifest = json.loads((path / "manifest.json").read_text())
    _edit_manifest(path, files={".head.skops": manifest["files"]["head.skops"]})

    with pytest.raises(BundleError):
        graft.load(path)


def test_save_and_load_expand_the_home_folder(fitted, new_reviews, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))

    graft.save(fitted("classification", "baseline"), "~/m.graft")
    loaded = graft.load("~/m.graft")

    assert (tmp_path / "m.graft" / "manifest.json").is_file()
    expected = fitted("classification", "baseline").predict(new_reviews)
    assert loaded.predict(new_reviews).tolist() == expected.tolist()


def test_an_extra_folder_is_refused(bundle_copy):
    path = bundle_copy("baseline")
    (path / "more").mkdir()

    with pytest.raises(BundleError, match="more"):
        graft.load(path)


def _reversed_classes(path):
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["classes"]["values"] = manifest["classes"]["values"][::-1]
    return manifest


@pytest.mark.parametrize(
    "edit",
    [
        _reversed_classes,
        lambda path: {**json.loads((path / "manifest.json").read_text()), "task": "regression"},
        lambda path: {
            **json.loads((path / "manifest.json").read_text()),
            "estimator": "TransferRegressor",
        },
    ],
)
def test_an_edited_manifest_is_refused(bundle_copy, edit):
    # Reversed classes used to load and flip every prediction.
    path = bundle_copy("baseline")
    (path / "manifest.json").write_text(json.dumps(edit(path), indent=2))

    with pytest.raises(BundleError, match=r"manifest.json does not match its digest") as info:
        graft.load(path)
    assert "\n" not in str(info.value)


def test_a_reformatted_manifest_still_loads(bundle_copy, new_reviews, fitted):
    path = bundle_copy("baseline")
    manifest = json.loads((path / "manifest.json").read_text())
    (path / "manifest.json").write_text(json.dumps(manifest, indent=4))

    loaded = graft.load(path)
    expected = fitted("classification", "baseline").predict(new_reviews)
    assert loaded.predict(new_reviews).tolist() == expected.tolist()


def test_a_bundle_saved_before_manifest_digests_still_loads(bundle_copy, new_reviews, fitted):
    path = bundle_copy("baseline")
    (path / "manifest.sha256").unlink()
    with pytest.raises(BundleError, match=r"lacks manifest\.sha256"):
        graft.load(path)  # a format-2 bundle needs its digest
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["format_version"] = 1  # as saved before digests existed
    (path / "manifest.json").write_text(json.dumps(manifest))

    loaded = graft.load(path)
    expected = fitted("classification", "baseline").predict(new_reviews)
    assert loaded.predict(new_reviews).tolist() == expected.tolist()


def test_an_edited_forecast_manifest_is_refused(hourly_panel, tmp_path):
    model = graft.TransferForecaster(strategy="baseline", baseline="seasonal_naive", horizon=6)
    path = graft.save(model.fit(hourly_panel(days=4)), tmp_path / "f.graft")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["params"]["horizon"] = 12
    (path / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(BundleError, match="does not match its digest"):
        graft.load(path)


def test_manifest_that_is_not_json(bundle_copy):
    path = bundle_copy("baseline")
    (path / "manifest.json").write_text("{not json")

    with pytest.raises(BundleError, match="not JSON"):
        graft.load(path)


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "null"])
def test_manifest_that_is_not_an_object(bundle_copy, content):
    path = bundle_copy("baseline")
    (path / "manifest.json").write_text(content)

    with pytest.raises(BundleError):
        graft.load(path)


@pytest.mark.parametrize("version", [3, 0, "1", None, True])
def test_wrong_format_version(bundle_copy, version):
    path = bundle_copy("baseline")
    _edit_manifest(path, format_version=version)

    with pytest.raises(BundleError, match="format"):
        graft.load(path)


@pytest.mark.parametrize("version", ["99.0.0", "", None])
def test_other_graft_major_version(bundle_copy, version):
    path = bundle_copy("baseline")
    _edit_manifest(path, graft_version=version)

    with pytest.raises(BundleError, match="graft"):
        graft.load(path)


def test_other_backbone_weights_are_refused(bundle_copy):
    path = bundle_copy("fine_tune")
    manifest = json.loads((path / "manifest.json").read_text())
    _edit_manifest(path, backbone={**manifest["backbone"], "weight_sha256": "0" * 64})

    with pytest.raises(BundleError, match="other weights"):
        graft.load(path)


def test_manifest_listing_no_files(bundle_copy):
    path = bundle_copy("baseline")
    _edit_manifest(path, files={})

    with pytest.raises(BundleError):
        graft.load(path)


def test_manifest_naming_a_file_outside_the_bundle(bundle_copy):
    path = bundle_copy("baseline")
    (path.parent / "outside.skops").write_text("x")
    manifest = json.loads((path / "manifest.json").read_text())
    _edit_manifest(path, files={**manifest["files"], "../outside.skops": "0" * 64})

    with pytest.raises(BundleError):
        graft.load(path)


def test_manifest_inconsistent_with_the_weights(bundle_copy):
    path = bundle_copy("fine_tune")
    manifest = json.loads((path / "manifest.json").read_text())
    _edit_manifest(path, model={**manifest["model"], "n_outputs": 5})

    with pytest.raises(BundleError, match="inconsistent"):
        graft.load(path)


@pytest.mark.parametrize("changes", [{"fitted": None}, {"fitted": {"strategy_": 1}, "metrics": []}])
def test_malformed_manifest_sections_are_refused(bundle_copy, changes):
    path = bundle_copy("baseline")
    _edit_manifest(path, **changes)

    with pytest.raises(BundleError, match="inconsistent"):
        graft.load(path)


def test_manifest_cannot_set_attributes_graft_does_not_save(bundle_copy):
    path = bundle_copy("baseline")
    manifest = json.loads((path / "manifest.json").read_text())
    _edit_manifest(path, fitted={**manifest["fitted"], "predict": "hijacked"})

    assert callable(graft.load(path).predict)


class Payload:
    """Not a scikit-learn, NumPy or SciPy type, so a bundle may not load it."""


def test_untrusted_types_are_refused(tmp_path, fitted):
    path = graft.save(fitted("classification", "baseline"), tmp_path / "m.graft")
    skops.io.dump({"payload": Payload()}, path / "baseline.skops")
    digest = hashlib.sha256((path / "baseline.skops").read_bytes()).hexdigest()
    _edit_manifest(path, files={"baseline.skops": digest})

    with pytest.raises(BundleError, match="trust"):
        graft.load(path)


def test_functions_of_trusted_libraries_are_refused(tmp_path, fitted):
    # A crafted file may name a NumPy function that runs a string as code: only classes
    # of the trusted libraries load, never their functions.
    from numpy.testing._private.utils import runstring
    from sklearn.preprocessing import FunctionTransformer

    path = graft.save(fitted("classification", "baseline"), tmp_path / "m.graft")
    skops.io.dump(FunctionTransformer(func=runstring), path / "baseline.skops")
    digest = hashlib.sha256((path / "baseline.skops").read_bytes()).hexdigest()
    _edit_manifest(path, files={"baseline.skops": digest})

    with pytest.raises(BundleError, match="runstring"):
        graft.load(path)


@pytest.mark.parametrize("what", ["missing", "file", "plain folder"])
def test_loading_something_that_is_not_a_bundle(tmp_path, what):
    path = tmp_path / "thing"
    if what == "file":
        path.write_text("hello")
    elif what == "plain folder":
        path.mkdir()

    with pytest.raises(BundleError):
        graft.load(path)


# ------------------------------------------------------------------ saving safely
def test_saving_over_a_folder_that_is_not_a_bundle_leaves_it_alone(fitted, tmp_path):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "thesis.txt").write_text("do not lose me")

    with pytest.raises(BundleError, match="not a graft bundle"):
        graft.save(fitted("classification", "baseline"), folder)

    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]
    assert (folder / "thesis.txt").read_text() == "do not lose me"
    assert [p.name for p in tmp_path.iterdir()] == ["precious"]


def test_saving_over_a_file_leaves_it_alone(fitted, tmp_path):
    file = tmp_path / "model.graft"
    file.write_text("a file")

    with pytest.raises(BundleError):
        graft.save(fitted("classification", "baseline"), file)

    assert file.read_text() == "a file"


def test_saving_into_a_missing_folder(fitted, tmp_path):
    with pytest.raises(BundleError, match="does not exist"):
        graft.save(fitted("classification", "baseline"), tmp_path / "no" / "m.graft")

    assert list(tmp_path.iterdir()) == []


def _raise(*args, **kwargs):
    raise OSError("disk full")


@pytest.mark.parametrize(
    ("strategy", "target", "name"),
    [
        ("fine_tune", safetensors.torch, "save_file"),
        ("feature_extraction", skops.io, "dump"),
        ("baseline", skops.io, "dump"),
        ("hybrid", json, "dumps"),
    ],
)
def test_a_failing_save_leaves_nothing_behind(
    fitted, tmp_path, monkeypatch, strategy, target, name
):
    model = fitted("classification", strategy)
    (tmp_path / "other.txt").write_text("keep")
    before = sorted(p.name for p in tmp_path.iterdir())

    with monkeypatch.context() as patch, pytest.raises(BundleError, match="disk full"):
        patch.setattr(target, name, _raise)
        graft.save(model, tmp_path / "m.graft")

    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_failing_resave_keeps_the_old_bundle(fitted, saved, tmp_path, monkeypatch, new_reviews):
    path = shutil.copytree(saved("fine_tune"), tmp_path / "m.graft")

    with monkeypatch.context() as patch, pytest.raises(BundleError, match="disk full"):
        patch.setattr(safetensors.torch, "save_file", _raise)
        graft.save(fitted("classification", "hybrid"), path)

    assert [p.name for p in tmp_path.iterdir()] == ["m.graft"]
    loaded = graft.load(path)
    expected = fitted("classification", "fine_tune").predict_proba(new_reviews)
    np.testing.assert_array_equal(loaded.predict_proba(new_reviews), expected)


def test_resaving_replaces_the_bundle(fitted, tmp_path, new_reviews):
    path = tmp_path / "m.graft"
    graft.save(fitted("classification", "fine_tune"), path)

    graft.save(fitted("classification", "baseline"), path)

    loaded = graft.load(path)
    expected = fitted("classification", "baseline").predict_proba(new_reviews)
    assert loaded.strategy_ == "baseline"
    np.testing.assert_array_equal(loaded.predict_proba(new_reviews), expected)
    assert sorted(p.name for p in path.iterdir()) == [
        "baseline.skops",
        "manifest.json",
        "manifest.sha256",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["m.graft"]


def _modes(path) -> dict:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in [path, *path.iterdir()]}


@pytest.mark.parametrize(("mask", "folder", "file"), [(0o022, 0o755, 0o644), (0o077, 0o700, 0o600)])
def test_saved_bundles_follow_the_umask(fitted, tmp_path, umask, mask, folder, file):
    umask(mask)
    path = graft.save(fitted("classification", "baseline"), tmp_path / "m.graft")

    assert _modes(path) == {
        "m.graft": folder,
        "baseline.skops": file,
        "manifest.json": file,
        "manifest.sha256": file,
    }


def test_saved_forecast_bundles_follow_the_umask(hourly_panel, tmp_path, umask):
    umask(0o022)
    model = graft.TransferForecaster(strategy="baseline", baseline="seasonal_naive", horizon=6).fit(
        hourly_panel(days=4)
    )

    path = graft.save(model, tmp_path / "f.graft")

    assert set(_modes(path).values()) == {0o755, 0o644}
    assert stat.S_IMODE(path.stat().st_mode) == 0o755


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux's /proc")
def test_saving_into_an_unwritable_folder(fitted):
    # /proc refuses new files even to root, unlike a chmod-ed folder.
    with pytest.raises(BundleError, match=r"Cannot write the bundle /proc/m\.graft"):
        graft.save(fitted("classification", "baseline"), "/proc/m.graft")


def test_a_manifest_that_is_a_folder_is_refused(bundle_copy):
    path = bundle_copy("baseline")
    (path / "manifest.json").unlink()
    (path / "manifest.json").mkdir()

    with pytest.raises(BundleError, match=r"manifest\.json cannot be read"):
        graft.load(path)
