"""Image input through the public estimators: arrays, folders, path tables, every strategy."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.base import clone

import graft
from graft import TransferClassifier, TransferRegressor
from graft.exceptions import DataError, SchemaError

FAST = {"backbone": "tiny-cnn", "epochs": 2, "batch_size": 8, "random_state": 0}


def _shapes(n_per_class: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Greyscale 20x20 images: class "bar" has a bright vertical bar, "box" a bright square."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 60, size=(2 * n_per_class, 20, 20), dtype=np.uint8)
    labels = np.array(["bar", "box"] * n_per_class)
    for i, label in enumerate(labels):
        if label == "bar":
            images[i, :, 8:12] = 250
        else:
            images[i, 6:14, 6:14] = 250
    return images, labels


@pytest.fixture(scope="module")
def shapes():
    return _shapes(12)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, shapes):
    root = tmp_path_factory.mktemp("shapes")
    images, labels = shapes
    for i, (image, label) in enumerate(zip(images, labels)):
        (root / label).mkdir(exist_ok=True)
        Image.fromarray(image).save(root / label / f"{i}.png")
    return root


@pytest.mark.parametrize(
    "strategy", ["baseline", "baseline_cnn", "feature_extraction", "fine_tune", "hybrid"]
)
def test_every_strategy_fits_and_predicts_arrays(shapes, strategy):
    images, labels = shapes

    model = TransferClassifier(strategy=strategy, **FAST).fit(images, labels)
    proba = model.predict_proba(images[:5])

    assert model.strategy_ == strategy and model.modality_ == "image"
    assert proba.shape == (5, 2) and np.allclose(proba.sum(axis=1), 1)
    assert set(model.predict(images)) <= {"bar", "box"}


def test_easy_shapes_are_learned_by_the_pixels_baseline(shapes):
    images, labels = shapes
    test_images, test_labels = _shapes(5, seed=1)

    model = TransferClassifier(strategy="baseline", **FAST).fit(images, labels)

    assert model.score(test_images, test_labels) == 1.0


def test_auto_scores_both_from_scratch_baselines_and_explains(shapes):
    from graft.estimators.auto import BASELINES, _beats_baseline

    images, labels = shapes

    model = TransferClassifier(strategy="auto", **FAST).fit(images, labels)

    scores = model.auto_scores_
    assert {"baseline", "baseline_cnn", "feature_extraction"} <= set(scores)
    assert all("mean" in scores[b] for b in BASELINES)
    if model.strategy_ not in BASELINES:
        # A transfer strategy is returned only when it beat both from-scratch models.
        assert all(_beats_baseline(scores[model.strategy_], scores[b]) for b in BASELINES)
    assert "inner validation" in model.choice_reason_


def test_class_folder_gives_the_labels(folder, shapes):
    model = TransferClassifier(strategy="feature_extraction", **FAST).fit(str(folder))

    assert list(model.classes_) == ["bar", "box"]
    assert model.n_training_rows_ == len(shapes[0])
    # At predict time a folder is read flat: every image under it, in sorted order.
    assert len(model.predict(folder)) == len(shapes[0])


def test_path_table_matches_array_input(folder, shapes):
    files = sorted(folder.rglob("*.png"))
    frame = pd.DataFrame({"file": [str(f) for f in files], "y": [f.parent.name for f in files]})

    model = TransferClassifier(strategy="feature_extraction", image_column="file", **FAST)
    model.fit(frame, frame["y"])

    assert model.image_column_ == "file"
    assert model.score(frame, frame["y"]) > 0.5


def test_regressor_on_images(shapes):
    images, _ = shapes
    values = images.mean(axis=(1, 2)) / 255

    model = TransferRegressor(strategy="feature_extraction", **FAST).fit(images, values)

    assert model.predict(images).shape == (len(images),)


def test_fine_tune_with_frozen_batchnorm_keeps_running_statistics(shapes):
    images, labels = shapes
    frozen = TransferClassifier(strategy="fine_tune", freeze_batchnorm=True, **FAST)
    frozen.fit(images, labels)
    start = graft.create_backbone("tiny-cnn").state_dict()
    tuned = frozen.model_.net.backbone.state_dict()

    stats = [k for k in start if k.endswith("running_mean")]
    assert stats and all(np.allclose(start[k], tuned[k]) for k in stats)

    free = TransferClassifier(strategy="fine_tune", freeze_batchnorm=False, **FAST)
    free.fit(images, labels)
    moved = free.model_.net.backbone.state_dict()
    assert any(not np.allclose(start[k], moved[k]) for k in stats)


def test_augmentation_is_off_at_predict_time(shapes):
    images, labels = shapes
    model = TransferClassifier(strategy="fine_tune", augment={"jitter": 0.5}, **FAST)
    model.fit(images, labels)

    assert np.array_equal(model.predict_proba(images), model.predict_proba(images))


def test_clone_keeps_image_parameters():
    model = TransferClassifier(image_column="path", image_size=64, augment=False)

    params = clone(model).get_params()

    assert params["image_column"] == "path" and params["image_size"] == 64
    assert params["augment"] is False


@pytest.mark.parametrize("strategy", ["baseline", "baseline_cnn", "feature_extraction", "hybrid"])
def test_save_and_load_give_the_same_predictions(shapes, tmp_path, strategy):
    images, labels = shapes
    model = TransferClassifier(strategy=strategy, **FAST).fit(images, labels)

    loaded = graft.load(model.save(tmp_path / "m.graft"))

    assert loaded.manifest_["input_schema"]["kind"] == "image"
    assert np.allclose(loaded.predict_proba(images), model.predict_proba(images))


# ------------------------------------------------------------------------- bad input


def test_single_class_is_refused(shapes):
    images, _ = shapes
    with pytest.raises(DataError, match="single class"):
        TransferClassifier(**FAST).fit(images, ["bar"] * len(images))


def test_text_backbone_on_images_is_refused(shapes):
    with pytest.raises(DataError, match="reads text, but X holds image"):
        TransferClassifier(backbone="tiny-bert").fit(*shapes)


def test_labels_with_a_class_folder_are_refused(folder):
    with pytest.raises(DataError, match="leave y out"):
        TransferClassifier(**FAST).fit(str(folder), ["bar"])


def test_text_input_to_an_image_model_is_refused(shapes):
    model = TransferClassifier(strategy="baseline", **FAST).fit(*shapes)

    with pytest.raises(DataError, match="trained on image but X holds text"):
        model.predict(["a sentence"])


def test_missing_path_column_is_named(shapes):
    frame = pd.DataFrame({"a": ["x.png", "y.png"], "y": [0, 1]})
    with pytest.raises(SchemaError, match="Image column 'path' is not in X"):
        TransferClassifier(image_column="path", **FAST).fit(frame, frame["y"])


def test_missing_file_in_path_column_is_named(tmp_path):
    frame = pd.DataFrame({"path": [str(tmp_path / "gone.png")] * 2, "y": [0, 1]})
    with pytest.raises(DataError, match=r"gone\.png does not exist"):
        TransferClassifier(image_column="path", **FAST).fit(frame, frame["y"])


def test_baseline_cnn_needs_images():
    with pytest.raises(DataError, match="baseline_cnn"):
        TransferClassifier(strategy="baseline_cnn", backbone="tiny-bert").fit(
            ["good", "bad", "fine", "poor"], [1, 0, 1, 0]
        )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"image_size": 4}, "image_size"),
        ({"augment": "lots"}, "augment="),
        ({"tta": "rotate"}, "tta='rotate' is unknown"),
        ({"tta": True}, "tta=True is unknown"),
        ({"baseline_blend": 1.5}, "baseline_blend=1.5 must be"),
        ({"baseline_blend": "yes"}, "baseline_blend='yes' must be"),
        ({"head": "cosine"}, "head='cosine' is not usable"),
    ],
)
def test_bad_image_parameters_are_refused(shapes, params, message):
    with pytest.raises(DataError, match=message):
        TransferClassifier(**params, **FAST).fit(*shapes)


def test_compare_scores_image_strategies_against_the_pixels_baseline(shapes):
    images, labels = shapes

    report = graft.compare(["feature_extraction"], images, labels, n_splits=2, backbone="tiny-cnn")

    assert [c.name for c in report.candidates] == ["baseline", "feature_extraction"]
    assert "pixels" in report.baseline
    assert all(0.0 <= s <= 1.0 for c in report.candidates for s in c.scores)


def test_compare_takes_a_class_folder_and_its_labels(folder):
    report = graft.compare(["feature_extraction"], str(folder), None, n_splits=2,
                           backbone="tiny-cnn")  # fmt: skip

    assert report.n_rows == 24

    with pytest.raises(DataError, match="subfolder names are the labels"):
        graft.compare(["feature_extraction"], str(folder), ["bar"] * 24, backbone="tiny-cnn")


# --------------------------------------- frozen-feature options: TTA, baseline blend, head


def test_feature_extraction_defaults_for_images(shapes):
    model = TransferClassifier(strategy="feature_extraction", **FAST).fit(*shapes)

    fitted = model.model_
    assert fitted.tta == "flip"
    assert fitted.head.named_steps["normalize"] is not None  # the normalized_logistic head
    assert fitted.baseline_weight == 0.3 and fitted.baseline is not None


def test_auto_blend_weight_is_chosen_by_inner_folds(shapes, tmp_path):
    from graft.strategies.feature_extraction import BLEND_WEIGHTS

    model = TransferClassifier(strategy="feature_extraction", baseline_blend="auto", **FAST)
    fitted = model.fit(*shapes).model_

    assert fitted.baseline_weight in BLEND_WEIGHTS
    assert set(fitted.blend_losses) == set(BLEND_WEIGHTS)
    assert fitted.baseline_weight == min(fitted.blend_losses, key=fitted.blend_losses.get)
    assert (fitted.baseline is not None) == (fitted.baseline_weight > 0)
    loaded = graft.load(model.save(tmp_path / "blend.graft")).model_
    assert loaded.blend_losses == pytest.approx(fitted.blend_losses)  # float keys again


def test_a_blend_on_text_uses_the_tfidf_baseline():
    texts = ["good film", "great plot", "bad film", "awful plot"] * 3
    labels = [1, 1, 0, 0] * 3

    model = TransferClassifier(
        backbone="tiny-bert", strategy="feature_extraction", baseline_blend="auto"
    ).fit(texts, labels)

    assert model.model_.tta == "none"
    assert np.allclose(model.predict_proba(texts).sum(axis=1), 1)


@pytest.mark.parametrize("tta", ["flip", "flip_shift"])
def test_tta_averages_the_head_over_the_views(shapes, tta):
    from graft.data.images import images_from_array, tta_views

    images, labels = shapes
    model = TransferClassifier(
        strategy="feature_extraction", tta=tta, baseline_blend=0, **FAST
    ).fit(images, labels)
    fitted = model.model_
    decoded = images_from_array(images[:6])

    views = [decoded, *tta_views(decoded, tta)]
    expected = np.mean([fitted.head_outputs(fitted.features(v)) for v in views], axis=0)

    assert len(views) == (2 if tta == "flip" else 6)
    assert np.allclose(model.predict_proba(images[:6]), expected)


@pytest.mark.parametrize(
    ("augment", "expected"), [(True, "flip"), ({"flip": False}, "none"), (False, "none")]
)
def test_default_tta_follows_the_training_augmentation(shapes, augment, expected):
    model = TransferClassifier(strategy="feature_extraction", augment=augment, **FAST)

    assert model.fit(*shapes).model_.tta == expected


def test_no_tta_reads_the_originals_only(shapes):
    from graft.data.images import images_from_array

    images, labels = shapes
    model = TransferClassifier(
        strategy="feature_extraction", tta="none", baseline_blend=0, **FAST
    ).fit(images, labels)
    fitted = model.model_

    expected = fitted.head_outputs(fitted.features(images_from_array(images[:4])))
    assert np.allclose(model.predict_proba(images[:4]), expected)


def test_a_fixed_baseline_blend_mixes_head_and_pixels_baseline(shapes):
    images, labels = shapes
    mixed = TransferClassifier(
        strategy="feature_extraction", tta="none", baseline_blend=0.4, **FAST
    ).fit(images, labels)
    head_only = TransferClassifier(
        strategy="feature_extraction", tta="none", baseline_blend=0, **FAST
    ).fit(images, labels)
    pixels = TransferClassifier(strategy="baseline", **FAST).fit(images, labels)

    expected = 0.6 * head_only.predict_proba(images) + 0.4 * pixels.predict_proba(images)

    assert mixed.model_.baseline_weight == 0.4 and head_only.model_.baseline is None
    assert np.allclose(mixed.predict_proba(images), expected)
    assert np.allclose(mixed.predict_proba(images).sum(axis=1), 1)


def test_blend_and_tta_survive_save_and_load(shapes, tmp_path):
    images, labels = shapes
    model = TransferClassifier(
        strategy="feature_extraction", tta="flip_shift", baseline_blend=0.3, **FAST
    ).fit(images, labels)

    loaded = graft.load(model.save(tmp_path / "m.graft"))

    assert loaded.model_.tta == "flip_shift" and loaded.model_.baseline_weight == 0.3
    assert (tmp_path / "m.graft" / "baseline.skops").is_file()
    assert np.allclose(loaded.predict_proba(images), model.predict_proba(images))


def test_blend_for_image_regression(shapes):
    images, _ = shapes
    values = images.mean(axis=(1, 2)) / 255

    model = TransferRegressor(strategy="feature_extraction", baseline_blend=0.5, **FAST)
    model.fit(images, values)
    default = TransferRegressor(strategy="feature_extraction", **FAST).fit(images, values)

    assert model.model_.baseline_weight == 0.5 and default.model_.baseline_weight == 0.0
    assert model.predict(images).shape == (len(images),)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"strategy": "hybrid", "tta": "flip"}, "not strategy='hybrid'"),
        ({"strategy": "baseline", "baseline_blend": 0.5}, "not strategy='baseline'"),
        ({"strategy": "feature_extraction", "head": "ridge", "baseline_blend": 0.5}, "gives none"),
    ],
)
def test_frozen_feature_options_that_would_be_ignored_are_refused(shapes, params, message):
    with pytest.raises(DataError, match=message):
        TransferClassifier(**{**FAST, **params}).fit(*shapes)


def test_frozen_feature_options_on_a_table_are_refused():
    table = pd.DataFrame({"x": np.arange(12.0), "plan": ["a", "b"] * 6})
    with pytest.raises(DataError, match="not tables"):
        TransferClassifier(tta="flip", backbone=None).fit(table, [0, 1] * 6)


def test_tta_on_text_is_refused():
    with pytest.raises(DataError, match="tta='flip' averages over flipped"):
        TransferClassifier(backbone="tiny-bert", strategy="feature_extraction", tta="flip").fit(
            ["good", "bad", "fine", "poor"], [1, 0, 1, 0]
        )


def test_clone_keeps_the_frozen_feature_options():
    model = TransferClassifier(tta="flip_shift", baseline_blend="auto")

    params = clone(model).get_params()

    assert params["tta"] == "flip_shift" and params["baseline_blend"] == "auto"


@pytest.mark.slow
def test_real_efficientnet_defaults_fit_save_load_on_digits(tmp_path):
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(0)
    train = np.concatenate([rng.choice(np.flatnonzero(digits.target == c), 4) for c in range(10)])
    test = np.setdiff1d(np.arange(len(digits.target)), train)[::15]
    images = (digits.images * 16).clip(0, 255).astype(np.uint8)

    # A mirrored digit is not the same digit: no flips in training views or at predict time.
    model = TransferClassifier(
        strategy="feature_extraction", augment={"flip": False}, random_state=0
    )
    model.fit(images[train], digits.target[train])
    loaded = graft.load(model.save(tmp_path / "digits.graft"))

    assert model.backbone_ == "efficientnet-lite0"
    assert model.model_.tta == "none" and model.model_.baseline_weight == 0.3
    assert np.allclose(loaded.predict_proba(images[test]), model.predict_proba(images[test]))
    assert model.score(images[test], digits.target[test]) > 0.6


def test_feature_extraction_with_a_labelled_source_of_images(shapes):
    # The default image head is a pipeline (normalised features + logistic regression).
    images, labels = shapes
    source_images, source_labels = _shapes(20, seed=3)

    model = TransferClassifier(strategy="feature_extraction", **FAST)
    model.fit(images, labels, source=(source_images, source_labels))

    assert model.lineage_["source"]
    assert model.predict_proba(images[:4]).shape == (4, 2)
