"""The backbone registry: specs, the tiny test backbone, and the offline failure modes."""

import dataclasses
import re
import socket

import numpy as np
import pytest
import torch

from graft.backbones import text as text_backbones
from graft.backbones.registry import BackboneSpec, create_backbone, get_spec, list_backbones
from graft.exceptions import BackboneUnavailableError

TEXTS = ["a wonderful film", "bad", "the service was slow and the food was cold", "ok"]


@pytest.fixture(scope="module")
def tiny():
    return create_backbone("tiny-bert")


def _registered():
    # Backbones with real pretrained weights are the slow, end-to-end ones. The contract
    # here is the text one (tokenize, unit-norm vectors); image and audio backbones have
    # theirs in test_image.py and test_audio.py.
    return [
        pytest.param(spec.name, marks=pytest.mark.slow) if spec.pretrained else spec.name
        for spec in list_backbones("text")
    ]


@pytest.fixture(scope="module", params=_registered())
def backbone(request):
    return create_backbone(request.param)


# ------------------------------------------------------------------ specs and listing
def test_list_backbones_has_the_shipped_and_the_test_backbone():
    specs = {spec.name: spec for spec in list_backbones()}

    assert {"minilm-l6", "tiny-bert"} <= set(specs)
    assert specs["minilm-l6"].output_dim == 384
    assert specs["minilm-l6"].pretrained
    assert specs["tiny-bert"].output_dim == 32
    assert not specs["tiny-bert"].pretrained


def test_list_backbones_filters_by_modality():
    text = list_backbones("text")
    assert text and all(s.modality == "text" for s in text)
    assert {s.name for s in text} < {s.name for s in list_backbones()}
    assert list_backbones("no-such-modality") == []


def test_get_spec_is_none_for_names_that_are_not_registered():
    assert get_spec("tiny-bert") == text_backbones.TINY_SPEC
    assert get_spec("someone/some-model") is None


def test_specs_are_frozen_and_serialisable():
    spec = get_spec("minilm-l6")

    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.output_dim = 1
    assert BackboneSpec(**spec.to_dict()) == spec
    assert spec.licence and spec.weights_from and spec.description


# ------------------------------------------------------------------ the tiny backbone
def test_tiny_encode_shape_dtype_and_unit_norm(tiny):
    vectors = tiny.encode(TEXTS)

    assert vectors.shape == (len(TEXTS), 32)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_tiny_encode_is_deterministic_and_independent_of_batching(tiny):
    first = tiny.encode(TEXTS)
    one_by_one = np.vstack([tiny.encode([t]) for t in TEXTS])

    np.testing.assert_array_equal(tiny.encode(TEXTS), first)
    np.testing.assert_allclose(one_by_one, first, atol=1e-5)
    assert not np.allclose(first[0], first[1])


def test_tiny_has_embeddings_plus_one_group_per_layer(tiny):
    groups = tiny.layer_groups()

    assert len(groups) == 3
    assert all(isinstance(p, torch.nn.Parameter) for g in groups for p in g)


def test_tiny_weights_are_the_same_in_every_creation(tiny):
    again = create_backbone("tiny-bert")

    assert again is not tiny
    assert again.weight_hash() == tiny.weight_hash()
    assert re.fullmatch(r"[0-9a-f]{64}", tiny.weight_hash())
    np.testing.assert_array_equal(again.encode(TEXTS), tiny.encode(TEXTS))


def test_weight_hash_changes_with_the_weights(tiny):
    changed = create_backbone("tiny-bert")
    with torch.no_grad():
        changed.layer_groups()[-1][0].add_(1e-3)

    assert changed.weight_hash() != tiny.weight_hash()


def test_creating_tiny_leaves_the_global_torch_seed_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    create_backbone("tiny-bert")

    assert torch.equal(torch.rand(3), expected)


# ------------------------------------------------------------------ local folders and hub ids
def test_local_model_folder_loads_as_a_backbone(tiny, tmp_path):
    tiny.model.save_pretrained(tmp_path)
    tiny.tokenizer.save_pretrained(tmp_path)

    loaded = create_backbone(str(tmp_path))

    assert loaded.spec.output_dim == 32
    assert loaded.spec.modality == "text"
    np.testing.assert_allclose(loaded.encode(TEXTS), tiny.encode(TEXTS), atol=1e-6)


def test_local_folder_without_config_is_unavailable(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"")

    with pytest.raises(BackboneUnavailableError, match=r"config\.json"):
        create_backbone(str(tmp_path))


def test_local_folder_without_weights_is_unavailable(tiny, tmp_path):
    # transformers raises a multi-line OSError; the user gets one line.
    tiny.model.config.save_pretrained(tmp_path)

    with pytest.raises(BackboneUnavailableError, match="cannot be loaded") as info:
        create_backbone(str(tmp_path))
    assert "\n" not in str(info.value)


