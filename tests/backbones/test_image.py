"""Image backbones: registry contract on the tiny CNN; real ImageNet weights (slow)."""

import numpy as np
import pytest
import torch

from graft.backbones.registry import create_backbone, get_spec, list_backbones
from graft.data.images import images_from_array


def test_image_backbones_are_registered_with_input_configs():
    specs = {s.name: s for s in list_backbones("image")}

    assert {"efficientnet-lite0", "mobilenet-v2", "small-cnn", "tiny-cnn"} <= set(specs)
    for name in ("efficientnet-lite0", "mobilenet-v2"):
        spec = specs[name]
        assert spec.pretrained and spec.input_size == 224 and spec.output_dim == 1280
        assert len(spec.mean) == len(spec.std) == 3
    assert not specs["small-cnn"].pretrained


def test_tiny_cnn_encodes_and_exposes_layer_groups():
    backbone = create_backbone("tiny-cnn")
    images = images_from_array(np.random.default_rng(0).integers(0, 255, (3, 9, 11, 3)))

    features = backbone.encode(images)

    assert features.shape == (3, get_spec("tiny-cnn").output_dim)
    assert features.dtype == np.float32
    groups = backbone.layer_groups()
    assert len(groups) == 2 and all(groups)


def test_random_cnn_weights_are_the_same_in_every_build():
    assert create_backbone("tiny-cnn").weight_hash() == create_backbone("tiny-cnn").weight_hash()


def test_frozen_batchnorm_stays_in_eval_mode_while_training():
    backbone = create_backbone("tiny-cnn")
    backbone.freeze_batchnorm = True
    backbone.train()

    norms = [m for m in backbone.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert norms and not any(m.training for m in norms)

    backbone.freeze_batchnorm = False
    backbone.train()
    assert all(m.training for m in norms)


def test_mobilenet_definition_has_torchvision_key_names():
    from graft.backbones.mobilenet_v2 import MobileNetV2

    keys = set(MobileNetV2().state_dict())

    assert {"features.0.0.weight", "features.1.conv.0.0.weight", "features.2.conv.3.bias"} <= keys
    assert {"features.18.1.running_var", "classifier.1.weight"} <= keys
    assert len(keys) == 314


# -------------------------------------------------------------------- real weights

PHOTOS = {"chelsea": 285, "coffee": 967}  # ImageNet: Egyptian cat, espresso


@pytest.fixture(scope="module")
def photos():
    from skimage import data

    return images_from_array(np.stack([getattr(data, name)()[:300, :300] for name in PHOTOS]))


def _logits(backbone, images) -> np.ndarray:
    pixels = backbone.prepare(images)["pixels"]
    with torch.inference_mode():
        features = backbone(pixels)
        body = backbone.body.net
        classifier = body._fc if hasattr(body, "_fc") else body.classifier
        return classifier(features).numpy()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["efficientnet-lite0", "mobilenet-v2"])
def test_real_weights_rank_the_right_imagenet_class_first(name, photos):
    backbone = create_backbone(name).eval()

    top = _logits(backbone, photos).argmax(axis=1)

    assert top.tolist() == list(PHOTOS.values())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["efficientnet-lite0", "mobilenet-v2"])
def test_onnx_runtime_and_torch_give_the_same_features(name, photos, monkeypatch):
    pytest.importorskip("onnxruntime")
    backbone = create_backbone(name).eval()

    monkeypatch.setenv("GRAFT_IMAGE_RUNTIME", "torch")
    torch_features = backbone.encode(photos)
    monkeypatch.setenv("GRAFT_IMAGE_RUNTIME", "onnx")
    onnx_features = backbone.encode(photos)

    assert np.allclose(torch_features, onnx_features, atol=1e-3)


# ------------------------------------------------------------- contract, every image backbone
def _image_backbones():
    return [
        pytest.param(spec.name, marks=pytest.mark.slow) if spec.pretrained else spec.name
        for spec in list_backbones("image")
    ]


@pytest.fixture(scope="module", params=_image_backbones())
def image_backbone(request):
    return create_backbone(request.param)


@pytest.fixture(scope="module")
def small_images():
    rng = np.random.default_rng(1)
    return images_from_array(rng.integers(0, 255, (2, 40, 30, 3), dtype=np.uint8))


def test_contract_image_encode(image_backbone, small_images):
    vectors = image_backbone.encode(small_images)

    assert image_backbone.spec == get_spec(image_backbone.spec.name)
    assert vectors.shape == (2, image_backbone.spec.output_dim) and vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    np.testing.assert_array_equal(image_backbone.encode(small_images), vectors)


def test_contract_image_encode_keeps_the_training_mode(image_backbone, small_images):
    image_backbone.train()
    try:
        image_backbone.encode(small_images.subset([0]))
        assert image_backbone.training
    finally:
        image_backbone.eval()


def test_contract_image_layer_groups_are_disjoint_backbone_parameters(image_backbone):
    groups = image_backbone.layer_groups()
    ids = [id(p) for g in groups for p in g]

    assert len(groups) >= 2 and all(groups)
    assert len(ids) == len(set(ids))
    assert set(ids) == {id(p) for p in image_backbone.body.parameters()} - {
        id(p)
        for name, p in image_backbone.body.named_parameters()
        if "_fc" in name or "classifier" in name
    }


def test_contract_image_forward_is_differentiable(image_backbone, small_images):
    out = image_backbone(**image_backbone.prepare(small_images))
    out.sum().backward()

    assert out.shape == (2, image_backbone.spec.output_dim)
    top = image_backbone.layer_groups()[-1]
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in top)
    image_backbone.zero_grad(set_to_none=True)


def test_contract_image_weight_hash_is_stable(image_backbone):
    name = image_backbone.spec.name
    assert image_backbone.weight_hash() == create_backbone(name).weight_hash()


def test_onnx_runtime_without_a_writable_cache_exports_in_memory(
    small_images, tmp_path, monkeypatch
):
    pytest.importorskip("onnxruntime")
    from graft.backbones import image

    backbone = create_backbone("tiny-cnn").eval()
    monkeypatch.setenv("GRAFT_IMAGE_RUNTIME", "torch")
    torch_features = backbone.encode(small_images)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(blocker / "cache"))  # cannot be made
    monkeypatch.setenv("GRAFT_IMAGE_RUNTIME", "onnx")
    monkeypatch.setattr(image, "_SESSIONS", {})

    with pytest.warns(RuntimeWarning, match="exporting it in memory"):
        onnx_features = backbone.encode(small_images)

    assert np.allclose(torch_features, onnx_features, atol=1e-4)
