"""End to end with the real, shipped all-MiniLM-L6-v2 weights (the ``minilm-l6`` backbone)."""

import numpy as np
import pytest

import graft
from graft.backbones.text import TextBackbone

pytestmark = pytest.mark.slow

POSITIVE = [
    "I loved this movie, the acting was superb.",
    "What a delightful little restaurant, we will be back.",
    "The battery lasts for days and the screen is gorgeous.",
    "Friendly staff and a spotless room, highly recommended.",
    "This book kept me hooked until the very last page.",
    "Absolutely fantastic concert, the band was on fire.",
    "The soup was rich and full of flavour.",
    "Great value for money, it works perfectly.",
    "A wonderful, heartwarming film that I loved.",
    "Excellent product, it works great and I am very happy.",
    "Delicious food and lovely, attentive service.",
    "The best hotel stay I have had, wonderful staff.",
]
NEGATIVE = [
    "A boring film with a terrible script.",
    "The food was cold and the waiter was rude.",
    "It stopped working after one day, total waste of money.",
    "The hotel room was dirty and smelled awful.",
    "I could not finish this dull and predictable novel.",
    "The sound at the concert was muddy and painfully loud.",
    "The pasta was bland and overcooked.",
    "Cheap plastic that broke the first time I used it.",
    "An awful film, boring and far too long.",
    "Terrible product, it broke at once and I am very unhappy.",
    "Disgusting food and rude, slow service.",
    "The worst hotel stay ever, the room was filthy.",
]
# Train on the first 8 of each class, hold out the last 4 of each.
TRAIN_X = POSITIVE[:8] + NEGATIVE[:8]
TRAIN_Y = ["pos"] * 8 + ["neg"] * 8
TEST_X = POSITIVE[8:] + NEGATIVE[8:]
TEST_Y = ["pos"] * 4 + ["neg"] * 4


@pytest.fixture
def encode_calls(monkeypatch, tmp_path):
    """A fresh embedding cache, and a list of every text batch MiniLM encodes."""
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    real = TextBackbone.encode

    def counting(self, texts, *args, **kwargs):
        calls.append(list(texts))
        return real(self, texts, *args, **kwargs)

    monkeypatch.setattr(TextBackbone, "encode", counting)
    return calls


def _classifier(strategy, **params):
    return graft.TransferClassifier(
        backbone="minilm-l6", strategy=strategy, random_state=0, **params
    )


def test_feature_extraction_generalises_to_held_out_reviews(tmp_path):
    model = _classifier("feature_extraction").fit(TRAIN_X, TRAIN_Y)

    assert model.score(TEST_X, TEST_Y) >= 0.75
    assert model.score(TRAIN_X, TRAIN_Y) >= 0.9

    loaded = graft.load(model.save(tmp_path / "fe.graft"))
    np.testing.assert_array_equal(loaded.predict_proba(TEST_X), model.predict_proba(TEST_X))
    assert loaded.manifest_["backbone"]["name"] == "minilm-l6"


def test_hybrid_fit_predict_save_load(tmp_path):
    model = _classifier("hybrid", epochs=2).fit(TRAIN_X, TRAIN_Y)
    predicted = model.predict(TEST_X)

    assert set(predicted) <= {"pos", "neg"}
    assert model.score(TEST_X, TEST_Y) >= 0.75
    loaded = graft.load(model.save(tmp_path / "hybrid.graft"))
    assert loaded.predict(TEST_X).tolist() == predicted.tolist()
    np.testing.assert_allclose(loaded.predict_proba(TEST_X), model.predict_proba(TEST_X))


def test_second_fit_on_the_same_texts_reads_the_embedding_cache(encode_calls):
    first = _classifier("feature_extraction").fit(TRAIN_X, TRAIN_Y)
    assert sorted(t for batch in encode_calls for t in batch) == sorted(TRAIN_X)
    encode_calls.clear()

    second = _classifier("feature_extraction").fit(TRAIN_X, TRAIN_Y)

    assert encode_calls == []
    np.testing.assert_array_equal(second.predict_proba(TRAIN_X), first.predict_proba(TRAIN_X))
    assert encode_calls == []


SOURCE_X = [
    "The cinema seats were comfy and the sound was crisp.",
    "Lovely weather and a very pleasant day out.",
    "Quick delivery, the parcel arrived in perfect shape.",
    "The train was late again and nobody told us why.",
    "Horrible customer service, I want a refund.",
    "The paint started peeling within a week.",
]
SOURCE_Y = ["pos"] * 3 + ["neg"] * 3


def test_source_domain_with_real_embeddings():
    model = _classifier("feature_extraction").fit(TRAIN_X, TRAIN_Y, source=(SOURCE_X, SOURCE_Y))

    assert model.lineage_["source"]["n_rows"] == len(SOURCE_X)
    assert model.model_.source_ratio in model.model_.source_losses
    assert model.score(TEST_X, TEST_Y) >= 0.75


def test_cli_fit_on_texts_without_backbone_uses_minilm(tmp_path):
    """`graft fit` without --backbone: the estimator's default text backbone (the README's
    quickstart command), not a missing one."""
    import pandas as pd
    from typer.testing import CliRunner

    from graft.cli.main import app

    data = tmp_path / "reviews.csv"
    pd.DataFrame({"text": TRAIN_X, "label": [1] * 8 + [0] * 8}).to_csv(data, index=False)
    out = tmp_path / "model.graft"
    result = CliRunner().invoke(
        app,
        ["fit", str(data), "--label", "label", "--text-column", "text",
         "--strategy", "feature_extraction", "--out", str(out), "--no-progress"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert graft.load(out).manifest_["backbone"]["name"] == "minilm-l6"
