"""Bundles: a fitted estimator saved as a directory of safe files plus a JSON manifest.

Layout::

    model.graft/
        manifest.json          task, strategy, input schema, classes, backbone id and
                               weight hash, metrics, training-data fingerprint, lineage,
                               graft version, and the SHA-256 of every other file
        manifest.sha256        the SHA-256 of the manifest's canonical JSON
        head_param.skops       the ``head`` parameter when it is an estimator (unfitted)
        head.skops             scikit-learn head (feature_extraction) or
        baseline.skops         TF-IDF pipeline (baseline) or
        network.safetensors    fine-tuned backbone and output layer (fine_tune, hybrid,
                               and the from-scratch CNN of baseline_cnn)
        encoder.skops, member_<i>.*, source_booster.txt, source.graft/
                               a tabular model (see graft.bundle_tabular)

Loading never unpickles: scikit-learn parts load through skops with only scikit-learn,
NumPy and SciPy types trusted, torch weights through safetensors. The manifest is checked
against its digest and every other file against its hash in the manifest, and the
pretrained backbone must be the one the bundle was trained on. Saving writes a temporary
directory and renames it into place, so a failed save leaves nothing half-written.
"""

import contextlib
import copy
import datetime as dt
import hashlib
import importlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from graft import __version__
from graft.exceptions import BundleError, GraftError

