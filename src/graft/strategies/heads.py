"""Heads fitted on frozen features, and the from-scratch text baseline."""

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import FeatureUnion, Pipeline

from graft.exceptions import DataError

HEADS = ("logistic", "ridge")


def make_head(head: str | BaseEstimator, task: str) -> BaseEstimator:
    """A fresh head: ``"logistic"``, ``"ridge"``, or a clone of a scikit-learn estimator."""
    if isinstance(head, BaseEstimator):
        return clone(head)
    if head == "logistic" and task == "classification":
        return LogisticRegression(C=1.0, max_iter=2000)
    if head == "ridge":
        if task == "classification":
            from sklearn.linear_model import RidgeClassifier

            return RidgeClassifier(alpha=1.0)
        return Ridge(alpha=1.0)
    choices = "'logistic', 'ridge'" if task == "classification" else "'ridge'"
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
