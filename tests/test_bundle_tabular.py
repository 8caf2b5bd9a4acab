"""Tabular bundles: every kind of member round-trips; nested source bundles are verified."""

import json
import shutil

import numpy as np
import pytest

import graft
from graft import bundle
from graft.exceptions import BundleError


@pytest.fixture(scope="module")
def source_model(make_domain):
    return graft.TransferClassifier(strategy="baseline", backbone=None, random_state=0).fit(
        *make_domain(200, seed=1)
    )


@pytest.mark.parametrize("strategy", ["auto", "fine_tune", "stacking", "warm_start", "pooled"])
def test_round_trip_with_source_rows(shifted_tables, tmp_path, strategy):
    Xs, ys, Xt, yt, X_test, _ = shifted_tables
    model = graft.TransferClassifier(strategy=strategy, backbone=None, random_state=0)
    model.fit(Xt, yt, source=(Xs, ys))

    loaded = graft.load(graft.save(model, tmp_path / "m.graft"))

    np.testing.assert_allclose(loaded.predict_proba(X_test), model.predict_proba(X_test))
    assert loaded.strategy_ == model.strategy_
    assert loaded.column_matching_.to_dict() == model.column_matching_.to_dict()
    manifest = json.loads((tmp_path / "m.graft" / "manifest.json").read_text())
    assert manifest["input_schema"]["feature_names"] == list(Xt.columns)
    assert not any(name.endswith((".pkl", ".pickle")) for name in manifest["files"])


def test_regressor_round_trip(make_domain, tmp_path):
    model = graft.TransferRegressor(strategy="fine_tune", backbone=None, random_state=0)
    model.fit(
        *make_domain(40, seed=2, task="regression"),
        source=make_domain(200, seed=1, task="regression"),
    )
    X_new, _ = make_domain(20, seed=3, task="regression")

    loaded = graft.load(graft.save(model, tmp_path / "r.graft"))

    np.testing.assert_allclose(loaded.predict(X_new), model.predict(X_new), rtol=1e-6)


@pytest.mark.parametrize("strategy", ["source_only", "stacking", "warm_start"])
def test_round_trip_with_a_source_model(source_model, make_domain, tmp_path, strategy):
    target = make_domain(40, shift=0.5, seed=2)
    X_new, _ = make_domain(30, shift=0.5, seed=3)
    source_path = graft.save(source_model, tmp_path / "source.graft")
    model = graft.TransferClassifier(strategy=strategy, backbone=None, random_state=0)
    model.fit(*target, source=str(source_path))

    path = graft.save(model, tmp_path / "m.graft")
    shutil.rmtree(source_path)  # the new bundle carries its own copy
    loaded = graft.load(path)

    np.testing.assert_allclose(loaded.predict_proba(X_new), model.predict_proba(X_new))
    assert (path / "source.graft" / "manifest.json").is_file()
    assert model.lineage_["source"]["kind"] == "model"


def test_tampered_source_bundle_is_refused(source_model, make_domain, tmp_path):
    model = graft.TransferClassifier(strategy="stacking", backbone=None, random_state=0)
    model.fit(*make_domain(40, seed=2), source=source_model)
    path = graft.save(model, tmp_path / "m.graft")
    inner = path / "source.graft" / "manifest.json"
    inner.write_text(inner.read_text().replace('"baseline"', '"baseline" '))

    with pytest.raises(BundleError, match="tampered"):
        graft.load(path)


def test_tampered_member_is_refused(shifted_tables, tmp_path):
    Xs, ys, Xt, yt, _, _ = shifted_tables
    model = graft.TransferClassifier(strategy="warm_start", backbone=None, random_state=0)
    path = graft.save(model.fit(Xt, yt, source=(Xs, ys)), tmp_path / "m.graft")
    with (path / "member_0.txt").open("a") as handle:
        handle.write("\n")

    with pytest.raises(BundleError, match="does not match the hash"):
        graft.load(path)


@pytest.mark.parametrize("name", ["../outside.txt", "/tmp/outside.txt", "sub/member_0.txt"])
def test_member_file_outside_the_bundle_is_refused(shifted_tables, tmp_path, name):
    Xs, ys, Xt, yt, _, _ = shifted_tables
    model = graft.TransferClassifier(strategy="warm_start", backbone=None, random_state=0)
    path = graft.save(model.fit(Xt, yt, source=(Xs, ys)), tmp_path / "m.graft")
    manifest_file = path / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["model"]["members"][0]["file"] = name
    # Re-sealed, as a crafted bundle would be, to reach the check behind the digest.
    bundle.write_manifest(path, manifest)

    with pytest.raises(BundleError, match="outside the bundle"):
        graft.load(path)


@pytest.mark.parametrize("source_kind", ["rows", "model"])
def test_warm_start_with_a_class_the_source_never_saw_round_trips(
    make_domain, tmp_path, source_kind
):
    X_source, _ = make_domain(200, seed=1)
    X, _ = make_domain(60, seed=2)
    y = np.where(X["usage"] > 0.8, "high", np.where(X["usage"] < -0.3, "low", "mid"))
    source = (X_source, np.where(X_source["usage"] > -0.3, "mid", "low"))
    if source_kind == "model":
        source = graft.TransferClassifier(strategy="baseline", backbone=None, random_state=0)
        source = source.fit(X_source, np.where(X_source["usage"] > -0.3, "mid", "low"))
    model = graft.TransferClassifier(strategy="warm_start", backbone=None, random_state=0)
    model.fit(X, y, source=source)

    loaded = graft.load(graft.save(model, tmp_path / "m.graft"))

    np.testing.assert_allclose(loaded.predict_proba(X_source), model.predict_proba(X_source))
    assert loaded.model_.members[0].info["missing_classes"] == [0]
    assert loaded.lineage_["source"]["classes_not_in_source"] == ["high"]