FORMAT_VERSION = 2
"""Format 2 adds ``manifest.sha256``; format 1 bundles (saved before it) still load."""
READABLE_FORMATS = (1, 2)
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
"""SHA-256 of the manifest's canonical JSON: the manifest hashes every other file, and this
covers the manifest itself (a bundle saved before it existed loads without it)."""
HEAD_PARAM = "head_param.skops"
"""The ``head`` parameter when it is an estimator (unfitted), so a loaded model refits alike."""
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")
_FITTED = (
    "strategy_",
    "modality_",
    "backbone_",
    "text_column_",
    "image_column_",
    "audio_column_",
    "choice_reason_",
    "training_fingerprint_",
    "n_training_rows_",
    "fit_seconds_",
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _params(estimator) -> dict:
    # Shallow: a deep copy would add a custom head's own parameters (head__C, ...), which
    # are no arguments of the estimator, so the bundle would never load.
    params = estimator.get_params(deep=False)
    if _custom_head(estimator):
        # A custom head estimator lives in HEAD_PARAM (unfitted); the manifest only names it.
        params["head"] = None
    if "backbone" in params:  # a forecaster has none
        params["backbone"] = _portable_backbone(params["backbone"])
    if not isinstance(params.get("random_state"), (int, type(None))):
        # A RandomState object cannot round-trip through JSON; a reloaded model that is
        # fitted again then uses the default seed.
        params["random_state"] = None
    return _jsonable(params)


def _portable_backbone(name):
    """A local model folder's absolute path, so the bundle loads from any working folder;
    registered names and hub ids as given."""
    from graft.backbones.registry import get_spec

    if not isinstance(name, str) or get_spec(name) is not None:
        return name
    folder = Path(name).expanduser()
    return str(folder.resolve()) if folder.is_dir() else name


def _custom_head(estimator) -> bool:
    head = getattr(estimator, "head", None)
    return head is not None and not isinstance(head, str)


def check_bundle_path(path: Path) -> None:
    """Refuse a bundle path that is neither new nor a bundle (saving replaces a bundle, never
    anything else), or whose folder is missing."""
    if path.exists() and not (path / MANIFEST).is_file():
        raise BundleError(
            f"{path} exists and is not a graft bundle; choose another path or remove it."
        )
    if not path.parent.is_dir():
        raise BundleError(f"Folder {path.parent} does not exist; create it first.")


def save(estimator, path: str | os.PathLike) -> Path:
    """Save a fitted TransferClassifier / TransferRegressor as a bundle directory.

    An existing bundle at ``path`` is replaced atomically; any other existing file or
    folder there is left alone and an error is raised.

    Examples
    --------
    >>> import graft, tempfile, os
    >>> clf = graft.TransferClassifier(backbone="tiny-bert", strategy="baseline")
    >>> clf = clf.fit(["good", "fine", "bad", "poor"], [1, 1, 0, 0])
    >>> path = graft.save(clf, os.path.join(tempfile.mkdtemp(), "m.graft"))
    >>> graft.load(path).predict(["good"]).tolist()
    [1]
    """
    from sklearn.utils.validation import check_is_fitted

    from graft.strategies.runner import BaselineModel, FeatureModel, NetModel, pretrained_hash

    check_is_fitted(estimator, "model_")
    path = Path(path).expanduser()
    check_bundle_path(path)
    if getattr(estimator, "_task", None) == "forecasting":
        from graft.forecast_bundle import save_forecaster

        return save_forecaster(estimator, path)
    model = estimator.model_
    tabular = getattr(estimator, "modality_", "text") == "tabular"
    with staged_bundle(path) as staging:
        backbone = None
        if _custom_head(estimator):
            from sklearn.base import clone

            _dump_skops(clone(estimator.head), staging / HEAD_PARAM)
        if tabular:
            from graft.bundle_tabular import save_tabular_model

            model_info = save_tabular_model(model, staging, _dump_skops, save)
        elif isinstance(model, BaselineModel):
            _dump_skops(model.pipeline, staging / "baseline.skops")
        elif isinstance(model, FeatureModel):
            _dump_skops(model.head, staging / "head.skops")
            if model.baseline is not None:
                _dump_skops(model.baseline, staging / "baseline.skops")
            backbone = _portable_backbone(model.backbone_name)
        elif isinstance(model, NetModel):
            from safetensors.torch import save_file

            state = {k: v.contiguous() for k, v in model.net.state_dict().items()}
            save_file(state, str(staging / "network.safetensors"))
            backbone = _portable_backbone(model.backbone_name)
        manifest = {
            "format_version": FORMAT_VERSION,
            "graft_version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "estimator": type(estimator).__name__,
            "task": estimator._task,
            "params": _params(estimator),
            "fitted": {k: _jsonable(getattr(estimator, k, None)) for k in _FITTED},
            "input_schema": _input_schema(estimator),
            "classes": _classes_json(estimator),
            "model": model_info if tabular else _model_json(model),
            "backbone": None
            if backbone is None
            else {"name": backbone, "weight_sha256": pretrained_hash(backbone)},
            "metrics": {
                "auto_validation": _jsonable(estimator.auto_scores_),
                "fit_seconds": estimator.fit_seconds_,
            },
            "lineage": _jsonable(getattr(estimator, "lineage_", {})),
            "files": {f.name: _sha256(f) for f in sorted(staging.iterdir()) if f.is_file()},
            "bundles": {
                f.name: _sha256(f / MANIFEST) for f in sorted(staging.iterdir()) if f.is_dir()
            },
        }
        write_manifest(staging, manifest)
    return path


def _manifest_digest(manifest) -> str:
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_manifest(folder: Path, manifest: dict) -> None:
    """Write ``manifest.json`` and its digest into a bundle folder being saved."""
    text = json.dumps(manifest, indent=2)
    (folder / MANIFEST).write_text(text)
    # The digest of what load will read back (JSON turns tuples to lists, keys to strings).
    (folder / MANIFEST_DIGEST).write_text(_manifest_digest(json.loads(text)) + "\n")


def _check_manifest_digest(path: Path, manifest) -> None:
    file = path / MANIFEST_DIGEST
    if not file.exists():
        if isinstance(manifest, dict) and manifest.get("format_version") == 1:
            return  # saved before manifests had a digest
        raise BundleError(
            f"{path} lacks {MANIFEST_DIGEST}, which its format requires; the bundle was "
            "tampered with or copied in part, so re-save the model."
        )
    try:
        expected = file.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{file} cannot be read; re-save the model.") from exc
    if _manifest_digest(manifest) != expected:
        raise BundleError(
            f"{path / MANIFEST} does not match its digest in {MANIFEST_DIGEST}; the manifest "
            "was edited or corrupted, so re-save the model."
        )


@contextlib.contextmanager
def staged_bundle(path: Path):
    """A staging folder next to ``path``, filled by the ``with`` block and then renamed to
    ``path`` (replacing an older bundle) with the permissions of a new folder.

    On any failure the staging folder is removed, so nothing half-written is left; an
    OSError (read-only folder, disk full) becomes a :class:`BundleError`.
    """
    from graft.data.io import default_mode

    try:
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.tmp-"))
    except OSError as exc:
        raise BundleError(
            f"Cannot write the bundle {path} ({exc.strerror or exc}); choose a writable folder."
        ) from exc
    try:
        yield staging
        # mkdtemp makes it private (0o700); a bundle should be as readable as any new folder.
        os.chmod(staging, default_mode(directory=True))
        _swap_into_place(staging, path)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BundleError(
            f"Cannot write the bundle {path} ({exc.strerror or exc}); check the folder's "
            "permissions and free space."
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _input_schema(estimator) -> dict:
    modality = getattr(estimator, "modality_", "text")
    if modality == "text":
        return {"kind": "text", "text_column": estimator.text_column_, "dtype": "string"}
    if modality in ("image", "audio"):
        return _media_schema(estimator, modality)
    matching = getattr(estimator, "column_matching_", None)
    return {
        "kind": "tabular",
        "feature_names": [str(c) for c in estimator.feature_names_in_],
        "columns": estimator.model_.encoder.schema.to_dict()["columns"],
        "column_matching": None if matching is None else _jsonable(matching.to_dict()),
    }


def _media_schema(estimator, modality: str) -> dict:
    column = getattr(estimator, f"{modality}_column_", None)
    schema = {"kind": modality, f"{modality}_column": column}
    if modality == "image":
        schema["dtype"] = "RGB uint8 (greyscale and RGBA converted)"
    else:
        schema["dtype"] = "mono float32 at 16 kHz (resampled)"
    return schema


def _swap_into_place(staging: Path, path: Path) -> None:
    old = None
    if path.exists():
        old = path.with_name(f".{path.name}.old-{os.getpid()}")
        os.replace(path, old)
    os.replace(staging, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _dump_skops(obj, path: Path) -> None:
    """Write ``obj`` with skops, refusing what :func:`load` would refuse to read back (a
    head or model from outside scikit-learn, NumPy and SciPy), so no unloadable bundle is
    ever written."""
    import skops.io as sio

    sio.dump(obj, path)
    refused = [t for t in sio.get_untrusted_types(file=path) if not _trusted_class(t)]
    if refused:
        raise BundleError(
            f"Cannot save {type(obj).__name__}: it holds types a bundle does not load "
            f"({', '.join(refused[:3])}); only scikit-learn, NumPy and SciPy classes are "
            "saved, so use a scikit-learn head or model."
        )


def _classes_json(estimator):
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        return None
    return {"values": _jsonable(classes.tolist()), "dtype": classes.dtype.str}


def _model_json(model) -> dict:
    from graft.strategies.runner import BaselineModel, FeatureModel

    info = {"kind": type(model).__name__, "n_outputs": model.n_outputs}
    if isinstance(model, BaselineModel):
        info["modality"] = model.modality
        return info
    info["source_ratio"] = model.source_ratio
    if isinstance(model, FeatureModel):
        info["source_losses"] = _jsonable(model.source_losses)
        info["cache"] = model.cache
        info["input_size"] = model.input_size
        info["tta"] = model.tta
        info["baseline_weight"] = model.baseline_weight
        info["blend_losses"] = _jsonable(model.blend_losses)
        info["modality"] = model.modality
        return info
    backbone = model.net.backbone
    if hasattr(backbone, "image_size"):
        info["image_size"] = backbone.image_size
        info["freeze_batchnorm"] = backbone.freeze_batchnorm
    info.update(
        target_mean=model.target_mean,
        target_scale=model.target_scale,
        dropout=float(model.net.dropout.p),
        history=[_jsonable(vars(e)) for e in model.history],
    )
    return info


def _read_manifest(path: Path) -> dict:
    if not path.is_dir():
        raise BundleError(f"{path} is not a graft bundle directory; check the path.")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BundleError(f"{path} has no {MANIFEST}; it is not a graft bundle.") from exc
    except OSError as exc:  # a folder named manifest.json, no read permission, ...
        raise BundleError(
            f"{path / MANIFEST} cannot be read ({exc.strerror or exc}); re-save the model or "
            "fix its permissions."
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path / MANIFEST} is corrupt (not JSON); re-save the model.") from exc
    _check_manifest_digest(path, manifest)
    found = manifest.get("format_version") if isinstance(manifest, dict) else None
    if type(found) is not int or found not in READABLE_FORMATS:
        raise BundleError(
            f"{path} has bundle format {found!r}; this graft ({__version__}) reads formats "
            f"{', '.join(map(str, READABLE_FORMATS))}, so re-save the model with this version."
        )
    major = str(manifest.get("graft_version", "")).split(".")[0]
    if major != __version__.split(".")[0]:
        raise BundleError(
            f"{path} was saved by graft {manifest.get('graft_version')!r}, incompatible "
            f"with graft {__version__}; re-fit or use the matching graft version."
        )
    return manifest


def _verify_files(path: Path, manifest: dict) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise BundleError(f"{path / MANIFEST} lists no files; the bundle is corrupt.")
    bundles = manifest.get("bundles") or {}
    if not isinstance(bundles, dict):
        raise BundleError(f"{path / MANIFEST} is corrupt (bad 'bundles'); re-save the model.")
    # Hidden files (.DS_Store, editors' droppings) are never read, so they do no harm; a
    # manifest naming one is refused below.
    present = {f.name for f in path.iterdir() if not f.name.startswith(".")}
    present -= {MANIFEST, MANIFEST_DIGEST}
    extra = present - set(files) - set(bundles)
    if extra:
        raise BundleError(
            f"{path} holds files its manifest does not list ({', '.join(sorted(extra))}); "
            "the bundle was tampered with."
        )
    for name, expected in files.items():
        file = path / name
        if "/" in name or name.startswith(".") or not file.is_file():
            raise BundleError(f"{path} is missing {name}; the bundle is incomplete.")
        if _sha256(file) != expected:
            raise BundleError(
                f"{file} does not match the hash in its manifest; the bundle is corrupt or "
                "was tampered with, so re-save it."
            )
    for name, expected in bundles.items():
        inner = path / name
        if "/" in name or name.startswith(".") or not (inner / MANIFEST).is_file():
            raise BundleError(f"{path} is missing the source bundle {name}; it is incomplete.")
        if _sha256(inner / MANIFEST) != expected:
            raise BundleError(
                f"{inner} does not match the hash in {path / MANIFEST}; the bundle is corrupt "
                "or was tampered with, so re-save it."
            )


def _load_skops(file: Path):
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=file)
    except Exception as exc:
        raise BundleError(f"{file} is not a readable skops file; re-save the model.") from exc
    refused = [t for t in untrusted if not _trusted_class(t)]
    if refused:
        raise BundleError(
            f"{file} needs types graft does not trust ({', '.join(refused[:3])}); only "
            "scikit-learn, NumPy and SciPy classes load from a bundle."
        )
    return sio.load(file, trusted=untrusted)


def _trusted_class(name: str) -> bool:
    """Whether ``name`` is a class of scikit-learn, NumPy or SciPy.

    Classes only: skops calls a *function* named in the file with arguments from the file,
    and those libraries hold functions (e.g. one that runs a string as code) that would let
    a crafted bundle execute anything.
    """
    if not name.startswith(TRUSTED_PREFIXES):
        return False
    module_name, _, attribute = name.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError):
        return False
    return isinstance(found, type)


def _matching(data):
    if data is None:
        return None
    from graft.analysis.column_matching import ColumnMatching

    return ColumnMatching.from_dict(data)


def load(path: str | os.PathLike):
    """Load a bundle saved by :func:`save` after checking its hashes and backbone.

    Raises
    ------
    BundleError
        If the bundle is missing, corrupt, tampered with, or from an incompatible version.
    """
    from graft.estimators import TransferClassifier, TransferRegressor
    from graft.strategies.runner import (
        BaselineModel,
        FeatureModel,
        NetModel,
        pretrained_backbone,
        pretrained_hash,
    )

    path = Path(path).expanduser()
    manifest = _read_manifest(path)
    try:
        _verify_files(path, manifest)
    except OSError as exc:  # e.g. a member file without read permission
        raise BundleError(
            f"{path} cannot be read ({exc.strerror or exc}: {exc.filename}); fix its "
            "permissions or re-save the model."
        ) from exc
    try:
        if manifest.get("estimator") == "TransferForecaster":
            from graft.forecast_bundle import load_forecaster

            return load_forecaster(path, manifest)
        classes = {"TransferClassifier": TransferClassifier, "TransferRegressor": TransferRegressor}
        estimator = classes[manifest["estimator"]](**manifest["params"])
        if HEAD_PARAM in manifest["files"]:
            estimator.set_params(head=_load_skops(path / HEAD_PARAM))
        info, task = manifest["model"], manifest["task"]
        if manifest["classes"] is not None:
            spec = manifest["classes"]
            estimator.classes_ = np.array(spec["values"], dtype=np.dtype(spec["dtype"]))
        if manifest["backbone"] is not None:
            name = manifest["backbone"]["name"]
            if pretrained_hash(name) != manifest["backbone"]["weight_sha256"]:
                raise BundleError(
                    f"Backbone {name!r} here has other weights than the one {path} was "
                    "trained with; install the same backbone version or re-fit."
                )
        kind, n_outputs = info["kind"], info["n_outputs"]
        if kind == "TabularModel":
            from graft.bundle_tabular import load_tabular_model

            model = load_tabular_model(path, info, _load_skops, load, estimator)
            schema = manifest["input_schema"]
            estimator.feature_names_in_ = np.array(schema["feature_names"], dtype=object)
            estimator.n_features_in_ = len(schema["feature_names"])
            estimator.column_matching_ = _matching(schema.get("column_matching"))
        elif kind == "BaselineModel":
            model = BaselineModel(
                _load_skops(path / "baseline.skops"),
                task,
                n_outputs,
                info.get("modality", "text"),
            )
        elif kind == "FeatureModel":
            head = _load_skops(path / "head.skops")
            model = FeatureModel(
                name,
                head,
                task,
                n_outputs,
                info["source_ratio"],
                info["source_losses"],
                info["cache"],
                info.get("input_size"),
                info.get("tta", "none"),
                None,
                info.get("baseline_weight", 0.0),
                # JSON keys are strings; the weights were floats.
                {float(k): v for k, v in info.get("blend_losses", {}).items()},
                info.get("modality", "text"),
            )
            if model.baseline_weight > 0:
                model.baseline = _load_skops(path / "baseline.skops")
        elif kind == "NetModel":
            from safetensors.torch import load_file

            from graft.strategies.fine_tune import TransferNet

            backbone = copy.deepcopy(pretrained_backbone(name))
            if "image_size" in info:
                backbone.configure(
                    image_size=info["image_size"],
                    augmentation=None,
                    freeze_bn=info["freeze_batchnorm"],
                    seed=0,
                )
            net = TransferNet(backbone, n_outputs, info["dropout"])
            net.load_state_dict(load_file(str(path / "network.safetensors")), strict=True)
            for param in net.parameters():
                param.requires_grad_(False)
            model = NetModel(
                net.eval(),
                name,
                task,
                n_outputs,
                info["target_mean"],
                info["target_scale"],
                info["history"],
                info["source_ratio"],
            )
        else:
            raise BundleError(f"{path} holds an unknown model kind {kind!r}; re-save it.")
        # Only the attributes graft saves: a manifest must not set arbitrary ones.
        for key, value in manifest["fitted"].items():
            if key in _FITTED:
                setattr(estimator, key, value)
        estimator.auto_scores_ = manifest["metrics"]["auto_validation"]
        estimator.lineage_ = manifest.get("lineage", {})
    except GraftError:
        raise
    except Exception as exc:
        raise BundleError(
            f"{path} is inconsistent with its manifest ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:120] if str(exc) else ''}); re-save the model."
        ) from exc
    estimator.model_ = model
    estimator.manifest_ = manifest
    return estimator