def test_local_folder_with_a_broken_config_is_unavailable(tmp_path):
    (tmp_path / "config.json").write_text("{not json")

    with pytest.raises(BackboneUnavailableError, match=r"config\.json"):
        create_backbone(str(tmp_path))


def test_a_bundle_from_a_relative_backbone_folder_loads_anywhere(tiny, tmp_path, monkeypatch):
    import graft

    folder = tmp_path / "work" / "encoder"
    tiny.model.save_pretrained(folder)
    tiny.tokenizer.save_pretrained(folder)
    monkeypatch.chdir(tmp_path / "work")
    model = graft.TransferClassifier(backbone="encoder", strategy="feature_extraction")
    model.fit(TEXTS * 2, [0, 1] * len(TEXTS))
    path = model.save(tmp_path / "m.graft")

    monkeypatch.chdir(tmp_path)
    loaded = graft.load(path)

    np.testing.assert_allclose(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    assert loaded.backbone == str(folder)


@pytest.mark.parametrize("name", ["", "   ", None])
def test_empty_name_is_unavailable(name):
    with pytest.raises(BackboneUnavailableError, match="empty") as info:
        create_backbone(name)

    assert "tiny-bert" in str(info.value)


def test_unknown_hub_id_offline_fails_without_touching_the_network(monkeypatch):
    # Failing fast offline means never opening a connection (no retries, no timeouts).
    def no_network(*args, **kwargs):
        raise AssertionError("create_backbone tried to reach the network while offline")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)

    with pytest.raises(BackboneUnavailableError, match="HF_HUB_OFFLINE") as info:
        create_backbone("graft-tests/no-such-model")

    message = str(info.value)
    assert "'graft-tests/no-such-model'" in message
    assert "\n" not in message


def test_unknown_hub_id_with_unreachable_hub_is_unavailable(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(text_backbones, "_hub_reachable", lambda timeout=1.0: False)

    with pytest.raises(BackboneUnavailableError, match="cannot be reached"):
        create_backbone("graft-tests/no-such-model")


# ------------------------------------------------------------------ contract, every backbone
def test_contract_spec_matches_the_backbone(backbone):
    assert backbone.spec == get_spec(backbone.spec.name)
    assert backbone.output_dim == backbone.spec.output_dim
    assert backbone.spec.modality == "text"


def test_contract_encode(backbone):
    vectors = backbone.encode(TEXTS)

    assert vectors.shape == (len(TEXTS), backbone.spec.output_dim)
    assert vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(backbone.encode(TEXTS), vectors)


def test_contract_encode_truncates_long_texts(backbone):
    long_text = "word " * (4 * backbone.spec.max_length)

    assert backbone.encode([long_text]).shape == (1, backbone.spec.output_dim)


def test_contract_encode_keeps_the_training_mode(backbone):
    backbone.train()
    try:
        backbone.encode(TEXTS[:1])
        assert backbone.training
    finally:
        backbone.eval()


def test_contract_layer_groups_are_disjoint_backbone_parameters(backbone):
    groups = backbone.layer_groups()
    own = {id(p) for p in backbone.parameters()}
    ids = [id(p) for g in groups for p in g]

    assert len(groups) >= 2
    assert all(groups)
    assert len(ids) == len(set(ids))
    assert set(ids) <= own


def test_contract_forward_is_differentiable(backbone):
    batch = backbone.tokenize(TEXTS[:2])
    out = backbone(**batch)
    out.sum().backward()

    top = backbone.layer_groups()[-1]
    assert out.shape == (2, backbone.spec.output_dim)
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in top)
    backbone.zero_grad(set_to_none=True)


def test_contract_weight_hash_is_stable(backbone):
    assert backbone.weight_hash() == backbone.weight_hash()
    assert backbone.weight_hash() == create_backbone(backbone.spec.name).weight_hash()


def test_weights_a_folder_lacks_are_initialised_alike_in_every_load(tmp_path):
    # BERT's pooler is not saved by every exporter; transformers initialises it at random,
    # which must not change the weight hash a bundle checks in another process.
    from graft.backbones.registry import weight_hash

    backbone = create_backbone("tiny-bert")
    state = {k: v for k, v in backbone.model.state_dict().items() if "pooler" not in k}
    backbone.model.save_pretrained(tmp_path / "bb", state_dict=state)
    backbone.tokenizer.save_pretrained(tmp_path / "bb")
    hashes = {
        weight_hash("bb", text_backbones.load_text_backbone(str(tmp_path / "bb")).model)
        for _ in range(2)
    }
    assert len(hashes) == 1
