"""TransferClassifier and TransferRegressor: the public, scikit-learn style estimators."""

import hashlib
import time

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from graft.data.validation import check_labels, check_texts
from graft.exceptions import DataError

STRATEGIES = ("auto", "feature_extraction", "fine_tune", "hybrid", "baseline", "baseline_cnn")
"""Strategies for text, image and audio input (``baseline_cnn``: images only)."""

DEFAULT_BACKBONES = {
    "text": "minilm-l6",
    "image": "efficientnet-lite0",
    "audio": "resemblyzer-voice",
}
"""The backbone each kind of input gets when ``backbone`` is left at its default."""
TABULAR_STRATEGIES = (
    "auto",
    "baseline",
    "source_only",
    "pooled",
    "warm_start",
    "stacking",
    "fine_tune",
    "instance",
)
"""Strategies for tabular input (see :mod:`graft.strategies.tabular`)."""
ALL_STRATEGIES = tuple(dict.fromkeys(STRATEGIES + TABULAR_STRATEGIES))


def fingerprint(texts: list[str], y: np.ndarray) -> str:
    """SHA-256 of the training texts and labels, so a bundle says what it learned from."""
    digest = hashlib.sha256()
    for text, label in zip(texts, y):
        digest.update(text.encode("utf-8"))
        digest.update(b"\x1f")
        digest.update(str(label).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


class _TransferEstimator(BaseEstimator):
    """Shared fit/predict logic; subclasses fix the task."""

    _task: str

    def __init__(
        self,
        *,
        backbone="minilm-l6",
        strategy="auto",
        head=None,
        text_column=None,
        image_column=None,
        audio_column=None,
        column_mapping=None,
        source_weight="auto",
        unfreeze_layers=2,
        epochs=10,
        batch_size=8,
        learning_rate=1e-4,
        head_learning_rate=1e-3,
        layer_lr_decay=0.8,
        weight_decay=0.01,
        dropout=0.1,
        l2sp=0.0,
        validation_fraction=0.2,
        patience=3,
        time_budget=600.0,
        image_size=None,
        augment=True,
        freeze_batchnorm=True,
        tta=None,
        baseline_blend=None,
        cache=True,
        progress=False,
        random_state=None,
    ):
        self.backbone = backbone
        self.strategy = strategy
        self.head = head
        self.text_column = text_column
        self.image_column = image_column
        self.audio_column = audio_column
        self.column_mapping = column_mapping
        self.source_weight = source_weight
        self.unfreeze_layers = unfreeze_layers
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.head_learning_rate = head_learning_rate
        self.layer_lr_decay = layer_lr_decay
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.l2sp = l2sp
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.time_budget = time_budget
        self.image_size = image_size
        self.augment = augment
        self.freeze_batchnorm = freeze_batchnorm
        self.tta = tta
        self.baseline_blend = baseline_blend
        self.cache = cache
        self.progress = progress
        self.random_state = random_state

    # ----------------------------------------------------------------- validation
    def _check_params(self) -> None:
        if self.strategy not in ALL_STRATEGIES:
            raise DataError(
                f"strategy={self.strategy!r} is unknown; use one of {', '.join(STRATEGIES)} "
                f"for text, or {', '.join(TABULAR_STRATEGIES)} for tables."
            )
        if not (self.source_weight == "auto" or _is_number(self.source_weight, low=0.0)):
            raise DataError(
                f"source_weight={self.source_weight!r} must be 'auto' or a number >= 0."
            )
        if not (self.unfreeze_layers == "all" or _is_int(self.unfreeze_layers, low=0)):
            raise DataError(
                f"unfreeze_layers={self.unfreeze_layers!r} must be 'all' or an integer >= 0."
            )
        for name in ("epochs", "batch_size", "patience"):
            if not _is_int(getattr(self, name), low=1):
                raise DataError(f"{name}={getattr(self, name)!r} must be an integer >= 1.")
        if not _is_number(self.validation_fraction, low=0.0) or self.validation_fraction >= 0.5:
            raise DataError(
                f"validation_fraction={self.validation_fraction!r} must be in [0, 0.5)."
            )
        if self.time_budget is not None and not _is_number(self.time_budget, low=1e-9):
            raise DataError(f"time_budget={self.time_budget!r} must be a positive number.")
        if self.image_size is not None and not _is_int(self.image_size, low=8):
            raise DataError(f"image_size={self.image_size!r} must be None or an integer >= 8.")
        from graft.data.images import Augmentation, check_tta

        Augmentation.resolve(self.augment)
        check_tta(self.tta)
        blend = self.baseline_blend
        if not (blend is None or blend == "auto" or (_is_number(blend, 0.0) and blend <= 1)):
            raise DataError(f"baseline_blend={blend!r} must be None, 'auto' or a number in [0, 1].")
        for name in ("learning_rate", "head_learning_rate"):
            value = getattr(self, name)
            if not (_is_number(value, low=1e-12) and np.isfinite(value)):
                raise DataError(f"{name}={value!r} must be a positive, finite number.")
        # layer_lr_decay 0 trains only the top layer group.
        for name in ("layer_lr_decay", "weight_decay", "l2sp"):
            value = getattr(self, name)
            if not (_is_number(value, low=0.0) and np.isfinite(value)):
                raise DataError(f"{name}={value!r} must be a finite number >= 0.")
        if not (_is_number(self.dropout, low=0.0) and self.dropout < 1):
            raise DataError(f"dropout={self.dropout!r} must be a number in [0, 1).")
        state = self.random_state
        # Below 2**31: inner validation adds the repeat number to the seed, and NumPy's
        # seeds end at 2**32 - 1.
        seed_ok = _is_int(state, 0) and state < 2**31
        if not (state is None or seed_ok or isinstance(state, np.random.RandomState)):
            raise DataError(
                f"random_state={state!r} must be None, an integer from 0 to 2**31 - 1 or a "
                "numpy.random.RandomState."
            )

    def _resolve_backbone(self, modality: str) -> str:
        # None, and the default (MiniLM, a text encoder), stand for "the default backbone"
        # of images and audio too, so a plain TransferClassifier() works on every input.
        name = self.backbone
        if name is None or (name == DEFAULT_BACKBONES["text"] and modality != "text"):
            name = DEFAULT_BACKBONES[modality]
        from graft.backbones.registry import get_spec

        spec = get_spec(name) if isinstance(name, str) else None
        if spec is not None and spec.modality != modality:
            raise DataError(
                f"Backbone {name!r} reads {spec.modality}, but X holds {modality}; pass "
                f"backbone={DEFAULT_BACKBONES[modality]!r} (or another {modality} backbone "
                "from `graft backbones`)."
            )
        if spec is None and modality != "text":
            raise DataError(
                f"Backbone {name!r} is not a registered {modality} backbone; choose one "
                f"listed by `graft backbones` (e.g. {DEFAULT_BACKBONES[modality]!r})."
            )
        return name

    def _seed(self) -> int:
        if self.random_state is None:
            return 0
        if isinstance(self.random_state, np.random.RandomState):
            return int(self.random_state.randint(2**31 - 1))
        return int(self.random_state)

    def _texts(self, X, where: str = "X") -> list[str]:
        return check_texts(X, text_column=self._text_column_for(X), where=where)

    def _text_column_for(self, X) -> str | None:
        if isinstance(X, pd.DataFrame):
            return getattr(self, "text_column_", None) or self.text_column
        return None

    # ----------------------------------------------------------------------- fit
    def fit(self, X, y=None, *, source=None):
        """Fit on texts or a table ``X`` and labels ``y``.

        Parameters
        ----------
        X : texts (list of str, 1-D array, Series, DataFrame with a text column) or a table
            (DataFrame, 2-D array)
            The target-domain rows; :func:`graft.estimators.modality.detect_modality` tells
            which.
            Images: a folder with one subfolder per class (``y`` is then None), a DataFrame
            whose ``image_column`` holds file paths, or a numeric array ``(n, h, w[, c])``.
            Audio: a DataFrame whose ``audio_column`` holds WAV/FLAC paths.
        y : array-like of shape (n,), optional
            Labels (classifier) or numeric targets (regressor); omitted for an image folder.
        source : tuple (X_source, y_source), path of a saved bundle, or fitted estimator
            Texts: labelled rows from a related source domain (e.g. movie reviews for a
            product review task), pooled with the target rows by feature extraction and
            the first stage of ``hybrid``. Tables: labelled source rows (their columns are
            matched to ``X``'s), or a tabular graft model trained on the source.

        Returns
        -------
        self
        """
        from graft.estimators.modality import TABULAR, detect_modality

        self._check_params()
        started = time.perf_counter()
        modality = detect_modality(
            X,
            text_column=self.text_column,
            strategy=self.strategy,
            image_column=self.image_column,
            audio_column=self.audio_column,
        )
        self._check_feature_options(modality)
        if modality == TABULAR:
            from graft.estimators.tabular import fit_tabular

            fit_tabular(self, X, y, source)
            self.fit_seconds_ = time.perf_counter() - started
            return self
        if modality in ("image", "audio"):
            return self._fit_media(X, y, source, modality, started)
        self.backbone_ = self._resolve_backbone("text")
        return self._fit_text(X, y, source, started)

    def _check_feature_options(self, modality: str) -> None:
        """Refuse ``tta`` / ``baseline_blend`` / ``column_mapping`` set where they would be
        silently ignored."""
        if self.column_mapping is not None and modality != "tabular":
            raise DataError(
                f"column_mapping matches a source table's columns to the target's; it does not "
                f"apply to {modality} input; leave it at None."
            )
        given = [name for name in ("tta", "baseline_blend") if getattr(self, name) is not None]
        if not given:
            return
        named = " and ".join(f"{name}={getattr(self, name)!r}" for name in given)
        named += " apply" if len(given) > 1 else " applies"
        if modality == "tabular":
            raise DataError(
                f"{named} to frozen-feature models of texts, images and audio, not "
                "tables; leave them at None."
            )
        if self.strategy not in ("feature_extraction", "auto"):
            raise DataError(
                f"{named} to strategy='feature_extraction' (and to 'auto' when it "
                f"picks it), not strategy={self.strategy!r}; leave them at None."
            )
        if self.baseline_blend not in (None, 0) and self._task == "classification":
            from graft.strategies.heads import make_head

            if self.head is not None and not hasattr(
                make_head(self.head, "classification"), "predict_proba"
            ):
                raise DataError(
                    f"baseline_blend={self.baseline_blend!r} averages probabilities, and "
                    f"head={self.head!r} gives none; use a head with predict_proba (e.g. "
                    "'logistic') or leave baseline_blend at None."
                )

    def _fit_media(self, X, y, source, modality: str, started: float):
        """Fit on images or audio: decoded once, then the same strategies as text."""
        if self.strategy not in STRATEGIES:
            raise DataError(
                f"strategy={self.strategy!r} works on tables only, and X holds {modality}; "
                f"use one of {', '.join(STRATEGIES)}."
            )
        self.backbone_ = self._resolve_backbone(modality)
        self.modality_ = modality
        self.text_column_ = None
        self.image_column_ = self.image_column if modality == "image" else None
        self.audio_column_ = self.audio_column if modality == "audio" else None
        from graft.estimators.modality import folder_or_given_labels

        inputs, folder_labels = self._media(X, modality, "X", fitting=True)
        y = folder_or_given_labels(y, folder_labels)
        y_arr = check_labels(y, len(inputs), task=self._task)
        targets = self._encode_targets(y_arr)
        source_data, decoded_source = self._check_media_source(source, modality)
        self.training_fingerprint_ = fingerprint(inputs.content_keys(), y_arr)
        source_fingerprint = None
        if source_data is not None:
            source_fingerprint = fingerprint(source_data[0].content_keys(), source_data[1])
        # auto's inner folds refit on the decoded set instead of decoding files again.
        return self._fit_strategy(
            inputs,
            targets,
            source_data,
            source_fingerprint,
            auto_data=(inputs, y_arr, decoded_source),
            started=started,
        )

    def _media(self, X, modality: str, where: str, fitting: bool = False):
        from graft.estimators.modality import audio_inputs, image_inputs

        if modality == "image":
            column = self.image_column if fitting else getattr(self, "image_column_", None)
            return image_inputs(X, image_column=column, where=where, fitting=fitting)
        column = self.audio_column if fitting else getattr(self, "audio_column_", None)
        return audio_inputs(X, audio_column=column, where=where), None

    def _check_media_source(self, source, modality: str):
        """``(encoded source, decoded source)`` for image / audio source rows."""
        if source is None:
            return None, None
        if not (isinstance(source, tuple) and len(source) == 2):
            raise DataError(
                "source must be a tuple (X_source, y_source) of labelled source-domain rows."
            )
        from graft.estimators.modality import detect_modality

        source_X, source_y = source
        kind = detect_modality(
            source_X, image_column=self.image_column, audio_column=self.audio_column
        )
        if kind != modality:
            raise DataError(
                f"source X holds {kind} but X holds {modality}; give source rows of the "
                "same kind as the target rows."
            )
        media, folder_labels = self._media(source_X, modality, "source X", fitting=True)
        if folder_labels is not None and source_y is None:
            source_y = folder_labels
        labels = check_labels(source_y, len(media), task=self._task, where="source y")
        return self._encode_source_targets(media, labels), (media, labels)

    def _fit_text(self, X, y, source, started: float):
        if self.strategy not in STRATEGIES:
            raise DataError(
                f"strategy={self.strategy!r} works on tables only, and X is text; use one of "
                f"{', '.join(STRATEGIES)}."
            )
        if source is not None and not isinstance(source, tuple):
            raise DataError(
                "source must be a tuple (X_source, y_source) of labelled source-domain rows."
            )
        self.modality_ = "text"
        # Not self._texts: a refit must not look for the previous fit's text column.
        texts = check_texts(X, text_column=self.text_column, where="X")
        y_arr = check_labels(y, len(texts), task=self._task)
        if isinstance(X, pd.DataFrame):
            from graft.data.validation import resolve_text_column

            self.text_column_ = resolve_text_column(X, self.text_column, "X")
        else:
            self.text_column_ = None
        targets = self._encode_targets(y_arr)
        source_data = self._check_source(source)
        self.training_fingerprint_ = fingerprint(texts, y_arr)
        source_fingerprint = None if source_data is None else fingerprint(*source_data)
        return self._fit_strategy(
            texts,
            targets,
            source_data,
            source_fingerprint,
            auto_data=(X, y, source),
            started=started,
        )

    def _fit_strategy(
        self, inputs, targets, source_data, source_fingerprint, *, auto_data, started
    ):
        """Record lineage, choose the strategy (``auto``) and fit it: text, images, audio.

        ``auto_data`` is the ``(X, y, source)`` that ``auto``'s inner folds refit on.
        """
        from graft.estimators.auto import select_strategy
        from graft.strategies import runner

        # tta applies to images only: refused up front for text and audio, any strategy.
        runner.resolve_tta(self.tta, getattr(self, "modality_", "text"))
        self.lineage_ = {}
        if source_data is not None:
            self.lineage_["source"] = {
                "fingerprint": source_fingerprint,
                "n_rows": len(source_data[0]),
            }
        self.n_training_rows_ = len(inputs)
        seed = self._seed()
        if self.strategy == "auto":
            strategy, self.auto_scores_, self.choice_reason_ = select_strategy(
                self, *auto_data, seed=seed
            )
        else:
            strategy, self.auto_scores_ = self.strategy, {}
            self.choice_reason_ = f"strategy={self.strategy!r} was requested"
        self.strategy_ = strategy
        self.model_ = runner.fit_strategy(
            strategy,
            inputs,
            targets,
            task=self._task,
            n_outputs=self._n_outputs(),
            source=source_data,
            settings=self._settings(),
            seed=seed,
        )
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _check_source(self, source):
        if source is None:
            return None
        if not (isinstance(source, tuple) and len(source) == 2):
            raise DataError(
                "source must be a tuple (X_source, y_source) of labelled source-domain rows."
            )
        source_X, source_y = source
        texts = check_texts(
            source_X,
            text_column=self.text_column if isinstance(source_X, pd.DataFrame) else None,
            where="source X",
        )
        labels = check_labels(source_y, len(texts), task=self._task, where="source y")
        return self._encode_source_targets(texts, labels)

    def _settings(self) -> dict:
        settings = {
            key: getattr(self, key)
            for key in (
                "head",
                "source_weight",
                "unfreeze_layers",
                "epochs",
                "batch_size",
                "learning_rate",
                "head_learning_rate",
                "layer_lr_decay",
                "weight_decay",
                "dropout",
                "l2sp",
                "validation_fraction",
                "patience",
                "image_size",
                "augment",
                "freeze_batchnorm",
                "tta",
                "baseline_blend",
                "cache",
                "progress",
            )
        }
        settings["backbone"] = getattr(self, "backbone_", self.backbone)
        settings["modality"] = getattr(self, "modality_", "text")
        return settings

    def save(self, path):
        """Save the fitted estimator as a bundle directory (see :func:`graft.save`)."""
        # Imported here: the bundle layer sits above the estimators and imports them.
        from graft.bundle import save

        return save(self, path)

    # ------------------------------------------------------------------- predict
    def _outputs(self, X) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "model_")
        modality = getattr(self, "modality_", "text")
        if modality == "tabular":
            from graft.estimators.tabular import tabular_outputs

            return tabular_outputs(self, X)
        if modality in ("image", "audio"):
            from graft.estimators.modality import detect_modality

            found = detect_modality(
                X,
                image_column=getattr(self, "image_column_", None),
                audio_column=getattr(self, "audio_column_", None),
            )
            if found != modality:
                raise DataError(
                    f"This model was trained on {modality} but X holds {found}; pass "
                    f"{modality} input of the same form as in fit."
                )
            return self.model_.outputs(self._media(X, modality, "X")[0])
        return self.model_.outputs(self._texts(X))


