"""Heads fitted on frozen features, and the from-scratch baselines (text, image, audio)."""

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import Normalizer, StandardScaler

from graft.exceptions import DataError

NORMALIZED_LOGISTIC_C = 10.0
"""Inverse regularisation of ``"normalized_logistic"``: unit-length features are about 30x
smaller than raw pooled CNN features, so the same fit needs a larger C (chosen on
Fashion-MNIST development holdouts from the training split, never the test images)."""


def make_head(head: str | BaseEstimator, task: str) -> BaseEstimator:
    """A fresh head: ``"logistic"``, ``"normalized_logistic"``, ``"ridge"``, or a clone of
    a scikit-learn estimator.

    ``"normalized_logistic"`` scales each feature vector to unit length before logistic
    regression, so the head compares directions (as cosine-similarity few-shot classifiers
    do) rather than magnitudes, which vary with an image's contrast and size.
    """
    if isinstance(head, BaseEstimator):
        return clone(head)
    if head == "logistic" and task == "classification":
        return LogisticRegression(C=1.0, max_iter=2000)
    if head == "normalized_logistic" and task == "classification":
        return Pipeline(
            [
                ("normalize", Normalizer()),
                ("model", LogisticRegression(C=NORMALIZED_LOGISTIC_C, max_iter=3000)),
            ]
        )
    if head == "ridge":
        if task == "classification":
            from sklearn.linear_model import RidgeClassifier

            return RidgeClassifier(alpha=1.0)
        return Ridge(alpha=1.0)
    choices = "'ridge'"
    if task == "classification":
        choices = "'logistic', 'normalized_logistic', 'ridge'"
    raise DataError(
        f"head={head!r} is not usable for {task}; use {choices} or a scikit-learn estimator."
    )


def make_text_baseline(task: str) -> Pipeline:
    """What a user would do without transfer: TF-IDF + a linear model.

    Word unigrams and bigrams (single-letter words kept) plus character 2-4-grams, which
    cope with typos and very short texts.
    """
    model = LogisticRegression(C=10.0, max_iter=2000) if task == "classification" else Ridge()
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    return Pipeline(
        [("tfidf", FeatureUnion([("words", words), ("chars", chars)])), ("model", model)]
    )


def fit_baseline(pipeline: BaseEstimator, matrix, targets) -> BaseEstimator:
    """Fit a from-scratch baseline on :func:`baseline_matrix` rows.

    Texts with no word at all (emoji or punctuation only) would stop the word TF-IDF with
    "empty vocabulary"; it is then left out and the character n-grams learn alone. Texts
    with words are fitted exactly as before.
    """
    union = pipeline.named_steps.get("tfidf") if isinstance(pipeline, Pipeline) else None
    if isinstance(union, FeatureUnion):
        words = dict(union.transformer_list).get("words")
        if isinstance(words, TfidfVectorizer):
            analyze = words.build_analyzer()
            if not any(analyze(text) for text in matrix):
                pipeline.set_params(tfidf__words="drop")
    return pipeline.fit(matrix, targets)


PIXEL_BASELINE_SIZE = 28
"""Side of the images the pixels baseline reads (MNIST's size; larger only adds noise dims)."""


def make_baseline(task: str, modality: str = "text") -> Pipeline:
    """The from-scratch baseline for ``modality``; it reads :func:`baseline_matrix` rows.

    Texts: TF-IDF + linear model. Images: standardised pixels + linear model. Audio:
    standardised log-mel statistics + linear model.
    """
    if modality == "text":
        return make_text_baseline(task)
    # Strong L2 (C=0.1): thousands of pixel columns and few labelled rows. Pixels are
    # already on one scale (0..1); standardising them blows up near-constant border pixels
    # (validated on Fashion-MNIST training images, never the test split).
    model = LogisticRegression(C=0.1, max_iter=3000) if task == "classification" else Ridge(10.0)
    if modality == "image":
        return Pipeline([("model", model)])
    return Pipeline([("scale", StandardScaler()), ("model", model)])


def baseline_matrix(inputs, modality: str = "text"):
    """What the baseline reads: the texts themselves, pixels, or spectrogram statistics."""
    if modality == "image":
        from graft.data.images import pixel_matrix

        return pixel_matrix(inputs, PIXEL_BASELINE_SIZE)
    if modality == "audio":
        from graft.data.audio import log_mel_statistics

        return log_mel_statistics(inputs)
    return inputs


def linear_head_weights(head: BaseEstimator, n_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """(weight, bias) of a fitted linear head as a torch ``Linear`` with ``n_outputs`` rows.

    A binary scikit-learn classifier keeps one row (the positive class's margin); the
    network has one logit per class, so the negative class gets a zero row.
    """
    coef = np.atleast_2d(head.coef_)
    bias = np.atleast_1d(head.intercept_)
    if coef.shape[0] == 1 and n_outputs == 2:
        coef = np.vstack([np.zeros_like(coef), coef])
        bias = np.concatenate([[0.0], bias])
    return coef.astype(np.float32), bias.astype(np.float32)
