"""The disk cache of frozen embeddings: only texts it has not seen go through the encoder."""

import numpy as np
import pytest

from graft.backbones.registry import create_backbone
from graft.config import cache_dir
from graft.exceptions import GraftError
from graft.strategies import embedding_cache
from graft.strategies.embedding_cache import EmbeddingCache, embed_texts

TEXTS = ["a good film", "a bad film", "fine", "the plot was dull"]


class CountingBackbone:
    """Wraps a backbone and records the texts each ``encode`` call receives."""

    def __init__(self, backbone) -> None:
        self.backbone = backbone
        self.spec = backbone.spec
        self.calls: list[list[str]] = []

    def encode(self, texts, progress=False):
        self.calls.append(list(texts))
        return self.backbone.encode(texts, progress=progress)

    def weight_hash(self) -> str:
        return self.backbone.weight_hash()


@pytest.fixture(scope="module")
def tiny():
    return create_backbone("tiny-bert")


@pytest.fixture
def counting(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path))
    return CountingBackbone(tiny)


def test_first_call_embeds_and_matches_the_encoder(counting, tiny):
    vectors = embed_texts(counting, TEXTS)

    assert counting.calls == [TEXTS]
    assert vectors.shape == (len(TEXTS), 32)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, tiny.encode(TEXTS), atol=1e-6)


def test_second_call_reads_the_cache(counting):
    first = embed_texts(counting, TEXTS)
    second = embed_texts(counting, TEXTS)

    assert len(counting.calls) == 1
    np.testing.assert_array_equal(second, first)


def test_only_missing_texts_are_embedded(counting):
    first = embed_texts(counting, TEXTS[:2])
    mixed = embed_texts(counting, [TEXTS[2], TEXTS[0], TEXTS[3], TEXTS[1]])

    assert counting.calls == [TEXTS[:2], [TEXTS[2], TEXTS[3]]]
    np.testing.assert_array_equal(mixed[1], first[0])
    np.testing.assert_array_equal(mixed[3], first[1])


def test_duplicate_texts_are_embedded_once(counting):
    vectors = embed_texts(counting, ["same", "other", "same"])

    assert counting.calls == [["same", "other"]]
    np.testing.assert_array_equal(vectors[0], vectors[2])


def test_cache_false_always_runs_the_encoder(counting, tmp_path):
    embed_texts(counting, TEXTS, cache=False)
    embed_texts(counting, TEXTS, cache=False)

    assert counting.calls == [TEXTS, TEXTS]
    assert not (tmp_path / "embeddings").exists()


def test_cache_false_ignores_cached_vectors(counting):
    embed_texts(counting, TEXTS)
    embed_texts(counting, TEXTS, cache=False)

    assert len(counting.calls) == 2


def test_other_weights_do_not_share_entries(counting):
    embed_texts(counting, TEXTS, weight_hash="a" * 64)
    embed_texts(counting, TEXTS, weight_hash="b" * 64)

    assert len(counting.calls) == 2


def test_entries_persist_on_disk_in_the_cache_dir(counting, tmp_path):
    vectors = embed_texts(counting, TEXTS)
    store = EmbeddingCache(f"{counting.weight_hash()}-{counting.spec.max_length}")

    found = store.get(TEXTS)

    assert store.path.parent == tmp_path / "embeddings"
    assert len(found) == len(TEXTS)
    stored = np.vstack([found[k] for k in sorted(found)])
    assert sorted(map(tuple, stored)) == sorted(map(tuple, vectors))


# ------------------------------------------------------- an unusable cache is skipped
@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget which cache folders this process has already warned about."""
    monkeypatch.setattr(embedding_cache, "_WARNED", set())


def test_an_unwritable_cache_embeds_without_it_and_warns_once(
    counting, tiny, tmp_path, monkeypatch, fresh_warnings
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # A folder under a file cannot be made, even by root.
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(blocker / "cache"))

    with pytest.warns(RuntimeWarning, match="GRAFT_CACHE_DIR") as caught:
        first = embed_texts(counting, TEXTS)
        second = embed_texts(counting, TEXTS)

    assert len(caught) == 1
    assert "cannot be used" in str(caught[0].message)
    assert counting.calls == [TEXTS, TEXTS]
    np.testing.assert_allclose(first, tiny.encode(TEXTS), atol=1e-6)
    np.testing.assert_array_equal(second, first)


def test_a_corrupt_cache_file_embeds_without_it(counting, tiny, fresh_warnings):
    embed_texts(counting, TEXTS[:2])
    store = EmbeddingCache(f"{counting.weight_hash()}-{counting.spec.max_length}")
    store.path.write_bytes(b"half a database, the writer was killed")

    with pytest.warns(RuntimeWarning, match="not a database"):
        vectors = embed_texts(counting, TEXTS)

    assert counting.calls == [TEXTS[:2], TEXTS]
    np.testing.assert_allclose(vectors, tiny.encode(TEXTS), atol=1e-6)


def test_cache_dir_names_the_setting_when_it_cannot_be_made(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(blocker / "cache"))

    with pytest.raises(GraftError, match="set GRAFT_CACHE_DIR to a writable folder"):
        cache_dir()