def _is_number(value, low: float) -> bool:
    return (
        isinstance(value, (int, float, np.number))
        and not isinstance(value, bool)
        and (value >= low)
    )


def _is_int(value, low: int) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= low


class TransferClassifier(ClassifierMixin, _TransferEstimator):
    """Classify texts by transferring a pretrained encoder (and optionally a source domain).

    Parameters
    ----------
    backbone : str, default="minilm-l6"
        Registered backbone name (see ``graft.list_backbones()``), local model folder, or
        Hugging Face id.
    strategy : {"auto", "feature_extraction", "fine_tune", "hybrid", "baseline"}
        How knowledge is reused. ``feature_extraction``: frozen encoder, cached embeddings,
        a scikit-learn head. ``fine_tune``: unfreeze the top ``unfreeze_layers`` groups and
        train with discriminative learning rates. ``hybrid``: fit the head on frozen
        features first, then unfreeze gradually. ``baseline``: TF-IDF + logistic
        regression, no transfer. ``auto``: choose among all of these by inner
        cross-validation within ``time_budget``; never a transfer model that lost to the
        baseline there (see ``choice_reason_``).
    head : None, "logistic", "normalized_logistic", "ridge", or scikit-learn estimator
        Head for frozen features. None: logistic regression, on L2-normalised features for
        images (``"normalized_logistic"``); ridge for regression.
    text_column : str, optional
        Column holding the text when ``X`` is a DataFrame.
    column_mapping : dict, str or Path, optional
        Tables only: ``{target column: source column}`` (or a JSON / CSV file of such
        pairs) overriding the automatic column matching; a None source keeps a target
        column unmatched. The matching used is in ``column_matching_``.
    source_weight : "auto" or float, default="auto"
        Total weight of source rows relative to target rows; "auto" chooses it by
        cross-validation on the target rows (0 means the source is ignored).
    unfreeze_layers : int or "all", default=2
        How many top backbone layer groups fine-tuning trains.
    epochs, batch_size, learning_rate, head_learning_rate, layer_lr_decay, weight_decay,
    dropout, l2sp, validation_fraction, patience
        Fine-tuning settings: ``learning_rate`` is the top group's; each lower group gets
        ``layer_lr_decay`` times the one above; ``l2sp`` > 0 pulls the backbone toward its
        pretrained weights instead of weight decay; early stopping watches the loss on an
        internal validation split of ``validation_fraction``.
    time_budget : float, default=600
        Seconds ``auto`` may spend on inner validation before skipping costly candidates.
    image_column, audio_column : str, optional
        Column of file paths when ``X`` is a DataFrame of images / audio files (images are
        also recognised as a class-folder tree or a numeric array ``(n, h, w[, c])``; the
        default backbone then becomes ``efficientnet-lite0`` / ``resemblyzer-voice``).
    image_size : int, optional
        Image side in pixels (default: the backbone's, 224); smaller fine-tunes faster.
    augment : bool or dict, default=True
        Random resized crop, flip and colour jitter while fine-tuning, and for 4 cached
        views per image under a frozen-feature head; never at predict time.
    freeze_batchnorm : bool, default=True
        Keep the backbone's BatchNorm statistics fixed while fine-tuning.
    tta : None, "none", "flip" or "flip_shift", default=None
        Images, ``feature_extraction``: test-time augmentation. The head's outputs are
        averaged over each image and its mirror (``"flip"``, twice the embedding work at
        predict time) or its mirror and four shifts by 1/14 of its side (``"flip_shift"``,
        six times). None: ``"flip"`` for images when ``augment`` mirrors them (the default;
        chosen on development holdouts, see benchmarks/RESULTS.md), else ``"none"``; set
        ``augment={"flip": False}`` for images whose mirror is another class (digits,
        text), which turns off both.
    baseline_blend : None, "auto" or float in [0, 1], default=None
        ``feature_extraction``: blend the frozen-feature head's outputs with the
        from-scratch baseline's (pixels + logistic regression for images): ``(1 - w)``
        head ``+ w`` baseline. None: 0.3 for image classification (chosen on development
        holdouts, see benchmarks/RESULTS.md), 0 otherwise. "auto" chooses ``w`` from 0-0.6 by
        3-fold cross-validation on the target rows (log loss); it errs low, so prefer it
        only where the baseline may be poor (e.g. photographs, whose raw pixels say
        little). The weight used is ``model_.baseline_weight``.
    cache : bool, default=True
        Cache frozen embeddings on disk (``$GRAFT_CACHE_DIR``).
    progress : bool, default=False
        Show progress bars for embedding and epochs.
    random_state : int, optional
        Seed; the same seed gives the same model.

    Notes
    -----
    Tables: on a DataFrame of features (or a 2-D array) the strategies are ``auto``, ``baseline``,
    ``source_only``, ``pooled``, ``warm_start``, ``stacking``, ``fine_tune`` (an MLP with
    categorical embeddings) and ``instance``; ``source`` is ``(X_source, y_source)`` or a
    saved tabular bundle, and ``backbone`` matches differing column names by meaning (None
    matches by name only). See :mod:`graft.estimators.tabular_auto` for ``auto``.

    Examples
    --------
    >>> from graft import TransferClassifier
    >>> clf = TransferClassifier(backbone="tiny-bert", strategy="feature_extraction")
    >>> clf.fit(["good", "great", "bad", "awful"], [1, 1, 0, 0]).predict(["good"]).shape
    (1,)
    """

    _task = "classification"

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy on ``(X, y)``; labels are read in the form of ``classes_`` (see
        :func:`graft.data.validation.labels_like`)."""
        from graft.data.validation import labels_like

        if hasattr(self, "classes_"):  # unfitted: predict raises NotFittedError below
            y = labels_like(y, self.classes_)
        return super().score(X, y, sample_weight)

    def _encode_targets(self, y: np.ndarray) -> np.ndarray:
        self.classes_, encoded = np.unique(y, return_inverse=True)
        return encoded

    def _encode_source_targets(self, texts, labels: np.ndarray):
        from graft.data.tabular import class_keys

        # Compared as text, as for tables: a source label 1 is the target class "1".
        lookup = {key: i for i, key in enumerate(class_keys(self.classes_))}
        codes = np.array([lookup.get(key, -1) for key in class_keys(labels)])
        known = codes >= 0
        if not known.any():
            raise DataError(
                "source y shares no class with y (source classes: "
                f"{sorted(map(str, np.unique(labels)))[:5]}); give source rows labelled "
                "with the target's classes."
            )
        # Source rows of classes the target does not have cannot be predicted anyway.
        from graft.data.rows import take_rows

        kept = take_rows(texts, np.flatnonzero(known))
        return kept, codes[known]

    def _n_outputs(self) -> int:
        return len(self.classes_)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        return self._outputs(X)

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)  # first, so an unfitted model raises NotFittedError
        return self.classes_[np.argmax(proba, axis=1)]


class TransferRegressor(RegressorMixin, _TransferEstimator):
    """Predict a number from text by transfer; parameters as :class:`TransferClassifier`.

    The default head is ridge regression and the baseline is TF-IDF + ridge.

    Examples
    --------
    >>> from graft import TransferRegressor
    >>> reg = TransferRegressor(backbone="tiny-bert", strategy="feature_extraction")
    >>> reg.fit(["good", "great", "bad", "awful"], [3.0, 4.0, -2.0, -3.0]).predict(["ok"]).shape
    (1,)
    """

    _task = "regression"

    def _encode_targets(self, y: np.ndarray) -> np.ndarray:
        return y

    def _encode_source_targets(self, texts: list[str], labels: np.ndarray):
        return texts, labels

    def _n_outputs(self) -> int:
        return 1

    def predict(self, X) -> np.ndarray:
        return self._outputs(X)
