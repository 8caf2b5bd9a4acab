"""The from-scratch text baseline on texts without words."""

import pytest

import graft

EMOJI = ["😀😀 !!", "😡 ??", "👍", "👎👎", "🙂 :)", "😠 :(", "❤️!", "💔?"] * 3
LABELS = ["pos", "neg"] * 12


@pytest.mark.parametrize("strategy", ["baseline", "auto"])
def test_texts_without_words_fit_the_baseline(strategy):
    # The word TF-IDF found no vocabulary and stopped the fit; the char n-grams learn alone.
    model = graft.TransferClassifier(backbone="tiny-bert", strategy=strategy, random_state=0)

    model.fit(EMOJI, LABELS)

    assert model.predict(["😀😀 !!", "😡 ??"]).tolist() == ["pos", "neg"]


def test_texts_without_words_can_be_compared():
    report = graft.compare(["feature_extraction"], EMOJI, LABELS, n_splits=2, backbone="tiny-bert")

    assert [row.name for row in report.candidates] == ["baseline", "feature_extraction"]


def test_texts_with_words_keep_the_word_features():
    from graft.strategies.heads import fit_baseline, make_text_baseline

    pipeline = fit_baseline(make_text_baseline("classification"), ["good 😀", "bad 😡"], [1, 0])

    assert pipeline.named_steps["tfidf"].transformer_list[0][1] != "drop"
