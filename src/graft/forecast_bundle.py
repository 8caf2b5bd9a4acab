"""Bundles of a fitted :class:`graft.TransferForecaster` (called by :mod:`graft.bundle`).

Layout::

    model.graft/
        manifest.json              as for every bundle, with the chosen method(s), their
                                   weights, frequency, seasons, covariates, Fracast-0's
                                   weight hash, backtest scores and per-member settings
        history.parquet            the fitted history (after gap filling): ``predict``
                                   forecasts from its end when no newer data is given
        fracast_head.safetensors   fine-tuned Fracast-0 head (``fine_tune``)
        lightgbm.txt               global LightGBM model, LightGBM's text format
                                   (``warm_start``)

Nothing is pickled; statsforecast baselines and zero-shot Fracast hold no learned state.
"""

import datetime as dt
from pathlib import Path

import numpy as np

from graft import __version__
from graft.exceptions import BundleError

_FITTED = (
    "strategy_",
    "choice_reason_",
    "weights_",
    "freq_",
    "seasons_",
    "covariates_used_",
    "covariate_columns_",
    "n_series_",
    "min_length_",
    "fit_seconds_",
    "backtest_errors_",
    "id_numbers_",
    "year_numbers_",
    "no_id_column_",
)


def save_forecaster(estimator, path: Path) -> Path:
    from graft import bundle
    from graft.data.timeseries import panel_frame
    from graft.strategies.forecasting import fracast

    with bundle.staged_bundle(path) as staging:
        panel_frame(
            estimator.panel_,
            id_column=estimator.id_column,
            time_column=estimator.time_column,
            value_column=estimator.value_column,
        ).to_parquet(staging / "history.parquet", index=False)
        members = _members(estimator.model_)
        info = {}
        for name, method in members.items():
            info[name] = {"kind": type(method).__name__}
            if name == "fine_tune":
                from safetensors.torch import save_file

                save_file(method.state_dict(), str(staging / "fracast_head.safetensors"))
                info[name]["history"] = [bundle._jsonable(vars(e)) for e in method.history]
            elif name == "warm_start":
                (staging / "lightgbm.txt").write_text(method.booster.model_to_string())
                info[name]["residual_quantiles"] = method.residual_quantiles.tolist()
                info[name]["target_rounds"] = method.target_rounds
                info[name]["calendar_fields"] = method.calendar_fields
        uses_fracast = bool({"zero_shot", "fine_tune"} & set(members))
        manifest = {
            "format_version": bundle.FORMAT_VERSION,
            "graft_version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "estimator": "TransferForecaster",
            "task": "forecasting",
            "params": bundle._params(estimator),
            "fitted": {k: bundle._jsonable(getattr(estimator, k, None)) for k in _FITTED},
            "input_schema": {
                "kind": "timeseries",
                "id_column": estimator.id_column,
                "time_column": estimator.time_column,
                "value_column": estimator.value_column,
                "covariates": estimator.covariate_columns_,
                "freq": estimator.freq_,
            },
            "classes": None,
            "model": {"members": info},
            "backbone": {"name": "fracast-0", "weight_sha256": fracast.pretrained_hash()}
            if uses_fracast
            else None,
            "metrics": {
                "auto_validation": bundle._jsonable(estimator.auto_scores_),
                "fit_seconds": estimator.fit_seconds_,
            },
            "lineage": bundle._jsonable(estimator.lineage_),
            "files": {f.name: bundle._sha256(f) for f in sorted(staging.iterdir())},
        }
        bundle.write_manifest(staging, manifest)
    return path


def _members(model) -> dict:
    from graft.strategies.forecasting.selection import Combination

    if isinstance(model, Combination):
        return dict(model.members)
    return {_name_of(model): model}


def _name_of(method) -> str:
    names = {"FracastZeroShot": "zero_shot", "FracastFineTuned": "fine_tune"}
    names["GlobalLightGBM"] = "warm_start"
    return names.get(type(method).__name__, getattr(method, "kind", method.name))


def load_forecaster(path: Path, manifest: dict):
    """The forecaster of a verified bundle (``graft.bundle.load`` turns any failure here
    into a BundleError)."""
    import pandas as pd

    from graft.estimators.forecaster import TransferForecaster
    from graft.strategies.forecasting import fracast
    from graft.strategies.forecasting.selection import Combination

    backbone = manifest["backbone"]
    if backbone is not None and fracast.pretrained_hash() != backbone["weight_sha256"]:
        raise BundleError(
            f"The installed Fracast-0 weights differ from those {path} was trained "
            "with; install the same fracast version or re-fit."
        )
    estimator = TransferForecaster(**manifest["params"])
    # Only the attributes graft saves: a manifest must not set arbitrary ones.
    for key, value in manifest["fitted"].items():
        if key in _FITTED:
            setattr(estimator, key, value)
    if "warm_start" not in estimator.weights_:
        # Bundles saved before covariates_used_ followed the chosen method listed them anyway.
        estimator.covariates_used_ = []
    history = pd.read_parquet(path / "history.parquet")
    estimator.panel_ = estimator._panel(
        history, "the bundle's history", estimator.covariate_columns_ or None
    )
    estimator.auto_scores_ = manifest["metrics"]["auto_validation"]
    estimator.lineage_ = manifest.get("lineage", {})
    members = {}
    for name, info in manifest["model"]["members"].items():
        method = estimator._method(name, None)
        if name == "fine_tune":
            from safetensors.torch import load_file

            method.load_state_dict(load_file(str(path / "fracast_head.safetensors")))
            method.history = info.get("history", [])
        elif name == "warm_start":
            from graft.strategies.forecasting.global_lightgbm import lightgbm

            text = (path / "lightgbm.txt").read_text()
            method.booster = lightgbm().Booster(model_str=text)
            method.residual_quantiles = np.asarray(info["residual_quantiles"], dtype=float)
            method.target_rounds = info.get("target_rounds", 0)
            # Bundles saved before business days got a weekly season (5) were trained
            # without calendar fields at that frequency (it had no season then).
            method.calendar_fields = info.get(
                "calendar_fields",
                pd.tseries.frequencies.to_offset(estimator.freq_).name not in ("B", "C"),
            )
            method.freq = estimator.freq_
        members[name] = method
    estimator.model_ = (
        next(iter(members.values()))
        if len(members) == 1
        else Combination(members, estimator.weights_)
    )
    estimator.manifest_ = manifest
    return estimator
